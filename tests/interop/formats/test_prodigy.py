"""labels.interop.formats.prodigy: tokens and spans with an inclusive ``token_end``."""

from __future__ import annotations

import json

import pytest

from tests.support.exports import export_bytes, load

pytestmark = pytest.mark.django_db


def test_prodigy_token_end_is_inclusive_and_relations_point_at_last_tokens(desk):
    tasks = [json.loads(x) for x in export_bytes(desk, format="prodigy").decode().splitlines()]
    for task in tasks:
        tokens = task["tokens"]
        assert "".join(t["text"] + (" " if t["ws"] else "") for t in tokens) == task["text"]
        for s in task["spans"]:
            assert tokens[s["token_start"]]["start"] == s["start"]
            assert tokens[s["token_end"]]["end"] == s["end"]
            assert task["text"][s["start"] : s["end"]] == s["text"]
        for rel in task["relations"]:
            assert rel["head"] == rel["head_span"]["token_end"]
            assert rel["child"] == rel["child_span"]["token_end"]
        assert task["answer"] == "accept"
    first = tasks[0]
    spokesman = next(s for s in first["spans"] if s["text"] == "The spokesman")
    assert spokesman["token_end"] == spokesman["token_start"] + 1
    assert first["relations"][0]["label"] == "attributed_to"
    assert first["relations"][0]["child_span"]["start"] == spokesman["start"]


def test_a_span_starting_on_a_space_gets_a_token_of_its_own(project, annotator):
    text = "Ana said yes."
    load(
        project,
        "gold",
        {
            "id": "sp",
            "text": text,
            "spans": [{"label": "Cue", "start": 3, "end": 9, "text": " said "}],
        },
    )
    task = json.loads(export_bytes(project, format="prodigy").decode())
    s = task["spans"][0]
    assert task["tokens"][s["token_start"]]["text"] == " "
    assert task["tokens"][s["token_end"]]["text"] == " "
    assert (task["tokens"][s["token_start"]]["start"], task["tokens"][s["token_end"]]["end"]) == (
        3,
        9,
    )

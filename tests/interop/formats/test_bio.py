"""labels.interop.formats.bio: Hugging Face rows and CoNLL blocks, one BIO tag column per label."""

from __future__ import annotations

import json
import re

import pytest

from tests.support.exports import export_bytes

pytestmark = pytest.mark.django_db


def test_hf_rows_load_with_json_and_tags_match_tokens(desk):
    lines = export_bytes(desk, format="hf", layer="all").decode().splitlines()
    rows = [json.loads(line) for line in lines]
    assert len(rows) == 5
    labels = ["Quote", "Source", "Cue", "Claim", "Stance"]
    for row in rows:
        assert [k for k in row if k.startswith("ner_tags_")] == [f"ner_tags_{x}" for x in labels]
        for label in labels:
            assert len(row[f"ner_tags_{label}"]) == len(row["tokens"])
        assert not any(t.isspace() for t in row["tokens"])
    gold = rows[0]
    tagged = [
        (tok, tag)
        for tok, tag in zip(gold["tokens"], gold["ner_tags_Quote"], strict=True)
        if tag != "O"
    ]
    assert tagged == [
        ("we", "B-Quote"),
        ("will", "I-Quote"),
        ("respond", "I-Quote"),
        ("Europe", "B-Quote"),
        ("must", "I-Quote"),
        ("act", "I-Quote"),
        ("now", "I-Quote"),
    ]
    sources = [
        tok for tok, tag in zip(gold["tokens"], gold["ner_tags_Source"], strict=True) if tag != "O"
    ]
    assert sources == ["The", "spokesman", "José", "Borrell"]


def test_conll_has_one_block_per_record_with_a_tag_column_per_label(desk):
    blocks = export_bytes(desk, format="conll", split="80,10,10").decode().split("\n\n")
    blocks = [b for b in blocks if b.strip()]
    assert len(blocks) == 2
    for block in blocks:
        lines = block.splitlines()
        assert lines[0].startswith("# id = ")
        assert lines[1] == "# layer = gold"
        assert re.fullmatch(r"# split = (train|dev|test)", lines[2])
        assert lines[3] == "# columns = token\tQuote\tSource\tCue\tClaim\tStance"
        for line in lines[4:]:
            columns = line.split("\t")
            assert len(columns) == 6 and columns[0] and not re.search(r"\s", columns[0])
    said = next(line for line in blocks[0].splitlines() if line.startswith("said\t"))
    assert said.split("\t")[3] == "B-Cue"

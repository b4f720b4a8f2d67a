"""labels.interop.formats.brat: ``.ann`` offsets that index the ``.txt``, and ``annotation.conf``."""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from tests.support.exports import TEXT_1, canon, export_bytes

pytestmark = pytest.mark.django_db


def test_brat_ann_offsets_index_the_txt(desk):
    archive = zipfile.ZipFile(io.BytesIO(export_bytes(desk, format="brat", layer="all")))
    names = set(archive.namelist())
    assert "annotation.conf" in names
    conf = archive.read("annotation.conf").decode()
    assert "attributed_to\tArg1:Quote|Claim, Arg2:Source" in conf
    assert "quote_type\tArg:Quote, Value:direct|indirect|mixed" in conf
    assert {"gold/afp-1.txt", "gold/afp-1.ann", "ana/afp-1.ann", "ben/afp-1.ann"} <= names
    text = archive.read("gold/afp-1.txt").decode()
    assert text == canon(TEXT_1)
    ann = archive.read("gold/afp-1.ann").decode().splitlines()
    t_ids = set()
    for line in ann:
        if line.startswith("T"):
            t_id, middle, shown = line.split("\t")
            label, where = middle.split(" ", 1)
            fragments = [tuple(map(int, f.split())) for f in where.split(";")]
            assert " ".join(text[s:e] for s, e in fragments) == shown
            t_ids.add(t_id)
    quote2 = next(line for line in ann if "Europe must act now" in line)
    assert ";" in quote2.split("\t")[1]
    for line in ann:
        if line.startswith("R"):
            args = re.findall(r"Arg\d:(T\d+)", line)
            assert len(args) == 2 and set(args) <= t_ids
    assert any(re.fullmatch(r"A\d+\tquote_type T\d+ direct", line) for line in ann)
    assert any(re.fullmatch(r"#\d+\tAnnotatorNotes R1\tcue=T\d+", line) for line in ann)
    assert any(line.endswith("target=acting now") for line in ann)

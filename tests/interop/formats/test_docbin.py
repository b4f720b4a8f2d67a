"""labels.interop.formats.docbin: spaCy DocBin archives that load and hold every span at its
offsets."""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from tests.support.exports import by_layer, export_bytes, native

pytestmark = pytest.mark.django_db


def test_spacy_docbins_load_and_hold_every_span_at_its_offsets(desk):
    import spacy
    from spacy.tokens import DocBin

    expected = by_layer(native(desk, layer="all", split="50,25,25"))
    data = export_bytes(desk, format="spacy", layer="all", split="50,25,25")
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = archive.namelist()
    assert names and all(re.fullmatch(r"(train|dev|test)/\d{5}\.spacy", n) for n in names)
    nlp = spacy.blank("xx")
    docs = []
    for name in names:
        docs.extend(DocBin().from_bytes(archive.read(name)).get_docs(nlp.vocab))
    assert len(docs) == len(expected)
    for doc in docs:
        record = expected[(doc.user_data["id"], doc.user_data["layer"])]
        assert doc.text == record["text"]
        assert f"{doc.user_data['split']}/" in next(
            n for n in names if n.startswith(doc.user_data["split"])
        )
        got = [(s.id_, s.label_, s.start_char, s.end_char, s.text) for s in doc.spans["sc"]]
        assert got == [
            (s["id"], s["label"], s["start"], s["end"], s["text"]) for s in record["spans"]
        ]
        assert [dict(r) for r in doc.user_data["relations"]] == record["relations"]


def test_spacy_docbin_loads_from_disk(desk, tmp_path):
    import spacy
    from spacy.tokens import DocBin

    archive = zipfile.ZipFile(io.BytesIO(export_bytes(desk, format="spacy")))
    assert archive.namelist() == ["00001.spacy"]
    archive.extractall(tmp_path)
    docs = list(DocBin().from_disk(tmp_path / "00001.spacy").get_docs(spacy.blank("xx").vocab))
    assert [len(d.spans["sc"]) for d in docs] == [7, 4]

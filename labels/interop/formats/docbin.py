"""spaCy: DocBin archives with ``doc.spans`` (writer)."""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from labels.errors import ExportError
from labels.interop.records import Context
from labels.interop.streams import SPACY_SHARD_DOCS, SPAN_GROUP, ExportRecord, _Sink, _zip_entry
from labels.interop.tokens import Tokenizer


@contextmanager
def _msgpack_plugins_looked_up_once():
    """srsly (spaCy's serialiser) looks its msgpack plugins up on every call: it scans the
    installed packages' entry points and the whole global function registry, which costs
    several milliseconds, and DocBin.add serialises three times per doc. The plugins cannot
    change during an export, so they are looked up once and the answer reused until the end."""
    from srsly import msgpack

    registries = (msgpack.msgpack_encoders, msgpack.msgpack_decoders)
    for registry in registries:
        found = registry.get_all()
        registry.get_all = lambda found=found: dict(found)
    try:
        yield
    finally:
        for registry in registries:
            del registry.get_all  # back to the class's method


def write_spacy(records: Iterable[ExportRecord], context: Context) -> Iterator[bytes]:
    """A zip of spaCy DocBin files of at most 1,000 docs each (a DocBin is one binary blob and
    cannot be appended to). With a split, shards go to ``train/``, ``dev/`` and ``test/``, which
    ``spacy train --paths.train train/ --paths.dev dev/`` reads as they are; without, to the
    top of the archive. Each Doc is one record: ``doc.spans["sc"]`` holds its spans in record
    order (``span.id_`` is the record's span id), ``doc.user_data`` the id, layer, split,
    annotation, span attributes and relations."""
    from spacy.tokens import DocBin, Span

    tokenizer: Tokenizer = context.tokenizer

    def archive():
        sink = _Sink()
        shards: dict[str, Any] = {}
        numbers: dict[str, int] = {}

        def flush(part: str) -> None:
            numbers[part] = numbers.get(part, 0) + 1
            prefix = f"{part}/" if part else ""
            data = shards.pop(part).to_bytes()
            zf.writestr(_zip_entry(f"{prefix}{numbers[part]:05d}.spacy", context, False), data)

        with _msgpack_plugins_looked_up_once(), zipfile.ZipFile(sink, "w") as zf:
            for record in records:
                tok = tokenizer.tokenize(record)
                doc = tokenizer.doc(tok)
                group = []
                for span, (ts, te) in zip(record["spans"], tok.span_tokens, strict=True):
                    s = Span(doc, ts, te + 1, label=span["label"], span_id=span["id"])
                    if (s.start_char, s.end_char) != (span["start"], span["end"]):
                        raise ExportError(
                            f"Article {record['id']!r} ({record['layer']} layer): span "
                            f"{span['id']} does not map onto spaCy tokens exactly."
                        )
                    group.append(s)
                doc.spans[SPAN_GROUP] = group
                doc.user_data.update(
                    {
                        "id": record["id"],
                        "layer": record["layer"],
                        "split": record["split"],
                        "title": record["title"],
                        "annotation": record["annotation"],
                        "span_attrs": [
                            {"id": s["id"], "attrs": s["attrs"], "origin": s["origin"]}
                            | ({"provenance": s["provenance"]} if "provenance" in s else {})
                            for s in record["spans"]
                        ],
                        "relations": record["relations"],
                    }
                )
                part = record["split"] or ""
                if part not in shards:
                    # Only the tokens and spaces: a blank pipeline sets no tags, lemmas or
                    # entities, and the default 14 columns per token would make a 1,000-doc
                    # shard seven times larger in memory.
                    shards[part] = DocBin(attrs=["ORTH"], store_user_data=True)
                shards[part].add(doc)
                if len(shards[part]) >= SPACY_SHARD_DOCS:
                    flush(part)
                    yield sink.drain()
            for part in sorted(shards):
                flush(part)
        yield sink.drain()

    return archive()

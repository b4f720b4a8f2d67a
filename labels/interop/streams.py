"""Output plumbing of the exporters: JSON lines, coalesced chunks, zip archives written as they stream."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from labels.interop.records import Context

ExportRecord = dict[str, Any]
Writer = Callable[[Iterable[ExportRecord], Context], Iterator[bytes]]

CHUNK_BYTES = 1 << 16
SPACY_SHARD_DOCS = 1000
SPAN_GROUP = "sc"


def _coalesce(chunks: Iterable[bytes], size: int = CHUNK_BYTES) -> Iterator[bytes]:
    """Join small chunks into pieces of about ``size`` bytes; the first piece goes out at once
    so a reader sees the first line as soon as it exists."""
    pending: list[bytes] = []
    held = 0
    first = True
    try:
        for chunk in chunks:
            if first:
                first = False
                yield chunk
                continue
            pending.append(chunk)
            held += len(chunk)
            if held >= size:
                yield b"".join(pending)
                pending, held = [], 0
    except Exception:
        # What was written before a writer failed goes out, then the failure (see
        # ``labels.interop.exporting.Export``).
        if pending:
            yield b"".join(pending)
        raise
    if pending:
        yield b"".join(pending)


# ---------------------------------------------------------------------------------------------
# Archives


class _Sink:
    """A write-only, unseekable file for ``zipfile``: collects what is written until drained."""

    def __init__(self):
        self._parts: list[bytes] = []
        self._written = 0

    def write(self, data) -> int:
        self._parts.append(bytes(data))
        self._written += len(data)
        return len(data)

    def tell(self) -> int:
        return self._written

    def flush(self) -> None:
        pass

    def close(self) -> None:
        """Part of the file protocol ``zipfile`` types; it never closes a file it was given."""

    def drain(self) -> bytes:
        data = b"".join(self._parts)
        self._parts = []
        return data


def _zip_entry(name: str, context: Context, compress: bool = True) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=context.started_at.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16
    return info


def one_line(value: str) -> str:
    return re.sub(r"\s", " ", value)


def span_refs(attrs: dict, names: set[str] | None, ids: dict[str, Any]) -> dict:
    """``attrs`` with its span-valued attributes (``names``) renamed through ``ids``."""
    if not names:
        return attrs
    return {k: ids[v] if k in names and v in ids else v for k, v in attrs.items()}


def attribute_kinds(schemas: list[dict]) -> dict[tuple[str, str], str]:
    kinds: dict[tuple[str, str], str] = {}
    for schema in reversed(schemas):  # the newest definition wins
        for label in schema.get("span_labels", []):
            for attribute in label.get("attributes", []):
                kinds[(label["name"], attribute["name"])] = attribute["type"]
    return kinds

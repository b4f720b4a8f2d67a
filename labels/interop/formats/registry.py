"""The only list of format names: every reader and every writer, by name."""

from __future__ import annotations

from dataclasses import dataclass

from labels.interop.formats.bio import write_conll, write_hf
from labels.interop.formats.brat import write_brat
from labels.interop.formats.docbin import write_spacy
from labels.interop.formats.doccano import read_doccano, write_doccano
from labels.interop.formats.labelstudio import read_labelstudio, write_labelstudio
from labels.interop.formats.native import read_native, write_native
from labels.interop.formats.plain import read_csv, read_text
from labels.interop.formats.prodigy import write_prodigy
from labels.interop.formats.quotes import write_quotes
from labels.interop.streams import Writer

# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FormatSpec:
    write: Writer
    content_type: str
    extension: str
    tokenized: bool = False


WRITERS: dict[str, FormatSpec] = {
    "native": FormatSpec(write_native, "application/x-ndjson; charset=utf-8", "jsonl"),
    "spacy": FormatSpec(write_spacy, "application/zip", "spacy.zip", tokenized=True),
    "hf": FormatSpec(write_hf, "application/x-ndjson; charset=utf-8", "jsonl", tokenized=True),
    "prodigy": FormatSpec(
        write_prodigy, "application/x-ndjson; charset=utf-8", "jsonl", tokenized=True
    ),
    "doccano": FormatSpec(write_doccano, "application/x-ndjson; charset=utf-8", "jsonl"),
    "labelstudio": FormatSpec(write_labelstudio, "application/json; charset=utf-8", "json"),
    "brat": FormatSpec(write_brat, "application/zip", "brat.zip"),
    "conll": FormatSpec(write_conll, "text/plain; charset=utf-8", "conll", tokenized=True),
    "quotes": FormatSpec(write_quotes, "application/x-ndjson; charset=utf-8", "quotes.jsonl"),
}

IMPORT_FORMATS = ("native", "text", "csv", "doccano", "labelstudio")


READERS = {
    "native": read_native,
    "text": read_text,
    "csv": read_csv,
    "doccano": read_doccano,
    "labelstudio": read_labelstudio,
}

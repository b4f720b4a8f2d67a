"""Token classification with BIO columns: Hugging Face JSONL and CoNLL (writers)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from labels import jsonio
from labels.interop.records import Context
from labels.interop.streams import ExportRecord, _coalesce, one_line
from labels.interop.tokens import _bio_columns, _kept_tokens


def write_hf(records: Iterable[ExportRecord], context: Context) -> Iterator[bytes]:
    def lines():
        for record in records:
            tok = context.tokenizer.tokenize(record)
            keep = _kept_tokens(tok)
            text = tok.text
            row: dict[str, Any] = {
                "id": record["id"],
                "layer": record["layer"],
                "split": record["split"],
                "tokens": [text[tok.tokens[i][0] : tok.tokens[i][1]] for i in keep],
            }
            for label, tags in _bio_columns(record, tok, keep, context.labels, context).items():
                row[f"ner_tags_{label}"] = tags
            yield jsonio.dumps_line(row)

    return _coalesce(lines())


def write_conll(records: Iterable[ExportRecord], context: Context) -> Iterator[bytes]:
    header = "\t".join(["token", *context.labels])

    def blocks():
        for record in records:
            tok = context.tokenizer.tokenize(record)
            keep = _kept_tokens(tok)
            columns = _bio_columns(record, tok, keep, context.labels, context)
            text = tok.text
            lines = [
                f"# id = {one_line(record['id'])}",
                f"# layer = {record['layer']}",
            ]
            if record["split"]:
                lines.append(f"# split = {record['split']}")
            lines.append(f"# columns = {header}")
            tag_rows = list(zip(*columns.values(), strict=True)) if columns else [()] * len(keep)
            for k, i in enumerate(keep):
                s, e, _ = tok.tokens[i]
                token = re.sub(r"\s", "_", text[s:e])
                lines.append("\t".join([token, *tag_rows[k]]))
            yield ("\n".join(lines) + "\n\n").encode()

    return _coalesce(blocks())

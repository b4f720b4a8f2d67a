"""Prodigy JSONL: tokens and spans with inclusive ``token_end`` (writer)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from labels import jsonio
from labels.interop.records import Context
from labels.interop.streams import ExportRecord, _coalesce


def write_prodigy(records: Iterable[ExportRecord], context: Context) -> Iterator[bytes]:
    def lines():
        for record in records:
            tok = context.tokenizer.tokenize(record)
            text = tok.text
            tokens = [
                {"text": text[s:e], "start": s, "end": e, "id": i, "ws": ws}
                for i, (s, e, ws) in enumerate(tok.tokens)
            ]
            spans = []
            by_id = {}
            for span, (ts, te) in zip(record["spans"], tok.span_tokens, strict=True):
                out = {
                    "start": span["start"],
                    "end": span["end"],
                    "text": span["text"],
                    "token_start": ts,
                    "token_end": te,
                    "label": span["label"],
                }
                spans.append(out)
                by_id[span["id"]] = out
            relations = []
            for rel in record["relations"]:
                head, child = by_id[rel["from"]], by_id[rel["to"]]
                relations.append(
                    {
                        "head": head["token_end"],
                        "child": child["token_end"],
                        "head_span": {
                            k: head[k]
                            for k in ("start", "end", "token_start", "token_end", "label")
                        },
                        "child_span": {
                            k: child[k]
                            for k in ("start", "end", "token_start", "token_end", "label")
                        },
                        "label": rel["label"],
                    }
                )
            task = {
                "text": text,
                "tokens": tokens,
                "spans": spans,
                "relations": relations,
                "meta": {
                    "id": record["id"],
                    "layer": record["layer"],
                    "split": record["split"],
                    "title": record["title"],
                },
                "answer": "accept",
            }
            yield jsonio.dumps_line(task)

    return _coalesce(lines())

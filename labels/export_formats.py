"""Writers of the export formats: each turns the stream of native records (``labels.export``)
into bytes, chunk by chunk, without holding more than one record (or one spaCy shard) at a time.

docs/export.md describes every format with an example. What the writers share:

- Offsets everywhere are code points into the canonical text, as in the native records.
- Token formats (spacy, hf, prodigy, conll) tokenize with ``spacy.blank(lang)`` (no model
  download) and then cut tokens at every span boundary, so that every span is exactly a run of
  tokens: nothing is moved or widened to fit the tokenizer. A span that starts on the space
  after a token, or ends just after it, makes that space a token of its own.
- Zip archives (spacy, brat) are written through ``zipfile`` into a sink that hands out what
  was written so far; ``zipfile`` uses data descriptors on a stream it cannot seek, so nothing
  but the central directory (a ZipInfo per file, a few hundred bytes) is kept until the end.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import orjson

from labels.errors import Invalid
from labels.export import Context, ExportError

ExportRecord = dict[str, Any]
Writer = Callable[[Iterable[ExportRecord], Context], Iterator[bytes]]

CHUNK_BYTES = 1 << 16
SPACY_SHARD_DOCS = 1000
SPAN_GROUP = "sc"

_json_fallback = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _line(obj: Any) -> bytes:
    """One JSON line (UTF-8). orjson is several times faster than the standard encoder; the
    standard one takes what orjson refuses (integers beyond 64 bits in imported metadata)."""
    try:
        return orjson.dumps(obj) + b"\n"
    except orjson.JSONEncodeError:
        return (_json_fallback(obj) + "\n").encode()


def _coalesce(chunks: Iterable[bytes], size: int = CHUNK_BYTES) -> Iterator[bytes]:
    """Join small chunks into pieces of about ``size`` bytes; the first piece goes out at once
    so a reader sees the first line as soon as it exists."""
    pending: list[bytes] = []
    held = 0
    first = True
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
    if pending:
        yield b"".join(pending)


# ---------------------------------------------------------------------------------------------
# Tokens


@lru_cache(maxsize=8)
def _blank(lang: str):
    import spacy

    return spacy.blank(lang)


def load_tokenizer(lang: str) -> Tokenizer:
    """The spaCy tokenizer of ``lang``; ``Invalid`` (field ``lang``) when spaCy has none that
    works without extra packages."""
    try:
        nlp = _blank(lang)
    except Exception as exc:  # unknown code (ImportError, ValueError) or a missing extra package
        raise Invalid.one(
            "lang",
            "unsupported",
            f"spaCy has no tokenizer for “{lang}” here ({type(exc).__name__}); use a language "
            "code such as en, fr, de, ru, or xx for the multi-language one.",
        ) from None
    return Tokenizer(nlp)


@dataclass
class Tokens:
    """Tokens of one record as ``(start, end, followed_by_space)``, and each span's first and
    last (inclusive) token index, in the record's span order."""

    text: str
    tokens: list[tuple[int, int, bool]]
    span_tokens: list[tuple[int, int]]
    doc: Any = None  # the spaCy Doc when the tokenizer's own could be kept


class Tokenizer:
    def __init__(self, nlp):
        from spacy.attrs import IDX, LENGTH, SPACY

        self.nlp = nlp
        self._attrs = [IDX, LENGTH, SPACY]

    def tokenize(self, record: ExportRecord) -> Tokens:
        text = record["text"]
        spans = record["spans"]
        doc = self.nlp.make_doc(text)
        starts = {s["start"] for s in spans}
        ends = {s["end"] for s in spans}
        bounds = sorted(starts | ends)
        tokens: list[tuple[int, int, bool]] = []
        j, n = 0, len(bounds)
        for idx, length, space in doc.to_array(self._attrs).tolist():
            end = idx + length
            while j < n and bounds[j] <= idx:
                j += 1
            at = idx
            while j < n and bounds[j] < end:
                tokens.append((at, bounds[j], False))
                at = bounds[j]
                j += 1
            if space and (end in starts or end + 1 in ends):
                tokens.append((at, end, False))
                tokens.append((end, end + 1, False))
            else:
                tokens.append((at, end, bool(space)))
        first = {start: i for i, (start, _, _) in enumerate(tokens)}
        last = {end: i for i, (_, end, _) in enumerate(tokens)}
        span_tokens = []
        for span in spans:
            ts, te = first.get(span["start"]), last.get(span["end"])
            if ts is None or te is None or text[tokens[ts][0] : tokens[te][1]] != span["text"]:
                raise ExportError(
                    f"Article {record['id']!r} ({record['layer']} layer): span {span['id']} "
                    f"[{span['start']}, {span['end']}) does not fall on token boundaries."
                )
            span_tokens.append((ts, te))
        return Tokens(text, tokens, span_tokens, doc if len(tokens) == len(doc) else None)

    def doc(self, tokens: Tokens):
        """A spaCy Doc whose tokens are exactly ``tokens.tokens``."""
        if tokens.doc is not None:
            return tokens.doc
        from spacy.tokens import Doc

        text = tokens.text
        doc = Doc(
            self.nlp.vocab,
            words=[text[s:e] for s, e, _ in tokens.tokens],
            spaces=[ws for _, _, ws in tokens.tokens],
        )
        if doc.text != text:
            raise ExportError("The tokens do not rebuild the text.")
        return doc


def _bio_columns(
    record: ExportRecord, tok: Tokens, keep: list[int], labels: list[str], context: Context
) -> dict[str, list[str]]:
    """One BIO tag list per label over the kept tokens. Two spans of the same label that share a
    token cannot both be expressed in BIO; the one that starts first (the longer one on a tie)
    is kept and the other is counted in ``context.notes``."""
    position = {token: i for i, token in enumerate(keep)}
    columns = {label: ["O"] * len(keep) for label in labels}
    order = sorted(
        range(len(record["spans"])),
        key=lambda i: (record["spans"][i]["start"], -record["spans"][i]["end"]),
    )
    for i in order:
        span = record["spans"][i]
        tags = columns.get(span["label"])
        if tags is None:
            continue
        ts, te = tok.span_tokens[i]
        kept = [position[t] for t in range(ts, te + 1) if t in position]
        if not kept:
            continue  # a span of whitespace only: no token to tag
        if any(tags[k] != "O" for k in kept):
            _count(context, "bio_overlap")
            continue
        tags[kept[0]] = f"B-{span['label']}"
        for k in kept[1:]:
            tags[k] = f"I-{span['label']}"
    return columns


def _count(context: Context, what: str) -> None:
    context.counts[what] = context.counts.get(what, 0) + 1


def _kept_tokens(tok: Tokens) -> list[int]:
    """Indices of the tokens that are not whitespace only (line breaks, runs of spaces)."""
    text = tok.text
    return [i for i, (s, e, _) in enumerate(tok.tokens) if not text[s:e].isspace()]


# ---------------------------------------------------------------------------------------------
# Line formats


def write_native(records: Iterable[ExportRecord], context: Context) -> Iterator[bytes]:
    return _coalesce(_line(r) for r in records)


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
            yield _line(row)

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
                f"# id = {_one_line(record['id'])}",
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


def _one_line(value: str) -> str:
    return re.sub(r"\s", " ", value)


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
            yield _line(task)

    return _coalesce(lines())


def write_doccano(records: Iterable[ExportRecord], context: Context) -> Iterator[bytes]:
    """doccano's JSONL with relations. Entity and relation ids run through the whole file.
    ``attrs`` (not part of doccano's format, ignored by doccano) keeps the attributes, so that
    the file imports back here without loss; a span-valued attribute names an entity id. The
    article's metadata are top-level fields, as doccano writes them; ``layer`` is added when
    more than the gold layer is exported, ``split`` when a split is asked for."""
    counter = {"entity": 0, "relation": 0}

    def lines():
        for record in records:
            ids: dict[str, int] = {}
            entities = []
            rel_refs = context.span_refs_by_relation
            label_refs = context.span_refs_by_label
            for span in record["spans"]:
                counter["entity"] += 1
                ids[span["id"]] = counter["entity"]
                entities.append(
                    {
                        "id": counter["entity"],
                        "label": span["label"],
                        "start_offset": span["start"],
                        "end_offset": span["end"],
                        "attrs": span["attrs"],
                    }
                )
            for entity, span in zip(entities, record["spans"], strict=True):
                entity["attrs"] = _refs(span["attrs"], label_refs.get(span["label"]), ids)
            relations = []
            for rel in record["relations"]:
                counter["relation"] += 1
                attrs = _refs(rel["attrs"], rel_refs.get(rel["label"]), ids)
                relations.append(
                    {
                        "id": counter["relation"],
                        "from_id": ids[rel["from"]],
                        "to_id": ids[rel["to"]],
                        "type": rel["label"],
                        "attrs": attrs,
                    }
                )
            row = {
                "id": record["id"],
                "text": record["text"],
                "entities": entities,
                "relations": relations,
            }
            # doccano keeps any other field as the example's metadata.
            row.update((k, v) for k, v in record["meta"].items() if k not in row)
            if context.options.layer != "gold":
                row["layer"] = record["layer"]
            if record["split"]:
                row["split"] = record["split"]
            yield _line(row)

    return _coalesce(lines())


def _refs(attrs: dict, names: set[str] | None, ids: dict[str, Any]) -> dict:
    """``attrs`` with its span-valued attributes (``names``) renamed through ``ids``."""
    if not names:
        return attrs
    return {k: ids[v] if k in names and v in ids else v for k, v in attrs.items()}


def write_labelstudio(records: Iterable[ExportRecord], context: Context) -> Iterator[bytes]:
    """A JSON array of Label Studio tasks, one per article, streamed element by element; each of
    the article's exported layers is one entry of ``annotations`` (the task's ``meta.layers`` names
    them in the same order; the gold one has ``ground_truth: true``)."""
    schema_attrs = _attribute_kinds(context.schemas)

    def tasks():
        current: list[ExportRecord] = []
        for record in records:
            if current and current[0]["id"] != record["id"]:
                yield _labelstudio_task(current, schema_attrs)
                current = []
            current.append(record)
        if current:
            yield _labelstudio_task(current, schema_attrs)

    def pieces():
        yield b"["
        first = True
        for task in tasks():
            yield (b"\n" if first else b",\n") + _line(task)[:-1]
            first = False
        yield b"\n]\n"

    return _coalesce(pieces())


def _attribute_kinds(schemas: list[dict]) -> dict[tuple[str, str], str]:
    kinds: dict[tuple[str, str], str] = {}
    for schema in reversed(schemas):  # the newest definition wins
        for label in schema.get("span_labels", []):
            for attribute in label.get("attributes", []):
                kinds[(label["name"], attribute["name"])] = attribute["type"]
    return kinds


def _labelstudio_task(records: list[ExportRecord], kinds: dict[tuple[str, str], str]) -> dict:
    first = records[0]
    annotations = []
    for record in records:
        result = []
        for span in record["spans"]:
            region = {"start": span["start"], "end": span["end"], "text": span["text"]}
            result.append(
                {
                    "id": span["id"],
                    "from_name": "label",
                    "to_name": "text",
                    "type": "labels",
                    "value": {**region, "labels": [span["label"]]},
                }
            )
            for name, value in span["attrs"].items():
                kind = kinds.get((span["label"], name))
                if kind == "choice":
                    value_key, entry_type = "choices", "choices"
                elif kind == "text":
                    value_key, entry_type = "text", "textarea"
                else:
                    continue  # booleans and span references have no Label Studio region form
                result.append(
                    {
                        "id": span["id"],
                        "from_name": name,
                        "to_name": "text",
                        "type": entry_type,
                        "value": {**region, value_key: [value]},
                    }
                )
        for rel in record["relations"]:
            result.append(
                {
                    "from_id": rel["from"],
                    "to_id": rel["to"],
                    "type": "relation",
                    "direction": "right",
                    "labels": [rel["label"]],
                }
            )
        annotations.append(
            {
                "result": result,
                "ground_truth": record["layer"] == "gold",
                "was_cancelled": False,
            }
        )
    data = {"text": first["text"], "id": first["id"], "title": first["title"]}
    # Label Studio shows every data field and keeps them on export: the article's metadata.
    data.update((k, v) for k, v in first["meta"].items() if k not in data)
    meta = {"layers": [r["layer"] for r in records], "split": first["split"]}
    return {"data": data, "annotations": annotations, "meta": meta}


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

    def drain(self) -> bytes:
        data = b"".join(self._parts)
        self._parts = []
        return data


def _zip_entry(name: str, context: Context, compress: bool = True) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=context.started_at.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16
    return info


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


_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")


def _file_stem(external_id: str) -> str:
    """A file name for an article id: the id itself when it is plain, else a cleaned form with
    a short hash of the id, so two different ids never share a file."""
    cleaned = _SAFE_NAME.sub("_", external_id)[:100]
    if cleaned == external_id and not external_id.startswith("."):
        return external_id
    return f"{cleaned.lstrip('.')}-{hashlib.sha256(external_id.encode()).hexdigest()[:8]}"


def _brat_name(name: str) -> str:
    return re.sub(r"\s", "_", name)


def _brat_conf(context: Context) -> str:
    schema = context.schemas[0]
    lines = ["[entities]", *(_brat_name(label) for label in context.labels), "", "[relations]"]
    for relation in schema.get("relations", []):
        lines.append(
            f"{_brat_name(relation['name'])}\tArg1:{'|'.join(map(_brat_name, relation['from']))},"
            f" Arg2:{'|'.join(map(_brat_name, relation['to']))}"
        )
    lines += ["<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>", "", "[events]", ""]
    lines.append("[attributes]")
    attributes: dict[str, dict[str, list[str]]] = {}
    for label in schema.get("span_labels", []):
        for attribute in label.get("attributes", []):
            if attribute["type"] not in ("choice", "boolean"):
                continue
            entry = attributes.setdefault(_brat_name(attribute["name"]), {"args": [], "values": []})
            entry["args"].append(_brat_name(label["name"]))
            for choice in attribute.get("choices", []):
                if _brat_name(choice) not in entry["values"]:
                    entry["values"].append(_brat_name(choice))
    for name, entry in attributes.items():
        line = f"{name}\tArg:{'|'.join(entry['args'])}"
        if entry["values"]:
            line += f", Value:{'|'.join(entry['values'])}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def _brat_fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A span as brat fragments: brat keeps a text-bound annotation on one line, so a span that
    crosses line breaks becomes the pieces between them."""
    fragments = []
    at = start
    for piece in text[start:end].split("\n"):
        if piece:
            fragments.append((at, at + len(piece)))
        at += len(piece) + 1
    return fragments or [(start, end)]


def brat_ann(record: ExportRecord, kinds: dict[tuple[str, str], str], context: Context) -> str:
    """The .ann file of one record (see docs/export.md for what maps to what)."""
    text = record["text"]
    lines: list[str] = []
    t_ids: dict[str, str] = {}
    attribute_n = note_n = 0
    for n, span in enumerate(record["spans"], start=1):
        t_id = f"T{n}"
        t_ids[span["id"]] = t_id
        fragments = _brat_fragments(text, span["start"], span["end"])
        shown = " ".join(text[s:e] for s, e in fragments)
        if "".join(text[s:e] for s, e in fragments) != span["text"].replace("\n", ""):
            raise ExportError(f"Article {record['id']!r}: brat fragments of {span['id']} differ.")
        where = ";".join(f"{s} {e}" for s, e in fragments)
        lines.append(f"{t_id}\t{_brat_name(span['label'])} {where}\t{_one_line(shown)}")
    for span in record["spans"]:
        t_id = t_ids[span["id"]]
        for name, value in span["attrs"].items():
            kind = kinds.get((span["label"], name))
            if kind == "choice":
                attribute_n += 1
                lines.append(f"A{attribute_n}\t{_brat_name(name)} {t_id} {_brat_name(value)}")
            elif kind == "boolean":
                if value:
                    attribute_n += 1
                    lines.append(f"A{attribute_n}\t{_brat_name(name)} {t_id}")
            else:
                note_n += 1
                shown = _refs({name: value}, context.span_refs_by_label.get(span["label"]), t_ids)
                lines.append(
                    f"#{note_n}\tAnnotatorNotes {t_id}\t{name}={_one_line(str(shown[name]))}"
                )
    for n, rel in enumerate(record["relations"], start=1):
        r_id = f"R{n}"
        lines.append(
            f"{r_id}\t{_brat_name(rel['label'])} Arg1:{t_ids[rel['from']]} Arg2:{t_ids[rel['to']]}"
        )
        shown = _refs(rel["attrs"], context.span_refs_by_relation.get(rel["label"]), t_ids)
        for name, value in shown.items():
            note_n += 1
            lines.append(f"#{note_n}\tAnnotatorNotes {r_id}\t{name}={_one_line(str(value))}")
    return "\n".join(lines) + ("\n" if lines else "")


def write_brat(records: Iterable[ExportRecord], context: Context) -> Iterator[bytes]:
    """A zip of brat standoff: ``annotation.conf`` at the top, then per record
    ``[<split>/]<layer>/<id>.txt`` and ``.ann``."""
    kinds = _attribute_kinds(context.schemas)

    def archive():
        sink = _Sink()
        with zipfile.ZipFile(sink, "w") as zf:
            zf.writestr(_zip_entry("annotation.conf", context), _brat_conf(context))
            yield sink.drain()
            for record in records:
                folder = f"{record['split']}/" if record["split"] else ""
                stem = f"{folder}{_file_stem(record['layer'])}/{_file_stem(record['id'])}"
                zf.writestr(_zip_entry(f"{stem}.txt", context), record["text"].encode())
                zf.writestr(
                    _zip_entry(f"{stem}.ann", context), brat_ann(record, kinds, context).encode()
                )
                yield sink.drain()
        yield sink.drain()

    return _coalesce(archive())


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
}

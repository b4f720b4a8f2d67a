"""Tokens for the token-based export formats (Hugging Face, CoNLL, Prodigy) and the one BIO tagger."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import metadata
from typing import Any

from labels.errors import ExportError, Invalid
from labels.interop.records import Context
from labels.interop.streams import ExportRecord

# ---------------------------------------------------------------------------------------------
# Tokens


@lru_cache(maxsize=8)
def _blank(lang: str):
    import spacy

    return spacy.blank(lang)


def load_tokenizer(lang: str) -> Tokenizer:
    """The spaCy tokenizer of ``lang``; ``Invalid`` (field ``lang``) when spaCy has none that
    works here, saying why in the user's words (``unavailable_reason``)."""
    try:
        nlp = _blank(lang)
    except Exception as exc:  # an unknown code, or a language that needs an extra package
        raise Invalid.one("lang", "unsupported", unavailable_reason(lang, exc)) from None
    return Tokenizer(nlp)


# Offered when a code is unknown: the languages most articles are in, and the one for any.
_SUGGESTED = (
    "en (English), de (German), fr (French), es (Spanish), ru (Russian) or zh (Chinese), or xx "
    "for any language"
)


def unavailable_reason(lang: str, exc: Exception) -> str:
    """Why spaCy could not make the tokenizer of ``lang`` (``exc`` is what it raised), for the
    person who chose it: a code spaCy does not know, or a language it knows whose tokenizer
    needs a package this server lacks, with how to add it (spaCy's own extra, ``spacy[ja]``,
    when it has one; else spaCy's message, which names the package)."""
    from spacy.util import get_lang_class

    try:
        language = get_lang_class(lang).__name__  # the English name: "Japanese", "AncientGreek"
    except Exception:
        return (
            f"“{lang}” is not a language code spaCy knows. Use the articles' language, such as "
            f"{_SUGGESTED}; Help: exporting lists every code."
        )
    name = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", language)
    instead = "until then, use xx, which suits any language."
    if isinstance(exc, ImportError):
        if lang in (metadata("spacy").get_all("Provides-Extra") or []):
            how = f'Whoever runs the server can add it with pip install "spacy[{lang}]"'
        else:
            how = f"spaCy says: {_sentence(exc)} Ask whoever runs the server to install it"
        return (
            f"The {name} tokenizer (“{lang}”) needs a package that is not installed on this "
            f"server. {how}; {instead}"
        )
    return (
        f"spaCy could not load the {name} tokenizer (“{lang}”): {_sentence(exc)} Ask whoever "
        f"runs the server; {instead}"
    )


def _sentence(exc: Exception) -> str:
    text = " ".join(str(exc).split())[:300]
    return text if text.endswith((".", "!", "?")) else f"{text}."


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

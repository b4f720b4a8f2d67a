"""Inferring a quote's ``quote_type`` from its quotation marks (the import's *Infer quote_type*).

- ``direct``: the span is one quotation — it opens with a quotation mark and closes with the
  matching one, or it is the inside of a quotation whose marks stand just outside it.
- ``mixed``: the span contains a quotation but is more than one (a paraphrase around a quoted
  phrase: *He called the plan “dead on arrival”*).
- ``indirect``: no quotation in or around the span.

The marks: “…” and ‘…’ (English), "…" and '…' (typewriter), ''…'' (two apostrophes, as the New
York Times archive writes double quotes), «…» and »…« (French, Russian; Danish), „…“ and ‚…‘
(German), „…” (Polish), ‹…›, 「…」 and 『…』 (Chinese, Japanese). A mark that is also an
apostrophe (' ’) only opens before a word and only closes after one, so *don’t* or *Jones'*
make no quotation. Space between a mark and the words (« Non », with a no-break space) and a
full stop or comma after the closing mark are allowed.
"""

from __future__ import annotations

DIRECT, INDIRECT, MIXED = "direct", "indirect", "mixed"

# Opening mark -> the marks that close it. Longer marks first: '' is one mark, not two.
_PAIRS: dict[str, tuple[str, ...]] = {
    "''": ("''",),
    "“": ("”",),
    "„": ("“", "”"),
    "«": ("»",),
    "»": ("«",),
    "‘": ("’",),
    "‚": ("‘", "’"),
    "‹": ("›",),
    "「": ("」",),
    "『": ("』",),
    '"': ('"',),
    "'": ("'",),
}
_OPENERS = sorted(_PAIRS, key=len, reverse=True)
_CLOSERS = sorted({c for closers in _PAIRS.values() for c in closers}, key=len, reverse=True)
# Marks that also serve as apostrophes or as their own closing mark: they open only where a
# word starts and close only where one ends.
_AMBIGUOUS = {"'", "''", '"', "’", "‘"}
_SPACE = " \t\n\u00a0\u202f\u2009"
_TRAILING = ".,;:!?…"


def infer_quote_type(text: str, start: int, end: int) -> str:
    """``direct``, ``mixed`` or ``indirect`` for the span ``text[start:end]`` (see the module
    docstring); the text around the span decides whether a span without marks of its own is
    the inside of a quotation."""
    while start < end and text[start] in _SPACE:
        start += 1
    while end > start and text[end - 1] in _SPACE:
        end -= 1
    span = text[start:end]
    if not span:
        return INDIRECT
    if _is_one_quotation(span) or _is_inside_quotation(text, start, end):
        return DIRECT
    if _contains_quotation(span):
        return MIXED
    return INDIRECT


def _mark_at(text: str, i: int, marks: list[str]) -> str | None:
    return next((m for m in marks if text.startswith(m, i)), None)


def _word_before(text: str, i: int) -> bool:
    return i > 0 and text[i - 1].isalnum()


def _word_after(text: str, i: int) -> bool:
    return i < len(text) and text[i].isalnum()


def _opens(text: str, i: int, mark: str) -> bool:
    """Whether ``mark`` at ``i`` can open a quotation there."""
    if mark in _AMBIGUOUS:
        return not _word_before(text, i) and _word_after_space(text, i + len(mark))
    return True


def _word_after_space(text: str, i: int) -> bool:
    return i < len(text) and text[i] not in _SPACE


def _closes(text: str, i: int, mark: str) -> bool:
    """Whether ``mark`` at ``i`` can close a quotation there."""
    if mark in _AMBIGUOUS:
        return not _word_after(text, i + len(mark)) and i > 0 and text[i - 1] not in _SPACE
    return True


def _closing_at(text: str, opener: str, start: int) -> tuple[int, int] | None:
    """(position, length) of the first mark after ``start`` that closes ``opener``."""
    closers = _PAIRS[opener]
    i = start
    while i < len(text):
        mark = _mark_at(text, i, [c for c in _CLOSERS if c in closers])
        if mark is not None and _closes(text, i, mark):
            return i, len(mark)
        i += 1
    return None


def _is_one_quotation(span: str) -> bool:
    opener = _mark_at(span, 0, _OPENERS)
    if opener is None or not _opens(span, 0, opener):
        return False
    closing = _closing_at(span, opener, len(opener))
    if closing is None:
        return False
    position, length = closing
    rest = span[position + length :]
    return position > len(opener) and all(c in _TRAILING for c in rest)


def _is_inside_quotation(text: str, start: int, end: int) -> bool:
    """Whether the marks of one quotation stand just outside ``text[start:end]`` (which has no
    closing mark of its own that would end the quotation early)."""
    before = start
    while before > 0 and text[before - 1] in _SPACE:
        before -= 1
    opener = next(
        (m for m in _OPENERS if before >= len(m) and text.startswith(m, before - len(m))), None
    )
    if opener is None or not _opens(text, before - len(opener), opener):
        return False
    after = end
    # A full stop or comma the writer put inside the marks: “We will win,” he said.
    while after < len(text) and (text[after] in _SPACE or text[after] in _TRAILING):
        after += 1
    mark = _mark_at(text, after, [c for c in _CLOSERS if c in _PAIRS[opener]])
    if mark is None or not _closes(text, after, mark):
        return False
    return _closing_at(text[:end], opener, start) is None


def _contains_quotation(span: str) -> bool:
    i = 0
    while i < len(span):
        opener = _mark_at(span, i, _OPENERS)
        if opener is not None and _opens(span, i, opener):
            closing = _closing_at(span, opener, i + len(opener))
            if closing is not None and closing[0] > i + len(opener):
                return True
            i += len(opener)
            continue
        i += 1
    return False

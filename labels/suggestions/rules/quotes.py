"""Quotation marks of many languages: finding quoted segments."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    pass
from labels.suggestions.rules.lexicon import _OPEN_CTX
from labels.suggestions.rules.results import MAX_QUOTE_CHARS
from labels.suggestions.rules.tokens import _Seg

# ---------------------------------------------------------------------------------------------
# 1. Quotation marks

_MARKS = re.compile('["“”„«»‚‘’「」『』]')
#: What the scan reads: the marks, and the double apostrophe '' that New York Times copy uses
#: for both opening and closing double quotation marks (''We finally may …,'' he said).
_SCAN = re.compile("''|[\"“”„«»‚‘’「」『』]")
_PAIRS = {
    "“": "”",
    "„": "“”",
    "«": "»",
    "»": "«",
    "‚": "‘’",
    "‘": "’",
    "「": "」",
    "『": "』",
    '"': '"',
    "''": "''",
}
_STYLE = {
    "“": "curly",
    "„": "low-high",
    "«": "guillemets",
    "»": "guillemets-reversed",
    "‚": "low-high-single",
    "‘": "single",
    "「": "corner",
    "『": "double-corner",
    '"': "straight",
    "''": "double-apostrophe",
}


def _quote_segments(text: str, start: int, end: int) -> list[_Seg]:
    segments: list[_Seg] = []
    stack: list[tuple[str, int]] = []
    for m in _SCAN.finditer(text, start, end):
        ch, i = m.group(), m.start()
        if stack and i - stack[0][1] > MAX_QUOTE_CHARS:
            stack = [o for o in stack if i - o[1] <= MAX_QUOTE_CHARS]
        prev = text[i - 1] if i > start else " "
        nxt = text[m.end()] if m.end() < end else " "
        closes = -1
        for k in range(len(stack) - 1, -1, -1):
            if ch in _PAIRS[stack[k][0]] and _can_close(ch, prev, nxt):
                closes = k
                break
        if closes >= 0:
            mark, pos = stack[closes]
            del stack[closes:]
            if closes == 0:
                seg = _segment(text, pos, i, mark, len(ch))
                if seg is not None:
                    segments.append(seg)
            continue
        if _can_open(ch, prev, nxt, bool(stack)):
            stack.append((ch, i))
    return segments


def _can_close(ch: str, prev: str, nxt: str) -> bool:
    if ch in "’‘":
        return not prev.isspace() and not nxt.isalnum()
    if ch in ('"', "''"):
        return not prev.isspace()
    return True


def _can_open(ch: str, prev: str, nxt: str, nested: bool) -> bool:
    if ch in "”’":  # closing-only marks left over: apostrophes, stray closers
        return False
    if ch in "‘‚":
        return prev in _OPEN_CTX and nxt.isalpha()
    if ch in ('"', "''"):
        return prev in _OPEN_CTX and not nxt.isspace()
    if ch == "»":
        return not nested and prev in _OPEN_CTX and nxt.isalpha()
    if ch in "」』":
        return False
    return not nxt.isspace() or ch in "«「『"


def _segment(
    text: str, open_pos: int, close_pos: int, mark: str, close_len: int = 1
) -> _Seg | None:
    s, e = open_pos + len(mark), close_pos
    while s < e and text[s].isspace():
        s += 1
    while e > s and (text[e - 1].isspace() or text[e - 1] == ","):
        e -= 1
    if s >= e:
        return None
    return _Seg(open_pos, close_pos + close_len, s, e, _STYLE[mark])

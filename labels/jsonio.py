"""JSON in and out: fast through orjson, exact through the standard library for what orjson
refuses (malformed input, for its message), and the rules every JSON input follows.

The one place that chooses between the two encoders, for the API's request bodies
(``labels.api.parsers``), the importers, the exporters and the hand-written reads of jsonb
columns; and the one place that says which JSON the application takes (``loads``):

- nesting: at most ``MAX_DEPTH`` arrays and objects inside one another, checked on the text
  before any parser runs (a parser in Python recurses once per level);
- numbers: finite (no ``NaN``, ``Infinity`` or ``1e400``), integers between ``MIN_INT`` and
  ``MAX_INT`` (64 bits, signed or unsigned: what PostgreSQL's jsonb, orjson and so every export
  carry exactly; a longer integer would come back as a float, or not at all);
- strings and keys: no lone UTF-16 surrogate (a ``\\ud800`` escape), which is not a character
  and which PostgreSQL cannot store.

A refusal is ``Invalid`` naming where in the document it is (``meta.source[1]``; ``""`` for the
whole document, e.g. ``too_deep``); malformed text is ``json.JSONDecodeError``.
"""

from __future__ import annotations

import json
import math
import re
from array import array
from itertools import accumulate
from typing import Any

import orjson

from labels.errors import Invalid

MAX_DEPTH = 64
MIN_INT = -(2**63)
MAX_INT = 2**64 - 1
_RANGE = f"{MIN_INT} to {MAX_INT}"

_standard_compact = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode

# ---------------------------------------------------------------------------------------------
# Nesting, measured on the text


_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b'"[]{}')
_ONE_KIND = bytes.maketrans(b"{}", b"[]")
_SIGNS = bytes.maketrans(b"[]", b"\x01\xff")  # +1 and -1 as signed bytes


def _as_bytes(text: str | bytes) -> bytes:
    return text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")


def depth_exceeds(text: str | bytes, limit: int = MAX_DEPTH) -> bool:
    """Whether the JSON ``text`` nests arrays and objects more than ``limit`` deep, counted
    without parsing (brackets outside strings): a few C-speed passes over the text. For
    malformed text it may count brackets a parser would never reach, never fewer."""
    data = _as_bytes(text)
    if b"\\" in data:  # escaped backslashes, then escaped quotes: what is left of a string
        data = data.replace(b"\\\\", b"").replace(b'\\"', b"")  # is its content
    structure = data.translate(_ONE_KIND, _NOT_STRUCTURE)  # quotes and brackets, as [ and ]
    if structure.count(b"[") <= limit:
        return False
    # Outside strings is every other piece between quotes (an unterminated string runs to the
    # end, as a parser fails there). Dropping two quotes in a row first keeps that parity and
    # leaves few pieces.
    brackets = b"".join(structure.replace(b'""', b"").split(b'"')[::2])
    # Each pass drops the innermost pairs, which lowers the deepest point of balanced text by
    # exactly one (of malformed text by at most one); passes go on while they shrink it much.
    passes = 0
    while brackets:
        if b"[" * max(limit + 1 - passes, 1) in brackets:  # the usual hostile input, at once
            return True
        shorter = brackets.replace(b"[]", b"")
        if len(shorter) == len(brackets):
            break
        much = len(shorter) * 4 <= len(brackets) * 3
        brackets, passes = shorter, passes + 1
        if not much or passes >= 16:
            break
    if not brackets:
        return passes > limit
    return max(accumulate(array("b", brackets.translate(_SIGNS)))) + passes > limit


_TOKENS = re.compile(r'"[^"\\]*+(?:\\.[^"\\]*+)*+(?:"|\\?\Z)|[\[\]{}]', re.DOTALL)


def too_deep_at(text: str, limit: int = MAX_DEPTH, level: int = 0) -> int | None:
    """Where in ``text`` the first value at nesting ``level + 1`` starts (the array's elements
    for ``level`` 1) that nests more than ``limit`` levels, or None; for a text that
    ``depth_exceeds`` found too deep, to say which element (a token at a time: slow, but only
    for a text that is refused anyway)."""
    depth, start = 0, None
    for match in _TOKENS.finditer(text):
        char = text[match.start()]
        if char in "[{":
            depth += 1
            if depth == level + 1:
                start = match.start()
            if depth > level + limit:
                return start
        elif char in "]}":
            depth -= 1
    return None


def too_deep(limit: int = MAX_DEPTH) -> Invalid:
    return Invalid.one(
        "", "too_deep", f"The JSON is nested deeper than {limit} levels of arrays and objects."
    )


# ---------------------------------------------------------------------------------------------
# Numbers and strings, checked on the parsed value


class _Refused:
    """Put by the standard library's number hooks where a number cannot be carried; ``check``
    reports it with its place in the document."""

    __slots__ = ("code", "message")

    def __init__(self, code: str, message: str):
        self.code, self.message = code, message


def _parse_int(literal: str) -> int | _Refused:
    digits = len(literal.lstrip("-"))
    if digits <= 20:
        value = int(literal)
        if MIN_INT <= value <= MAX_INT:
            return value
    return _Refused(
        "number_too_large",
        f"An integer of {digits} digits is beyond 64 bits ({_RANGE}); send it as a string.",
    )


def _parse_float(literal: str) -> float | _Refused:
    value = float(literal)
    if math.isfinite(value):
        return value
    return _Refused("not_finite", f"{literal[:30]} is not a finite number.")


def _parse_constant(literal: str) -> _Refused:
    return _Refused("not_finite", f"{literal} is not a finite number; JSON has no {literal}.")


_STANDARD = json.JSONDecoder(
    parse_int=_parse_int, parse_float=_parse_float, parse_constant=_parse_constant
)
_SURROGATE = re.compile("[\ud800-\udfff]")
# 19 digits in a row may be an integer orjson would turn into a float (or a long fraction):
# such text goes through the standard library, whose hooks keep integers exact.
_DIGITS = bytes(48 if 48 <= b <= 57 else 32 for b in range(256))  # digits to "0", others " "
_LONG_DIGITS = b"0" * 19


def _place(path: tuple[str | int, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def check(value: Any, max_depth: int | None = None) -> None:
    """Refuse what ``loads`` refuses in an already parsed ``value`` (the refused numbers of its
    hooks, non-finite floats, integers beyond 64 bits, lone surrogates; with ``max_depth``,
    nesting), naming the first place; iterative, so any depth is safe."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(value, ())]
    while stack:
        item, path = stack.pop()
        problem: tuple[str, str] | None = None
        if max_depth is not None and len(path) >= max_depth and isinstance(item, dict | list):
            raise too_deep(max_depth)
        if isinstance(item, str):
            if _SURROGATE.search(item):
                problem = ("lone_surrogate", f"The text contains {_LONE}.")
        elif isinstance(item, dict):
            for key, child in item.items():
                if isinstance(key, str) and _SURROGATE.search(key):
                    problem = ("lone_surrogate", f"A key contains {_LONE}.")
                    break
                stack.append((child, (*path, key)))
        elif isinstance(item, list):
            stack.extend((child, (*path, index)) for index, child in enumerate(item))
        elif isinstance(item, _Refused):
            problem = (item.code, item.message)
        elif isinstance(item, float) and not math.isfinite(item):
            problem = ("not_finite", f"{item} is not a finite number.")
        elif isinstance(item, int) and not isinstance(item, bool):
            if not MIN_INT <= item <= MAX_INT:
                problem = ("number_too_large", f"The integer is beyond 64 bits ({_RANGE}).")
        if problem is not None:
            raise Invalid.one(_place(path), *problem)


_LONE = (
    "a lone surrogate (a \\ud800-\\udfff escape without its pair), which is not a character "
    "and cannot be stored"
)


# ---------------------------------------------------------------------------------------------
# In


def loads(text: str | bytes, *, max_depth: int = MAX_DEPTH) -> Any:
    """JSON ``text`` as Python objects, under the rules of the module docstring: ``Invalid``
    for what they refuse, ``json.JSONDecodeError`` (the standard library's message) for
    malformed text. Through orjson (several times faster on a large file) when it accepts the
    text, which then holds nothing the rules refuse; through the standard library otherwise."""
    data = _as_bytes(text)
    if depth_exceeds(data, max_depth):
        raise too_deep(max_depth)
    if _LONG_DIGITS not in data.translate(_DIGITS):
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            pass
    value = _STANDARD.decode(text if isinstance(text, str) else _decoded(data))
    check(value)
    return value


def _decoded(data: bytes) -> str:
    """``data`` as ``json.loads`` would decode it (UTF-8, -16 or -32; a BOM is an error)."""
    return data.decode(json.detect_encoding(data), "surrogatepass")


def raw_decoder() -> json.JSONDecoder:
    """A decoder for ``raw_decode`` (an array read element by element) with the number rules
    of ``loads``; the caller checks nesting first (``depth_exceeds`` on the whole text) and
    each element after (``check``)."""
    return _STANDARD


def loads_column(raw: Any) -> Any:
    """A jsonb column as a hand-written query returns it (Django reads jsonb as text): decoded
    here with orjson, several times faster than Django's converter; most attributes are ``{}``.
    PostgreSQL writes a large float as a long integer, which orjson reads back as the float it
    was; a number orjson cannot read at all (stored before the rules above) is read exactly by
    the standard library."""
    if raw is None or not isinstance(raw, str | bytes):
        return raw
    if raw == "{}":
        return {}
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return json.loads(raw)


# ---------------------------------------------------------------------------------------------
# Out


def dumps(value: Any) -> str:
    """Compact JSON text, e.g. for a jsonb column written with COPY."""
    try:
        return orjson.dumps(value).decode()
    except orjson.JSONEncodeError:
        return _standard_compact(value)


def dumps_line(value: Any) -> bytes:
    """One JSON line, UTF-8, newline-terminated: what every JSONL exporter writes."""
    try:
        return orjson.dumps(value) + b"\n"
    except orjson.JSONEncodeError:
        return (_standard_compact(value) + "\n").encode()

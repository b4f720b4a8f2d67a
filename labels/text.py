"""Article text: the one canonical form, its checks, and offsets mapped onto it.

Contract (DESIGN.md §3): text is canonicalised once, at import — CRLF and lone CR become LF,
then Unicode NFC. Offsets are code points, half-open ``[start, end)``, into the canonical text,
exactly Python's ``text[start:end]``. Offsets in an import file refer to the raw text and are
mapped onto the canonical text with :meth:`Canonical.map_span`.

How the mapping stays linear: NFC only ever changes a run that starts at a character which
cannot interact with anything before it (a "safe boundary": its decomposition starts with a
starter that is never the second half of a composition) and goes on up to the next such
character. Normalising such runs one by one gives the same text as normalising the whole, so we
find the few characters NFC may touch with a regular expression, normalise only the runs around
them, and keep a sorted table of the runs that changed to binary-search. Everything between
them is copied unchanged and maps one to one.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from labels.errors import Invalid, Problem

Side = Literal["start", "end"]

# Code points with a canonical combining class or a canonical decomposition all live in these
# ranges (planes 0–3 and the special-purpose plane 14); tests/test_text.py checks that against
# the full Unicode database so a Python upgrade cannot silently break it.
SCANNED_RANGES = (range(0, 0x40000), range(0xE0000, 0xE1000))

# Hangul composes algorithmically, so the decomposition data does not list it: a leading
# consonant (L) takes a vowel (V), and an LV syllable takes a trailing consonant (T).
_HANGUL_V = range(0x1161, 0x1176)
_HANGUL_T = range(0x11A8, 0x11C3)

_CONTROL = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_SHOWN_CHARS = 60


def text_sha256(text: str) -> str:
    """Hex sha256 of the UTF-8 encoding of ``text``."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Stretch:
    """A run of newline-normalised text that NFC changed: ``lf[lf_start:lf_end]`` became
    ``canonical[start:end]``."""

    lf_start: int
    lf_end: int
    start: int
    end: int


@dataclass(frozen=True)
class Canonical:
    """Canonical article text, its sha256, and the map from raw offsets onto it.

    Build it with :func:`canonicalize`. The map fields describe the raw text it came from.
    """

    text: str
    sha256: str
    raw_length: int = field(repr=False)
    # Raw indices of the ``\r`` of each ``\r\n`` (the ones that were dropped), ascending.
    dropped_crs: tuple[int, ...] = field(repr=False)
    # Runs that NFC changed, ascending; ``_stretch_starts`` is their ``lf_start`` for bisecting.
    stretches: tuple[Stretch, ...] = field(repr=False)
    _stretch_starts: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_stretch_starts", tuple(s.lf_start for s in self.stretches))

    def map_offset(self, raw_offset: int, *, side: Side) -> int:
        """Map an offset into the raw text onto the canonical text.

        Exact wherever raw and canonical text agree. An offset inside a stretch that
        canonicalisation changed (between ``\\r`` and ``\\n``, or inside a run NFC composed or
        reordered) moves outward: a ``start`` to the beginning of the stretch, an ``end`` to its
        end, so a span never cuts a composed character. The map is monotone in the offset.

        Raises Invalid (field ``side``, code ``out_of_range``) unless
        ``0 <= raw_offset <= len(raw)``.
        """
        if not 0 <= raw_offset <= self.raw_length:
            raise Invalid.one(
                side,
                "out_of_range",
                f"{side} must be between 0 and {self.raw_length} (the length of the text), "
                f"not {raw_offset}.",
            )
        return self._lf_to_canonical(self._raw_to_lf(raw_offset, side), side)

    def map_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a raw half-open span onto the canonical text (see :meth:`map_offset`).

        A span inside one changed stretch grows to cover it, so an empty raw span may map to a
        non-empty one: check the raw span with :func:`check_span_offsets` first.
        """
        return self.map_offset(start, side="start"), self.map_offset(end, side="end")

    def _raw_to_lf(self, raw_offset: int, side: Side) -> int:
        crs = self.dropped_crs
        i = bisect_left(crs, raw_offset - 1)
        if i < len(crs) and crs[i] == raw_offset - 1:
            # Between the \r and the \n of a line break that became one \n.
            return crs[i] - i if side == "start" else crs[i] - i + 1
        return raw_offset - bisect_left(crs, raw_offset, i)

    def _lf_to_canonical(self, lf_offset: int, side: Side) -> int:
        i = bisect_right(self._stretch_starts, lf_offset) - 1
        if i < 0:
            return lf_offset
        stretch = self.stretches[i]
        if lf_offset >= stretch.lf_end:
            return lf_offset - stretch.lf_end + stretch.end
        if lf_offset == stretch.lf_start:
            return stretch.start
        return stretch.start if side == "start" else stretch.end


def canonical_text(raw: str) -> str:
    """``canonicalize(raw).text`` without the hash and the offset map: for the many short texts
    of an import (each span's ``text``), where only the text is compared."""
    lf = raw.replace("\r\n", "\n").replace("\r", "\n")
    return lf if unicodedata.is_normalized("NFC", lf) else unicodedata.normalize("NFC", lf)


def canonicalize(raw: str) -> Canonical:
    """Canonicalise article text: CRLF and lone CR to LF, then NFC.

    ``canonicalize(raw).text == unicodedata.normalize("NFC", raw with newlines converted)``;
    time and memory are linear in the length of the text. Run :func:`check_article_text` on
    ``raw`` first: a lone surrogate cannot be hashed (UnicodeEncodeError).
    """
    dropped_crs = tuple(m.start() for m in re.finditer("\r\n", raw))
    lf = raw.replace("\r\n", "\n").replace("\r", "\n")
    if unicodedata.is_normalized("NFC", lf):
        return Canonical(lf, text_sha256(lf), len(raw), dropped_crs, ())

    parts: list[str] = []
    stretches: list[Stretch] = []
    copied_to = 0  # lf offset up to which `parts` holds the text
    shift = 0  # canonical offset minus lf offset from `copied_to` on
    for lf_start, lf_end in _changeable_runs(lf):
        run = lf[lf_start:lf_end]
        normal = unicodedata.normalize("NFC", run)
        if normal == run:
            continue
        parts.append(lf[copied_to:lf_start])
        parts.append(normal)
        start = lf_start + shift
        stretches.append(Stretch(lf_start, lf_end, start, start + len(normal)))
        shift += len(normal) - len(run)
        copied_to = lf_end
    parts.append(lf[copied_to:])
    text = "".join(parts)
    return Canonical(text, text_sha256(text), len(raw), dropped_crs, tuple(stretches))


def _changeable_runs(lf: str) -> Iterator[tuple[int, int]]:
    """Ascending, disjoint ``(start, end)`` runs of ``lf`` outside which NFC changes nothing,
    each starting and ending at a safe boundary, so each can be normalised on its own.

    A run is a character followed by the *attaching* characters after it, or a lone character
    that NFC changes by itself. Only the few characters of interest are visited in Python: a
    regular expression over a BMP bitmap finds them (sre tests astral ranges one by one, which
    would be slow on every character), and astral characters are looked up in a set.
    """
    tables = _tables()
    hot = [m.span() for m in tables.bmp_interesting.finditer(lf)]
    for match in _ASTRAL.finditer(lf):
        hot.extend(
            (i, i + 1)
            for i, char in enumerate(match.group(), match.start())
            if char in tables.astral_interesting
        )
    hot.sort()
    attaching = tables.attaching
    run_start = run_end = 0
    for hot_start, hot_end in hot:
        for i in range(hot_start, hot_end):
            if lf[i] in attaching:
                if i == run_end and run_end > run_start:
                    run_end = i + 1
                    continue
                first = max(i - 1, 0)  # the character it attaches to, a safe boundary
            else:
                first = i  # changes alone, and is itself a safe boundary
            if run_end > run_start:
                yield run_start, run_end
            run_start, run_end = first, i + 1
    if run_end > run_start:
        yield run_start, run_end


_ASTRAL = re.compile("[\U00010000-\U0010ffff]+")


@dataclass(frozen=True)
class _Tables:
    attaching: frozenset[str]
    bmp_interesting: re.Pattern[str]
    astral_interesting: frozenset[str]


@functools.cache
def _tables() -> _Tables:
    """Which characters NFC may touch, from one scan of the Unicode database.

    A character is *attaching* when NFC may merge it with, or reorder it against, what precedes
    it: its canonical decomposition starts with a non-starter (combining marks, but also e.g.
    U+0F73), or with a starter that is the second half of some composition (U+0BBE, U+0CD5,
    U+0DCF, Hangul V and T jamo …). Before any other character is a safe boundary: NFC of the
    text on either side concatenated is NFC of the whole. A character is *interesting* when it
    is attaching or NFC changes it on its own (U+212B ANGSTROM SIGN, U+F900 …).
    """
    second_halves: set[str] = {chr(c) for c in (*_HANGUL_V, *_HANGUL_T)}
    decomposing: list[str] = []
    attaching: set[str] = set()
    for scanned in SCANNED_RANGES:
        for char in map(chr, scanned):
            if unicodedata.combining(char):
                attaching.add(char)
            decomposition = unicodedata.decomposition(char)
            if decomposition and not decomposition.startswith("<"):
                decomposing.append(char)
                halves = decomposition.split()
                if len(halves) == 2:
                    # Excluded compositions are included too: harmless, only less fine-grained.
                    second_halves.add(chr(int(halves[1], 16)))
    attaching |= second_halves
    interesting = set(attaching)
    for char in decomposing:
        if unicodedata.normalize("NFD", char)[0] in attaching:
            attaching.add(char)
            interesting.add(char)
        if unicodedata.normalize("NFC", char) != char:
            interesting.add(char)
    bmp = {char for char in interesting if char <= "\uffff"}
    return _Tables(
        attaching=frozenset(attaching),
        bmp_interesting=re.compile(f"[{_char_class(bmp)}]+"),
        astral_interesting=frozenset(interesting - bmp),
    )


def _char_class(chars: set[str]) -> str:
    """The inside of a regular-expression character class matching exactly ``chars``."""
    points = sorted(map(ord, chars))
    ranges: list[str] = []
    i = 0
    while i < len(points):
        j = i
        while j + 1 < len(points) and points[j + 1] == points[j] + 1:
            j += 1
        low, high = f"\\U{points[i]:08x}", f"\\U{points[j]:08x}"
        ranges.append(low if i == j else f"{low}-{high}")
        i = j + 1
    return "".join(ranges)


def check_article_text(text: str, field: str = "text") -> None:
    """Refuse article text that is empty or that PostgreSQL or the annotators cannot use.

    Run on the raw text, before :func:`canonicalize`. Codes: ``invalid_type``, ``empty``
    (nothing but whitespace), ``nul_character``, ``control_character`` (C0 controls other than
    tab, LF and CR — CR is allowed because canonicalisation turns it into LF),
    ``surrogate_character`` (a lone UTF-16 surrogate, e.g. from a JSON ``\\ud800`` escape, which
    cannot be encoded as UTF-8). Positions are code-point offsets into ``text``.
    """
    if not isinstance(text, str):
        raise Invalid.one(field, "invalid_type", "The text must be a string.")
    if not text.strip():
        raise Invalid.one(field, "empty", "The text is empty.")
    problems: list[Problem] = []
    nul = text.find("\x00")
    if nul >= 0:
        problems.append(
            Problem(
                field,
                "nul_character",
                f"The text contains a NUL character (U+0000) at position {nul}; "
                "PostgreSQL cannot store it. Remove it and import again.",
            )
        )
    control = _CONTROL.search(text)
    if control:
        problems.append(
            Problem(
                field,
                "control_character",
                f"The text contains the control character U+{ord(control.group()):04X} at "
                f"position {control.start()}; only tab and line breaks are allowed.",
            )
        )
    surrogate = _SURROGATE.search(text)
    if surrogate:
        problems.append(
            Problem(
                field,
                "surrogate_character",
                f"The text contains a lone surrogate U+{ord(surrogate.group()):04X} at position "
                f"{surrogate.start()}, which is not a character and cannot be stored.",
            )
        )
    if problems:
        raise Invalid(problems)


def check_span_offsets(text: str, start: object, end: object, span_text: object | None) -> None:
    """Refuse a span that is not a non-empty ``[start, end)`` inside ``text`` or whose
    ``span_text`` (when given) differs from ``text[start:end]``.

    Fields and codes: ``start``/``end`` — ``invalid_type`` (not an int; bools are refused),
    ``out_of_range``, and ``empty`` (on ``end``) when ``start == end``; ``text`` —
    ``invalid_type``, ``text_mismatch``.
    """
    problems = [
        Problem(name, "invalid_type", f"{name} must be an integer offset, not {_shown(value)}.")
        for name, value in (("start", start), ("end", end))
        if not isinstance(value, int) or isinstance(value, bool)
    ]
    if problems:
        raise Invalid(problems)
    assert isinstance(start, int) and isinstance(end, int)
    length = len(text)
    for name, value in (("start", start), ("end", end)):
        if not 0 <= value <= length:
            problems.append(
                Problem(
                    name,
                    "out_of_range",
                    f"{name} must be between 0 and {length} (the length of the text), not {value}.",
                )
            )
    if problems:
        raise Invalid(problems)
    if start == end:
        raise Invalid.one("end", "empty", f"The span is empty: start and end are both {start}.")
    if start > end:
        raise Invalid.one("end", "out_of_range", f"end ({end}) must be after start ({start}).")
    if span_text is None:
        return
    if not isinstance(span_text, str):
        raise Invalid.one("text", "invalid_type", "The span text must be a string.")
    held = text[start:end]
    if span_text != held:
        raise Invalid.one(
            "text",
            "text_mismatch",
            f"The span text {_shown(span_text)} does not match the article, which holds "
            f"{_shown(held)} at [{start}, {end}).",
        )


def _shown(value: object) -> str:
    """``value`` for a message: JSON-quoted so newlines and controls stay visible, and cut to
    about 60 characters."""
    if isinstance(value, str) and len(value) > _SHOWN_CHARS:
        value = value[: _SHOWN_CHARS - 1] + "…"
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)[:_SHOWN_CHARS]


def check_name(value: str, *, field: str) -> str:
    """A name to look something up by (a username from a URL or a form); Invalid (naming
    ``field``) for a NUL character, which PostgreSQL text cannot hold and no name has."""
    if "\x00" in value:
        raise Invalid.one(field, "nul_character", f"The {field} contains a NUL character.")
    return value


def check_search(value: object, *, field: str) -> str:
    """Words to search articles for, stripped; Invalid (naming ``field``) for a NUL character,
    which PostgreSQL text cannot hold."""
    words = value.strip() if isinstance(value, str) else ""
    if "\x00" in words:
        raise Invalid.one(field, "nul_character", "The search contains a NUL character.")
    return words

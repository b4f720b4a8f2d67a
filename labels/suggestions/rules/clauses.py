"""Cues, sentences and clauses."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    pass
from labels.suggestions.rules.lexicon import (
    _DETERMINERS,
    _INVERTED_PRONOUN,
    _PASSIVE_BEFORE,
    _PRONOUNS,
    _WORD,
    EN_SUBJECT_ONLY,
    _cue_buckets,
    _fold,
)
from labels.suggestions.rules.tokens import _Cue, _Seg

# ---------------------------------------------------------------------------------------------
# 2. Cues


def _find_cues(text: str, segments: Sequence[_Seg]) -> list[_Cue]:
    buckets = _cue_buckets()
    seg_starts = [s.open for s in segments]
    cues: list[_Cue] = []
    after = 0
    for w in _WORD.finditer(text):
        pos = w.start()
        if pos < after:
            continue
        key = w.group()[:3].lower()
        m = None
        for bucket in (buckets.get(key), buckets.get(key[:2]), buckets.get(key[:1])):
            if bucket is not None:
                m = bucket[0].match(text, pos)
                if m is not None:
                    break
        if m is None or bucket is None or _inside(segments, seg_starts, pos):
            continue
        name = m.lastgroup if m.lastgroup and m.lastgroup.startswith("c") else None
        if name is None:  # an inner named group closed last
            name = next(k for k, v in m.groupdict().items() if v is not None and k[0] == "c")
        kind, lang = bucket[1][int(name[1:])]
        phrase = m.group()
        if (
            lang == "en"
            and phrase.lower().endswith("ed")
            and _PASSIVE_BEFORE.search(text, max(0, pos - 12), pos)
        ):
            continue  # "have been confirmed": no speaker
        if lang == "en" and phrase.lower() in EN_SUBJECT_ONLY and not _after_subject(text, pos):
            continue  # "the claims", "his reports": a noun
        cue = _Cue(pos, m.end(), kind, lang)
        inv = _INVERTED_PRONOUN.search(phrase) if lang == "fr" else None
        if inv:
            cue.pronoun = (pos + inv.start(1), pos + inv.end(1))
        if m.groupdict().get("ru_pron"):
            cue.pronoun = (m.start("ru_pron"), m.end("ru_pron"))
        cues.append(cue)
        after = m.end()
    return cues


_PREV_WORD = re.compile(r"([\w’'.-]+)[ \t\u00a0]+$")


def _after_subject(text: str, pos: int) -> bool:
    """Whether the word before ``pos`` can be the subject of a verb there: a pronoun or a
    capitalised word that is not a determiner or a possessive ("Trump claims", "she notes")."""
    m = _PREV_WORD.search(text, max(0, pos - 40), pos)
    if m is None:
        return False
    word = m.group(1)
    low = word.casefold()
    if low in _PRONOUNS or low in ("who", "which", "that"):
        return True
    before = text[max(0, m.start() - 3) : m.start()].rstrip(" \t\u00a0“\"'")
    if not before or before[-1] in ".!?\n":
        return False  # a capital at the start of a sentence says nothing: "Outage reports …"
    return word[:1].isupper() and low not in _DETERMINERS and not low.endswith(("’s", "'s"))


def _inside(segments: Sequence[_Seg], starts: Sequence[int], pos: int) -> _Seg | None:
    k = bisect_right(starts, pos) - 1
    if k >= 0 and segments[k].open <= pos < segments[k].close:
        return segments[k]
    return None


# ---------------------------------------------------------------------------------------------
# 3. Sentences and clauses

_SENTENCE_END = re.compile(r"[.!?…]+(?:''|[\"”»“’)\]])*(?=\s+(?:''|[\"“„«‚‘(\-–—\d\w]))|\n")
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st gen col lt sgt rep sen gov jan feb mar apr jun jul aug sep sept oct "
    "nov dec no vs etc m mme mlle bzw nr ca dr г гг им др т "
    # US titles and state abbreviations inside names: "the Rev. Peter Wherry", "(D-Mo.)".
    "sens reps govs rev fr msgr atty supt capt cmdr adm maj jr sr calif colo conn fla ill ind "
    "kan kans mass mich minn miss mo mont neb nev okla ore tenn tex wash wis wyo".split()
)


def _sentences(text: str, start: int, end: int, segments: Sequence[_Seg]) -> list[tuple[int, int]]:
    starts = [s.open for s in segments]
    out, s = [], start
    for m in _SENTENCE_END.finditer(text, start, end):
        cut = m.end()
        if m.group() != "\n":
            nxt = text[cut:end].lstrip()[:1]
            if not nxt or not (nxt.isupper() or nxt.isdigit() or nxt in "\"“„«‚‘(-–—'"):
                continue
            word = re.search(r"(\w+)\W*$", text[max(s, m.start() - 12) : m.start() + 1])
            if word and (_fold(word.group(1)) in _ABBREVIATIONS or len(word.group(1)) == 1):
                if m.group()[0] == "." and len(m.group()) == 1:
                    continue
            if _inside(segments, starts, m.end()):
                continue  # a full stop inside a quotation that goes on
        if text[s:cut].strip():
            out.append(_trim(text, s, cut))
        s = cut
    if text[s:end].strip():
        out.append(_trim(text, s, end))
    return out


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


@dataclass(slots=True)
class _Chunk:
    start: int
    end: int
    sep: str  # the separator that ends this chunk: "," ":" ";" or "" at the sentence end
    cues: list[_Cue] = field(default_factory=list)
    seg: _Seg | None = None  # the chunk is exactly this standalone quotation


_CHUNK_SEP = re.compile(r"[,;:](?=\s)")


def _chunks(
    text: str, s: int, e: int, segments: Sequence[_Seg], starts: Sequence[int]
) -> list[_Chunk]:
    cuts: list[tuple[int, int, str]] = []  # (chunk end, next chunk start, separator)
    for m in _CHUNK_SEP.finditer(text, s, e):
        seg = _inside(segments, starts, m.start())
        if seg is None:
            cuts.append((m.start(), m.end(), m.group()))
    for k in range(bisect_right(starts, s - 1), bisect_right(starts, e)):
        seg = segments[k]
        if seg.close < e and text[seg.end : seg.close].startswith(","):
            cuts.append((seg.close, seg.close, ","))
    cuts.sort()
    chunks, pos = [], s
    for end, nxt, sep in cuts:
        cs, ce = _trim(text, pos, end)
        while cs < ce and text[cs] in "—–-":
            cs, ce = _trim(text, cs + 1, ce)
        if cs < ce:
            chunks.append(_Chunk(cs, ce, sep))
        pos = nxt
    cs, ce = _trim(text, pos, e)
    while cs < ce and text[cs] in "—–-":
        cs, ce = _trim(text, cs + 1, ce)
    if cs < ce:
        chunks.append(_Chunk(cs, ce, ""))
    for chunk in chunks:
        k = bisect_right(starts, chunk.start) - 1
        seg = segments[k] if k >= 0 else None
        if seg is not None and seg.open == chunk.start:
            rest = text[seg.close : chunk.end]
            if all(not c.isalnum() for c in rest):
                chunk.seg = seg
                seg.standalone = True
    return chunks

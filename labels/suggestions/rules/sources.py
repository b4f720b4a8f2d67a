"""Source mentions next to cues, and their type."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    pass
from labels.suggestions.rules.lexicon import (
    _ADVERBS,
    _AGENCIES,
    _ANONYMOUS,
    _COMPLEMENTIZERS,
    _DETERMINERS,
    _DOCUMENT,
    _GOVERNMENT,
    _LEADING_NOISE,
    _ORGANIZATION,
    _PERSON_NOUN,
    _PREDICATE_STARTERS,
    _PRONOUNS,
    _RECIPIENTS,
    _RELATIVES,
    _STOP_PREPOSITIONS,
    _SUBJECT_PRONOUNS,
    _TIME_WORDS,
    _fold,
)
from labels.suggestions.rules.tokens import _Cue, _Src, _Tok, _tokens

# ---------------------------------------------------------------------------------------------
# 4. Sources


#: Characters read on either side of a cue when looking for its source.
_SOURCE_WINDOW = 160


def _post_source(text: str, cue: _Cue, end: int, cue_starts: set[int]) -> tuple[_Src | None, bool]:
    """The noun phrase after a cue, and whether it ends the clause cleanly."""
    toks = _join_abbreviations(_tokens(text, cue.end, min(end, cue.end + _SOURCE_WINDOW)))
    i = 0
    if cue.lang == "de" and toks and toks[0].low in ("aus", "von", "in"):
        i = 1
    while i < len(toks):
        low = toks[i].low
        if low in _RECIPIENTS or low in ("à", "au", "aux", "gegenüber"):
            i += 1
            if i < len(toks) and toks[i].text in '«“„"':
                while i < len(toks) and toks[i].text not in '»“”"':
                    i += 1
                i += 1
            elif i < len(toks) and (toks[i].is_cap or toks[i].low in _DETERMINERS):
                i += 1
                while i < len(toks) and toks[i].is_cap:
                    i += 1
            continue
        if low in _TIME_WORDS:
            i += 1
            continue
        if (
            low in ("on", "am", "во", "в", "le", "el")
            and i + 1 < len(toks)
            and toks[i + 1].low in _TIME_WORDS
        ):
            i += 2
            continue
        break
    if i >= len(toks) or toks[i].low in _COMPLEMENTIZERS or toks[i].text == ":":
        return None, False  # "dijo que …": what follows is the content, not the speaker
    first = toks[i]
    if first.low in _STOP_PREPOSITIONS and cue.kind == "speech":
        return None, False  # "said in a statement": a circumstance, not the speaker
    if first.low in _PRONOUNS:
        after = toks[i + 1] if i + 1 < len(toks) else None
        clean = after is None or not after.is_word or after.low in _STOP_PREPOSITIONS
        return _Src(first.start, first.end, "source:after-cue:pronoun", 0.6), clean
    free = cue.kind in ("according", "citing", "relay")
    j = i
    while j < len(toks) and j - i < 12:
        t = toks[j]
        if t.start in cue_starts:
            break
        if t.text == "(":  # "(dpa)": a parenthesis is part of the name
            close = next(
                (k for k in range(j + 1, min(j + 5, len(toks))) if toks[k].text == ")"), None
            )
            if close is not None:
                j = close + 1
                continue
        if not t.is_word and t.text not in "-’'":
            break
        if j > i and t.low in _STOP_PREPOSITIONS and not free:
            break
        if (
            j > i
            and cue.lang == "de"
            and free
            and not (t.is_cap or t.low in _DETERMINERS or t.text in "-()")
        ):
            break  # "Laut einem Bericht der dpa sind …": the verb ends the phrase
        j += 1
    while j > i and toks[j - 1].text in "-(’'":
        j -= 1
    if j == i:
        return None, False
    clean = (
        j == len(toks)
        or not toks[j].is_word
        or toks[j].low in _STOP_PREPOSITIONS
        or toks[j].start in cue_starts
    )
    if cue.lang == "de" and free:
        clean = True
    span = _Src(toks[i].start, toks[j - 1].end, "source:after-cue", 0.75)
    if not toks[i].is_cap and not free:
        span.confidence = 0.65
    return span, clean and j - i <= 10


def _pre_source(text: str, start: int, end: int) -> _Src | None:
    """The noun phrase before a cue, within its clause ``[start, end)`` — never a lone
    function word ("has", "there", "according", "the"), which no speaker is."""
    src = _noun_phrase_before(text, start, end)
    if src is not None and _fold(text[src.start : src.end]) in _NOT_A_SPEAKER:
        return None
    return src


#: Words that are never a speaker on their own.
_NOT_A_SPEAKER = (
    _PREDICATE_STARTERS
    | _DETERMINERS
    | _STOP_PREPOSITIONS
    | frozenset("there here according when where whether if of by as than so".split())
) - _PRONOUNS  # French "on" is a pronoun


def _noun_phrase_before(text: str, start: int, end: int) -> _Src | None:
    # A clause longer than the window is too long to be all speaker: only its end matters.
    window = max(start, end - _SOURCE_WINDOW)
    toks = _tokens(text, window, end)
    if window > start and toks:
        toks.pop(0)  # may be a cut word
    while toks and (
        toks[0].low in _LEADING_NOISE
        or not toks[0].is_word
        # "Eventually the company …", but not "Kelly said"
        or (toks[0].low.endswith("ly") and len(toks) > 1 and toks[1].low in _DETERMINERS)
    ):
        toks.pop(0)
    toks = _join_abbreviations(toks)
    if toks and toks[0].low in _PREDICATE_STARTERS and window == start:
        return None  # "…, did not mention Trump but [told]": the subject is further back
    while toks:
        last = toks[-1]
        if last.text == ")" and any(t.text == "(" for t in toks):
            break  # "Sen. Claire McCaskill (D-Mo.)": the parenthesis belongs to the name
        if last.low in _ADVERBS or (
            last.low.endswith("ly") and len(last.low) > 4 and not last.is_cap
        ):
            toks.pop()
        elif last.low in _TIME_WORDS:
            toks.pop()
            if toks and toks[-1].low in ("on", "am", "во", "в", "le", "el", "this", "last"):
                toks.pop()
        elif not last.is_word:
            toks.pop()
        else:
            break
    if not toks:
        return None
    if toks[-1].low in _PRONOUNS:
        return _Src(toks[-1].start, toks[-1].end, "source:before-cue:pronoun", 0.6)
    subject = _subject(toks) if window == start else None  # the clause's start is seen
    if subject is not None:
        return subject
    if (
        len(toks) <= 8
        and all(t.is_word or t.text in "-()’'" for t in toks)
        and toks[0].low not in _RELATIVES
    ):
        return _Src(toks[0].start, toks[-1].end, "source:before-cue", 0.7)
    # A long clause: the last capitalised run, or a determiner and up to four words.
    j = len(toks)
    while j > 0 and (toks[j - 1].is_cap or (toks[j - 1].text in "-" and j > 1)):
        j -= 1
    if j < len(toks):
        if j > 0 and toks[j - 1].low in _DETERMINERS:
            j -= 1
        return _Src(toks[j].start, toks[-1].end, "source:before-cue:name", 0.7)
    for k in range(len(toks) - 1, max(len(toks) - 6, -1), -1):
        if toks[k].low in _DETERMINERS:
            return _Src(toks[k].start, toks[-1].end, "source:before-cue:noun-phrase", 0.6)
        if not toks[k].is_word:
            break
    return None


def _subject(toks: list[_Tok]) -> _Src | None:
    """The subject of a clause whose predicate runs on to the cue: "Cook did not [say]",
    "he had [told]", "Hillary Clinton took to Twitter to [say]" — the words before the
    predicate's first word (an auxiliary, a modal, a negation, "to", a light verb), or a
    subject pronoun that opens the clause. None when nothing says where the subject ends."""
    if len(toks) > 1 and toks[0].low in _SUBJECT_PRONOUNS:
        return _Src(toks[0].start, toks[0].end, "source:before-cue:subject-pronoun", 0.6)
    for k in range(1, min(len(toks), 7)):
        # "Obama punctuated his list by [saying]": a past tense after a name.
        past = toks[k].low.endswith("ed") and len(toks[k].low) > 4 and not toks[k].is_cap
        if toks[k].low in _PREDICATE_STARTERS or (past and toks[k - 1].is_cap):
            head = toks[:k]
            if (
                all(t.is_word or t.text in "-’'." for t in head)
                and not any(t.low in _RELATIVES or t.low in _PREDICATE_STARTERS for t in head)
                and head[-1].low not in _DETERMINERS
            ):
                return _Src(head[0].start, head[-1].end, "source:before-cue:subject", 0.65)
            return None
    return None


#: Titles and other abbreviations written with a full stop inside a name ("Sen. Claire
#: McCaskill", "the Rev. Peter Wherry", "(D-Mo.)", "Bob Casey Jr."); the tokenizer splits the
#: stop off, and without this a name would end, or be cut, at it.
_TITLE_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st sen sens rep reps gov govs gen col lt sgt capt cmdr adm maj rev fr "
    "msgr atty supt pres sec amb hon jr sr mt ft "
    "ala ariz ark calif colo conn del fla ga ill ind kan kans ky la md mass mich minn miss mo "
    "mont neb nev okla ore pa penn tenn tex va vt wash wis wyo".split()
)


_TITLE = re.compile(r"\b(?:Sen|Sens|Rep|Reps|Gov|Rev|Mr|Mrs|Ms|Dr|Fr|Msgr|Atty|Gen|Lt|Col|Sgt)\.")


def _join_abbreviations(toks: list[_Tok]) -> list[_Tok]:
    """Tokens with a title's full stop joined to it: ["Sen", "."] → ["Sen."]."""
    out: list[_Tok] = []
    for t in toks:
        prev = out[-1] if out else None
        if (
            t.text == "."
            and prev is not None
            and prev.end == t.start
            and (prev.low in _TITLE_ABBREVIATIONS or (len(prev.text) == 1 and prev.is_cap))
        ):
            out[-1] = _Tok(prev.start, t.end, prev.text + ".")
            continue
        out.append(t)
    return out


def _source_type(mention: str) -> str:
    """A guess, only where it is obvious; analysts correct the rest."""
    words = mention.split()
    named = any(w[:1].isupper() for w in words[1:])  # the first word may be capitalised anyway
    if _AGENCIES.search(mention):
        return "news_agency"
    if _fold(mention) in _PRONOUNS:
        return "person"
    if _GOVERNMENT.search(mention):
        return "government"
    if not named and _ANONYMOUS.search(mention):
        return "anonymous"
    if not named and _DOCUMENT.search(mention):
        return "document"
    if _PERSON_NOUN.search(mention) or _TITLE.search(mention):
        return "person"
    if _ORGANIZATION.search(mention):
        return "organization"
    if _fold(words[0]) not in _DETERMINERS and all(
        w[:1].isupper() and not w.isupper() for w in words
    ):
        return "person"  # a capitalised name
    return "organization"

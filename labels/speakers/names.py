"""Normalising a mention of a speaker so that the ways texts write one name compare equal.

``normalise("President Vladimir Putin’s")`` is ``"vladimir putin"``: case folded, diacritics
dropped ("Mácron" = "Macron"), a possessive ending dropped, punctuation and spacing made plain,
and leading honorifics and titles ("Mr", "Dr", "President", "Russian President", "Prime
Minister") dropped as long as a name is left. A mention that is nothing but a title ("the
president") keeps its words: it is a role mention, which ``labels.speakers.resolve`` treats
like a pronoun.
"""

from __future__ import annotations

import re
import unicodedata

#: Honorifics and titles that may stand before a name (normalised: lower case, no dots).
TITLES = frozenset(
    """
    mr mrs ms miss mx dr prof professor sir dame lord lady m mme mlle herr frau sr sra
    president vice chancellor premier prime minister secretary general gen colonel col
    senator sen rep representative congressman congresswoman governor gov mayor king queen
    prince princess pope cardinal bishop rabbi imam judge justice ambassador commissioner
    spokesman spokeswoman spokesperson chairman chairwoman chair ceo chief officer director
    leader head deputy foreign interior defence defense finance economy state
    """.split()
)
#: Words a title may be qualified with before it ("Russian President", "French Foreign
#: Minister"): a nationality-like adjective is any word, so only a bounded run of them counts.
_MAX_TITLE_RUN = 4
_ARTICLES = frozenset({"the", "a", "an", "le", "la", "les", "l", "der", "die", "das"})
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'"})
_NOT_WORD = re.compile(r"[^\w\s'-]+")
_SPACES = re.compile(r"[\s\-]+")


def fold(text: str) -> str:
    """Lower case without diacritics, one character for one (offsets stay valid)."""
    out = []
    for char in text:
        base = "".join(
            c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
        )
        base = base.casefold()
        out.append(base[0] if len(base) >= 1 else char)
    return "".join(out)


def words(text: str) -> list[str]:
    """``text`` folded, without possessives and punctuation, as a list of words."""
    text = fold(text.translate(_APOSTROPHES))
    text = _NOT_WORD.sub(" ", text)
    out = []
    for word in _SPACES.split(text):
        word = word.strip("'")
        if word.endswith("'s"):
            word = word[:-2]
        word = word.strip("'")
        if word:
            out.append(word)
    return out


def strip_titles(tokens: list[str]) -> list[str]:
    """``tokens`` without a leading article and a leading run of titles, if a name is left."""
    if tokens and tokens[0] in _ARTICLES:
        tokens = tokens[1:]
    last_title = -1
    for index, token in enumerate(tokens[: _MAX_TITLE_RUN + 1]):
        if token in TITLES:
            last_title = index
    rest = tokens[last_title + 1 :]
    return rest if rest else tokens


def normalise(mention: str) -> str:
    """The form of ``mention`` that names compare by (see the module's docstring)."""
    return " ".join(strip_titles(words(mention)))

"""English reporting verbs from published lists, inflected (data and a small inflector).

Sources, so that the list is not whatever one developer remembered:

- **Krestel, Bergler and Witte (2008)**, *Minding the Source: Automatic Tagging of Reported
  Speech in Newspaper Articles*, LREC 2008 — their list of reporting verbs, minus the verbs of
  belief and feeling it also holds (believe, think, hope, fear, worry): the project's Quote is
  speech or writing only (seeds/README.md).
- **Levin (1993)**, *English Verb Classes and Alternations* — the communication classes that
  news uses for attribution: 37.7 *say* verbs, 37.8 *complain*, 37.9 *advise* (warn, caution),
  37.3 *manner of speaking* (shout, yell), 37.1 *message transfer* (explain, quote, cite), 29.2
  *characterize* (describe, portray) and 33 *judgment* verbs (praise, criticize, condemn, mock).
- The **news register** the rules were measured on (docs/suggestions.md, "Figures"): verbs of
  attacking and answering that newspapers use as reporting verbs (blast, slam, respond, defend,
  dismiss, reject, tweet, echo, repeat) — the kind of miss the evaluation showed, not its
  examples.

spaCy's English lemmatizer needs the ``spacy-lookups-data`` tables, which the project does not
install, so the inflections are generated here by the regular English rules (e-drop, y → ie,
final consonant doubling for the listed verbs) with the irregular forms given explicitly.
"""

from __future__ import annotations

import re

#: Verbs whose every form (base, -s, -ed, -ing) is a cue: rarely a noun in news text.
VERBS = """
accuse acknowledge add admit agree allege announce argue assert assure blame boast brag caution
cite claim complain concede conclude condemn confirm contend criticize criticise declare decry
deny describe disagree disclose dismiss emphasize emphasise estimate explain insist maintain
mention note observe predict proclaim promise quip recall recount recommend reiterate remark
reply report respond retort reveal say state stress suggest tell testify urge warn write tweet
praise laud applaud hail mock ridicule denounce deride lament scoff acknowledge vow pledge
blast slam rip chide scold rebuke lambaste castigate defend reject echo repeat insinuate
characterize characterise portray joke shout yell scream exclaim whisper murmur mutter
question demand ask inform advise notify concur counter opine charge chant caution
""".split()

#: Nouns as often as verbs: their base and -s forms are cues only after a subject
#: (a pronoun or a capitalised word: "Trump claims", "she notes"), never "the claims".
NOUN_LIKE = frozenset(
    "claim report note promise charge demand call attack reply comment question echo "
    "counter tweet estimate blast slam rip joke boast vow pledge chant whisper shout yell "
    "scream murmur mutter praise mock remark repeat stress respond defend reject hail blame "
    "ask".split()
)

#: Forms that are far more often something else: "the state", "United States", "hail".
SKIPPED_FORMS = frozenset("state states hail hails".split())

#: Verbs whose following noun phrase is their object ("accused Clinton of …"), never an
#: inverted speaker as in "…,” said Clinton.
OBJECT_VERBS = """
accuse blame cite condemn criticize criticise describe dismiss mention praise laud applaud
hail mock ridicule denounce deride blast slam rip chide scold rebuke lambaste castigate defend
reject echo repeat characterize characterise portray question inform advise notify caution
""".split()

#: Verbs as often used of things as of speech ("the debate concluded", "alleged crimes",
#: "revealed a plan"): cues only before "that", a comma, a colon, a full stop or a quotation
#: mark — where they introduce or close reported words.
GUARDED = frozenset(
    "conclude estimate reveal question maintain repeat allege charge disclose pledge".split()
)
_GUARD = r"(?=\s+that\b|\s*[,:.;]|\s*[“\"‘]|\s*'')"

#: Gerunds that are common nouns ("a warning", "the writing"): cues only before "that" or a
#: comma, as the hand lexicon always did.
NOUN_GERUNDS = frozenset("warning writing reporting briefing questioning charging".split())

_IRREGULAR = {
    "say": ("says", "said", "saying"),
    "tell": ("tells", "told", "telling"),
    "write": ("writes", "wrote", "writing"),
    "rip": ("rips", "ripped", "ripping"),
    "slam": ("slams", "slammed", "slamming"),
    "quip": ("quips", "quipped", "quipping"),
    "scold": ("scolds", "scolded", "scolding"),
    "counter": ("counters", "countered", "countering"),
    "question": ("questions", "questioned", "questioning"),
    "echo": ("echoes", "echoed", "echoing"),
    "concur": ("concurs", "concurred", "concurring"),
    "mutter": ("mutters", "muttered", "muttering"),
    "murmur": ("murmurs", "murmured", "murmuring"),
}

#: Multi-word reporting phrases; "went on to say" before "went".
PHRASES = [
    r"point(?:s|ed|ing)?\s+out",
    *(rf"{w}\s+on\s+to\s+(?:say|add|write)" for w in ("go", "goes", "went", "going")),
    r"put(?:s)?\s+it(?=\s*[,.:])",
    r"sh(?:ot|oots|oot)\s+back",
    r"fir(?:ed|es|e)\s+back",
    r"spoke\s+of",
    r"released\s+a\s+statement",
    r"issued\s+a\s+statement",
    r"calling\s+(?:for|on)",
    r"agree(?:s|d)?(?!\s+to\b)",
    r"continu(?:ed|es)(?=\s*[:,.]|\s+(?:“|\"|''))",
]


def inflect(verb: str) -> tuple[str, str, str, str]:
    """``(base, 3rd person -s, past -ed, -ing)`` of a regular or listed irregular verb."""
    if verb in _IRREGULAR:
        return (verb, *_IRREGULAR[verb])
    if verb.endswith("e"):
        return verb, verb + "s", verb + "d", verb[:-1] + "ing"
    if verb.endswith("y") and verb[-2:-1] not in "aeiou":
        return verb, verb[:-1] + "ies", verb[:-1] + "ied", verb + "ing"
    if re.search(r"(?:s|sh|ch|x|z)$", verb):
        return verb, verb + "es", verb + "ed", verb + "ing"
    return verb, verb + "s", verb + "ed", verb + "ing"


def lexicon_entries() -> tuple[list[str], list[str]]:
    """``(entries, subject_only)``: regex fragments of every form, longest first, and the
    forms that are cues only after a subject."""
    forms: set[str] = set()
    # "agreed to pay" is consent, not speech: the phrase above keeps only the other uses.
    verbs = [v for v in VERBS if v != "agree"]
    subject_only: set[str] = set()
    for verb in verbs:
        base, third, past, gerund = inflect(verb)
        if verb in GUARDED:
            forms.update(f + _GUARD for f in (base, third, past, gerund) if f not in SKIPPED_FORMS)
            continue
        forms.update((past,))
        if gerund in NOUN_GERUNDS:
            forms.add(rf"{gerund}(?=\s+that\b|\s*,)")
        else:
            forms.add(gerund)
        forms.update(f for f in (base, third) if f not in SKIPPED_FORMS)
        if verb in NOUN_LIKE:
            subject_only.update((base, third))
    entries = PHRASES + sorted(forms, key=lambda f: (-len(f), f))
    return entries, sorted(subject_only)


def object_verb_forms() -> list[str]:
    """Every form of ``OBJECT_VERBS`` but the gerund."""
    return sorted({f for v in OBJECT_VERBS for f in inflect(v)[:3]})

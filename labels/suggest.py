"""Rule-based pre-annotation: Quote, Cue and Source suggestions and the relations between them.

``suggest(text, schema)`` is pure: no database, no network, no model weights. Only spaCy's
tokenizer is used (``spacy.blank("xx")``, built once per process). Offsets are code points,
half-open, into ``text`` exactly as given (the stored, canonical article text), so
``text[s.start:s.end] == s.text`` for every suggestion.

How it reads a text, in order (docs/suggestions.md explains the rules and their known misses):

1. **Quotation marks** — a bracket-matching scan per paragraph over “…” "…" «…» »…« „…“ ‚…‘
   ‘…’ 「…」 『…』. Only outermost pairs count; an opening mark left open at the end of its
   paragraph, or for more than ``MAX_QUOTE_CHARS``, yields nothing. A right single quote
   between letters (don’t, Russia’s) or before a digit (’90s) is an apostrophe.
2. **Cues** — a lexicon of reporting verbs and phrases in English, French, German, Spanish
   and Russian (regular-expression fragments, case-insensitive, on word boundaries); cues
   inside a quotation are ignored (they belong to the quoted speaker).
3. **Sentences and clauses** — sentences end at . ! ? … followed by a capital, a mark or a
   digit; clauses are split at ", ", ": " and "; " outside quotations.
4. **Attributions** — per cue: the Source (after an inverted cue "said the Kremlin", before
   one "the Kremlin said", inside one "a-t-elle ajouté") and the content: a quotation next to
   the cue (direct), or the clause the cue introduces or closes (indirect; mixed when it
   embeds quoted words), following the conventions of ``seeds/README.md``.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from labels.agreement import ArticleLayers, Layer, SpanRec, compare_to_gold
from labels.schema import default_schema

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language

__all__ = [
    "MAX_QUOTE_CHARS",
    "SuggestedRelation",
    "Suggestion",
    "Suggestions",
    "evaluate",
    "suggest",
]

#: An opening quotation mark further than this from its closing mark is treated as unmatched.
MAX_QUOTE_CHARS = 1000

# ---------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True, slots=True)
class Suggestion:
    id: str
    label: str
    start: int
    end: int
    text: str
    attrs: dict[str, Any]
    confidence: float
    rule: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "attrs": dict(self.attrs),
            "confidence": self.confidence,
            "rule": self.rule,
        }


@dataclass(frozen=True, slots=True)
class SuggestedRelation:
    id: str
    label: str
    source: str  # span ids of Suggestion
    target: str
    confidence: float
    rule: str
    attrs: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "source": self.source,
            "target": self.target,
            "attrs": dict(self.attrs),
            "confidence": self.confidence,
            "rule": self.rule,
        }


@dataclass(frozen=True, slots=True)
class Suggestions:
    spans: list[Suggestion]
    relations: list[SuggestedRelation]

    def as_dict(self) -> dict[str, Any]:
        return {
            "spans": [s.as_dict() for s in self.spans],
            "relations": [r.as_dict() for r in self.relations],
        }


# ---------------------------------------------------------------------------------------------
# Lexicons. Entries are regular-expression fragments, matched case-insensitively on word
# boundaries. Kinds: "speech" (a verb that has a speaker), "according" (the source follows
# and no speaker verb is needed), "relay" (an outlet passing the words on), "citing" (the
# reporter cites the source that follows).


def _each(template: str, words: str) -> list[str]:
    """One entry per word: ``_each("{}\\s+mit", "teilte teilt")``."""
    return [template.format(w) for w in words.split()]


_EN_SPEECH = [
    *"said says say told tells tell added adds stated insisted insists denied denies".split(),
    *"claimed announced warned warns noted explained explains".split(),
    r"asked\s+for",
    "asked",
    "urged",
    "urges",
    r"called\s+for",
    r"called\s+on",
    r"calls\s+for",
    *"called reported confirmed argued argues acknowledged admitted stressed declared".split(),
    *"wrote writes tweeted posted replied answered recalled suggested predicted promised".split(),
    *"vowed pledged complained conceded observed commented estimated".split(),
    # Base and -s forms, only of verbs that are not also common nouns (not "report", "claim").
    *"argue insist warn explain deny confirm acknowledge admit declare write suggest".split(),
    *"predict complain concede observe announce urge acknowledges admits confirms".split(),
    *"suggests announces predicts complains concedes declares".split(),
    "saying",
    # Other gerunds only when they introduce speech: "warning that …", "adding, …".
    *_each(
        r"{}(?=\s+that\b|\s*,)",
        "telling warning adding insisting noting arguing claiming stressing",
    ),
]
_EN_ACCORDING = [r"according\s+to"]
_EN_RELAY = [r"quoted\s+by", r"cited\s+by", r"relayed\s+by"]
_EN_CITING = ["citing"]

_FR_PARTICIPLES = (
    r"(?:déclaré|dit|affirmé|ajouté|estimé|indiqué|précisé|souligné|expliqué|assuré|annoncé|"
    r"averti|dénoncé|appelé|rappelé|confié|reconnu|martelé|jugé|prévenu|insisté|répété|"
    r"déploré|confirmé|démenti|écrit|lancé|regretté|promis|raconté|répondu|réagi|salué|"
    r"commenté|plaidé|ironisé|résumé|conclu|détaillé|admis|avancé|relevé|signalé|tranché|"
    r"fait\s+savoir)"
)
_FR_SPEECH = [
    *_each(r"{}\s+" + _FR_PARTICIPLES, "a ont avait avaient aurait"),
    *_each(r"{}-t?-?(?:il|elle|ils|elles|on)\s+" + _FR_PARTICIPLES, "a ont avait"),
    *_each(
        r"{}-t?-?(?:il|elle|on)",
        "dit déclare affirme ajoute estime souligne explique assure précise insiste",
    ),
    *"déclarent déclare affirment affirme ajoute estiment estime indique précise souligne".split(),
    *"explique assure annonce rapporte dénonce juge prévient martèle disent".split(),
]
_FR_ACCORDING = ["selon", r"d['’]après"]
_FR_RELAY = [r"cit[ée]e?s?\s+par", r"rapporté\s+par", r"relayé\s+par", r"interrog[ée]e?s?\s+par"]
_FR_CITING = ["citant"]

# Separable verbs: the whole verb when contiguous, else the finite part when its particle
# closes the clause ("Das teilte das Unternehmen am Donnerstag mit.").
_DE_SEPARABLE = {
    "teilte teilten teilt": "mit",
    "kündigte kündigten kündigt": "an",
    "fügte fügten fügt": "hinzu",
    "räumte räumten räumt": "ein",
}
_DE_SPEECH = [
    *"sagte sagten sagt sagen erklärte erklärten erklärt betonte betonten betont".split(),
    *"berichtete berichteten berichtet warnte warnten warnt forderte forderten fordert".split(),
    *"versicherte unterstrich kritisierte meinte schrieb äußerte bekräftigte bestätigte".split(),
    *"mitteilte mitteilten mitgeteilt".split(),
    r"hieß\s+es",
    r"heißt\s+es",
    *(
        e
        for verbs, particle in _DE_SEPARABLE.items()
        for e in _each(rf"{{}}\s+{particle}(?=\s*[.,;!?])", verbs)
    ),
    *(
        e
        for verbs, particle in _DE_SEPARABLE.items()
        for e in _each(rf"{{}}(?=[^.!?\n]*?\b{particle}\s*[.,;!?])", verbs)
    ),
    # "so Roth": only after a comma and before a name or pronoun, never "so weit".
    r"so(?<=,\sso)(?=\s+(?-i:[A-ZÄÖÜ]|er\b|sie\b))",
]
_DE_ACCORDING = [
    r"laut(?=\s+(?:(?-i:[A-ZÄÖÜ])|einem\b|einer\b|eines\b|dem\b|der\b|den\b))",
    "zufolge",
]
_DE_RELAY = [r"zitiert\s+(?:von|nach)"]
_DE_CITING = [r"unter\s+Berufung\s+auf"]

_ES_SPEECH = (
    "dijo dijeron dice dicen afirmó afirmaron afirma declaró declararon declara aseguró "
    "aseguraron asegura explicó señaló indicó añadió agregó advirtió sostuvo manifestó informó "
    "anunció subrayó destacó precisó comentó apuntó recalcó insistió reconoció denunció "
    "afirmaba expresó"
).split()
_ES_ACCORDING = ["según", r"de\s+acuerdo\s+con"]
_ES_RELAY = [r"citad[oa]s?\s+por"]
_ES_CITING = ["citando"]

_RU_SPEECH = [
    *_each(
        "{}[аио]?",
        "сказал заявил сообщил отметил добавил подчеркнул пояснил уточнил "
        "рассказал указал признал написал предупредил назвал заверил объяснил",
    ),
    *"заявляет заявляют сообщает сообщают считает считают говорит говорят".split(),
    r"переда[её]т",
    "передают",  # "…, передает ТАСС": the agency reports
]
_RU_ACCORDING = [
    r"по\s+(?:(?P<ru_pron>его|её|ее|их)\s+)?словам",
    r"по\s+данным",
    r"по\s+информации",
    r"по\s+сведениям",
]
_RU_CITING = [r"со\s+ссылкой\s+на", r"ссылаясь\s+на"]

_LEXICON: list[tuple[str, str, list[str]]] = [
    ("speech", "en", _EN_SPEECH), ("according", "en", _EN_ACCORDING),
    ("relay", "en", _EN_RELAY), ("citing", "en", _EN_CITING),
    ("speech", "fr", _FR_SPEECH), ("according", "fr", _FR_ACCORDING),
    ("relay", "fr", _FR_RELAY), ("citing", "fr", _FR_CITING),
    ("speech", "de", _DE_SPEECH), ("according", "de", _DE_ACCORDING),
    ("relay", "de", _DE_RELAY), ("citing", "de", _DE_CITING),
    ("speech", "es", _ES_SPEECH), ("according", "es", _ES_ACCORDING),
    ("relay", "es", _ES_RELAY), ("citing", "es", _ES_CITING),
    ("speech", "ru", _RU_SPEECH), ("according", "ru", _RU_ACCORDING),
    ("citing", "ru", _RU_CITING),
]  # fmt: skip


@cache
def _cue_buckets() -> dict[str, tuple[re.Pattern[str], list[tuple[str, str]]]]:
    """The lexicon as small regexes keyed by the first (up to three) letters of each entry.

    One alternation of every entry, tried at every word, costs more than all the other rules
    together; keyed this way, most words never reach a regex. Within a bucket the lexicon order
    holds, so "asked for" is listed, and wins, before "asked".
    """
    grouped: dict[str, list[tuple[str, str, str]]] = {}
    for kind, lang, entries in _LEXICON:
        for entry in entries:
            stem = re.match(r"[^\W\d_]+", entry)
            if stem is None:
                raise ValueError(f"cue pattern must start with a letter: {entry!r}")
            grouped.setdefault(stem.group().lower()[:3], []).append((kind, lang, entry))
    buckets = {}
    for first, items in grouped.items():
        parts = [f"(?P<c{n}>{entry})" for n, (_, _, entry) in enumerate(items)]
        regex = re.compile(rf"(?:{'|'.join(parts)})(?![\w-])", re.IGNORECASE)
        buckets[first] = (regex, [(kind, lang) for kind, lang, _ in items])
    return buckets


_WORD = re.compile(r"(?<![\w-])\w+")


# Verbs whose following noun phrase is an object or addressee, never an inverted speaker.
_OBJECT_VERB = re.compile(
    r"^(?:told|tells?|asked|asked\s+for|urged|urges|called(?:\s+for|\s+on)?|calls\s+for|"
    r"denied|denies|confirmed|acknowledged|announced|warned|a\s+appelé|назвал[аио]?)$",
    re.IGNORECASE,
)
_NAMING_VERB = re.compile(r"^(?:called|dubbed|named|назвал[аио]?|nannte|llamó)$", re.IGNORECASE)
_PASSIVE_BEFORE = re.compile(r"\b(?:been|be|being|was|were|is|are)\s+$", re.IGNORECASE)
_INVERTED_PRONOUN = re.compile(r"-t?-?(il|elle|ils|elles|on)\b", re.IGNORECASE)

# ---------------------------------------------------------------------------------------------
# Word classes used around cues

_fold = str.casefold
_ELISION = re.compile(r"^(?:[ldjmnst]|qu)['’](?=\w)", re.IGNORECASE)
_DETERMINERS = frozenset(
    "the a an his her its their our this le la les l’ l' un une des du der die das dem den "
    "ein eine einem einer eines el los las una".split()
)
_PRONOUNS = frozenset(
    "he she they it we i il elle ils elles on nous er sie es wir ich он она они оно мы я "
    "él ella ellos ellas его её ее их".split()
)
_RELATIVES = frozenset(
    "which who that qui lequel laquelle der die welche который которая которое которые".split()
)
_LEADING_NOISE = frozenset(
    "and but while whereas with as et mais tandis que alors und aber während и а но y pero "
    "mientras".split()
)
_COMPLEMENTIZERS = frozenset("that que qu’ qu' dass что".split())
# A complementizer opens the reported clause, unless it coordinates a second one ("and that").
_COMPLEMENTIZER = re.compile(
    r"(?<!\band )(?<!\bet )(?<!\bund )(?<!\bи )(?<![\w’'])(?:(?:that|que|dass|что)(?!\w)|qu['’])",
    re.IGNORECASE,
)
_LEADING_RECIPIENT = re.compile(
    r"\s*(?:(?:reporters|journalists|the\s+press|journalistes|journalisten|журналистам|"
    r"репортерам|periodistas)\s*)?",
    re.IGNORECASE,
)
_QUOTE_TAIL_WORDS = "and but et mais und aber и но y pero"
_STOP_PREPOSITIONS = frozenset(
    "in at on during after before from with for bei im am auf nach vor mit während dans en à "
    "au aux lors pendant après avant sur durante tras ante в во на при после перед".split()
)
_RECIPIENTS = frozenset(
    "reporters journalists journalistes journalisten reportern журналистам репортерам "
    "агентству изданию газете телеканалу радиостанции корреспонденту".split()
)
_ADVERBS = frozenset(
    "first also later again then previously already still earlier recently aussi également "
    "déjà auch bereits также тоже уже ранее además también".split()
)
_TIME_WORDS = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday yesterday today tonight "
    "lundi mardi mercredi jeudi vendredi samedi dimanche hier aujourd’hui "
    "montag dienstag mittwoch donnerstag freitag samstag sonntag gestern heute "
    "lunes martes miércoles jueves viernes sábado domingo ayer hoy "
    "понедельник вторник среду среда четверг пятницу пятница субботу суббота воскресенье "
    "вчера сегодня".split()
)
# Words after a quotation that show the quotation was the whole content: "said “…” on Tuesday".
_QUOTE_TAIL = _STOP_PREPOSITIONS | _TIME_WORDS | frozenset(_QUOTE_TAIL_WORDS.split())
_ANAPHORS = frozenset("das dies this that cela ceci это eso esto".split())
_AGENCIES = re.compile(
    r"\b(?:AFP|Reuters|AP|Associated\s+Press|TASS|ТАСС|Interfax|Интерфакс|RIA|РИА|dpa|"
    r"Presse-Agentur|Xinhua|EFE|ANSA|Bloomberg|Kyodo|Anadolu|Agence\s+France-Presse|"
    r"Europa\s+Press|Yonhap|PAP|UNIAN|Ukrinform)\b"
)
_GOVERNMENT = re.compile(
    r"(?i:kremlin|ministry|ministre?|minist[eè]re|ministerium|министерств|ведомств|"
    r"ministerio|presidency|présidence|government|gouvernement|regierung|правительств|"
    r"gobierno|white\s+house|élysée|commission|republic|embassy|мчс|управлени|"
    r"state\s+department|pentagon|downing\s+street|kanzleramt|member\s+states|пресс-служб)"
)
_ANONYMOUS = re.compile(
    r"(?i:\b(?:sources?|diplomats?|officials?|analysts?|people|users?|witness(?:es)?|"
    r"residents?|experts?|источник\w*|sources?)\b)"
)
_PERSON_NOUN = re.compile(
    r"(?i:minist|president|chief|spokes|officer|analyst|leader|secretary|député|porte-parole|"
    r"chef|leiter|sprecher|глава|министр|президент|эколог|представител|жител|директор|депутат|"
    r"campaigner|director|mayor|ambassador|senator|soldier|engineer|lawyer|judge|doctor|"
    r"professor|researcher|economist|governor|chancellor|commander|coach|player|founder|"
    r"activist|protester|teacher|student|scientist|journalist|editor|candidate|lawmaker|"
    r"prosecutor|farmer|worker|observer|portavoz|vocero|cheminot|syndicaliste)"
)
_ORGANIZATION = re.compile(
    r"(?:\b[A-ZÄÖÜА-Я]{2,}\b|(?i:\b(?:AG|GmbH|Inc|Ltd|SA|company|companies|group|union|"
    r"party|firm|agency|institute|institut|syndicat|website|app|bank|gewerkschaft|"
    r"unternehmen|entreprise|compagnie|empresa|компания)\b))"
)
_DOCUMENT = re.compile(
    r"(?i:\b(?:report|data|statement|communiqué|document|study|survey|bericht|studie|"
    r"доклад\w*|данны\w*|informe)\b)"
)

_CLOSING_PUNCT = ".!?…"
_OPEN_CTX = frozenset(" \t\n\u00a0\u202f([{—–-/«„“‚‘\"'")

# ---------------------------------------------------------------------------------------------
# Schema


@dataclass(frozen=True, slots=True)
class _SchemaView:
    span_attrs: dict[str, dict[str, frozenset[str] | None]]  # label -> attr -> choices
    relations: dict[str, tuple[frozenset[str], frozenset[str], frozenset[str]]]

    def allows_relation(self, name: str, from_label: str, to_label: str) -> bool:
        spec = self.relations.get(name)
        return spec is not None and from_label in spec[0] and to_label in spec[1]


def _schema_view(schema: dict[str, Any] | None) -> _SchemaView:
    if schema is None:
        schema = default_schema()
    span_attrs: dict[str, dict[str, frozenset[str] | None]] = {}
    for label in schema.get("span_labels", []):
        attrs: dict[str, frozenset[str] | None] = {}
        for attr in label.get("attributes", []):
            choices = attr.get("choices")
            attrs[attr["name"]] = frozenset(choices) if attr.get("type") == "choice" else None
        span_attrs[label["name"]] = attrs
    relations = {
        rel["name"]: (
            frozenset(rel.get("from", [])),
            frozenset(rel.get("to", [])),
            frozenset(a["name"] for a in rel.get("attributes", [])),
        )
        for rel in schema.get("relations", [])
    }
    return _SchemaView(span_attrs, relations)


# ---------------------------------------------------------------------------------------------
# Tokenizer


@cache
def _nlp() -> Language:
    import spacy

    return spacy.blank("xx")


@dataclass(frozen=True, slots=True)
class _Tok:
    start: int
    end: int
    text: str

    @property
    def low(self) -> str:
        return _fold(self.text)

    @property
    def core(self) -> str:
        """The word without an elided article: l’Intérieur → Intérieur, d’un → un."""
        return _ELISION.sub("", self.text)

    @property
    def is_cap(self) -> bool:
        core = self.core or self.text
        return core[0].isupper() or (core[0] == "(" and core[1:2].isupper())

    @property
    def is_word(self) -> bool:
        return any(c.isalnum() for c in self.text)


def _tokens(text: str, start: int, end: int) -> list[_Tok]:
    if start >= end:
        return []
    doc = _nlp().make_doc(text[start:end])
    return [_Tok(start + t.idx, start + t.idx + len(t.text), t.text) for t in doc if not t.is_space]


# ---------------------------------------------------------------------------------------------
# Internal records


@dataclass(slots=True)
class _Seg:
    """An outermost quotation: marks at ``open`` and ``close``; content trimmed."""

    open: int
    close: int
    start: int
    end: int
    style: str
    standalone: bool = False
    covered: bool = False  # already part of a suggested quote


@dataclass(slots=True)
class _Cue:
    start: int
    end: int
    kind: str
    lang: str
    pronoun: tuple[int, int] | None = None  # a source inside the cue ("a-t-elle ajouté")


@dataclass(slots=True)
class _Src:
    start: int
    end: int
    rule: str
    confidence: float


@dataclass(slots=True)
class _Att:
    """One attribution: a cue, its source, and the quotes it introduces."""

    cue: _Cue
    source: _Src | None
    quotes: list[tuple[int, int]] = field(default_factory=list)
    relays: list[_Att] = field(default_factory=list)


@dataclass(slots=True)
class _Quote:
    start: int
    end: int
    quote_type: str
    rule: str
    confidence: float


# ---------------------------------------------------------------------------------------------
# 1. Quotation marks

_MARKS = re.compile('["“”„«»‚‘’「」『』]')
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
}


def _quote_segments(text: str, start: int, end: int) -> list[_Seg]:
    segments: list[_Seg] = []
    stack: list[tuple[str, int]] = []
    for m in _MARKS.finditer(text, start, end):
        ch, i = m.group(), m.start()
        if stack and i - stack[0][1] > MAX_QUOTE_CHARS:
            stack = [o for o in stack if i - o[1] <= MAX_QUOTE_CHARS]
        prev = text[i - 1] if i > start else " "
        nxt = text[i + 1] if i + 1 < end else " "
        closes = -1
        for k in range(len(stack) - 1, -1, -1):
            if ch in _PAIRS[stack[k][0]] and _can_close(ch, prev, nxt):
                closes = k
                break
        if closes >= 0:
            mark, pos = stack[closes]
            del stack[closes:]
            if closes == 0:
                seg = _segment(text, pos, i, mark)
                if seg is not None:
                    segments.append(seg)
            continue
        if _can_open(ch, prev, nxt, bool(stack)):
            stack.append((ch, i))
    return segments


def _can_close(ch: str, prev: str, nxt: str) -> bool:
    if ch in "’‘":
        return not prev.isspace() and not nxt.isalnum()
    if ch == '"':
        return not prev.isspace()
    return True


def _can_open(ch: str, prev: str, nxt: str, nested: bool) -> bool:
    if ch in "”’":  # closing-only marks left over: apostrophes, stray closers
        return False
    if ch in "‘‚":
        return prev in _OPEN_CTX and nxt.isalpha()
    if ch == '"':
        return prev in _OPEN_CTX and not nxt.isspace()
    if ch == "»":
        return not nested and prev in _OPEN_CTX and nxt.isalpha()
    if ch in "」』":
        return False
    return not nxt.isspace() or ch in "«「『"


def _segment(text: str, open_pos: int, close_pos: int, mark: str) -> _Seg | None:
    s, e = open_pos + 1, close_pos
    while s < e and text[s].isspace():
        s += 1
    while e > s and (text[e - 1].isspace() or text[e - 1] == ","):
        e -= 1
    if s >= e:
        return None
    return _Seg(open_pos, close_pos + 1, s, e, _STYLE[mark])


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
        cue = _Cue(pos, m.end(), kind, lang)
        inv = _INVERTED_PRONOUN.search(phrase) if lang == "fr" else None
        if inv:
            cue.pronoun = (pos + inv.start(1), pos + inv.end(1))
        if m.groupdict().get("ru_pron"):
            cue.pronoun = (m.start("ru_pron"), m.end("ru_pron"))
        cues.append(cue)
        after = m.end()
    return cues


def _inside(segments: Sequence[_Seg], starts: Sequence[int], pos: int) -> _Seg | None:
    k = bisect_right(starts, pos) - 1
    if k >= 0 and segments[k].open <= pos < segments[k].close:
        return segments[k]
    return None


# ---------------------------------------------------------------------------------------------
# 3. Sentences and clauses

_SENTENCE_END = re.compile(r"[.!?…]+[\"”»“’)\]]*(?=\s+[\"“„«‚‘(\-–—\d\w])|\n")
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st gen col lt sgt rep sen gov jan feb mar apr jun jul aug sep sept oct "
    "nov dec no vs etc m mme mlle bzw nr ca dr г гг им др т".split()
)


def _sentences(text: str, start: int, end: int, segments: Sequence[_Seg]) -> list[tuple[int, int]]:
    starts = [s.open for s in segments]
    out, s = [], start
    for m in _SENTENCE_END.finditer(text, start, end):
        cut = m.end()
        if m.group() != "\n":
            nxt = text[cut:end].lstrip()[:1]
            if not nxt or not (nxt.isupper() or nxt.isdigit() or nxt in '"“„«‚‘(-–—'):
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


# ---------------------------------------------------------------------------------------------
# 4. Sources


#: Characters read on either side of a cue when looking for its source.
_SOURCE_WINDOW = 160


def _post_source(text: str, cue: _Cue, end: int, cue_starts: set[int]) -> tuple[_Src | None, bool]:
    """The noun phrase after a cue, and whether it ends the clause cleanly."""
    toks = _tokens(text, cue.end, min(end, cue.end + _SOURCE_WINDOW))
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
    """The noun phrase before a cue, within its clause ``[start, end)``."""
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
    while toks:
        last = toks[-1]
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
    if _PERSON_NOUN.search(mention):
        return "person"
    if _ORGANIZATION.search(mention):
        return "organization"
    if _fold(words[0]) not in _DETERMINERS and all(
        w[:1].isupper() and not w.isupper() for w in words
    ):
        return "person"  # a capitalised name
    return "organization"


# ---------------------------------------------------------------------------------------------
# 5. Attributions per sentence


@dataclass(slots=True)
class _Reader:
    text: str
    segments: list[_Seg]
    seg_starts: list[int]
    cues: list[_Cue]
    cue_starts: set[int]
    cue_positions: list[int]
    atts: list[_Att] = field(default_factory=list)
    atts_by_cue: dict[int, list[_Att]] = field(default_factory=dict)
    quotes: list[_Quote] = field(default_factory=list)
    last_direct: _Att | None = None  # for a quoted sentence that continues the previous one

    def content(self, s: int, e: int, rule: str, confidence: float) -> bool:
        """Record the quote covering ``[s, e)``, if any; its type follows from the marks inside."""
        text = self.text
        s, e = _trim(text, s, e)
        while e > s and text[e - 1] in _CLOSING_PUNCT + ",;:":
            e -= 1
        while s < e and text[s] in ",;:—–-":
            s, e = _trim(text, s + 1, e)
        toks = text[s:e].split()
        if len(toks) > 1 and _fold(toks[0].strip("’'")) in _COMPLEMENTIZERS:
            s = s + text[s:e].index(toks[0]) + len(toks[0])
            s, e = _trim(text, s, e)
        first, last = bisect_left(self.seg_starts, s), bisect_right(self.seg_starts, e)
        if (
            s < e
            and _MARKS.match(text, s)
            and (first >= len(self.segments) or self.segments[first].open != s)
        ):
            s, e = _trim(text, s + 1, e)  # an unmatched opening mark is not part of the content
        if s >= e:
            return False
        inner = [g for g in self.segments[first:last] if g.close <= e + 1]
        whole = [g for g in inner if g.open == s and g.close >= e]
        if whole:
            g = whole[0]
            g.covered = True
            self.quotes.append(_Quote(g.start, g.end, "direct", f"quote:{g.style}", 0.9))
            return True
        if len(text[s:e].split()) < 2:
            return False
        for g in inner:
            g.covered = True
        if inner:
            self.quotes.append(_Quote(s, e, "mixed", "quote:mixed", confidence))
        else:
            self.quotes.append(_Quote(s, e, "indirect", rule, confidence))
        return True

    def sentence(self, s: int, e: int, prev: tuple[int, int] | None) -> None:
        text = self.text
        chunks = _chunks(text, s, e, self.segments, self.seg_starts)
        cues = self._cues_between(s, e)
        for cue in cues:
            for chunk in chunks:
                if chunk.start <= cue.start < chunk.end:
                    chunk.cues.append(cue)
                    break
        sentence_atts: list[_Att] = []
        relays: list[_Att] = []
        citing: list[_Att] = []
        for ci, chunk in enumerate(chunks):
            for cue in chunk.cues:
                att = self._attribute(chunks, ci, cue, e, prev, sentence_atts)
                if cue.kind == "relay":
                    relays.append(att)
                elif cue.kind == "citing":
                    citing.append(att)
                sentence_atts.append(att)
        # Quotations standing alone in the sentence attach to the cue clause next to them.
        for ci, chunk in enumerate(chunks):
            if chunk.seg is None or chunk.seg.covered:
                continue
            att = self._adjacent(chunks, ci)
            g = chunk.seg
            g.covered = True
            self.quotes.append(
                _Quote(g.start, g.end, "direct", f"quote:{g.style}", 0.9 if att else 0.6)
            )
            if att is None and self.last_direct is not None and all(c.seg for c in chunks):
                att = self.last_direct
            if att is not None:
                att.quotes.append((g.start, g.end))
                self.last_direct = att
        # Relays and cited sources apply to every quote of the sentence.
        speech = [a for a in sentence_atts if a.cue.kind in ("speech", "according")]
        for cited in citing:
            # "…, Reuters reported, citing trading data": the cited source said it, the
            # reporter passes it on.
            reporters = [a for a in speech if a.quotes and a.cue.start < cited.cue.start]
            if reporters:
                reporter = reporters[-1]
                cited.quotes, reporter.quotes = reporter.quotes, []
                cited.relays.extend(reporter.relays)
                cited.relays.append(reporter)
        for relay in relays:
            for a in speech + citing:
                if a is not relay and a.quotes:
                    a.relays.append(relay)
        self.atts.extend(sentence_atts)

    def _cues_between(self, s: int, e: int) -> list[_Cue]:
        return self.cues[bisect_left(self.cue_positions, s) : bisect_left(self.cue_positions, e)]

    def _adjacent(self, chunks: list[_Chunk], ci: int) -> _Att | None:
        for k in (ci + 1, ci - 1):
            if 0 <= k < len(chunks) and chunks[k].cues:
                for cue in chunks[k].cues:
                    for att in self.atts_by_cue.get(cue.start, []):
                        if att.cue.kind in ("speech", "according"):
                            return att
        return None

    def _attribute(
        self,
        chunks: list[_Chunk],
        ci: int,
        cue: _Cue,
        e: int,
        prev: tuple[int, int] | None,
        sentence_atts: list[_Att],
    ) -> _Att:
        """The attribution a cue makes: its source, and the content it introduces or closes."""
        text = self.text
        chunk = chunks[ci]
        pre = text[chunk.start : cue.start].strip()
        pre_words = pre.split()
        att = _Att(cue, None)
        self.atts_by_cue.setdefault(cue.start, []).append(att)
        if cue.pronoun is not None:
            att.source = _Src(*cue.pronoun, "source:in-cue:pronoun", 0.65)
        phrase = text[cue.start : cue.end]

        if cue.kind in ("relay", "citing"):
            att.source, _ = _post_source(text, cue, chunk.end, self.cue_starts)
            return att

        if cue.kind == "according":
            if att.source is None:
                att.source, _ = _post_source(text, cue, chunk.end, self.cue_starts)
            if not pre and ci > 0:  # "…, according to X."
                if (
                    chunks[ci - 1].seg is None
                    and not self._relays_inner(chunks, ci, att, sentence_atts)
                    and self.content(
                        self._content_start(chunks, ci),
                        chunks[ci - 1].end,
                        "quote:according-to",
                        0.65,
                    )
                ):
                    self._give_last_quote(att)
            elif not pre:  # "According to X, …" / "Laut X sind …"
                after = cue.end if cue.pronoun is not None or att.source is None else att.source.end
                if self.content(after, e, "quote:according-to", 0.65):
                    self._give_last_quote(att)
            return att

        # Speech verbs.
        if self._quote_then_cue(chunk, cue, att, phrase):
            return att
        inverted_pre = not pre or (len(pre_words) == 1 and _fold(pre_words[0]) in _ANAPHORS)
        post, clean = (None, False)
        if att.source is None and inverted_pre and not _OBJECT_VERB.match(phrase):
            post, clean = _post_source(text, cue, chunk.end, self.cue_starts)
        if att.source is not None or (post is not None and clean):
            if att.source is None and post is not None:
                att.source = self._apposed_name(chunks, ci, post)
            if pre and prev is not None:  # "Das teilte das Unternehmen mit."
                if self.content(prev[0], prev[1], "quote:anaphor", 0.55):
                    self._give_last_quote(att)
            elif ci > 0 and not pre:
                if not self._relays_inner(chunks, ci, att, sentence_atts):
                    self._content_before(chunks, ci, att)
            elif ci == 0 and cue.pronoun is not None and len(chunks) > 1:
                self._content_after_chunk(chunks, ci, att, e)
            return att

        # The speaker comes before the cue.
        att.source = self._speaker_before(chunks, ci, cue, sentence_atts)
        rest = text[cue.end : chunk.end].strip()
        closes_sentence = ci > 0 and (
            not rest or self._only_relays_after(chunks, ci) and len(rest.split()) <= 4
        )
        if closes_sentence and self._only_relays_after(chunks, ci):
            if chunks[ci - 1].seg is not None:
                return att  # "“…,” the Kremlin said": the quotation attaches by adjacency
            if not self._relays_inner(chunks, ci, att, sentence_atts):
                self._content_before(chunks, ci, att)
            return att
        self._content_after(chunks, ci, cue, att, e)
        return att

    def _quote_then_cue(self, chunk: _Chunk, cue: _Cue, att: _Att, phrase: str) -> bool:
        """“…” said the observer / “…” the observer said — without the usual comma."""
        k = bisect_right(self.seg_starts, cue.start) - 1
        if k < 0:
            return False
        g = self.segments[k]
        if g.open < chunk.start or g.close > cue.start or g.standalone:
            return False
        between = self.text[g.close : cue.start].strip(" ,—–-\u00a0\u202f")
        after = self.text[cue.end : chunk.end].split()
        if not between and not _OBJECT_VERB.match(phrase):
            att.source, _ = _post_source(self.text, cue, chunk.end, self.cue_starts)
        elif g.open == chunk.start and 0 < len(between.split()) <= 6 and len(after) <= 4:
            att.source = _pre_source(self.text, g.close, cue.start)
        else:
            return False
        self._attach(g, att, 0.85)
        return True

    def _attach(self, g: _Seg, att: _Att, confidence: float, rule: str = "") -> None:
        g.covered = True
        self.quotes.append(_Quote(g.start, g.end, "direct", rule or f"quote:{g.style}", confidence))
        att.quotes.append((g.start, g.end))

    def _relays_inner(
        self, chunks: list[_Chunk], ci: int, att: _Att, sentence_atts: list[_Att]
    ) -> bool:
        """A closing "…, the Kremlin said" after a clause that has its own speaker relays it."""
        k = ci - 1
        while k > 0 and chunks[k - 1].sep not in (":", ";"):
            k -= 1
        region = chunks[k].start
        inner = [
            a
            for a in sentence_atts
            if a.cue.kind in ("speech", "according") and region <= a.cue.start < chunks[ci].start
        ]
        for a in inner:
            a.relays.append(att)
        return bool(inner)

    def _apposed_name(self, chunks: list[_Chunk], ci: int, src: _Src) -> _Src:
        """ ", a déclaré la secrétaire générale d’un syndicat, Claire Vasseur," → the name."""
        if ci + 1 >= len(chunks) or self.text[src.start].isupper() or src.end != chunks[ci].end:
            return src
        nxt = chunks[ci + 1]
        words = self.text[nxt.start : nxt.end].rstrip(".!?").split()
        if (
            nxt.cues
            or nxt.seg
            or not 1 <= len(words) <= 4
            or not all(w[:1].isupper() for w in words)
        ):
            return src
        return _Src(
            nxt.start,
            nxt.start + len(self.text[nxt.start : nxt.end].rstrip(".!?")),
            "source:apposition",
            0.7,
        )

    def _give_last_quote(self, att: _Att) -> None:
        """Attribute the quote just recorded to ``att``."""
        if self.quotes and not any(
            q == (self.quotes[-1].start, self.quotes[-1].end) for q in att.quotes
        ):
            att.quotes.append((self.quotes[-1].start, self.quotes[-1].end))

    def _only_relays_after(self, chunks: list[_Chunk], ci: int) -> bool:
        for chunk in chunks[ci + 1 :]:
            if chunk.seg is not None:
                return False
            if chunk.cues and all(c.kind != "speech" for c in chunk.cues):
                continue  # ", quoted by AFP", ", according to Reuters"
            if not chunk.cues and len(self.text[chunk.start : chunk.end].split()) <= 8:
                continue  # an apposition: ", a campaigner for Greenpeace in Brussels"
            return False
        return True

    def _content_start(self, chunks: list[_Chunk], ci: int) -> int:
        k = ci - 1
        while (
            k > 0
            and chunks[k - 1].sep not in (":", ";")
            and not chunks[k - 1].cues
            and chunks[k - 1].seg is None
        ):
            k -= 1
        return chunks[k].start

    def _content_before(self, chunks: list[_Chunk], ci: int, att: _Att) -> None:
        if chunks[ci - 1].seg is not None:
            return  # attaches by adjacency
        start = self._content_start(chunks, ci)
        if self.content(start, chunks[ci - 1].end, "quote:before-cue", 0.6):
            self._give_last_quote(att)

    def _content_after_chunk(self, chunks: list[_Chunk], ci: int, att: _Att, e: int) -> None:
        nxt = chunks[ci + 1]
        if nxt.seg is not None or nxt.cues:
            return
        end = self._content_end(chunks, ci + 1, nxt.start, e)
        if self.content(nxt.start, end, "quote:after-cue", 0.6):
            self._give_last_quote(att)

    def _content_after(self, chunks: list[_Chunk], ci: int, cue: _Cue, att: _Att, e: int) -> None:
        text = self.text
        chunk = chunks[ci]
        start = cue.end
        # "told his counterpart on Wednesday that …": the content starts after the complementizer.
        for m in _COMPLEMENTIZER.finditer(text, cue.end, chunk.end):
            if len(text[cue.end : m.start()].split()) <= 8:
                start = m.end()
            break
        else:
            phrase = text[cue.start : cue.end]
            if _NAMING_VERB.match(phrase):
                k = bisect_right(self.seg_starts, cue.end)  # the next quotation
                if k < len(self.segments):
                    g = self.segments[k]
                    between = text[cue.end : g.open].split()
                    if g.open < chunk.end and len(between) <= 1:
                        self._attach(g, att, 0.6, "quote:named-as")
                        return
            # "said “…” on Tuesday", "told reporters “…”": the quotation is the content.
            lead = _LEADING_RECIPIENT.match(text, start, chunk.end)
            pos = lead.end() if lead else start
            k = bisect_left(self.seg_starts, pos)
            if k < len(self.segments) and self.segments[k].open == pos:
                g = self.segments[k]
                tail = [w for w in text[g.close : chunk.end].split() if any(map(str.isalnum, w))]
                if g.close <= chunk.end and (not tail or _fold(tail[0]) in _QUOTE_TAIL):
                    self._attach(g, att, 0.85)
                    return
        if not text[start : chunk.end].strip():
            if ci + 1 < len(chunks) and chunks[ci].sep == ",":
                self._content_after_chunk(chunks, ci, att, e)
            return
        if chunk.sep == ":" and ci + 1 < len(chunks) and chunks[ci + 1].seg is not None:
            return  # "… in a post: “…”": the quotation attaches by adjacency
        if ci + 1 < len(chunks) and chunks[ci + 1].seg is not None and start == cue.end:
            return  # "he told reporters, “…”"
        if ci > 0 and chunks[ci - 1].seg is not None and start == cue.end:
            return  # "“…,” he told reporters."
        end = self._content_end(chunks, ci, start, e)
        if self.content(start, end, "quote:after-cue", 0.6):
            self._give_last_quote(att)

    def _content_end(self, chunks: list[_Chunk], ci: int, start: int, e: int) -> int:
        """Where content introduced by a cue ends: before the next coordinated cue, before a
        closing attribution clause ("…, added the Kremlin"), else at the end of its clause."""
        text = self.text
        chunk = chunks[ci]
        for cue in chunk.cues:
            if cue.start > start:
                m = re.search(r"\s(?:and|et|und|и|y)\s+$", text[start : cue.start])
                if m:
                    return start + m.start()
        for k in range(ci + 1, len(chunks)):
            if chunks[k].cues and any(c.kind in ("speech", "according") for c in chunks[k].cues):
                words = text[chunks[k].start : chunks[k].cues[0].start].split()
                if len(words) <= 4 and self._only_relays_after(chunks, k):
                    return chunks[k - 1].end
        return chunk.end

    def _speaker_before(
        self, chunks: list[_Chunk], ci: int, cue: _Cue, sentence_atts: list[_Att]
    ) -> _Src | None:
        text = self.text
        chunk = chunks[ci]
        pre = text[chunk.start : cue.start]
        if re.search(r"(?:^|\s)(?:and|et|und|и|y)\s*$", pre):
            for a in reversed(sentence_atts):
                if a.source is not None and a.cue.start >= chunk.start:
                    return a.source
        words = pre.split()
        if not words or (len(words) == 1 and _fold(words[0]) in _RELATIVES):
            k = ci - 1
            while (
                k >= 0
                and (text[chunks[k].start : chunks[k].end].split() or [""])[0].lower() in _RELATIVES
            ):
                k -= 1
            if k >= 0 and chunks[k].seg is None:
                return _pre_source(text, chunks[k].start, chunks[k].end)
            return None
        return _pre_source(text, chunk.start, cue.start)


def _read(text: str) -> tuple[list[_Seg], list[_Cue], _Reader]:
    paragraphs = []
    pos = 0
    for m in re.finditer(r"\n[ \t\u00a0]*\n\s*", text):
        paragraphs.append((pos, m.start()))
        pos = m.end()
    paragraphs.append((pos, len(text)))
    segments: list[_Seg] = []
    for ps, pe in paragraphs:
        segments.extend(_quote_segments(text, ps, pe))
    cues = _find_cues(text, segments)
    positions = [c.start for c in cues]
    reader = _Reader(text, segments, [g.open for g in segments], cues, set(positions), positions)
    for ps, pe in paragraphs:
        prev = None
        for s, e in _sentences(text, ps, pe, segments):
            reader.sentence(s, e, prev)
            prev = (s, e)
        reader.last_direct = None
    return segments, cues, reader


# ---------------------------------------------------------------------------------------------
# Public entry points


def suggest(text: str, schema: dict[str, Any] | None = None) -> Suggestions:
    """Suggested spans and relations for ``text``, limited to what ``schema`` defines.

    ``schema`` defaults to ``labels.schema.default_schema()``. Span ids are "g1", "g2", … in
    text order, so the same text always gives the same ids.
    """
    view = _schema_view(schema)
    segments, cues, reader = _read(text)

    spans: dict[tuple[str, int, int], tuple[dict[str, Any], float, str]] = {}

    def add(
        label: str, s: int, e: int, attrs: dict[str, Any], confidence: float, rule: str
    ) -> None:
        if label not in view.span_attrs or s >= e:
            return
        allowed = view.span_attrs[label]
        clean = {
            k: v
            for k, v in attrs.items()
            if k in allowed and (allowed[k] is None or v in allowed[k])
        }
        key = (label, s, e)
        if key not in spans or spans[key][1] < confidence:
            spans[key] = (clean, round(confidence, 2), rule)

    for q in reader.quotes:
        add("Quote", q.start, q.end, {"quote_type": q.quote_type}, q.confidence, q.rule)
    for g in segments:
        if not g.covered and not _is_quoted_name(text, g):
            add(
                "Quote", g.start, g.end, {"quote_type": "direct"}, 0.35, f"quote:{g.style}:fragment"
            )
    for c in cues:
        add("Cue", c.start, c.end, {}, 0.85 if c.kind != "speech" else 0.8, f"cue:lexicon:{c.lang}")
    for att in reader.atts:
        if att.source is not None:
            src = att.source
            mention = text[src.start : src.end]
            add(
                "Source",
                src.start,
                src.end,
                {"source_type": _source_type(mention)},
                src.confidence,
                src.rule,
            )

    ordered = sorted(spans.items(), key=lambda kv: (kv[0][1], -kv[0][2], kv[0][0]))
    ids: dict[tuple[str, int, int], str] = {}
    out_spans = []
    for n, ((label, s, e), (attrs, confidence, rule)) in enumerate(ordered, 1):
        ids[label, s, e] = f"g{n}"
        out_spans.append(Suggestion(f"g{n}", label, s, e, text[s:e], attrs, confidence, rule))

    rels: dict[tuple[str, str, str], tuple[dict[str, Any], float, str]] = {}

    def relate(
        name: str, q: tuple[int, int], src: _Src, attrs: dict[str, Any], conf: float, rule: str
    ) -> None:
        qid, sid = ids.get(("Quote", *q)), ids.get(("Source", src.start, src.end))
        if qid is None or sid is None or not view.allows_relation(name, "Quote", "Source"):
            return
        allowed = view.relations[name][2]
        rels.setdefault(
            (name, qid, sid), ({k: v for k, v in attrs.items() if k in allowed}, conf, rule)
        )

    for att in reader.atts:
        if att.source is None or att.cue.kind == "relay":
            continue
        cue_id = ids.get(("Cue", att.cue.start, att.cue.end))
        for q in att.quotes:
            relate(
                "attributed_to",
                q,
                att.source,
                {"cue": cue_id} if cue_id else {},
                0.75,
                "relation:cue",
            )
            for relay in att.relays:
                if relay.source is not None:
                    relate("relayed_by", q, relay.source, {}, 0.7, "relation:relay")
    ordered_rels = sorted(rels.items(), key=lambda kv: (_num(kv[0][1]), kv[0][0], _num(kv[0][2])))
    out_rels = [
        SuggestedRelation(f"r{n}", name, qid, sid, conf, rule, attrs)
        for n, ((name, qid, sid), (attrs, conf, rule)) in enumerate(ordered_rels, 1)
    ]
    return Suggestions(out_spans, out_rels)


def _num(span_id: str) -> int:
    return int(span_id[1:])


def _is_quoted_name(text: str, g: _Seg) -> bool:
    """«Интерфакс», „Spiegel“: one capitalised word in quotation marks is a name, not a quote."""
    inner = text[g.start : g.end]
    return (
        " " not in inner
        and inner[:1].isupper()
        and g.open > 0
        and not text[max(0, g.open - 8) : g.open].rstrip().endswith((":", "."))
    )


# ---------------------------------------------------------------------------------------------
# Evaluation against gold spans


def evaluate(
    pairs: Iterable[tuple[str, list[dict[str, Any]]]], schema: dict[str, Any] | None = None
) -> dict[str, dict[str, dict[str, float | None]]]:
    """Precision, recall and F1 of ``suggest`` against gold spans, per label.

    Scored as an annotator against gold by ``labels.agreement.compare_to_gold``, so the
    matching is the agreement report's: ``exact`` needs equal label, start and end;
    ``overlap`` pairs spans of a label one to one, greedily by character IoU >= 0.5. Only the
    labels the suggester can produce (Quote, Source, Cue) that the schema defines are reported.
    A figure is ``None`` when its denominator is zero.
    """
    view = _schema_view(schema)
    labels = [label for label in ("Quote", "Source", "Cue") if label in view.span_attrs]
    articles: list[ArticleLayers] = []
    gold: dict[str, Layer] = {}
    for n, (text, gold_spans) in enumerate(pairs):
        article_id = str(n)
        predicted = [SpanRec(s.id, s.label, s.start, s.end) for s in suggest(text, schema).spans]
        reference = [
            SpanRec(str(span.get("id", k)), span["label"], span["start"], span["end"])
            for k, span in enumerate(gold_spans)
        ]
        articles.append(ArticleLayers(article_id, text, [Layer("suggester", predicted)]))
        gold[article_id] = Layer("gold", reference)
    report = compare_to_gold(articles, gold, labels)
    return {label: report["labels"][label] for label in labels}

"""Reporting verbs and phrases, and the word lists the rules read with (data)."""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    pass
from labels.suggestions.rules.reporting_verbs import lexicon_entries, object_verb_forms

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
    *"vowed complained conceded observed commented estimated".split(),
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
# The published lists (reporting_verbs.py) after the hand entries above, which keep their
# order and guards; duplicates dropped.
_EN_SPEECH += [e for e in lexicon_entries()[0] if e not in _EN_SPEECH and e != "citing"]
#: Forms that are cues only after a subject (a pronoun or a capitalised word): "Trump claims".
EN_SUBJECT_ONLY = frozenset(lexicon_entries()[1])
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
    r"denied|denies|confirmed|acknowledged|announced|warned|a\s+appelé|назвал[аио]?|"
    + "|".join(object_verb_forms())
    + r")$",
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
#: Words that begin the predicate of an English clause: where the subject before a cue ends
#: ("Cook did not [say]", "you might be [asked]", "Hillary Clinton took to Twitter to [say]").
_PREDICATE_STARTERS = frozenset(
    "is was are were be been being am has had have having do does did done can could will "
    "would shall should may might must not never also further then again still already just "
    "to went took made gave got began tried held came left kept ran spent sent won lost met "
    "brought "
    "didn't doesn't don't can't couldn't won't wouldn't isn't wasn't aren't weren't hasn't "
    "hadn't haven't shouldn't".split()
)
#: Subject pronouns (English): a clause that starts with one has it as its subject.
_SUBJECT_PRONOUNS = frozenset("he she they we i you".split())
_RELATIVES = frozenset(
    "which who that qui lequel laquelle der die welche который которая которое которые".split()
)
_LEADING_NOISE = frozenset(
    "and but while whereas with as et mais tandis que alors und aber während и а но y pero "
    "mientras though although even after before when once since because".split()
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

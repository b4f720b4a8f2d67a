"""Which speaker a Source mention means: by name or alias, or — for a pronoun or a role
("he", "the French president") — the nearest compatible speaker earlier in the same article.

``resolve_mentions(text, mentions, speakers)`` takes the article text, the Source mentions in
it (``start``, ``end``, ``text``, and ``speaker`` when one is linked already) and the registry,
and returns one ``Guess`` (or None) per mention:

- a name or an alias of exactly one speaker, after ``names.normalise`` (case, diacritics,
  titles, possessives): confidence 0.95 (``"alias"``);
- the surname of exactly one person ("Putin" for "Vladimir Putin"): 0.85 (``"surname"``);
- a pronoun or a role mention: the speaker named or linked nearest before it whose kind fits
  (a person for "he" or "the president", a government or an organisation for "the ministry",
  a news agency for "the agency"): 0.6 (``"pronoun"``) or 0.65 (``"role"``);
- anything else ("Putin and Macron", "the two presidents", a name not in the registry): None.
  A mention that names two speakers, or a plural, is ambiguous by its text; none is guessed.

Antecedents are the registry's names, aliases and surnames found anywhere earlier in the
text (not only in Source spans) and the mentions resolved before. Pure: no queries.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from labels.models import Project, Span, Speaker
from labels.speakers import names
from labels.speakers.links import speaker_attribute_names

PERSON, ORGANIZATION, GOVERNMENT, NEWS_AGENCY, OTHER = (
    "person",
    "organization",
    "government",
    "news_agency",
    "other",
)

#: Singular personal pronouns (English, French, German, Russian) → the kinds they may mean.
PRONOUNS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(
        ["he", "she", "him", "his", "her", "il", "elle", "lui", "er", "ihm"], (PERSON,)
    ),
    **dict.fromkeys(["он", "она", "его", "ее", "ей", "ему", "им", "ею"], (PERSON,)),
}
#: The head noun of a role mention → the kinds it may mean (singular only: "the presidents" is
#: several people).
ROLES: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(
        """president leader minister chancellor premier spokesman spokeswoman spokesperson
        secretary ambassador mayor governor official counterpart chief ceo chairman chairwoman
        king queen monarch senator diplomat envoy commissioner prosecutor judge""".split(),
        (PERSON,),
    ),
    **dict.fromkeys(
        "presidency government ministry administration cabinet department kremlin".split(),
        (GOVERNMENT, ORGANIZATION),
    ),
    **dict.fromkeys(
        "company firm group organisation organization union party institute".split(),
        (ORGANIZATION, GOVERNMENT),
    ),
    **dict.fromkeys(["agency"], (NEWS_AGENCY, ORGANIZATION)),
}
#: Role phrases of several words, looked for at the end of a mention.
ROLE_PHRASES: dict[tuple[str, ...], tuple[str, ...]] = {
    ("head", "of", "state"): (PERSON,),
    ("head", "of", "government"): (PERSON,),
    ("prime", "minister"): (PERSON,),
    ("news", "agency"): (NEWS_AGENCY,),
}
_CONJUNCTIONS = frozenset({"and", "or", "et", "und", "и", "&"})


@dataclass(frozen=True)
class Speakerish:
    """What the resolver needs of a speaker."""

    id: int
    name: str
    kind: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Guess:
    speaker: int
    confidence: float
    rule: str


def _forms(speaker: Speakerish) -> list[str]:
    return [f for f in (names.normalise(x) for x in (speaker.name, *speaker.aliases)) if f]


def _index(speakers: Sequence[Speakerish]) -> tuple[dict[str, int | None], dict[str, int | None]]:
    """Normalised name or alias → speaker id, and a person's surname → id; None where two
    speakers share it (ambiguous)."""
    forms: dict[str, int | None] = {}
    surnames: dict[str, int | None] = {}
    for speaker in speakers:
        for form in _forms(speaker):
            forms[form] = speaker.id if forms.get(form, speaker.id) == speaker.id else None
            parts = form.split()
            if speaker.kind == PERSON and len(parts) >= 2:
                last = parts[-1]
                surnames[last] = (
                    speaker.id if surnames.get(last, speaker.id) == speaker.id else None
                )
    return forms, surnames


def _occurrences(text: str, speakers: Sequence[Speakerish]) -> list[tuple[int, int, int]]:
    """(start, end, speaker id) of every name, alias and person's surname in ``text``."""
    folded = names.fold(text.translate(names._APOSTROPHES))
    forms, surnames = _index(speakers)
    wanted = {form: sid for form, sid in forms.items() if sid is not None}
    wanted |= {s: sid for s, sid in surnames.items() if sid is not None and s not in wanted}
    found = []
    for form, sid in wanted.items():
        pattern = r"(?<!\w)" + r"[\s\-]+".join(re.escape(w) for w in form.split()) + r"(?!\w)"
        for match in re.finditer(pattern, folded):
            found.append((match.start(), match.end(), sid))
    return sorted(found)


def _role_kinds(words: list[str]) -> tuple[tuple[str, ...], str] | None:
    if not words:
        return None
    if len(words) == 1 and words[0] in PRONOUNS:
        return PRONOUNS[words[0]], "pronoun"
    for phrase, kinds in ROLE_PHRASES.items():
        if tuple(words[-len(phrase) :]) == phrase:
            return kinds, "role"
    if words[-1] in ROLES:
        return ROLES[words[-1]], "role"
    return None


def resolve_mentions(
    text: str, mentions: Sequence[dict[str, Any]], speakers: Iterable[Speakerish]
) -> list[Guess | None]:
    speakers = list(speakers)
    kinds = {s.id: s.kind for s in speakers}
    forms, surnames = _index(speakers)
    antecedents = _occurrences(text, speakers)  # (start, end, id), by start
    order = sorted(range(len(mentions)), key=lambda i: (mentions[i]["start"], mentions[i]["end"]))
    guesses: list[Guess | None] = [None] * len(mentions)
    for i in order:
        mention = mentions[i]
        linked = mention.get("speaker")
        if isinstance(linked, int) and linked in kinds:
            antecedents.append((mention["start"], mention["end"], linked))
            continue
        guess = _guess(mention, forms, surnames, antecedents, kinds)
        guesses[i] = guess
        if guess is not None:
            antecedents.append((mention["start"], mention["end"], guess.speaker))
    return guesses


def _guess(mention, forms, surnames, antecedents, kinds) -> Guess | None:
    words = names.words(mention["text"])
    if any(w in _CONJUNCTIONS for w in words):
        return None  # "Putin and Macron": two speakers
    form = " ".join(names.strip_titles(words))
    if form in forms:
        sid = forms[form]
        return Guess(sid, 0.95, "alias") if sid is not None else None
    if len(form.split()) == 1 and form in surnames:
        sid = surnames[form]
        return Guess(sid, 0.85, "surname") if sid is not None else None
    role = _role_kinds(words[1:] if words and words[0] in names._ARTICLES else words)
    if role is None:
        return None
    allowed, rule = role
    best: tuple[int, int] | None = None  # (end, id) of the nearest earlier antecedent
    for _start, end, sid in antecedents:
        if end <= mention["start"] and kinds.get(sid) in allowed:
            if best is None or end > best[0]:
                best = (end, sid)
    if best is None:
        return None
    return Guess(best[1], 0.6 if rule == "pronoun" else 0.65, rule)


def registry_for(project: Project) -> list[Speakerish]:
    """The project's active speakers as the resolver takes them: one query."""
    return [
        Speakerish(s.pk, s.name, s.kind, tuple(s.aliases))
        for s in Speaker.objects.filter(project=project)
        .active()
        .only("pk", "name", "kind", "aliases")
    ]


def suggest_speakers(
    speakers: list[Speakerish],
    schema,
    text: str,
    suggested: list[dict[str, Any]],
    existing: list[dict[str, Any]],
) -> None:
    """Give each suggested Source of ``suggested`` (the suggestion records of one layer) the
    speaker of ``speakers`` (``registry_for``) the resolver guesses, in ``attrs``, with
    ``speaker_confidence`` and ``speaker_rule`` beside it; ``existing`` are the layer's own
    linked Sources (``start``, ``end``, ``text``, ``speaker``), antecedents for pronouns.
    A suggestion that names a speaker already keeps it. No queries."""
    targets = [s for s in suggested if speaker_attribute_names(schema, s["label"])]
    if not targets or not speakers:
        return
    mentions = [*existing, *({**s, "speaker": s["attrs"].get("speaker")} for s in targets)]
    guesses = resolve_mentions(text, mentions, speakers)
    for item, guess in zip(targets, guesses[len(existing) :], strict=True):
        if guess is None or item["attrs"].get("speaker") is not None:
            continue
        name = speaker_attribute_names(schema, item["label"])[0]
        item["attrs"] = {**item["attrs"], name: guess.speaker}
        item["speaker_confidence"] = guess.confidence
        item["speaker_rule"] = guess.rule


def do_link_guessed(project: Project, layers) -> int:
    """Link every Source span of ``layers`` (annotations of ``project``) that has no speaker to
    the one the resolver guesses (``labels.speakers.resolve``); returns how many it linked.
    For seeding and bulk work, not for analysts' layers in progress: the history does not
    record it. A constant number of queries per article."""
    speakers = registry_for(project)
    if not speakers:
        return 0
    changed = []
    for annotation in layers.select_related("article"):
        spans, mentions = _mentions(project, annotation)
        for span, guess in zip(
            spans, resolve_mentions(annotation.article.text, mentions, speakers), strict=True
        ):
            if guess is not None:
                span.attrs = {
                    **span.attrs,
                    speaker_attribute_names(project.schema, span.label)[0]: guess.speaker,
                }
                changed.append(span)
    Span.objects.bulk_update(changed, ["attrs"], batch_size=500)
    return len(changed)


def _mentions(project, annotation) -> tuple[list[Span], list[dict[str, Any]]]:
    """The spans of ``annotation`` that can carry a speaker, in text order, and the mentions
    the resolver reads from them. One query."""
    spans = [
        s
        for s in Span.objects.filter(annotation=annotation).order_by("start", "end")
        if speaker_attribute_names(project.schema, s.label)
    ]
    mentions = [
        {"start": s.start, "end": s.end, "text": s.text, "speaker": s.attrs.get("speaker")}
        for s in spans
    ]
    return spans, mentions


def layer_guesses(annotation) -> list[dict[str, Any]]:
    """The speaker the resolver guesses for each Source of ``annotation`` that links to
    nobody yet: ``[{"start", "end", "speaker", "name", "confidence", "rule"}]``. The layer's
    linked Sources count as antecedents. Two queries (none more with an empty registry)."""
    project = annotation.article.project
    speakers = registry_for(project)
    if not speakers:
        return []
    spans, mentions = _mentions(project, annotation)
    names_of = {s.id: s.name for s in speakers}
    out = []
    guesses = resolve_mentions(annotation.article.text, mentions, speakers)
    for span, guess in zip(spans, guesses, strict=True):
        if guess is not None:
            out.append(
                {
                    "start": span.start,
                    "end": span.end,
                    "speaker": guess.speaker,
                    "name": names_of[guess.speaker],
                    "confidence": guess.confidence,
                    "rule": guess.rule,
                }
            )
    return out

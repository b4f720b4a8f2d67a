"""Who said what: the attributions whose Source links to a speaker, and the ``quotes`` records.

An attribution is an ``attributed_to`` relation from a Quote or Claim span to a Source span;
its speaker is the Source's ``speaker`` link, its cue the relation's ``cue`` attribute. Both
readers run a fixed number of queries, whatever the number of attributions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from labels.models import Project, Relation, Span, Speaker

ATTRIBUTION = "attributed_to"


@dataclass
class Attribution:
    relation: Relation
    quote: Span
    source: Span
    cue: Span | None
    speaker: Speaker | None

    @property
    def article(self):
        return self.relation.annotation.article

    @property
    def layer(self) -> str:
        return self.relation.annotation.layer_name


def attributions(relations: Iterable[Relation], project: Project) -> list[Attribution]:
    """``relations`` (with source, target, annotation, article and annotator selected) as
    attributions with their cue spans and speakers: two queries more."""
    relations = list(relations)
    cue_ids = set()
    for rel in relations:
        cue = rel.attrs.get("cue")
        if isinstance(cue, int) or (isinstance(cue, str) and cue.isdigit()):
            cue_ids.add(int(cue))
    cues = {s.pk: s for s in Span.objects.filter(pk__in=cue_ids)} if cue_ids else {}
    speaker_ids = {
        rel.target.attrs.get("speaker")
        for rel in relations
        if isinstance(rel.target.attrs.get("speaker"), int)
    }
    speakers = (
        {s.pk: s for s in Speaker.objects.filter(project=project, pk__in=speaker_ids)}
        if speaker_ids
        else {}
    )
    out = []
    for rel in relations:
        cue_id = rel.attrs.get("cue")
        cue = cues.get(int(cue_id)) if cue_id is not None and str(cue_id).isdigit() else None
        if cue is not None and cue.annotation_id != rel.annotation_id:
            cue = None
        out.append(
            Attribution(
                rel, rel.source, rel.target, cue, speakers.get(rel.target.attrs.get("speaker"))
            )
        )
    return out


def _relations(project: Project):
    return (
        Relation.objects.filter(annotation__article__project=project, label=ATTRIBUTION)
        .select_related("source", "target", "annotation__article", "annotation__annotator")
        .order_by(
            "annotation__article__external_id",
            "annotation__is_gold",
            "annotation_id",
            "source__start",
        )
    )


def quotes_of(project: Project, speaker: Speaker) -> list[Attribution]:
    """Every attribution in ``project`` (all layers) whose Source links to ``speaker``."""
    relations = _relations(project).filter(target__attrs__speaker=speaker.pk)
    return attributions(relations, project)


def published(article) -> str | None:
    """The article's date as its metadata gives it (``meta.published``), if any."""
    value = (article.meta or {}).get("published") if isinstance(article.meta, dict) else None
    return value if isinstance(value, str) else None


def quote_record(item: Attribution) -> dict[str, Any]:
    """One line of the ``quotes`` export (docs/export.md)."""
    article = item.article
    speaker = item.speaker
    return {
        "article_id": article.external_id,
        "date": published(article),
        "layer": item.layer,
        "quote": {
            "text": item.quote.text,
            "start": item.quote.start,
            "end": item.quote.end,
            "label": item.quote.label,
        },
        "quote_type": item.quote.attrs.get("quote_type"),
        "speaker": (
            {"id": speaker.pk, "name": speaker.name, "wikidata_id": speaker.wikidata_id or None}
            if speaker is not None
            else None
        ),
        "source": {"text": item.source.text, "start": item.source.start, "end": item.source.end},
        "cue": (
            {"text": item.cue.text, "start": item.cue.start, "end": item.cue.end}
            if item.cue is not None
            else None
        ),
    }

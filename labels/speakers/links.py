"""Links from spans to speakers: the values of ``speaker`` attributes.

``check_links`` is what every write of a span runs after the schema check (``labels.annotation
.spans.check_span``, imports): each ``speaker`` value must be a speaker of the span's project;
a link to a merged speaker is written as a link to the speaker it was merged into.

``speaker_gap`` says when a schema made before speakers existed gives its Source no speaker
attribute, and ``with_speaker_attribute`` is the schema with it added, which the Speakers and
Settings → Schema pages save as an ordinary, versioned schema change (never a migration).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from labels.errors import Invalid, Problem
from labels.models import Project, Speaker
from labels.schema.lookups import Schema, relation_type, span_attributes, span_label


def speaker_attribute_names(schema: Schema, label: str) -> list[str]:
    return [a["name"] for a in span_attributes(schema, label) if a.get("type") == "speaker"]


#: The attribute the default schema gives Source (labels/schema/news_attribution.py).
SPEAKER_ATTRIBUTE: dict[str, Any] = {"name": "speaker", "type": "speaker", "required": False}


@dataclass(frozen=True)
class SpeakerGap:
    """A schema whose Source cannot link to a speaker: ``label`` is that Source's name;
    ``clash`` the type of an attribute already called ``speaker`` on it (then the speaker
    attribute cannot simply be added), or None."""

    label: str
    clash: str | None = None


def speaker_gap(schema: Schema) -> SpeakerGap | None:
    """What keeps a project made before speakers from linking its Sources to them: its Source
    (the label ``attributed_to`` points at, else the one called Source) has no attribute of
    type ``speaker``. None when some such label has one, or when the schema has no Source."""
    relation = relation_type(schema, "attributed_to")
    labels = list(relation.get("to", [])) if relation else []
    if not labels:
        labels = [x["name"] for x in schema.get("span_labels", []) if x["name"] == "Source"]
    labels = [name for name in labels if span_label(schema, name) is not None]
    if not labels or any(speaker_attribute_names(schema, name) for name in labels):
        return None
    label = labels[0]
    same_name = [a for a in span_attributes(schema, label) if a["name"] == "speaker"]
    return SpeakerGap(label, same_name[0]["type"] if same_name else None)


def with_speaker_attribute(schema: Schema, gap: SpeakerGap) -> Schema:
    """``schema`` with the default schema's optional ``speaker`` attribute added to the gap's
    label, last: a change that deletes nothing, for the schema editing to check and record."""
    if gap.clash is not None:
        raise Invalid.one(
            "schema",
            "name_taken",
            f"{gap.label} already has a {gap.clash} attribute called speaker: change it to the"
            " type speaker in Settings → Schema, or rename it first.",
        )
    out = copy.deepcopy(schema)
    for label in out["span_labels"]:
        if label["name"] == gap.label:
            label["attributes"] = [*label.get("attributes", []), dict(SPEAKER_ATTRIBUTE)]
    return out


def check_links(
    project: Project, schema: Schema, label: str, attrs: dict[str, Any]
) -> dict[str, Any]:
    """``attrs`` (already checked by the schema) with every speaker link resolved; Invalid
    naming ``attrs.<name>`` for an id that is no speaker of ``project``. One query when the
    span has a link, none otherwise."""
    fields = [name for name in speaker_attribute_names(schema, label) if name in attrs]
    if not fields:
        return attrs
    attrs = dict(attrs)
    for name in fields:
        value = attrs[name]
        if isinstance(value, str):
            if not value.isascii() or not value.isdigit():
                raise Invalid.one(
                    f"attrs.{name}", "invalid_type", f"{name} must be the id of a speaker."
                )
            attrs[name] = int(value)
    wanted = {attrs[name] for name in fields}
    current = resolve_ids(project, wanted)
    problems = []
    out = dict(attrs)
    for name in fields:
        target = current.get(attrs[name])
        if target is None:
            problems.append(
                Problem(
                    f"attrs.{name}",
                    "not_found",
                    f"There is no speaker {attrs[name]} in this project's registry.",
                )
            )
        else:
            out[name] = target
    if problems:
        raise Invalid(problems)
    return out


def resolve_ids(project: Project, ids: set[int]) -> dict[int, int]:
    """Each of ``ids`` that is a speaker of ``project`` → the id of the speaker it means now
    (itself, or the end of its chain of merges).

    The rows read are kept on the ``project`` object for as long as it lives (one request, one
    import), so accepting a thousand suggested Sources of a few speakers reads those few once.
    """
    rows: dict[int, int | None] = project.__dict__.setdefault("_speaker_rows", {})
    missing = {i for i in ids if i not in rows}
    if missing:
        rows.update(
            Speaker.objects.filter(project=project, pk__in=missing).values_list(
                "pk", "merged_into_id"
            )
        )
    out: dict[int, int] = {}
    for speaker_id in ids:
        if speaker_id not in rows:
            continue
        target, hops = speaker_id, 0
        while (nxt := rows.get(target)) is not None and hops < 50:
            if nxt not in rows:
                rows.update(
                    Speaker.objects.filter(project=project, pk=nxt).values_list(
                        "pk", "merged_into_id"
                    )
                )
            target, hops = nxt, hops + 1
        out[speaker_id] = target
    return out

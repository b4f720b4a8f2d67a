"""The speaker registry of a project: checked edits, merges that can be undone, its history.

Who may do what: every member reads the registry and may add a speaker (analysts add one while
annotating); managers and reviewers change, delete, merge, import and undo. ``access_speaker``
fetches with that check (404 for a non-member or a speaker of another project, 403 for the
role). Every write runs in one transaction and appends a ``SpeakerEvent``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.http import Http404

from labels import access, rawsql
from labels.errors import Invalid, Problem
from labels.models import (
    HistoryAction,
    HistoryEvent,
    Membership,
    Project,
    Span,
    Speaker,
    SpeakerAction,
    SpeakerEvent,
    SpeakerKind,
)

NAME_MAX_LENGTH = 200
ALIAS_MAX_COUNT = 50
DESCRIPTION_MAX_LENGTH = 1000
_WIKIDATA = re.compile(r"Q[1-9][0-9]*")
FIELDS = ("name", "kind", "aliases", "wikidata_id", "description")


def speakers_of(project: Project):
    """The project's registry as its pages and the API list it: active speakers by name."""
    return Speaker.objects.filter(project=project).active().order_by(Lower("name"), "id")


def access_speaker(user, project: Project, membership: Membership, speaker_id: Any, *, edit=False):
    """The speaker ``speaker_id`` of ``project``: Http404 when there is none (or it is another
    project's), PermissionDenied when ``edit`` and the caller is no manager or reviewer."""
    try:
        speaker_id = int(speaker_id)
    except (TypeError, ValueError):
        raise Http404("No such speaker.") from None
    speaker = Speaker.objects.filter(project=project, pk=speaker_id).first()
    if speaker is None:
        raise Http404("No such speaker.")
    if edit:
        access._require_role(membership, access.STAFF_ROLES)
    return speaker


def snapshot(speaker: Speaker) -> dict[str, Any]:
    return {
        "id": speaker.pk,
        "name": speaker.name,
        "kind": speaker.kind,
        "aliases": list(speaker.aliases),
        "wikidata_id": speaker.wikidata_id,
        "description": speaker.description,
    }


# --- Checking -----------------------------------------------------------------------------------


def _text(value: object, field: str, limit: int, problems: list[Problem], *, what: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        problems.append(Problem(field, "invalid_type", f"The {what} must be text."))
        return ""
    value = " ".join(value.split()) if field != "description" else value.strip()
    if len(value) > limit:
        problems.append(
            Problem(field, "too_long", f"The {what} can be at most {limit} characters.")
        )
    return value


def check_speaker(data: object, *, partial: bool = False) -> dict[str, Any]:
    """The registry fields of ``data`` checked and cleaned; Invalid naming every bad field.
    ``partial``: only the fields given (a change)."""
    if not isinstance(data, dict):
        raise Invalid.one("", "not_object", "A speaker must be an object of fields.")
    problems: list[Problem] = []
    cleaned: dict[str, Any] = {}
    for key in data:
        if key not in FIELDS and key != "id":
            problems.append(
                Problem(
                    key,
                    "unknown_field",
                    f"“{key}” is not a field of a speaker; the fields are {', '.join(FIELDS)}.",
                )
            )
    if "name" in data or not partial:
        name = _text(data.get("name"), "name", NAME_MAX_LENGTH, problems, what="name")
        if not name and not any(p.field == "name" for p in problems):
            problems.append(Problem("name", "required", "A speaker needs a name."))
        cleaned["name"] = name
    if "kind" in data or not partial:
        kind = data.get("kind") or SpeakerKind.PERSON
        if kind not in SpeakerKind.values:
            problems.append(
                Problem(
                    "kind",
                    "invalid_choice",
                    f"“{kind}” is not a kind of speaker; choose one of "
                    f"{', '.join(SpeakerKind.values)}.",
                )
            )
        cleaned["kind"] = kind
    if "aliases" in data or not partial:
        cleaned["aliases"] = _check_aliases(data.get("aliases"), problems)
    if "wikidata_id" in data or not partial:
        wikidata = _text(data.get("wikidata_id"), "wikidata_id", 20, problems, what="Wikidata id")
        wikidata = wikidata.replace(" ", "")
        if wikidata[:1] == "q":
            wikidata = "Q" + wikidata[1:]
        if wikidata and not _WIKIDATA.fullmatch(wikidata):
            problems.append(
                Problem(
                    "wikidata_id",
                    "invalid",
                    f"“{wikidata[:20]}” is not a Wikidata id; one is Q followed by a number, "
                    "such as Q7747.",
                )
            )
        cleaned["wikidata_id"] = wikidata
    if "description" in data or not partial:
        cleaned["description"] = _text(
            data.get("description"),
            "description",
            DESCRIPTION_MAX_LENGTH,
            problems,
            what="description",
        )
    if problems:
        raise Invalid(problems)
    if "aliases" in cleaned and "name" in cleaned:
        own = cleaned["name"].casefold()
        cleaned["aliases"] = [a for a in cleaned["aliases"] if a.casefold() != own]
    return cleaned


def _check_aliases(value: object, problems: list[Problem]) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        # One alias a line, or separated by semicolons, as the page's text box sends them.
        value = [part for line in value.splitlines() for part in line.split(";")]
    if not isinstance(value, list):
        problems.append(Problem("aliases", "invalid_type", "Aliases must be a list of names."))
        return []
    out: list[str] = []
    seen: set[str] = set()
    for index, alias in enumerate(value):
        alias = _text(alias, f"aliases[{index}]", NAME_MAX_LENGTH, problems, what="alias")
        if alias and alias.casefold() not in seen:
            seen.add(alias.casefold())
            out.append(alias)
    if len(out) > ALIAS_MAX_COUNT:
        problems.append(
            Problem("aliases", "too_many", f"A speaker can have at most {ALIAS_MAX_COUNT} aliases.")
        )
    return out


def _check_unique(project: Project, cleaned: dict[str, Any], exclude: int | None) -> None:
    others = Speaker.objects.filter(project=project).active()
    if exclude is not None:
        others = others.exclude(pk=exclude)
    problems = []
    if "name" in cleaned:
        clash = others.filter(name__iexact=cleaned["name"]).first()
        if clash is not None:
            problems.append(
                Problem("name", "duplicate", f"There is already a speaker named “{clash.name}”.")
            )
    if cleaned.get("wikidata_id"):
        clash = others.filter(wikidata_id=cleaned["wikidata_id"]).first()
        if clash is not None:
            problems.append(
                Problem(
                    "wikidata_id",
                    "duplicate",
                    f"{cleaned['wikidata_id']} is already the Wikidata id of “{clash.name}”.",
                )
            )
    if problems:
        raise Invalid(problems)


def _record(project, actor, action, speaker_id, before=None, after=None) -> SpeakerEvent:
    return SpeakerEvent.objects.create(
        project=project,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        speaker_id=speaker_id,
        before=before,
        after=after,
    )


def _saved(project: Project, cleaned: dict[str, Any], exclude: int | None, save) -> None:
    _check_unique(project, cleaned, exclude)
    try:
        with transaction.atomic():
            save()
    except IntegrityError:
        # A concurrent write took the name or the Wikidata id between the check and the save.
        _check_unique(project, cleaned, exclude)
        raise


# --- Writing ------------------------------------------------------------------------------------


def do_create_speaker(project: Project, actor, data: object) -> Speaker:
    cleaned = check_speaker(data)
    speaker = Speaker(
        project=project, created_by=actor if actor.is_authenticated else None, **cleaned
    )
    with transaction.atomic():
        _saved(project, cleaned, None, speaker.save)
        _record(project, actor, SpeakerAction.CREATED, speaker.pk, after=snapshot(speaker))
    return speaker


def do_update_speaker(project: Project, actor, speaker: Speaker, data: object) -> Speaker:
    cleaned = check_speaker(data, partial=True)
    if speaker.merged_into_id is not None:
        raise Invalid.one("speaker", "merged", "This speaker was merged into another one.")
    before = snapshot(speaker)
    for key, value in cleaned.items():
        setattr(speaker, key, value)
    with transaction.atomic():
        _saved(project, cleaned, speaker.pk, speaker.save)
        after = snapshot(speaker)
        if after != before:
            _record(project, actor, SpeakerAction.UPDATED, speaker.pk, before, after)
    return speaker


def linked_spans(speaker_ids: list[int], project: Project):
    """The Source spans (every layer) of ``project`` linked to one of ``speaker_ids``."""
    return Span.objects.filter(annotation__article__project=project).filter(
        Q(attrs__speaker__in=speaker_ids)
    )


def do_delete_speaker(project: Project, actor, speaker: Speaker) -> None:
    """Delete a speaker nobody links to; one with links is merged instead (so nothing is lost)."""
    with transaction.atomic():
        links = linked_spans([speaker.pk], project).count()
        if links:
            raise Invalid.one(
                "speaker",
                "in_use",
                f"“{speaker.name}” is linked to {links} source{'s' if links != 1 else ''}; "
                "merge it into another speaker instead, so that those links follow.",
            )
        if speaker.merged.exists():
            raise Invalid.one(
                "speaker",
                "in_use",
                f"Other speakers were merged into “{speaker.name}”; it keeps their links.",
            )
        _record(project, actor, SpeakerAction.DELETED, speaker.pk, before=snapshot(speaker))
        speaker.delete()


@dataclass
class Merge:
    kept: Speaker
    merged: Speaker
    moved: int
    event: SpeakerEvent


def do_merge_speakers(project: Project, actor, merged: Speaker, into: Speaker) -> Merge:
    """Merge ``merged`` into ``into``: every span linked to ``merged`` links to ``into``,
    ``merged``'s name and aliases become aliases of ``into``, and ``merged`` stays as a row
    pointing at ``into`` (so links written by a client that still knows it resolve, and the
    merge can be undone). Locks both rows."""
    if merged.pk == into.pk:
        raise Invalid.one("into", "same", "Choose two different speakers to merge.")
    with transaction.atomic():
        rows = {
            s.pk: s
            for s in Speaker.objects.select_for_update().filter(
                project=project, pk__in=[merged.pk, into.pk]
            )
        }
        merged, into = rows[merged.pk], rows[into.pk]
        for field, speaker in (("speaker", merged), ("into", into)):
            if speaker.merged_into_id is not None:
                raise Invalid.one(field, "merged", f"“{speaker.name}” was already merged.")
        span_ids = list(
            linked_spans([merged.pk], project)
            .order_by("pk")
            .select_for_update(of=("self",))
            .values_list("pk", flat=True)
        )
        _relink(span_ids, into.pk, actor, "speaker merge")
        aliases_before = list(into.aliases)
        added = [merged.name, *merged.aliases]
        seen = {a.casefold() for a in [into.name, *into.aliases]}
        for alias in added:
            if alias.casefold() not in seen:
                seen.add(alias.casefold())
                into.aliases.append(alias)
        if not into.wikidata_id and merged.wikidata_id:
            into.wikidata_id = merged.wikidata_id
            wikidata_moved = True
        else:
            wikidata_moved = False
        merged.merged_into = into
        merged.save(update_fields=["merged_into", "updated_at"])
        into.save(update_fields=["aliases", "wikidata_id", "updated_at"])
        event = _record(
            project,
            actor,
            SpeakerAction.MERGED,
            merged.pk,
            before={
                "speaker": snapshot(merged),
                "into": {**snapshot(into), "aliases": aliases_before},
            },
            after={
                "into": into.pk,
                "spans": span_ids,
                "aliases_before": aliases_before,
                "wikidata_moved": wikidata_moved,
            },
        )
    return Merge(into, merged, len(span_ids), event)


def _span_snapshot(span: Span) -> dict[str, Any]:
    """A span as the layer's history records it (``labels.annotation.versions.span_snapshot``,
    which this layer of the code may not import)."""
    fields = ("id", "label", "start", "end", "text", "attrs", "origin", "provenance")
    return {name: getattr(span, "pk" if name == "id" else name) for name in fields}


def _relink(span_ids: list[int], speaker_id: int, actor, via: str) -> None:
    """Link the spans ``span_ids`` to ``speaker_id`` and record it in each span's layer's
    history (``via``: "speaker merge" or "merge undone"): three statements, whatever their
    number. The layers' versions stay: nothing an analyst wrote changed meaning."""
    if not span_ids:
        return
    spans = list(Span.objects.filter(pk__in=span_ids).select_related("annotation").order_by("pk"))
    sql = (
        f"UPDATE {rawsql.table(Span)} SET attrs = jsonb_set(attrs, '{{speaker}}', "
        "to_jsonb(%s::bigint)), updated_at = now() WHERE id = ANY(%s)"
    )
    with rawsql.cursor() as cursor:
        cursor.execute(sql, [speaker_id, span_ids])
    events = []
    for span in spans:
        before = _span_snapshot(span)
        span.attrs = {**span.attrs, "speaker": speaker_id}
        events.append(
            HistoryEvent(
                annotation=span.annotation,
                actor=actor if getattr(actor, "is_authenticated", False) else None,
                action=HistoryAction.SPAN_UPDATED,
                object_id=span.pk,
                annotation_version=span.annotation.version,
                before=before,
                after={**_span_snapshot(span), "via": via},
            )
        )
    HistoryEvent.objects.bulk_create(events)


def do_undo_merge(project: Project, actor, event_id: Any) -> Speaker:
    """Undo the merge recorded by ``event_id``: the merged speaker comes back, the spans the
    merge moved link to it again, the survivor's aliases are as they were."""
    try:
        event_id = int(event_id)
    except (TypeError, ValueError):
        raise Http404("No such merge.") from None
    with transaction.atomic():
        event = (
            SpeakerEvent.objects.select_for_update()
            .filter(project=project, pk=event_id, action=SpeakerAction.MERGED)
            .first()
        )
        if event is None:
            raise Http404("No such merge.")
        if event.undone:
            raise Invalid.one("event", "undone", "This merge has already been undone.")
        assert isinstance(event.after, dict)
        merged = (
            Speaker.objects.select_for_update().filter(project=project, pk=event.speaker_id).first()
        )
        into = (
            Speaker.objects.select_for_update()
            .filter(project=project, pk=event.after["into"])
            .first()
        )
        if merged is None or into is None or merged.merged_into_id != into.pk:
            raise Invalid.one(
                "event", "changed", "The registry changed since; this merge cannot be undone."
            )
        if into.merged_into_id is not None:
            raise Invalid.one(
                "event", "changed", f"“{into.name}” was merged again since; undo that merge first."
            )
        clash = (
            Speaker.objects.filter(project=project)
            .active()
            .filter(name__iexact=merged.name)
            .exclude(pk=merged.pk)
            .first()
        )
        if clash is not None and clash.pk != into.pk:
            raise Invalid.one(
                "event",
                "duplicate",
                f"A new speaker named “{clash.name}” was added since; rename it first.",
            )
        # Only the spans that still link to the survivor go back (one relinked by hand stays).
        back = list(
            Span.objects.filter(pk__in=event.after["spans"], attrs__speaker=into.pk).values_list(
                "pk", flat=True
            )
        )
        _relink(back, merged.pk, actor, "merge undone")
        into.aliases = list(event.after["aliases_before"])
        if event.after.get("wikidata_moved"):
            into.wikidata_id = ""
        into.save(update_fields=["aliases", "wikidata_id", "updated_at"])
        merged.merged_into = None
        merged.save(update_fields=["merged_into", "updated_at"])
        SpeakerEvent.objects.filter(pk=event.pk).update(undone=True)
        _record(
            project,
            actor,
            SpeakerAction.MERGE_UNDONE,
            merged.pk,
            after={"event": event.pk, "into": into.pk, "spans": back},
        )
    return merged


def events_of(project: Project):
    return SpeakerEvent.objects.filter(project=project).select_related("actor").order_by("-id")


def resolved(project: Project, speaker_id: int) -> Speaker | None:
    """The speaker a link to ``speaker_id`` means now: itself, or the one it was merged into."""
    speaker = Speaker.objects.filter(project=project, pk=speaker_id).first()
    hops = 0
    while speaker is not None and speaker.merged_into_id is not None and hops < 50:
        speaker = speaker.merged_into
        hops += 1
    return speaker

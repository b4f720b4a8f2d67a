"""The registry in and out: JSONL or CSV files of ``id, name, kind, aliases, wikidata_id,
description``, and the type-ahead's filter.

In CSV, aliases are one column separated by ``|``. An import is all or nothing: every line is
checked first (errors name the line and the field), then each speaker is matched to the
registry by its Wikidata id, else its name or an alias (case and diacritics aside), and changed,
or added when none matches. The ``id`` column is the exporting registry's and only reported.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from labels.errors import Invalid, Problem
from labels.models import Project, Speaker, SpeakerAction, SpeakerEvent
from labels.speakers import names, registry

FORMATS = ("jsonl", "csv")
CONTENT_TYPES = {"jsonl": "application/x-ndjson; charset=utf-8", "csv": "text/csv; charset=utf-8"}
COLUMNS = ("id", "name", "kind", "aliases", "wikidata_id", "description")
MAX_LINES = 50_000


def check_format(value: object) -> str:
    if value not in FORMATS:
        raise Invalid.one("format", "invalid_choice", "Choose the format jsonl or csv.")
    assert isinstance(value, str)
    return value


def matching(speakers: QuerySet[Speaker], query: str) -> list[Speaker]:
    """The speakers whose name or an alias contains ``query`` (case and diacritics aside),
    those whose name starts with it first."""
    wanted = names.fold(query.strip())
    hits = []
    for speaker in speakers:
        forms = [names.fold(speaker.name), *(names.fold(a) for a in speaker.aliases)]
        if any(wanted in form for form in forms):
            rank = 0 if forms[0].startswith(wanted) else 1
            hits.append((rank, speaker))
    return [speaker for _, speaker in sorted(hits, key=lambda pair: pair[0])]


def _row(speaker: Speaker) -> dict[str, Any]:
    return {
        "id": speaker.pk,
        "name": speaker.name,
        "kind": speaker.kind,
        "aliases": list(speaker.aliases),
        "wikidata_id": speaker.wikidata_id or None,
        "description": speaker.description,
    }


def export_registry(project: Project, fmt: str) -> Iterator[bytes]:
    speakers = registry.speakers_of(project).iterator(chunk_size=1000)
    if fmt == "jsonl":
        for speaker in speakers:
            yield (json.dumps(_row(speaker), ensure_ascii=False) + "\n").encode()
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for speaker in speakers:
        row = _row(speaker)
        writer.writerow(
            [
                row["id"],
                row["name"],
                row["kind"],
                "|".join(row["aliases"]),
                row["wikidata_id"] or "",
                row["description"],
            ]
        )
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()
    if buffer.getvalue():
        yield buffer.getvalue().encode()


def _read(filename: str, data: bytes) -> list[tuple[int, dict[str, Any]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid.one("file", "encoding", "The file must be UTF-8 text.") from None
    rows: list[tuple[int, dict[str, Any]]] = []
    if filename.lower().endswith(".csv"):
        reader = csv.DictReader(io.StringIO(text))
        missing = [c for c in ("name",) if c not in (reader.fieldnames or [])]
        if missing:
            raise Invalid.one(
                "file", "columns", "The CSV file needs a header line with a name column."
            )
        for row in reader:
            row = {k: v for k, v in row.items() if k is not None}
            aliases = row.get("aliases") or ""
            row["aliases"] = [a for a in aliases.split("|") if a.strip()]
            rows.append((reader.line_num, row))
    else:
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except ValueError:
                raise Invalid.one("file", "parse_error", f"Line {number} is not JSON.") from None
            if not isinstance(obj, dict):
                raise Invalid.one("file", "not_object", f"Line {number} is not a JSON object.")
            rows.append((number, obj))
    if len(rows) > MAX_LINES:
        raise Invalid.one(
            "file", "too_many", f"A registry file may have at most {MAX_LINES} speakers."
        )
    return rows


def do_import_registry(project: Project, actor, filename: str, data: bytes) -> dict[str, Any]:
    rows = _read(filename, data)
    checked: list[tuple[int, dict[str, Any]]] = []
    problems: list[Problem] = []
    for number, row in rows:
        row = {k: v for k, v in row.items() if k in COLUMNS and k != "id"}
        try:
            checked.append((number, registry.check_speaker(row)))
        except Invalid as error:
            problems.extend(
                Problem("file", p.code, f"Line {number}, {p.field or 'speaker'}: {p.message}")
                for p in error.problems
            )
    if problems:
        raise Invalid(problems)
    created = updated = 0
    with transaction.atomic():
        existing = list(Speaker.objects.select_for_update().filter(project=project).active())
        by_wikidata = {s.wikidata_id: s for s in existing if s.wikidata_id}
        by_form: dict[str, Speaker] = {}
        for s in existing:
            for form in [s.name, *s.aliases]:
                by_form.setdefault(names.normalise(form), s)
        for number, cleaned in checked:
            match = by_wikidata.get(cleaned["wikidata_id"]) if cleaned["wikidata_id"] else None
            match = match or by_form.get(names.normalise(cleaned["name"]))
            try:
                if match is None:
                    speaker = registry.do_create_speaker(project, actor, cleaned)
                    created += 1
                else:
                    aliases = list(dict.fromkeys([*match.aliases, *cleaned["aliases"]]))
                    speaker = registry.do_update_speaker(
                        project, actor, match, {**cleaned, "aliases": aliases}
                    )
                    updated += 1
            except Invalid as error:
                raise Invalid(
                    [Problem("file", p.code, f"Line {number}: {p.message}") for p in error.problems]
                ) from None
            for form in [speaker.name, *speaker.aliases]:
                by_form.setdefault(names.normalise(form), speaker)
            if speaker.wikidata_id:
                by_wikidata[speaker.wikidata_id] = speaker
        SpeakerEvent.objects.create(
            project=project,
            actor=actor if actor.is_authenticated else None,
            action=SpeakerAction.IMPORTED,
            after={"file": filename[:200], "created": created, "updated": updated},
        )
    return {"created": created, "updated": updated}


class RegistryLookup:
    """The whole registry of a project (merged speakers too), read once when first asked:
    what the exporters name speakers by."""

    def __init__(self, project: Project):
        self.project = project
        self._rows: dict[int, Speaker] | None = None

    def get(self, speaker_id: object) -> Speaker | None:
        if not isinstance(speaker_id, int) or isinstance(speaker_id, bool):
            return None
        if self._rows is None:
            self._rows = {s.pk: s for s in Speaker.objects.filter(project=self.project)}
        return self._rows.get(speaker_id)

    def entry(self, speaker_id: object) -> dict[str, Any] | None:
        speaker = self.get(speaker_id)
        return _row(speaker) if speaker is not None else None

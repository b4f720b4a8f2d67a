"""Speaker links in imported records: a native line's ``speakers`` (the registry entries its
spans' ``speaker`` ids refer to, as the native export writes them) are matched to this
project's registry — by Wikidata id, else by name or alias (``names.normalise``) — and added
when none matches, and the ids rewritten to this registry's. An id that is neither listed nor a
speaker of this project makes the record a problem naming it. Runs inside the import's
transaction, so a failed import adds no speaker.
"""

from __future__ import annotations

from typing import Any

from labels.errors import Invalid
from labels.models import Project, Speaker
from labels.speakers import names, registry


def _is_record(item: Any) -> bool:
    """A ``labels.interop.reading.Record`` (which this layer of the code may not import), not
    a reader's problem (a string) or a record already checked (None)."""
    return hasattr(item, "spans") and hasattr(item, "source")


def _ids_in(record) -> set[int]:
    out = set()
    for span in record.spans if isinstance(record.spans, list) else []:
        attrs = span.get("attrs") if isinstance(span, dict) else None
        value = attrs.get("speaker") if isinstance(attrs, dict) else None
        if isinstance(value, str) and value.isascii() and value.isdigit():
            value = int(value)  # as a form would send it
            assert isinstance(attrs, dict)
            attrs["speaker"] = value
        if isinstance(value, int) and not isinstance(value, bool):
            out.add(value)
    return out


def _bad_value(record) -> object:
    """A ``speaker`` value of ``record`` that is no id at all (text, a list), if any."""
    for span in record.spans if isinstance(record.spans, list) else []:
        attrs = span.get("attrs") if isinstance(span, dict) else None
        if isinstance(attrs, dict) and "speaker" in attrs:
            value = attrs["speaker"]
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                return value
    return None


def do_map_imported(project: Project, actor, raw: list[Any]) -> None:
    """Rewrite the speaker ids of the records in ``raw`` (``Record``, or a reader's problem as
    a string, left alone) to this project's registry; a record that cannot be mapped is
    replaced by its problem (a string), as the readers do. A constant number of queries, plus
    one write per speaker added."""
    records = [r for r in raw if _is_record(r) and _ids_in(r)]
    for index, record in enumerate(raw):
        if _is_record(record) and (bad := _bad_value(record)) is not None:
            raw[index] = (
                f"{record.source}: a span's speaker must be a speaker's id, not {bad!r:.40}."
            )
    if not records:
        return
    existing = list(Speaker.objects.filter(project=project).active())
    local_ids = set(Speaker.objects.filter(project=project).values_list("pk", flat=True))
    by_wikidata = {s.wikidata_id: s for s in existing if s.wikidata_id}
    by_form: dict[str, Speaker] = {}
    for s in existing:
        for form in [s.name, *s.aliases]:
            by_form.setdefault(names.normalise(form), s)
    for index, record in enumerate(raw):
        if not _is_record(record) or not _ids_in(record):
            continue
        mapping: dict[int, int] = {}
        entries = getattr(record, "speakers", None) or []
        try:
            for entry in entries if isinstance(entries, list) else []:
                if not isinstance(entry, dict) or not isinstance(entry.get("id"), int):
                    continue
                cleaned = registry.check_speaker({k: v for k, v in entry.items() if k != "id"})
                match = by_wikidata.get(cleaned["wikidata_id"]) if cleaned["wikidata_id"] else None
                match = match or by_form.get(names.normalise(cleaned["name"]))
                if match is None:
                    match = registry.do_create_speaker(project, actor, cleaned)
                    local_ids.add(match.pk)
                    for form in [match.name, *match.aliases]:
                        by_form.setdefault(names.normalise(form), match)
                    if match.wikidata_id:
                        by_wikidata[match.wikidata_id] = match
                mapping[entry["id"]] = match.pk
        except Invalid as error:
            raw[index] = f"{record.source}: speakers: {error}"
            continue
        unknown = sorted(i for i in _ids_in(record) if i not in mapping and i not in local_ids)
        if unknown:
            raw[index] = (
                f"{record.source}: a span links to speaker {unknown[0]}, which is neither in this "
                "project's registry nor among the line's \"speakers\"."
            )
            continue
        for span in record.spans:
            attrs = span.get("attrs") if isinstance(span, dict) else None
            if isinstance(attrs, dict) and attrs.get("speaker") in mapping:
                span["attrs"] = {**attrs, "speaker": mapping[attrs["speaker"]]}

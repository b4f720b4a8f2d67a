"""Changing a project's schema: what the change would do (``check_schema_change``, the editor's
*Review change*), and doing it (``do_change_schema``), for the settings page and the API alike.

Once annotations exist a change becomes a new schema version, so that every annotation keeps
naming the schema it was made under; before that, version 1 is rewritten. A renamed label or
relation type takes its stored spans or relations with it; a change that would delete stored
work (a removed label that has spans, a removed relation type that has relations, attribute
values the new schema cannot hold) is refused with the count unless the caller passes that
effect's consent key. A new required attribute deletes nothing: spans without a value stay
valid and are incomplete (``labels.schema.missing_attributes``) until an analyst fills it in.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count

from labels.annotation.schema_changes import Effect, check_consent, do_apply, effects
from labels.errors import Invalid
from labels.models import Annotation, Project, Relation, SchemaVersion, Span
from labels.schema import Schema, check_schema
from labels.schema.changes import Plan, check_was, plan_change


@dataclass
class SchemaChange:
    schema: Schema  # the checked new schema
    plan: Plan
    effects: list[Effect] = field(default_factory=list)
    version: int = 1  # the schema version a save leaves the project at
    changed: bool = True


def schema_token(project: Project) -> str:
    """A short fingerprint of the stored schema: the editor sends back the one it started from,
    so that a save over someone else's newer change is refused rather than undoing it (before
    the first annotation the version number stays 1, so it cannot tell)."""
    # Sorted keys: jsonb stores an object's keys in its own order, not the one they came in.
    canonical = json.dumps(project.schema, sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    return f"{project.schema_version}-{digest[:16]}"


def stored_counts(project: Project) -> tuple[dict[str, int], dict[str, int]]:
    """How many spans each label has, and how many relations each relation type, over every
    layer of the project (two queries, whatever its size)."""

    def count(model: type[Span] | type[Relation]) -> dict[str, int]:
        rows = model.objects.filter(annotation__article__project=project).values("label")
        return dict(rows.annotate(n=Count("id")).values_list("label", "n"))

    return count(Span), count(Relation)


def check_schema_change(
    project: Project, schema: Any, *, was: object = None, base: object = None
) -> SchemaChange:
    """Check ``schema`` (every problem raised at once, as ``check_schema`` does) and say what
    replacing the project's schema by it would do, counted: a few queries, whatever the number
    of spans. ``was`` (``labels.schema.changes``) tells renames from removals; ``base``, when
    given, is the ``schema_token`` the editor started from."""
    cleaned = check_schema(schema)
    if base is not None and base != schema_token(project):
        raise Invalid.one(
            "base",
            "stale_schema",
            "Someone changed this schema since you opened the page. Reload it to see their"
            " change, then make yours again.",
        )
    old: Schema = project.schema
    plan = plan_change(old, cleaned, check_was(was, old, cleaned))
    fields = {x["name"]: f"span_labels[{i}]" for i, x in enumerate(cleaned["span_labels"])}
    fields |= {
        f"relation:{x['name']}": f"relations[{i}]" for i, x in enumerate(cleaned["relations"])
    }
    found = effects(project, plan, fields=fields)
    changed = cleaned != old
    version = project.schema_version
    if changed and Annotation.objects.filter(article__project=project).exists():
        version += 1
        found.append(
            Effect(
                "new_version",
                f"Creates schema version {version}; annotations made so far keep naming version"
                f" {version - 1}.",
            )
        )
    elif changed:
        found.append(
            Effect(
                "same_version",
                f"Rewrites schema version {version}: no annotations were made under it yet.",
            )
        )
    return SchemaChange(cleaned, plan, found, version, changed)


@transaction.atomic
def do_change_schema(
    project: Project,
    schema: Any,
    *,
    was: object = None,
    consent: object = (),
    base: object = None,
    actor=None,
) -> Project:
    """Replace the project's schema and do what the change means to its annotations
    (``labels.annotation.schema_changes.do_apply``: renames, consented deletions, with history
    events by ``actor``), all in one transaction with the project row locked FOR UPDATE, so two
    managers' saves follow one another. Nothing is written when it raises ``Invalid``."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    change = check_schema_change(project, schema, was=was, base=base)
    if not change.changed:
        return project
    # The API's PATCH (no ``was``) has no "Delete them" box to tick.
    instead = (
        " Delete that work first, or make the change in Settings → Schema, which asks."
        if was is None
        else None
    )
    check_consent(change.effects, consent, instead=instead)
    do_apply(project, project.schema, change.plan, actor)
    if change.version != project.schema_version:
        project.schema_version = change.version
        SchemaVersion.objects.create(
            project=project, version=project.schema_version, schema=change.schema
        )
    else:
        SchemaVersion.objects.filter(project=project, version=project.schema_version).update(
            schema=change.schema
        )
    project.schema = change.schema
    project.save(update_fields=["schema", "schema_version", "updated_at"])
    return project

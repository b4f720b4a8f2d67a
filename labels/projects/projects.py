"""Creating projects, changing their schema, and managing who belongs to them."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from labels.annotation.history import purge_history
from labels.errors import Invalid
from labels.models import Article, Project, SchemaVersion, Suggesters
from labels.projects import schema_editing
from labels.projects.guidelines import do_save_guidelines
from labels.schema import check_schema, default_schema


@transaction.atomic
def do_delete_article(article: Article) -> None:
    """Delete an article with its annotations, spans, relations and their history."""
    purge_history([article.pk])
    article.delete()


@transaction.atomic
def do_delete_project(project: Project) -> None:
    """Delete a project with everything in it, history included."""
    purge_history(list(project.articles.values_list("pk", flat=True)))
    project.delete()


# Slugs whose /projects/<slug>/ address is another page (labels/pages/urls.py).
RESERVED_SLUGS = frozenset({"new"})


@transaction.atomic
def do_create_project(
    *,
    slug: str,
    name: str,
    schema: Any = None,
    description: str = "",
    guidelines: str = "",
    annotators_per_article: int = 2,
    blind: bool = True,
) -> Project:
    """Create a project with a validated schema (the default news-attribution one if none)."""
    if slug in RESERVED_SLUGS:
        raise Invalid.one(
            "slug", "reserved", f"{slug!r} is kept for a page of its own; choose another slug."
        )
    if Project.objects.filter(slug=slug).exists():
        raise Invalid.one("slug", "duplicate", f"A project with the slug {slug!r} already exists.")
    if annotators_per_article < 1:
        raise Invalid.one("annotators_per_article", "min_value", "Must be at least 1.")
    cleaned = check_schema(default_schema() if schema is None else schema)
    project = Project.objects.create(
        slug=slug,
        name=name,
        schema=cleaned,
        schema_version=1,
        description=description,
        guidelines=guidelines,
        annotators_per_article=annotators_per_article,
        blind=blind,
    )
    SchemaVersion.objects.create(project=project, version=1, schema=cleaned)
    return project


def do_change_schema(project: Project, schema: Any, **options: Any) -> Project:
    """Replace the schema (``labels.projects.schema_editing.do_change_schema``: versioned once
    annotations exist; renames and consented deletions reach the stored spans)."""
    return schema_editing.do_change_schema(project, schema, **options)


def do_update_project(project: Project, changes: dict[str, Any]) -> Project:
    """Change a project's settings (``changes``: field → value, already checked one by one by
    the caller's serializer): the suggester settings together, then a new schema, which is
    versioned (``do_change_schema``), then the other fields, in one transaction."""
    check_suggester_settings(project, changes)
    changes = dict(changes)
    with transaction.atomic():
        if "schema" in changes:
            try:
                project = do_change_schema(project, changes.pop("schema"))
            except Invalid as exc:
                raise exc.prefixed("schema") from None
        if "guidelines" in changes:  # a new version, as from Settings → Guidelines
            do_save_guidelines(project, changes.pop("guidelines"))
        for name, value in changes.items():
            setattr(project, name, value)
        if changes:
            project.save(update_fields=[*changes, "updated_at"])
    return project


def check_suggester_settings(project: Project, changes: dict[str, Any]) -> None:
    """Refuse a project whose suggesters would be "http" with no URL to call."""
    url = changes.get("suggester_url", project.suggester_url)
    mode = changes.get("suggesters", project.suggesters)
    if mode == Suggesters.HTTP and not url:
        field_name = "suggesters" if "suggesters" in changes else "suggester_url"
        raise Invalid.one(
            field_name, "required", 'Set suggester_url to use the HTTP suggester ("http").'
        )

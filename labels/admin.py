"""Django admin for the models an admin inspects or corrects, with the searches and filters an
admin actually uses. Derived rows (stored suggestions, review rejections, agreement snapshots)
are not listed: the app rebuilds them.

Article text and history rows are read-only here: text never changes after import, and history
is append-only (the database refuses changes too).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django.contrib import admin

from labels.models import (
    Annotation,
    Article,
    HistoryEvent,
    Membership,
    Project,
    RejectedSuggestion,
    Relation,
    SchemaVersion,
    Span,
)
from labels.projects.projects import do_delete_article, do_delete_project

# The log-in form tells a project's manager who is not staff that their pages are in the
# application (labels/pages/admin_door.py answers those already signed in).
admin.site.login_template = "labels/admin_login.html"


class DeletesHistoryAdmin(admin.ModelAdmin):
    """Deleting a project or article removes its annotations' history too: the database allows
    that only through ``labels.annotation.history.purge_history`` (``delete_one``), and the
    confirmation page must
    not ask for a delete permission on what goes with them — annotations, spans, relations and
    history rows — which nobody has one by one."""

    #: Deletes one object with its history; each subclass names the ``do_delete_*`` function.
    delete_one: ClassVar[Callable[[Any], None]]

    def delete_model(self, request, obj):
        type(self).delete_one(obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            type(self).delete_one(obj)

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        perms_needed -= {
            model._meta.verbose_name for model in (HistoryEvent, Annotation, Span, Relation)
        }
        return deleted, counts, perms_needed, protected


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Project)
class ProjectAdmin(DeletesHistoryAdmin):
    list_display = [
        "slug",
        "name",
        "annotators_per_article",
        "blind",
        "schema_version",
        "created_at",
    ]
    list_filter = ["blind"]
    search_fields = ["slug", "name", "description"]
    readonly_fields = ["schema_version", "created_at", "updated_at"]
    inlines = [MembershipInline]
    delete_one = do_delete_project


@admin.register(SchemaVersion)
class SchemaVersionAdmin(admin.ModelAdmin):
    list_display = ["project", "version", "created_at"]
    list_filter = ["project"]
    readonly_fields = ["project", "version", "schema", "created_at"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "project", "role", "created_at"]
    list_filter = ["role", "project"]
    search_fields = ["user__username", "user__email", "project__slug", "project__name"]
    autocomplete_fields = ["user", "project"]


@admin.register(Article)
class ArticleAdmin(DeletesHistoryAdmin):
    list_display = ["external_id", "title", "project", "created_at"]
    list_filter = ["project"]
    search_fields = ["external_id", "title"]
    readonly_fields = ["text", "text_sha256", "created_at"]
    list_select_related = ["project"]
    delete_one = do_delete_article


class SpanInline(admin.TabularInline):
    model = Span
    extra = 0
    readonly_fields = ("label", "start", "end", "text", "attrs", "origin", "provenance")
    fields = readonly_fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Annotation)
class AnnotationAdmin(admin.ModelAdmin):
    list_display = ["article", "annotator", "is_gold", "status", "version", "updated_at"]
    list_filter = ["status", "is_gold", "article__project"]
    search_fields = ["article__external_id", "article__title", "annotator__username"]
    list_select_related = ["article", "annotator"]
    readonly_fields = ["version", "created_at", "updated_at", "submitted_at"]
    raw_id_fields = ["article", "annotator", "reviewer", "assigned_by"]
    inlines = [SpanInline]

    def has_delete_permission(self, request, obj=None):
        # An annotation's history goes only with its article or project (labels.annotation.history).
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """To look at, not to change: spans and relations change through the workspace and the
    review, which check them against the schema and the text, raise the annotation's version
    and record every change in its history. A change here would do none of that."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Span)
class SpanAdmin(ReadOnlyAdmin):
    list_display = ["label", "start", "end", "text", "origin", "provenance", "annotation"]
    list_filter = ["label", "origin", "provenance", "annotation__article__project"]
    search_fields = ["text", "annotation__article__external_id"]
    list_select_related = ["annotation__article", "annotation__annotator"]
    raw_id_fields = ["annotation", "created_by"]


@admin.register(Relation)
class RelationAdmin(ReadOnlyAdmin):
    list_display = ["label", "source", "target", "annotation"]
    list_filter = ["label", "annotation__article__project"]
    raw_id_fields = ["annotation", "source", "target", "created_by"]
    list_select_related = ["source", "target", "annotation__article", "annotation__annotator"]


@admin.register(HistoryEvent)
class HistoryEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "action", "actor", "annotation", "object_id", "annotation_version"]
    list_filter = ["action", "annotation__article__project"]
    search_fields = ["actor__username", "annotation__article__external_id"]
    list_select_related = ["actor", "annotation__article", "annotation__annotator"]


@admin.register(RejectedSuggestion)
class RejectedSuggestionAdmin(admin.ModelAdmin):
    list_display = ["label", "start", "end", "annotation", "created_at"]
    list_filter = ["label"]
    raw_id_fields = ["annotation"]

"""URLs of the HTML pages."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.urls import URLPattern, path

from labels.pages import dashboard as dashboard_mod
from labels.pages import exports as export_views
from labels.pages import guidelines as guidelines_views
from labels.pages import help as help_views
from labels.pages import history as history_views
from labels.pages import imports as import_views
from labels.pages import jobs as job_views
from labels.pages import project_new as project_new_views
from labels.pages import review as review_mod
from labels.pages import settings as settings_views
from labels.pages import settings_members as members_views
from labels.pages import settings_schema as schema_views
from labels.pages import settings_suggestions as suggestions_views
from labels.pages import speakers as speaker_views
from labels.pages import workspace as views

# Each table: (route under its prefix, view, URL name).
_PROJECT_PAGES = [
    ("", views.project_page, "project"),
    ("next/", views.next_article, "next_article"),
    ("import/", import_views.import_upload, "import_upload"),
    ("export/", export_views.export_download, "export_download"),
    ("export/check/", export_views.export_check, "export_check"),
    ("assign/", views.assign_article, "assign_article"),
    ("dashboard/", dashboard_mod.dashboard_page, "dashboard"),
    ("dashboard/agreement/", dashboard_mod.refresh_agreement, "refresh_agreement"),
    ("settings/", settings_views.general, "settings_general"),
    ("settings/guidelines/", guidelines_views.guidelines, "settings_guidelines"),
    ("settings/guidelines/preview/", guidelines_views.preview, "settings_guidelines_preview"),
    ("guidelines/seen/", guidelines_views.seen, "guidelines_seen"),
    ("settings/schema/", schema_views.schema_page, "settings_schema"),
    ("settings/members/", members_views.members, "settings_members"),
    ("settings/members/invite/", members_views.invite, "settings_members_invite"),
    ("settings/members/<str:username>/role/", members_views.change_role, "settings_member_role"),
    ("settings/members/<str:username>/remove/", members_views.remove, "settings_member_remove"),
    ("settings/suggestions/", suggestions_views.suggestions, "settings_suggestions"),
    ("settings/suggestions/check/", suggestions_views.check, "settings_suggestions_check"),
    ("settings/suggestions/train/", suggestions_views.train, "settings_suggestions_train"),
    ("speakers/", speaker_views.speakers_page, "speakers"),
    ("speakers/add/", speaker_views.speaker_add, "speaker_add"),
    ("speakers/attribute/", speaker_views.speaker_attribute_add, "speaker_attribute_add"),
    ("speakers/merge/", speaker_views.speaker_merge, "speaker_merge"),
    ("speakers/export/", speaker_views.speaker_export, "speaker_export"),
    ("speakers/import/", speaker_views.speaker_import, "speaker_import"),
    ("speakers/<int:speaker_id>/edit/", speaker_views.speaker_edit, "speaker_edit"),
    ("speakers/<int:speaker_id>/delete/", speaker_views.speaker_delete, "speaker_delete"),
    ("speakers/history/<int:event_id>/undo/", speaker_views.speaker_undo, "speaker_undo"),
]

_ARTICLE_PAGES = [
    ("annotate/", views.annotate, "annotate"),
    ("review/", review_mod.review_page, "review"),
]

_ANNOTATION_PAGES = [
    ("history/", history_views.history_page, "annotation_history"),
    ("history/<int:event_id>/restore/", history_views.restore_span, "annotation_history_restore"),
]


def _under(prefix: str, routes: list[tuple[str, Any, str]]) -> list[URLPattern]:
    return [path(prefix + route, view, name=name) for route, view, name in routes]


urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Invited users choose their password here (manage.py invite_user); no self-registration.
    path(
        "reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(template_name="labels/password_set.html"),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="labels/password_set_done.html"),
        name="password_reset_complete",
    ),
    # Before the project pages: "new" is a slug no project may take (RESERVED_SLUGS).
    path("projects/new/", project_new_views.project_new, name="project_new"),
    *_under("projects/<slug:slug>/", _PROJECT_PAGES),
    *_under("articles/<int:article_id>/", _ARTICLE_PAGES),
    *_under("annotations/<int:annotation_id>/", _ANNOTATION_PAGES),
    path("help/", help_views.help_index, name="help"),
    path("help/screenshots/<str:filename>", help_views.help_screenshot, name="help_screenshot"),
    path("help/<slug:name>/", help_views.help_page, name="help_page"),
    path("jobs/<int:job_id>/", job_views.job_page, name="job"),
    path("jobs/<int:job_id>/cancel/", job_views.cancel_job, name="cancel_job"),
]

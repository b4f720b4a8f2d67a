"""TODO docstring."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from labels.pages import dashboard as dashboard_mod
from labels.pages import history as history_views
from labels.pages import imports as import_views
from labels.pages import review as review_mod
from labels.pages import workspace as views

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
    path("projects/<slug:slug>/", views.project_page, name="project"),
    path("projects/<slug:slug>/next/", views.next_article, name="next_article"),
    path("projects/<slug:slug>/import/", import_views.import_upload, name="import_upload"),
    path("projects/<slug:slug>/assign/", views.assign_article, name="assign_article"),
    path("articles/<int:article_id>/annotate/", views.annotate, name="annotate"),
    path(
        "annotations/<int:annotation_id>/history/",
        history_views.history_page,
        name="annotation_history",
    ),
    path(
        "annotations/<int:annotation_id>/history/<int:event_id>/restore/",
        history_views.restore_span,
        name="annotation_history_restore",
    ),
    path("articles/<int:article_id>/review/", review_mod.review_page, name="review"),
    path("projects/<slug:slug>/dashboard/", dashboard_mod.dashboard_page, name="dashboard"),
    path(
        "projects/<slug:slug>/dashboard/agreement/",
        dashboard_mod.refresh_agreement,
        name="refresh_agreement",
    ),
]

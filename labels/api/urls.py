"""URLs of the JSON API, mounted under /api/v1/."""

from __future__ import annotations

from django.urls import path

from labels.api import (
    agreement,
    annotations,
    articles,
    export,
    history,
    imports,
    projects,
    review,
    suggestions,
    tokens,
)

urlpatterns = [
    path("projects/", projects.ProjectListView.as_view(), name="api-projects"),
    path("projects/<slug:slug>/", projects.ProjectDetailView.as_view(), name="api-project"),
    path(
        "projects/<slug:slug>/members/",
        projects.MemberListView.as_view(),
        name="api-members",
    ),
    path(
        "projects/<slug:slug>/members/<str:username>/",
        projects.MemberDetailView.as_view(),
        name="api-member",
    ),
    path(
        "projects/<slug:slug>/articles/",
        articles.ArticleListView.as_view(),
        name="api-articles",
    ),
    path(
        "projects/<slug:slug>/articles/<int:article_id>/",
        articles.ArticleDetailView.as_view(),
        name="api-article",
    ),
    path("projects/<slug:slug>/imports/", imports.ImportView.as_view(), name="api-imports"),
    path("projects/<slug:slug>/export/", export.ExportView.as_view(), name="api-export"),
    path(
        "articles/<int:article_id>/annotations/",
        articles.ArticleAnnotationListView.as_view(),
        name="api-article-annotations",
    ),
    path("auth/token/", tokens.TokenView.as_view(), name="api-token"),
    path("projects/<slug:slug>/next/", annotations.NextArticleView.as_view(), name="api-next"),
    path("articles/<int:article_id>/assign/", annotations.AssignView.as_view(), name="api-assign"),
    path(
        "articles/<int:article_id>/annotation/",
        annotations.MyAnnotationView.as_view(),
        name="api-my-annotation",
    ),
    path(
        "annotations/<int:annotation_id>/",
        annotations.AnnotationView.as_view(),
        name="api-annotation",
    ),
    path(
        "annotations/<int:annotation_id>/spans/",
        annotations.SpanListView.as_view(),
        name="api-spans",
    ),
    path(
        "annotations/<int:annotation_id>/spans/<int:span_id>/",
        annotations.SpanDetailView.as_view(),
        name="api-span",
    ),
    path(
        "annotations/<int:annotation_id>/relations/",
        annotations.RelationListView.as_view(),
        name="api-relations",
    ),
    path(
        "annotations/<int:annotation_id>/relations/<int:relation_id>/",
        annotations.RelationDetailView.as_view(),
        name="api-relation",
    ),
    path(
        "annotations/<int:annotation_id>/submit/",
        annotations.SubmitView.as_view(),
        name="api-submit",
    ),
    path("annotations/<int:annotation_id>/skip/", annotations.SkipView.as_view(), name="api-skip"),
    path(
        "annotations/<int:annotation_id>/history/",
        history.HistoryListView.as_view(),
        name="api-history",
    ),
    path(
        "annotations/<int:annotation_id>/history/<int:event_id>/restore/",
        history.HistoryRestoreView.as_view(),
        name="api-history-restore",
    ),
    # Review and adjudication (labels/review_api.py)
    path("articles/<int:article_id>/review/", review.ReviewView.as_view(), name="api-review"),
    *[
        path(
            f"articles/<int:article_id>/review/{route}/", view.as_view(), name=f"api-review-{name}"
        )
        for route, view, name in [
            ("accept", review.AcceptView, "accept"),
            ("reject", review.RejectView, "reject"),
            ("relations/accept", review.AcceptRelationView, "accept-relation"),
            ("relations/reject", review.RejectRelationView, "reject-relation"),
            ("accept-agreed", review.AcceptAgreedView, "accept-agreed"),
            ("mark-reviewed", review.MarkReviewedView, "mark-reviewed"),
            ("spans", review.GoldSpanListView, "spans"),
            ("spans/<int:span_id>", review.GoldSpanDetailView, "span"),
            ("relations", review.GoldRelationListView, "relations"),
            ("relations/<int:relation_id>", review.GoldRelationDetailView, "relation"),
        ]
    ],
    path(
        "annotations/<int:annotation_id>/return/",
        review.ReturnView.as_view(),
        name="api-return",
    ),
    path(
        "projects/<slug:slug>/agreement/", agreement.AgreementView.as_view(), name="api-agreement"
    ),
    # Suggestions (labels/api_suggest.py)
    path(
        "articles/<int:article_id>/suggestions/",
        suggestions.SuggestionsView.as_view(),
        name="api-suggestions",
    ),
    *[
        path(
            f"annotations/<int:annotation_id>/suggestions/{route}/",
            view.as_view(),
            name=f"api-suggestions-{route}",
        )
        for route, view in [
            ("accept", suggestions.AcceptView),
            ("accept-relation", suggestions.AcceptRelationView),
            ("accept-all", suggestions.AcceptAllView),
            ("reject", suggestions.RejectView),
        ]
    ],
    path(
        "projects/<slug:slug>/suggester/check/",
        suggestions.SuggesterCheckView.as_view(),
        name="api-suggester-check",
    ),
]

"""URLs of the JSON API, mounted under /api/v1/."""

from django.urls import path

from labels import api, api_export, api_projects, api_suggest, history_api, review_api

urlpatterns = [
    path("projects/", api_projects.ProjectListView.as_view(), name="api-projects"),
    path("projects/<slug:slug>/", api_projects.ProjectDetailView.as_view(), name="api-project"),
    path(
        "projects/<slug:slug>/members/",
        api_projects.MemberListView.as_view(),
        name="api-members",
    ),
    path(
        "projects/<slug:slug>/members/<str:username>/",
        api_projects.MemberDetailView.as_view(),
        name="api-member",
    ),
    path(
        "projects/<slug:slug>/articles/",
        api_projects.ArticleListView.as_view(),
        name="api-articles",
    ),
    path(
        "projects/<slug:slug>/articles/<int:article_id>/",
        api_projects.ArticleDetailView.as_view(),
        name="api-article",
    ),
    path("projects/<slug:slug>/imports/", api_projects.ImportView.as_view(), name="api-imports"),
    path("projects/<slug:slug>/export/", api_export.ExportView.as_view(), name="api-export"),
    path(
        "articles/<int:article_id>/annotations/",
        api_projects.ArticleAnnotationListView.as_view(),
        name="api-article-annotations",
    ),
    path("auth/token/", api_projects.TokenView.as_view(), name="api-token"),
    path("projects/<slug:slug>/next/", api.NextArticleView.as_view(), name="api-next"),
    path("articles/<int:article_id>/assign/", api.AssignView.as_view(), name="api-assign"),
    path(
        "articles/<int:article_id>/annotation/",
        api.MyAnnotationView.as_view(),
        name="api-my-annotation",
    ),
    path("annotations/<int:annotation_id>/", api.AnnotationView.as_view(), name="api-annotation"),
    path("annotations/<int:annotation_id>/spans/", api.SpanListView.as_view(), name="api-spans"),
    path(
        "annotations/<int:annotation_id>/spans/<int:span_id>/",
        api.SpanDetailView.as_view(),
        name="api-span",
    ),
    path(
        "annotations/<int:annotation_id>/relations/",
        api.RelationListView.as_view(),
        name="api-relations",
    ),
    path(
        "annotations/<int:annotation_id>/relations/<int:relation_id>/",
        api.RelationDetailView.as_view(),
        name="api-relation",
    ),
    path("annotations/<int:annotation_id>/submit/", api.SubmitView.as_view(), name="api-submit"),
    path("annotations/<int:annotation_id>/skip/", api.SkipView.as_view(), name="api-skip"),
    path(
        "annotations/<int:annotation_id>/history/",
        history_api.HistoryListView.as_view(),
        name="api-history",
    ),
    path(
        "annotations/<int:annotation_id>/history/<int:event_id>/restore/",
        history_api.HistoryRestoreView.as_view(),
        name="api-history-restore",
    ),
    # Review and adjudication (labels/review_api.py)
    path("articles/<int:article_id>/review/", review_api.ReviewView.as_view(), name="api-review"),
    *[
        path(
            f"articles/<int:article_id>/review/{route}/", view.as_view(), name=f"api-review-{name}"
        )
        for route, view, name in [
            ("accept", review_api.AcceptView, "accept"),
            ("reject", review_api.RejectView, "reject"),
            ("relations/accept", review_api.AcceptRelationView, "accept-relation"),
            ("relations/reject", review_api.RejectRelationView, "reject-relation"),
            ("accept-agreed", review_api.AcceptAgreedView, "accept-agreed"),
            ("mark-reviewed", review_api.MarkReviewedView, "mark-reviewed"),
            ("spans", review_api.GoldSpanListView, "spans"),
            ("spans/<int:span_id>", review_api.GoldSpanDetailView, "span"),
            ("relations", review_api.GoldRelationListView, "relations"),
            ("relations/<int:relation_id>", review_api.GoldRelationDetailView, "relation"),
        ]
    ],
    path(
        "annotations/<int:annotation_id>/return/",
        review_api.ReturnView.as_view(),
        name="api-return",
    ),
    path(
        "projects/<slug:slug>/agreement/", review_api.AgreementView.as_view(), name="api-agreement"
    ),
    # Suggestions (labels/api_suggest.py)
    path(
        "articles/<int:article_id>/suggestions/",
        api_suggest.SuggestionsView.as_view(),
        name="api-suggestions",
    ),
    *[
        path(
            f"annotations/<int:annotation_id>/suggestions/{route}/",
            view.as_view(),
            name=f"api-suggestions-{route}",
        )
        for route, view in [
            ("accept", api_suggest.AcceptView),
            ("accept-relation", api_suggest.AcceptRelationView),
            ("accept-all", api_suggest.AcceptAllView),
            ("reject", api_suggest.RejectView),
        ]
    ],
    path(
        "projects/<slug:slug>/suggester/check/",
        api_suggest.SuggesterCheckView.as_view(),
        name="api-suggester-check",
    ),
]

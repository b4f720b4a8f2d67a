"""URLs of the JSON API, mounted under /api/v1/."""

from django.urls import path

from labels import api

urlpatterns = [
    path("projects/<slug:slug>/next/", api.NextArticleView.as_view(), name="api-next"),
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
]

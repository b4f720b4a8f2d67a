"""URLs of the JSON API, mounted under /api/v1/."""

# No `from __future__ import annotations` here: it would bind the name of the views module
# `annotations` imported below.
from typing import Any

from django.urls import URLPattern, path

from labels.api import (
    agreement,
    annotations,
    articles,
    export,
    history,
    imports,
    jobs,
    projects,
    review,
    span_batches,
    speakers,
    suggestions,
    tokens,
)

# Each table: (route under its prefix, view, URL name).
_PROJECT_ROUTES = [
    ("", projects.ProjectDetailView, "api-project"),
    ("members/", projects.MemberListView, "api-members"),
    ("members/<str:username>/", projects.MemberDetailView, "api-member"),
    ("articles/", articles.ArticleListView, "api-articles"),
    ("articles/<int:article_id>/", articles.ArticleDetailView, "api-article"),
    ("imports/", imports.ImportView, "api-imports"),
    ("export/", export.ExportView, "api-export"),
    ("exports/", jobs.ExportJobView, "api-export-jobs"),
    ("jobs/", jobs.ProjectJobListView, "api-project-jobs"),
    ("agreement/recompute/", jobs.AgreementJobView, "api-agreement-recompute"),
    ("next/", annotations.NextArticleView, "api-next"),
    ("agreement/", agreement.AgreementView, "api-agreement"),
    ("suggester/check/", suggestions.SuggesterCheckView, "api-suggester-check"),
    ("speakers/", speakers.SpeakerListView, "api-speakers"),
    ("speakers/merge/", speakers.SpeakerMergeView, "api-speakers-merge"),
    ("speakers/history/", speakers.SpeakerHistoryView, "api-speakers-history"),
    ("speakers/history/<int:event_id>/undo/", speakers.SpeakerUndoView, "api-speakers-undo"),
    ("speakers/export/", speakers.SpeakerExportView, "api-speakers-export"),
    ("speakers/import/", speakers.SpeakerImportView, "api-speakers-import"),
    ("speakers/<int:speaker_id>/", speakers.SpeakerDetailView, "api-speaker"),
    ("speakers/<int:speaker_id>/quotes/", speakers.SpeakerQuotesView, "api-speaker-quotes"),
]

_ARTICLE_ROUTES = [
    ("annotations/", articles.ArticleAnnotationListView, "api-article-annotations"),
    ("assign/", annotations.AssignView, "api-assign"),
    ("annotation/", annotations.MyAnnotationView, "api-my-annotation"),
    ("suggestions/", suggestions.SuggestionsView, "api-suggestions"),
]

_REVIEW_ROUTES = [
    ("", review.ReviewView, "api-review"),
    ("accept/", review.AcceptView, "api-review-accept"),
    ("reject/", review.RejectView, "api-review-reject"),
    ("relations/accept/", review.AcceptRelationView, "api-review-accept-relation"),
    ("relations/reject/", review.RejectRelationView, "api-review-reject-relation"),
    ("accept-agreed/", review.AcceptAgreedView, "api-review-accept-agreed"),
    ("mark-reviewed/", review.MarkReviewedView, "api-review-mark-reviewed"),
    ("spans/", review.GoldSpanListView, "api-review-spans"),
    ("spans/<int:span_id>/", review.GoldSpanDetailView, "api-review-span"),
    ("relations/", review.GoldRelationListView, "api-review-relations"),
    ("relations/<int:relation_id>/", review.GoldRelationDetailView, "api-review-relation"),
]

_ANNOTATION_ROUTES = [
    ("", annotations.AnnotationView, "api-annotation"),
    ("spans/", annotations.SpanListView, "api-spans"),
    ("spans/delete/", span_batches.SpanBatchDeleteView, "api-spans-delete"),
    ("spans/<int:span_id>/", annotations.SpanDetailView, "api-span"),
    ("relations/", annotations.RelationListView, "api-relations"),
    ("relations/<int:relation_id>/", annotations.RelationDetailView, "api-relation"),
    ("submit/", annotations.SubmitView, "api-submit"),
    ("skip/", annotations.SkipView, "api-skip"),
    ("history/", history.HistoryListView, "api-history"),
    ("history/<int:event_id>/restore/", history.HistoryRestoreView, "api-history-restore"),
    ("speakers/suggested/", speakers.LayerSpeakerGuessesView, "api-layer-speaker-guesses"),
    ("return/", review.ReturnView, "api-return"),
]

_SUGGESTION_ROUTES = [
    ("accept/", suggestions.AcceptView, "api-suggestions-accept"),
    ("accept-relation/", suggestions.AcceptRelationView, "api-suggestions-accept-relation"),
    ("accept-all/", suggestions.AcceptAllView, "api-suggestions-accept-all"),
    ("reject/", suggestions.RejectView, "api-suggestions-reject"),
]


def _under(prefix: str, routes: list[tuple[str, Any, str]]) -> list[URLPattern]:
    return [path(prefix + route, view.as_view(), name=name) for route, view, name in routes]


urlpatterns = [
    path("auth/token/", tokens.TokenView.as_view(), name="api-token"),
    path("projects/", projects.ProjectListView.as_view(), name="api-projects"),
    *_under("projects/<slug:slug>/", _PROJECT_ROUTES),
    *_under("articles/<int:article_id>/", _ARTICLE_ROUTES),
    path("jobs/<int:job_id>/", jobs.JobView.as_view(), name="api-job"),
    path("jobs/<int:job_id>/download/", jobs.JobDownloadView.as_view(), name="api-job-download"),
    *_under("articles/<int:article_id>/review/", _REVIEW_ROUTES),
    *_under("annotations/<int:annotation_id>/", _ANNOTATION_ROUTES),
    *_under("annotations/<int:annotation_id>/suggestions/", _SUGGESTION_ROUTES),
]

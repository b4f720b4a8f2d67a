"""Annotator's data: projects, members, articles, annotations (layers), spans, relations, history.

Offsets are Unicode code points, half-open ``[start, end)``, into ``Article.text``, which is stored
canonical (LF, NFC) and never changes after import. PostgreSQL enforces every invariant it can.
The package is the models' public face: callers import from ``labels.models``.
"""

from labels.models.annotations import (
    FINISHED,
    Annotation,
    AnnotationQuerySet,
    AnnotationStatus,
    Origin,
    Provenance,
    Relation,
    Span,
)
from labels.models.articles import (
    Article,
    ArticleQuerySet,
    ArticleSearch,
    ArticleState,
    article_state,
)
from labels.models.history import HistoryAction, HistoryEvent
from labels.models.jobs import ACTIVE_STATES, FINAL_STATES, Job, JobKind, JobState
from labels.models.projects import Membership, Project, Role, SchemaVersion, Suggesters
from labels.models.review import AgreementSnapshot, ReviewRejection
from labels.models.speakers import Speaker, SpeakerAction, SpeakerEvent, SpeakerKind
from labels.models.suggestions import ArticleUncertainty, RejectedSuggestion, SuggestionSet

__all__ = [
    "ACTIVE_STATES",
    "FINAL_STATES",
    "FINISHED",
    "AgreementSnapshot",
    "Annotation",
    "AnnotationQuerySet",
    "AnnotationStatus",
    "Article",
    "ArticleUncertainty",
    "ArticleQuerySet",
    "ArticleSearch",
    "ArticleState",
    "HistoryAction",
    "HistoryEvent",
    "Job",
    "JobKind",
    "JobState",
    "Membership",
    "Origin",
    "Project",
    "Provenance",
    "RejectedSuggestion",
    "Relation",
    "ReviewRejection",
    "Role",
    "SchemaVersion",
    "Span",
    "Speaker",
    "SpeakerAction",
    "SpeakerEvent",
    "SpeakerKind",
    "Suggesters",
    "SuggestionSet",
    "article_state",
]

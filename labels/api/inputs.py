"""Request serializers: what the API accepts."""

from __future__ import annotations

import re
import uuid
from typing import Any, TypeGuard

from rest_framework import serializers

from labels.errors import Invalid
from labels.models import Suggesters
from labels.review import merge
from labels.suggestions import proposals
from labels.suggestions.http import check_suggester_url

# A declared field named like an attribute of DRF's Field or Serializer (label, partial) shadows
# nothing: SerializerMetaclass takes declared fields off the class. The stubs see a class
# attribute, hence the `type: ignore[assignment]` on those fields.


class StrictCharField(serializers.CharField):
    """A CharField that refuses numbers and booleans instead of turning them into text."""

    default_error_messages = {"invalid": "Must be a string, not {kind}."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid", kind=type(data).__name__)
        return super().to_internal_value(data)


class ClientIdField(serializers.UUIDField):
    """A client-made UUID, as text only: DRF's UUIDField would read ``true`` or ``12`` as the
    UUIDs 1 and 12, and a client's typo would then name another change's id."""

    default_error_messages = {"invalid": "Must be a UUID string."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class VersionedSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1, help_text="The annotation version this change is based on."
    )


class ViaSerializer(serializers.Serializer):
    """Beside a change of a span or relation of one's own annotation: whether it undoes (or
    redoes) an earlier change in the workspace; the history event then says so."""

    via = serializers.ChoiceField(choices=["undo", "redo"], required=False, default="")


class SpanBatchDeleteSerializer(VersionedSerializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),  # a bigint
        allow_empty=False,
        help_text="The ids of the spans to delete, all of this annotation.",
    )


class SpanCreateSerializer(VersionedSerializer):
    start = serializers.IntegerField(min_value=0, help_text="Code-point offset, inclusive.")
    end = serializers.IntegerField(min_value=1, help_text="Code-point offset, exclusive.")
    text = serializers.CharField(
        trim_whitespace=False, help_text="Must equal the article text at [start, end)."
    )
    label = serializers.CharField(max_length=50)  # type: ignore[assignment]  # a declared field (see top)
    attrs = serializers.DictField(required=False, default=dict)
    client_id = ClientIdField(
        required=False, allow_null=True, help_text="Makes a retried create idempotent."
    )


_SURROGATE = re.compile("[\ud800-\udfff]")
_BIGINT = 2**63  # an int below it is read by IntegerField as itself
_VIA = ("undo", "redo")
_ABSENT = object()


def _plain_text(value: object) -> TypeGuard[str]:
    """Whether CharField(trim_whitespace=False) keeps ``value`` as it is: a non-empty string
    without a NUL or a lone surrogate (which its validators refuse)."""
    return (
        type(value) is str
        and value != ""
        and "\x00" not in value
        and (value.isascii() or _SURROGATE.search(value) is None)
    )


def _plain_int(value: object, least: int) -> bool:
    return type(value) is int and least <= value < _BIGINT


def _span_create_at_once(data: Any) -> tuple[dict[str, Any], str] | None:
    """What ``SpanCreateSerializer`` and ``ViaSerializer`` make of a save body that they accept
    as it is (plain ints, strings with nothing to trim, a dict of attributes with string keys,
    a UUID string, a known ``via``) — the same dict, keys in the same order — or None for any
    other body, which they check themselves. No serializer is built: a save's body is checked
    without DRF copying its fields (issue 18)."""
    if type(data) is not dict:
        return None
    get = data.get
    version, start, end = get("version"), get("start"), get("end")
    text, label = get("text"), get("label")
    if not (_plain_int(version, 1) and _plain_int(start, 0) and _plain_int(end, 1)):
        return None
    if not (_plain_text(text) and _plain_text(label)):
        return None
    if len(label) > 50 or label.strip() != label:
        return None
    attrs = get("attrs", _ABSENT)
    if attrs is _ABSENT:
        attrs = {}
    elif type(attrs) is dict and all(type(key) is str for key in attrs):
        attrs = dict(attrs)
    else:
        return None
    via = get("via", _ABSENT)
    if via is _ABSENT:
        via = ""
    elif not (type(via) is str and via in _VIA):
        return None
    checked = {
        "version": version,
        "start": start,
        "end": end,
        "text": text,
        "label": label,
        "attrs": attrs,
    }
    client_id = get("client_id", _ABSENT)
    if client_id is None:
        checked["client_id"] = None
    elif client_id is not _ABSENT:
        if type(client_id) is not str:
            return None
        try:
            checked["client_id"] = uuid.UUID(hex=client_id)
        except ValueError:
            return None
    return checked, via


def parse_span_create(data: Any) -> tuple[dict[str, Any], str]:
    """A span save's body checked: (what ``SpanCreateSerializer`` accepts, the ``via`` of
    ``ViaSerializer``); a 400 naming each bad field, exactly as those two serializers answer
    it, the create's fields first (its errors alone when it refuses the body)."""
    checked = _span_create_at_once(data)
    if checked is not None:
        return checked
    serializer = SpanCreateSerializer(data=data)
    serializer.is_valid(raise_exception=True)
    via = ViaSerializer(data=data)
    via.is_valid(raise_exception=True)
    return dict(serializer.validated_data), via.validated_data["via"]


class SpanUpdateSerializer(VersionedSerializer):
    start = serializers.IntegerField(min_value=0, required=False)
    end = serializers.IntegerField(min_value=1, required=False)
    text = serializers.CharField(trim_whitespace=False, required=False)
    label = serializers.CharField(max_length=50, required=False)  # type: ignore[assignment]  # a declared field (see top)
    attrs = serializers.DictField(required=False)

    def validate(self, data):
        if ("start" in data or "end" in data) and "text" not in data:
            raise serializers.ValidationError({"text": "Send the span text with new boundaries."})
        return data


class RelationUpdateSerializer(VersionedSerializer):
    attrs = serializers.DictField(
        help_text="The relation's attributes, all of them (a span-valued one takes a span id); "
        "its type and ends do not change."
    )


class RelationCreateSerializer(VersionedSerializer):
    label = serializers.CharField(max_length=50)  # type: ignore[assignment]  # a declared field (see top)
    attrs = serializers.DictField(required=False, default=dict)
    client_id = ClientIdField(required=False, allow_null=True)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.IntegerField(
            help_text="Id of the span the relation starts at."
        )
        fields["to"] = serializers.IntegerField(help_text="Id of the span the relation points to.")
        return fields


class SkipSerializer(VersionedSerializer):
    reason = StrictCharField(max_length=2000, help_text="Why the article is skipped.")


# --- Projects, members, articles, imports, tokens ------------------------------------------


class ProjectCreateSerializer(serializers.Serializer):
    slug = serializers.SlugField(max_length=60)
    name = StrictCharField(max_length=200)
    description = StrictCharField(required=False, allow_blank=True, default="")
    guidelines = StrictCharField(
        required=False, allow_blank=True, default="", help_text="Markdown."
    )
    annotators_per_article = serializers.IntegerField(
        min_value=1, max_value=100, required=False, default=2
    )
    blind = serializers.BooleanField(required=False, default=True)
    schema = serializers.JSONField(
        required=False, default=None, help_text="The label schema; the default one if absent."
    )


class ProjectUpdateSerializer(serializers.Serializer):
    name = StrictCharField(max_length=200, required=False)
    description = StrictCharField(required=False, allow_blank=True)
    guidelines = StrictCharField(required=False, allow_blank=True, help_text="Markdown.")
    annotators_per_article = serializers.IntegerField(min_value=1, max_value=100, required=False)
    blind = serializers.BooleanField(required=False)
    schema = serializers.JSONField(
        required=False,
        help_text="The new label schema; a new schema version once annotations exist.",
    )
    suggesters = serializers.ChoiceField(
        choices=Suggesters.choices,
        required=False,
        help_text="Which automatic suggesters propose spans (docs/suggestions.md).",
    )
    suggester_url = StrictCharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="HTTP model server called by the server (http or https); blank for none.",
    )
    suggester_model = serializers.SlugField(
        required=False,
        allow_null=True,
        max_length=60,
        help_text="Slug of the project whose newest trained model also suggests: this project's, "
        "or one listed in models (it shares its models); null for none.",
    )
    shares_suggester_model = serializers.BooleanField(
        required=False, help_text="Let other projects' managers use this project's trained models."
    )
    next_by_uncertainty = serializers.BooleanField(
        required=False,
        help_text="Next hands out first the unstarted articles the trained model is least sure "
        "about; false: in import order.",
    )

    def validate_suggester_url(self, value: str) -> str:
        try:
            return check_suggester_url(value)
        except Invalid as exc:
            problem = exc.problems[0]
            raise serializers.ValidationError(problem.message, code=problem.code) from None


class MemberWriteSerializer(serializers.Serializer):
    username = StrictCharField(max_length=150)
    role = serializers.ChoiceField(choices=["manager", "reviewer", "annotator"])


class ArticleCreateSerializer(serializers.Serializer):
    id = StrictCharField(
        max_length=200, help_text="The article's id in your data; unique in the project."
    )
    text = StrictCharField(trim_whitespace=False, help_text="Canonicalised (LF, NFC) when stored.")
    title = StrictCharField(max_length=500, required=False, allow_blank=True, default="")
    meta = serializers.DictField(required=False, default=dict)


class ImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The file to import (UTF-8).")
    format = serializers.ChoiceField(
        choices=["native", "text", "csv", "doccano", "labelstudio"], default="native"
    )
    layer = StrictCharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Where the file's spans go: gold, suggestions or an annotator's username. "
        "Empty: the articles only.",
    )
    partial = serializers.BooleanField(  # type: ignore[assignment]  # a declared field (see top)
        required=False, default=False, help_text="Import the good records, report the bad."
    )
    infer_attrs = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Fill a span's missing quote_type from its quotation marks: direct when the "
        "span is one quotation, mixed when it contains one, indirect otherwise. Spans that "
        "still lack a required attribute are imported as incomplete and counted.",
    )
    text_column = StrictCharField(required=False, max_length=200, help_text="CSV only.")
    id_column = StrictCharField(required=False, max_length=200, help_text="CSV only.")
    title_column = StrictCharField(required=False, max_length=200, help_text="CSV only.")
    background = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Run the import as a background job (202 with the job). Files over "
        "ANNOTATOR_IMPORT_JOB_MB (20 MB by default) always do.",
    )


class ExportJobSerializer(serializers.Serializer):
    """The streamed export's query parameters, as a JSON body; each is a string or a list of
    strings, checked by the same function (``interop.exporting.check_export_params``)."""

    format = serializers.CharField(required=False, help_text="Dataset format (default native).")
    layer = serializers.CharField(required=False, help_text="gold (default), annotators or all.")
    status = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="Annotation statuses (default submitted and reviewed).",
    )
    labels = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="Keep only these span labels."
    )
    since = serializers.CharField(required=False, help_text="ISO 8601 date or date-time.")
    split = serializers.CharField(required=False, help_text="train,dev,test ratios, e.g. 80,10,10.")
    lang = serializers.CharField(required=False, help_text="spaCy language of token formats.")


# --- Assignments -----------------------------------------------------------------------------


class AssignSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150, help_text="A member of the project.")
    force = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Assign even when every seat on the article is taken.",
    )


class AcceptSerializer(VersionedSerializer):
    span = serializers.IntegerField(help_text="Id of the annotator span whose version to accept.")
    label = serializers.CharField(max_length=50, required=False)  # type: ignore[assignment]  # a declared field (see top)
    start = serializers.IntegerField(min_value=0, required=False)
    end = serializers.IntegerField(min_value=1, required=False)
    text = serializers.CharField(trim_whitespace=False, required=False)
    attrs = serializers.DictField(required=False)

    def validate(self, data):
        if ("start" in data or "end" in data) and "text" not in data:
            raise serializers.ValidationError({"text": "Send the span text with new boundaries."})
        return data


class RejectSerializer(VersionedSerializer):
    span = serializers.IntegerField(help_text="Id of any annotator span of the candidate.")


class RelationDecisionSerializer(VersionedSerializer):
    relation = serializers.IntegerField(help_text="Id of the annotator relation.")


class ReturnSerializer(serializers.Serializer):
    comment = serializers.CharField(
        max_length=merge.COMMENT_MAX_LENGTH, help_text="What the annotator should change."
    )
    version = serializers.IntegerField(
        min_value=1, help_text="The annotation's version, to detect a conflict (409 when stale)."
    )


# --- Requests ------------------------------------------------------------------------------------


class SuggestionRefSerializer(serializers.Serializer):
    """A suggestion named by its key, or by label, start and end."""

    key = serializers.CharField(required=False, max_length=200, help_text='"<label>:<start>:<end>"')
    label = serializers.CharField(required=False, max_length=50)  # type: ignore[assignment]  # a declared field (see top)
    start = serializers.IntegerField(required=False, min_value=0)
    end = serializers.IntegerField(required=False, min_value=1)

    def validate(self, data):
        if "key" in data:
            try:
                data["label"], data["start"], data["end"] = proposals.parse_key(data["key"])
            except Invalid as exc:
                raise serializers.ValidationError(
                    {"key": exc.problems[0].message}, code="invalid"
                ) from None
        else:
            missing = [name for name in ("label", "start", "end") if name not in data]
            if missing:
                raise serializers.ValidationError(
                    {
                        name: "Name the suggestion by key, or by label, start and end."
                        for name in missing
                    },
                    code="required",
                )
            data["key"] = proposals.suggestion_key(data["label"], data["start"], data["end"])
        return data


class SuggestionAcceptSerializer(SuggestionRefSerializer, VersionedSerializer):
    attrs = serializers.DictField(
        required=False, default=dict, help_text="Merged over the suggested attributes."
    )
    client_id = ClientIdField(
        required=False, allow_null=True, help_text="Makes a retried accept idempotent."
    )


class SuggestionAcceptRelationSerializer(VersionedSerializer):
    label = serializers.CharField(max_length=50)  # type: ignore[assignment]  # a declared field (see top)
    client_id = ClientIdField(required=False, allow_null=True)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.CharField(max_length=200, help_text="Key of the from span.")
        fields["to"] = serializers.CharField(max_length=200, help_text="Key of the to span.")
        return fields


class SuggestedRelationRefSerializer(serializers.Serializer):
    label = serializers.CharField(max_length=50)  # type: ignore[assignment]  # a declared field (see top)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.CharField(max_length=200, help_text="Key of the from span.")
        fields["to"] = serializers.CharField(max_length=200, help_text="Key of the to span.")
        return fields


class SuggestionAcceptAllSerializer(VersionedSerializer):
    min_confidence = serializers.FloatField(
        required=False, allow_null=True, min_value=0, max_value=1
    )
    keys = serializers.ListField(
        child=serializers.CharField(max_length=200),
        required=False,
        max_length=5000,
        help_text="Only these suggestions (keys); all of them when left out.",
    )
    relations = serializers.ListField(
        child=SuggestedRelationRefSerializer(),
        required=False,
        max_length=5000,
        help_text="Only these suggested relations (label, from, to); all when left out.",
    )

    def validate_keys(self, value):
        for key in value:
            try:
                proposals.parse_key(key)
            except Invalid as exc:
                raise serializers.ValidationError(exc.problems[0].message, code="invalid") from None
        return value

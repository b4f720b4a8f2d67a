"""Hot reads as plain dicts: an annotation with its spans and relations, an article's detail.

These are the payloads the workspace and the API read most; they are built with few queries
and returned as they are, without serializers in between.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404
from rest_framework import serializers
from rest_framework.authtoken.models import Token

from labels import access, jsonio, rawsql
from labels.annotation.versions import span_snapshot
from labels.errors import Unauthenticated
from labels.models import (
    Annotation,
    Article,
    Membership,
    Project,
    Relation,
    Span,
    article_state,
)

# The same representations as plain functions, for the hot endpoints (a span save, an
# annotation read): instantiating a ModelSerializer costs more CPU there than the database does.
# The serializers above stay the documented contract; tests/api/test_outputs.py checks that
# both give the same output.

_DATETIME = serializers.DateTimeField()


def datetime_data(value) -> str | None:
    return None if value is None else _DATETIME.to_representation(value)


def span_data(span: Span) -> dict:
    return span_snapshot(span) | {
        "agreed_by": span.agreed_by,
        "client_id": None if span.client_id is None else str(span.client_id),
    }


def annotation_data(
    annotation: Annotation, *, layer: str, reviewer: str | None, spans: list, relations: list
) -> dict:
    """AnnotationSerializer's output; ``spans`` and ``relations`` already represented."""
    return {
        "id": annotation.pk,
        "article": annotation.article_id,
        "layer": layer,
        "is_gold": annotation.is_gold,
        "status": annotation.status,
        "version": annotation.version,
        "schema_version": annotation.schema_version,
        "skip_reason": annotation.skip_reason,
        "review_comment": annotation.review_comment,
        "reviewer": reviewer,
        "lease_expires_at": datetime_data(annotation.lease_expires_at),
        "created_at": datetime_data(annotation.created_at),
        "updated_at": datetime_data(annotation.updated_at),
        "submitted_at": datetime_data(annotation.submitted_at),
        "spans": spans,
        "relations": relations,
    }


def annotation_payload(annotation: Annotation) -> dict:
    """``annotation`` (as loaded, or as just saved) with its spans and relations, as
    AnnotationSerializer documents it, in three hand-written queries (labels.rawsql says why)."""
    span_columns = 'id, label, start, "end", text, attrs, origin, provenance, agreed_by, client_id'
    users = rawsql.table(get_user_model())
    with rawsql.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT username FROM {users} WHERE id = %s), "
            f"(SELECT username FROM {users} WHERE id = %s)",
            [annotation.annotator_id, annotation.reviewer_id],
        )
        annotator, reviewer = cursor.fetchone()
        cursor.execute(
            f"SELECT {span_columns} FROM {rawsql.table(Span)} WHERE annotation_id = %s "
            'ORDER BY start, "end", id',
            [annotation.pk],
        )
        span_rows = cursor.fetchall()
        cursor.execute(
            "SELECT id, label, source_id, target_id, attrs, client_id "
            f"FROM {rawsql.table(Relation)} WHERE annotation_id = %s ORDER BY id",
            [annotation.pk],
        )
        relation_rows = cursor.fetchall()
    spans = [
        {
            "id": pk,
            "label": label,
            "start": start,
            "end": end,
            "text": text,
            "attrs": jsonio.loads_column(attrs),
            "origin": origin,
            "provenance": provenance,
            "agreed_by": jsonio.loads_column(agreed_by),
            "client_id": None if client_id is None else str(client_id),
        }
        for pk, label, start, end, text, attrs, origin, provenance, agreed_by, client_id in span_rows
    ]
    relations = [
        {
            "id": pk,
            "label": label,
            "from": source,
            "to": target,
            "attrs": jsonio.loads_column(attrs),
            "client_id": None if client_id is None else str(client_id),
        }
        for pk, label, source, target, attrs, client_id in relation_rows
    ]
    return annotation_data(
        annotation,
        layer="gold" if annotation.is_gold else annotator,
        reviewer=reviewer,
        spans=spans,
        relations=relations,
    )


def _iso(column: str) -> str:
    """SQL for DRF's DateTimeField output of a timestamptz in UTC (settings.TIME_ZONE):
    ISO 8601 with "Z", microseconds only when there are some, as ``datetime.isoformat``."""
    utc = f"({column} AT TIME ZONE 'UTC')"
    return (
        f"(to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS') "
        f"|| CASE WHEN extract(microseconds FROM {utc})::bigint %% 1000000 = 0 THEN '' "
        f"ELSE to_char({utc}, '.US') END || 'Z')"
    )


def _layer_json() -> str:
    """SQL of one layer ``l`` (an annotation row with ``annotator_name`` and ``reviewer_name``)
    as AnnotationSerializer documents it, with its spans and relations."""
    spans, relations = rawsql.table(Span), rawsql.table(Relation)
    span = (
        "json_build_object('id', s.id, 'label', s.label, 'start', s.start, 'end', s.\"end\", "
        "'text', s.text, 'attrs', s.attrs, 'origin', s.origin, 'provenance', s.provenance, "
        "'agreed_by', s.agreed_by, 'client_id', s.client_id::text)"
    )
    relation = (
        "json_build_object('id', x.id, 'label', x.label, 'from', x.source_id, "
        "'to', x.target_id, 'attrs', x.attrs, 'client_id', x.client_id::text)"
    )
    return (
        "json_build_object('id', l.id, 'article', l.article_id, "
        "'layer', CASE WHEN l.is_gold THEN 'gold' ELSE l.annotator_name END, "
        "'is_gold', l.is_gold, 'status', l.status, 'version', l.version, "
        "'schema_version', l.schema_version, 'skip_reason', l.skip_reason, "
        "'review_comment', l.review_comment, 'reviewer', l.reviewer_name, "
        f"'lease_expires_at', {_iso('l.lease_expires_at')}, "
        f"'created_at', {_iso('l.created_at')}, 'updated_at', {_iso('l.updated_at')}, "
        f"'submitted_at', {_iso('l.submitted_at')}, "
        f"'spans', (SELECT coalesce(json_agg({span} ORDER BY s.start, s.\"end\", s.id), '[]') "
        f"  FROM {spans} s WHERE s.annotation_id = l.id), "
        f"'relations', (SELECT coalesce(json_agg({relation} ORDER BY x.id), '[]') "
        f"  FROM {relations} x WHERE x.annotation_id = l.id))"
    )


def _article_id(user, value: int | str) -> int:
    """``value`` as an article id; Http404 as ``access.access_article`` gives otherwise."""
    if not user.is_authenticated:
        raise Http404("No such article.")
    try:
        article_id = int(value)
    except (TypeError, ValueError):
        raise Http404("No such article.") from None
    if not 0 < article_id < 2**63:
        raise Http404("No such article.")
    if settings.TIME_ZONE != "UTC":  # _iso writes UTC; DRF would write the local time
        raise ImproperlyConfigured("The JSON built by PostgreSQL expects TIME_ZONE = 'UTC'.")
    return article_id


def _layer_rows(users: str) -> str:
    """FROM clause of annotations ``a`` with their annotator's and reviewer's names."""
    return (
        "SELECT a.*, u.username AS annotator_name, v.username AS reviewer_name "
        f"FROM {rawsql.table(Annotation)} a LEFT JOIN {users} u ON u.id = a.annotator_id "
        f"LEFT JOIN {users} v ON v.id = a.reviewer_id"
    )


def own_layer_json(user, article_id: int | str, *, token: str | None = None) -> str | None:
    """``user``'s own layer of article ``article_id`` (``access.own_annotation``) as
    AnnotationSerializer documents it, built by PostgreSQL in the statement that checks that
    they are a member of its project (Http404 "No such article." otherwise, as
    ``access.access_article``); None when they have not started it.

    ``token``: the digest of an API key taken on trust (``labels.api.auth.DeferredToken``),
    checked by the same statement before anything else: ``Unauthenticated`` when the key is
    revoked or its user inactive."""
    if token is not None:
        try:
            article_id = _article_id(user, article_id)
        except Http404:
            article_id = 0  # found by no row, after the key has been checked
    else:
        article_id = _article_id(user, article_id)
    users = rawsql.table(get_user_model())
    layer = (
        f"(SELECT {_layer_json()}::text FROM ({_layer_rows(users)} "
        "  WHERE a.article_id = r.id AND a.annotator_id = %s AND NOT a.is_gold "
        "  ORDER BY a.id LIMIT 1) l)"
    )
    member = (
        f"FROM {rawsql.table(Article)} r "
        f"JOIN {rawsql.table(Membership)} mb ON mb.project_id = r.project_id AND mb.user_id = %s "
        "WHERE r.id = %s"
    )
    params: list = [user.pk, user.pk, article_id]
    if token is None:
        sql = f"SELECT {layer} {member}"
    else:
        # One row whatever the article: whether the key is good, then the row of the layer's.
        sql = (
            "SELECT k.ok, x.found, x.doc FROM (SELECT EXISTS (SELECT 1 "
            f"  FROM {rawsql.table(Token)} t JOIN {users} u ON u.id = t.user_id "
            "  WHERE t.key = %s AND t.user_id = %s AND u.is_active) AS ok) k "
            f"LEFT JOIN (SELECT true AS found, {layer} AS doc {member}) x ON k.ok"
        )
        params = [token, user.pk, *params]
    with rawsql.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if token is not None:
        ok, found, doc = row
        if not ok:
            raise Unauthenticated(token)
        row = None if found is None else (doc,)
    if row is None:
        raise Http404("No such article.")
    return row[0]


def layer_json(annotation_id: int) -> str:
    """The annotation ``annotation_id`` as AnnotationSerializer documents it, built by
    PostgreSQL (no access check: the caller has made it)."""
    if settings.TIME_ZONE != "UTC":
        raise ImproperlyConfigured("The JSON built by PostgreSQL expects TIME_ZONE = 'UTC'.")
    users = rawsql.table(get_user_model())
    with rawsql.cursor() as cursor:
        cursor.execute(
            f"SELECT {_layer_json()}::text FROM ({_layer_rows(users)} WHERE a.id = %s) l",
            [annotation_id],
        )
        return cursor.fetchone()[0]


def article_layers_json(user, article_id: int | str, page_size: int) -> tuple[int, str]:
    """The first page (``page_size``) of the layers of article ``article_id`` that ``user`` may
    read (``access.readable_layers_sql``), each as AnnotationSerializer documents it with its
    spans and relations, and how many there are in all: the JSON array built by PostgreSQL in
    one statement that also checks access, returned as text, never parsed here (labels.rawsql
    says why). Http404 ("No such article.") for a non-member or an unknown article, as
    ``access.access_article``."""
    article_id = _article_id(user, article_id)
    users = rawsql.table(get_user_model())
    readable, readable_params = access.readable_layers_sql("a", "m", user.pk)
    layer = _layer_json()
    order = "l.is_gold DESC, l.annotator_name, l.id"
    sql = (
        "WITH m AS ("
        f"  SELECT r.id AS article_id, p.blind, mb.role FROM {rawsql.table(Article)} r "
        f"  JOIN {rawsql.table(Project)} p ON p.id = r.project_id "
        f"  JOIN {rawsql.table(Membership)} mb ON mb.project_id = p.id AND mb.user_id = %s "
        "  WHERE r.id = %s), "
        f"l AS ({_layer_rows(users)} JOIN m ON a.article_id = m.article_id WHERE {readable}) "
        "SELECT (SELECT count(*) FROM l), "
        f"  (SELECT coalesce(json_agg(page.doc ORDER BY page.n), '[]')::text FROM ("
        f"    SELECT {layer} AS doc, row_number() OVER (ORDER BY {order}) AS n "
        f"    FROM l ORDER BY {order} LIMIT %s) page) "
        "FROM m"
    )
    with rawsql.cursor() as cursor:
        cursor.execute(sql, [user.pk, article_id, *readable_params, page_size])
        row = cursor.fetchone()
    if row is None:
        raise Http404("No such article.")
    return row[0], row[1]


def article_detail(article: Article, membership) -> dict:
    """ArticleDetailSerializer's output in one more hand-written query (labels.rawsql says why):
    the article's layers, from which its state is worked out (``models.article_state``); staff
    see the layers too."""
    users = rawsql.table(get_user_model())
    with rawsql.cursor() as cursor:
        cursor.execute(
            "SELECT a.id, a.is_gold, a.status, a.version, a.updated_at, u.username, "
            f"(SELECT count(*) FROM {rawsql.table(Span)} s WHERE s.annotation_id = a.id), "
            f"(SELECT count(*) FROM {rawsql.table(Relation)} x WHERE x.annotation_id = a.id) "
            f"FROM {rawsql.table(Annotation)} a LEFT JOIN {users} u ON u.id = a.annotator_id "
            "WHERE a.article_id = %s ORDER BY a.is_gold DESC, u.username",
            [article.pk],
        )
        rows = cursor.fetchall()
    state, done = article_state(
        ((is_gold, status) for _, is_gold, status, *_ in rows),
        article.project.annotators_per_article,
    )
    layers = None
    if membership.role in access.STAFF_ROLES:
        layers = [
            {
                "id": pk,
                "layer": "gold" if is_gold else username,
                "status": status_,
                "version": version,
                "spans": span_count,
                "relations": relation_count,
                "updated_at": datetime_data(updated_at),
            }
            for pk, is_gold, status_, version, updated_at, username, span_count, relation_count in rows
        ]
    return {
        "id": article.pk,
        "external_id": article.external_id,
        "title": article.title,
        "meta": article.meta,
        "state": state,
        "annotators_done": done,
        "created_at": datetime_data(article.created_at),
        "text": article.text,
        "text_sha256": article.text_sha256,
        "layers": layers,
    }

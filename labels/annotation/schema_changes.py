"""What a schema change does to a project's stored spans and relations: counted before it is
saved (``effects``) and done when it is (``do_apply``).

Both work on the whole project in a fixed number of statements, whatever the number of spans:
``effects`` runs one counting query for spans and one for relations, ``do_apply`` one statement
per kind of change (rename every label at once, delete every removed label's spans at once, drop
one attribute's values…), each writing its history events with ``INSERT … SELECT`` in the same
statement. Every annotation a change touches goes up one version, once, so an open workspace
holding the old labels gets a conflict instead of overwriting them.

Changes that delete stored work (spans of a removed label, relations of a removed type,
attribute values the new schema cannot hold) need the manager's consent: the effect carries a
``consent`` key that the caller must pass back, or the change is refused with the count.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Q

from labels import rawsql
from labels.annotation.versions import RELATION_SNAPSHOT, SPAN_SNAPSHOT
from labels.errors import Invalid, Problem
from labels.models import (
    Annotation,
    Article,
    HistoryAction,
    HistoryEvent,
    Project,
    RejectedSuggestion,
    Relation,
    ReviewRejection,
    Span,
    SuggestionSet,
)
from labels.schema import Schema, span_ref_attributes
from labels.schema.changes import (
    CHOICES_REMOVED,
    DROPS_VALUES,
    NEW_REQUIRED,
    NOW_REQUIRED,
    REMOVED,
    RETYPED,
    SPAN,
    AttributeChange,
    NarrowedEnds,
    Plan,
)


@dataclass(frozen=True)
class Effect:
    """One line of "what this change does": ``field`` is the editor's field it is about
    (``span_labels[2].name``; "" for the schema as a whole), ``consent`` the key to send back to
    allow a change that deletes stored work (None: no consent needed)."""

    code: str
    message: str
    count: int = 0
    consent: str | None = None
    field: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "count": self.count,
            "consent": self.consent,
            "field": self.field,
        }


#: What a change that deletes work says in the review, where a checkbox stands beside it.
TICK = " Refused unless you tick “Delete them”."


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def _n(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def _value_q(change: AttributeChange) -> Q:
    """Rows of ``change.label`` whose attrs hold a value of the attribute that would go."""
    q = Q(label=change.label, attrs__has_key=change.attribute)
    if change.kind == CHOICES_REMOVED:
        q &= Q(**{f"attrs__{change.attribute}__in": list(change.choices)})
    return q


def _narrowed_q(narrowed: NarrowedEnds) -> Q:
    """Relations of the type that start or end at a label it may no longer join."""
    return Q(label=narrowed.relation) & (
        Q(source__label__in=narrowed.from_labels) | Q(target__label__in=narrowed.to_labels)
    )


def _lacking_q(change: AttributeChange) -> Q:
    q = Q(label=change.label)
    if change.kind == NOW_REQUIRED:
        q &= ~Q(attrs__has_key=change.attribute)
    return q


def _counts(project: Project, plan: Plan) -> tuple[dict[str, int], dict[str, int]]:
    """Counts the effects need, in one query over spans and one over relations."""
    span_q: dict[str, Q] = {}
    relation_q: dict[str, Q] = {}
    for old in [*plan.label_renames, *plan.removed_labels]:
        span_q[f"label:{old}"] = Q(label=old)
    touching = Q(source__label__in=plan.removed_labels) | Q(target__label__in=plan.removed_labels)
    if plan.removed_labels:
        relation_q["touching"] = touching
    for old in [*plan.relation_renames, *plan.removed_relations]:
        relation_q[f"label:{old}"] = Q(label=old)
    for i, narrowed in enumerate(plan.narrowed):
        relation_q[f"ends:{i}"] = _narrowed_q(narrowed)
    for i, change in enumerate(plan.attributes):
        target = span_q if change.owner == SPAN else relation_q
        if change.kind in DROPS_VALUES:
            target[f"attr:{i}"] = _value_q(change)
        else:
            target[f"attr:{i}"] = _lacking_q(change)
    spans: dict[str, int] = {}
    relations: dict[str, int] = {}
    if span_q:
        spans = Span.objects.filter(annotation__article__project=project).aggregate(
            **{key: Count("id", filter=q) for key, q in span_q.items()}
        )
    if relation_q:
        relations = Relation.objects.filter(annotation__article__project=project).aggregate(
            **{key: Count("id", filter=q) for key, q in relation_q.items()}
        )
    return spans, relations


def effects(project: Project, plan: Plan, *, fields: dict[str, str]) -> list[Effect]:
    """What ``plan`` does to the project's annotations, counted (two queries at most).
    ``fields`` maps a new label or relation name to its editor field (``span_labels[2]``)."""
    spans, relations = _counts(project, plan)
    out: list[Effect] = []
    for old, new in plan.label_renames.items():
        n = spans[f"label:{old}"]
        out.append(
            Effect(
                "rename_label",
                f"Renames {old} → {new} on {_n(n, 'span')}.",
                n,
                field=f"{fields.get(new, '')}.name",
            )
        )
    for name in plan.added_labels:
        out.append(Effect("add_label", f"Adds the span label {name}.", field=fields.get(name, "")))
    for name in plan.removed_labels:
        n = spans[f"label:{name}"]
        if n:
            touching = relations.get("touching", 0)
            with_relations = f" and {_n(touching, 'relation')} to or from them" if touching else ""
            out.append(
                Effect(
                    "remove_label",
                    f"Removes the label {name}: {_n(n, 'span')}{with_relations} would be deleted."
                    + TICK,
                    n,
                    consent=f"label:{name}",
                )
            )
        else:
            out.append(Effect("remove_label", f"Removes the label {name} (no spans use it)."))
    for old, new in plan.relation_renames.items():
        n = relations[f"label:{old}"]
        out.append(
            Effect(
                "rename_relation",
                f"Renames the relation type {old} → {new} on {_n(n, 'relation')}.",
                n,
                field=f"{fields.get('relation:' + new, '')}.name",
            )
        )
    for name in plan.added_relations:
        out.append(
            Effect(
                "add_relation",
                f"Adds the relation type {name}.",
                field=fields.get("relation:" + name, ""),
            )
        )
    for name in plan.removed_relations:
        n = relations[f"label:{name}"]
        if n:
            out.append(
                Effect(
                    "remove_relation",
                    f"Removes the relation type {name}: {_n(n, 'relation')} would be deleted."
                    + TICK,
                    n,
                    consent=f"relation:{name}",
                )
            )
        else:
            out.append(
                Effect("remove_relation", f"Removes the relation type {name} (none drawn yet).")
            )
    for i, narrowed in enumerate(plan.narrowed):
        n = relations[f"ends:{i}"]
        ends = [
            f"from {_join(list(narrowed.from_labels))}" if narrowed.from_labels else "",
            f"to {_join(list(narrowed.to_labels))}" if narrowed.to_labels else "",
        ]
        what = f"{narrowed.new_relation} no longer goes {' or '.join(e for e in ends if e)}"
        field = f"{fields.get('relation:' + narrowed.new_relation, '')}"
        if n:
            out.append(
                Effect(
                    "narrowed_ends",
                    f"{what}: {_n(n, 'relation')} that do would be deleted.{TICK}",
                    n,
                    consent=narrowed.key,
                    field=field,
                )
            )
        else:
            out.append(Effect("narrowed_ends", f"{what} (no relation does).", field=field))
    for i, change in enumerate(plan.attributes):
        n = (spans if change.owner == SPAN else relations)[f"attr:{i}"]
        owner_field = fields.get(
            change.new_label if change.owner == SPAN else "relation:" + change.new_label, ""
        )
        out.append(_attribute_effect(change, n, f"{owner_field}.attributes"))
    if plan.overlap_off:
        out.append(
            Effect(
                "overlap_off",
                "Spans may no longer overlap; spans that overlap already stay as they are.",
                field="allow_overlap",
            )
        )
    if plan.overlap_on:
        out.append(Effect("overlap_on", "Spans may overlap.", field="allow_overlap"))
    return out


def _attribute_effect(change: AttributeChange, n: int, field: str) -> Effect:
    rows = "span" if change.owner == SPAN else "relation"
    whose = f"{change.new_label} {rows}s"
    name = change.attribute
    if change.kind in (NEW_REQUIRED, NOW_REQUIRED):
        new = "New required attribute" if change.kind == NEW_REQUIRED else "Now required:"
        if change.owner == SPAN:
            then = f"{_n(n, f'existing {change.new_label} span')} will be marked incomplete"
            then += " (they stay valid; submitting asks for the value)." if n else "."
        else:
            then = f"{_n(n, f'existing {change.new_label} relation')} have no value for it."
        return Effect(change.kind, f"{new} {name} on {whose}: {then}", n, field=field)
    what = {
        REMOVED: f"Removes the attribute {name} from {whose}",
        RETYPED: f"Changes the type of {name} on {whose}",
        CHOICES_REMOVED: f"Removes the choice{'s' if len(change.choices) > 1 else ''}"
        f" {', '.join(change.choices)} of {name} on {whose}",
    }[change.kind]
    if not n:
        return Effect(change.kind, f"{what} (no {rows} has a value to lose).", field=field)
    return Effect(
        change.kind,
        f"{what}: the value on {_n(n, rows)} would be deleted." + TICK,
        n,
        consent=change.key,
        field=field,
    )


def check_consent(found: list[Effect], consent: object, *, instead: str | None = None) -> None:
    """Refuse, naming each count, the effects that delete stored work without consent.
    ``instead`` replaces the review's "tick Delete them" for a caller that has no such box."""
    given = set(consent) if isinstance(consent, list | tuple | set) else set()
    missing = [e for e in found if e.consent and e.consent not in given]
    if missing:
        raise Invalid(
            [
                Problem(
                    e.field or "consent",
                    "consent_required",
                    e.message if instead is None else e.message.replace(TICK, instead),
                )
                for e in missing
            ]
        )


# --- Applying ----------------------------------------------------------------------------------


def _snapshot_sql(model: type[Span] | type[Relation], alias: str) -> str:
    """``jsonb_build_object`` of the history snapshot of a row (``span_snapshot`` in SQL)."""
    keys = SPAN_SNAPSHOT if model is Span else RELATION_SNAPSHOT
    columns = {f.attname: f.column for f in model._meta.concrete_fields}
    parts = [f"'{key}', {alias}.\"{columns[attribute]}\"" for key, attribute in keys.items()]
    return f"jsonb_build_object({', '.join(parts)})"


def _history_insert(source: str, action: str, before: str, after: str) -> str:
    """``INSERT INTO history … SELECT`` from ``source`` (rows with ``id``, ``annotation_id``,
    ``snap``), at each annotation's current (already raised) version. Parameter: the actor's id."""
    return (
        f"INSERT INTO {rawsql.table(HistoryEvent)} (annotation_id, actor_id, at, action,"
        " object_id, annotation_version, before, after) "
        f"SELECT x.annotation_id, %s, now(), '{action}', x.id, a.version, {before}, {after} "
        f"FROM {source} x JOIN {rawsql.table(Annotation)} a ON a.id = x.annotation_id"
    )


def _project_rows(model: type[Span] | type[Relation], alias: str) -> str:
    return (
        f"{rawsql.table(model)} {alias} "
        f"JOIN {rawsql.table(Annotation)} pa ON pa.id = {alias}.annotation_id "
        f"JOIN {rawsql.table(Article)} par ON par.id = pa.article_id AND par.project_id = %s"
    )


def do_apply(project: Project, old_schema: Schema, plan: Plan, actor) -> None:
    """Do ``plan`` to the project's spans and relations, with history; the caller holds the
    project locked FOR UPDATE in its transaction and has checked consent. Order matters: the
    conditions name the old labels, so deletions and value drops run before the renames."""
    assert transaction.get_connection().in_atomic_block, "apply inside transaction.atomic()"
    span_refs = [
        (relation["name"], attribute["name"])
        for relation in old_schema["relations"]
        for attribute in span_ref_attributes(old_schema, relation["name"])
    ]
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    span_conditions: list[tuple[str, list[Any]]] = []
    relation_conditions: list[tuple[str, list[Any]]] = []
    touched_labels = [*plan.removed_labels, *plan.label_renames]
    if touched_labels:
        span_conditions.append(("s.label = ANY(%s)", [touched_labels]))
    touched_relations = [*plan.removed_relations, *plan.relation_renames]
    if touched_relations:
        relation_conditions.append(("r.label = ANY(%s)", [touched_relations]))
    for narrowed in plan.narrowed:
        relation_conditions.append(_narrowed_sql(narrowed, "r"))
    drops = [c for c in plan.attributes if c.kind in DROPS_VALUES]
    for change in drops:
        alias = "s" if change.owner == SPAN else "r"
        condition, params = _value_sql(change, alias)
        (span_conditions if change.owner == SPAN else relation_conditions).append(
            (condition, params)
        )
    if not span_conditions and not relation_conditions:
        return
    with rawsql.cursor() as cursor:
        _bump(cursor, project, span_conditions, relation_conditions)
        if plan.removed_labels:
            _delete_spans(cursor, project, plan.removed_labels, span_refs, actor_id)
        if plan.removed_relations:
            _delete_relations(
                cursor, project, ("r.label = ANY(%s)", [plan.removed_relations]), actor_id
            )
        for narrowed in plan.narrowed:
            _delete_relations(cursor, project, _narrowed_sql(narrowed, "r"), actor_id)
        for change in drops:
            _drop_values(cursor, project, change, actor_id)
        if plan.label_renames:
            _rename(cursor, project, Span, plan.label_renames, actor_id)
            _rename_suggestions(cursor, project, "spans", plan.label_renames)
        if plan.relation_renames:
            _rename(cursor, project, Relation, plan.relation_renames, actor_id)
            _rename_suggestions(cursor, project, "relations", plan.relation_renames)


def _value_sql(change: AttributeChange, alias: str) -> tuple[str, list[Any]]:
    sql = f"{alias}.label = %s AND {alias}.attrs ? %s"
    params: list[Any] = [change.label, change.attribute]
    if change.kind == CHOICES_REMOVED:
        sql += f" AND {alias}.attrs ->> %s = ANY(%s)"
        params += [change.attribute, list(change.choices)]
    return sql, params


def _bump(cursor, project, span_conditions, relation_conditions) -> None:
    """Raise, once, the version of every annotation that a change below touches."""
    exists, params = [], []
    for table, alias, conditions in (
        (rawsql.table(Span), "s", span_conditions),
        (rawsql.table(Relation), "r", relation_conditions),
    ):
        if conditions:
            where = " OR ".join(f"({sql})" for sql, _ in conditions)
            exists.append(
                f"EXISTS (SELECT 1 FROM {table} {alias} "
                f"WHERE {alias}.annotation_id = a.id AND ({where}))"
            )
            params += [p for _, ps in conditions for p in ps]
    cursor.execute(
        f"UPDATE {rawsql.table(Annotation)} a SET version = a.version + 1, updated_at = now() "
        f"FROM {rawsql.table(Article)} ar WHERE ar.id = a.article_id AND ar.project_id = %s "
        f"AND ({' OR '.join(exists)})",
        [project.pk, *params],
    )


def _delete_spans(
    cursor, project: Project, labels: list[str], span_refs: list[tuple[str, str]], actor_id
) -> None:
    """Delete every span of ``labels`` with the relations touching them and the review's
    rejections of either, one ``span_deleted`` event per span that keeps its relations (as
    ``do_delete_span``'s do). Span-valued attributes of other relations (a ``cue``) that name a
    deleted span lose that value first, so no relation points at a span that is gone."""
    gone = f"SELECT s.id::text FROM {_project_rows(Span, 's')} WHERE s.label = ANY(%s)"
    for relation_type, attribute in span_refs:
        cursor.execute(
            f"UPDATE {rawsql.table(Relation)} r SET attrs = r.attrs - %s "
            f"FROM {rawsql.table(Annotation)} a, {rawsql.table(Article)} ar "
            "WHERE a.id = r.annotation_id AND ar.id = a.article_id AND ar.project_id = %s "
            f"AND r.label = %s AND r.attrs ->> %s IN ({gone})",
            [attribute, project.pk, relation_type, attribute, project.pk, labels],
        )
    relation_snap = _snapshot_sql(Relation, "r")
    span_snap = _snapshot_sql(Span, "s")
    relations, rejections, spans = (
        rawsql.table(Relation),
        rawsql.table(ReviewRejection),
        rawsql.table(Span),
    )
    sql = (
        f"WITH g AS (SELECT s.id, s.annotation_id, {span_snap} AS snap "
        f"  FROM {_project_rows(Span, 's')} WHERE s.label = ANY(%s)), "
        f"gr AS (SELECT r.id, r.source_id, r.target_id, {relation_snap} AS snap FROM {relations} r "
        "  WHERE r.source_id IN (SELECT id FROM g) OR r.target_id IN (SELECT id FROM g)), "
        "h AS ("
        + _history_insert(
            "g",
            HistoryAction.SPAN_DELETED,
            "x.snap || jsonb_build_object('relations', COALESCE((SELECT jsonb_agg(gr.snap "
            "ORDER BY gr.id) FROM gr WHERE gr.source_id = x.id OR gr.target_id = x.id), "
            "'[]'::jsonb))",
            "NULL",
        )
        + "), "
        f"j AS (DELETE FROM {rejections} WHERE span_id IN (SELECT id FROM g) "
        "  OR relation_id IN (SELECT id FROM gr)), "
        f"d AS (DELETE FROM {relations} WHERE id IN (SELECT id FROM gr)) "
        f"DELETE FROM {spans} WHERE id IN (SELECT id FROM g)"
    )
    cursor.execute(sql, [project.pk, labels, actor_id])


def _narrowed_sql(narrowed: NarrowedEnds, alias: str) -> tuple[str, list[Any]]:
    spans = rawsql.table(Span)
    return (
        f"{alias}.label = %s AND ("
        f"EXISTS (SELECT 1 FROM {spans} e WHERE e.id = {alias}.source_id AND e.label = ANY(%s))"
        f" OR EXISTS (SELECT 1 FROM {spans} e WHERE e.id = {alias}.target_id"
        " AND e.label = ANY(%s)))",
        [narrowed.relation, list(narrowed.from_labels), list(narrowed.to_labels)],
    )


def _delete_relations(cursor, project: Project, condition: tuple[str, list[Any]], actor_id) -> None:
    """Delete the project's relations that meet ``condition`` (SQL on alias ``r``), with a
    ``relation_deleted`` event each and the review's rejections of them."""
    where, params = condition
    snap = _snapshot_sql(Relation, "r")
    sql = (
        f"WITH g AS (SELECT r.id, r.annotation_id, {snap} AS snap "
        f"  FROM {_project_rows(Relation, 'r')} WHERE {where}), "
        "h AS (" + _history_insert("g", HistoryAction.RELATION_DELETED, "x.snap", "NULL") + "), "
        f"j AS (DELETE FROM {rawsql.table(ReviewRejection)} "
        "  WHERE relation_id IN (SELECT id FROM g)) "
        f"DELETE FROM {rawsql.table(Relation)} WHERE id IN (SELECT id FROM g)"
    )
    cursor.execute(sql, [project.pk, *params, actor_id])


def _drop_values(cursor, project: Project, change: AttributeChange, actor_id) -> None:
    model = Span if change.owner == SPAN else Relation
    alias = "s" if model is Span else "r"
    action = HistoryAction.SPAN_UPDATED if model is Span else HistoryAction.RELATION_UPDATED
    condition, params = _value_sql(change, alias)
    table = rawsql.table(model)
    extra = ", updated_at = now()" if model is Span else ""
    sql = (
        f"WITH g AS (SELECT {alias}.id, {alias}.annotation_id, {_snapshot_sql(model, alias)} AS snap "
        f"  FROM {_project_rows(model, alias)} WHERE {condition}), "
        f"u AS (UPDATE {table} t SET attrs = t.attrs - %s{extra} FROM g WHERE t.id = g.id) "
        + _history_insert(
            "g", action, "x.snap", "jsonb_set(x.snap, '{attrs}', (x.snap -> 'attrs') - %s)"
        )
    )
    cursor.execute(sql, [project.pk, *params, change.attribute, actor_id, change.attribute])


def _rename(cursor, project: Project, model, renames: dict[str, str], actor_id) -> None:
    """Rename every row of the old labels in one UPDATE (a CASE over the renames, so that
    Quote → Claim and Claim → Quote swap), each with its history event."""
    alias = "s" if model is Span else "r"
    action = HistoryAction.SPAN_UPDATED if model is Span else HistoryAction.RELATION_UPDATED
    cases = " ".join("WHEN %s THEN %s" for _ in renames)
    case_params = [name for pair in renames.items() for name in pair]
    table = rawsql.table(model)
    extra = ", updated_at = now()" if model is Span else ""
    sql = (
        f"WITH g AS (SELECT {alias}.id, {alias}.annotation_id, {_snapshot_sql(model, alias)} AS snap, "
        f"  CASE {alias}.label {cases} END AS new_label "
        f"  FROM {_project_rows(model, alias)} WHERE {alias}.label = ANY(%s)), "
        f"u AS (UPDATE {table} t SET label = g.new_label{extra} FROM g WHERE t.id = g.id) "
        + _history_insert(
            "g",
            action,
            "x.snap",
            "jsonb_set(x.snap, '{label}', to_jsonb(x.new_label))",
        )
    )
    cursor.execute(sql, [*case_params, project.pk, list(renames), actor_id])


def _rename_suggestions(cursor, project: Project, key: str, renames: dict[str, str]) -> None:
    """The same renames in the suggestions not yet accepted (``SuggestionSet.spans`` or
    ``.relations``, JSON lists) and, for span labels, in the analysts' rejections of them, so
    that a renamed label's suggestions are still offered, and still not offered again."""
    cases = " ".join("WHEN %s THEN %s::text" for _ in renames)
    case_params = [name for pair in renames.items() for name in pair]
    old = list(renames)
    sets, articles = rawsql.table(SuggestionSet), rawsql.table(Article)
    cursor.execute(
        f"UPDATE {sets} ss SET {key} = (SELECT jsonb_agg(CASE WHEN e ->> 'label' = ANY(%s) "
        f"  THEN jsonb_set(e, '{{label}}', to_jsonb(CASE e ->> 'label' {cases} END)) ELSE e END "
        f"  ORDER BY o) FROM jsonb_array_elements(ss.{key}) WITH ORDINALITY AS t(e, o)) "
        f"FROM {articles} ar WHERE ar.id = ss.article_id AND ar.project_id = %s "
        f"AND EXISTS (SELECT 1 FROM jsonb_array_elements(ss.{key}) e WHERE e ->> 'label' = ANY(%s))",
        [old, *case_params, project.pk, old],
    )
    if key == "spans":
        cursor.execute(
            f"UPDATE {rawsql.table(RejectedSuggestion)} rs SET label = CASE rs.label {cases} END "
            f"FROM {rawsql.table(Annotation)} a, {articles} ar "
            "WHERE a.id = rs.annotation_id AND ar.id = a.article_id AND ar.project_id = %s "
            "AND rs.label = ANY(%s)",
            [*case_params, project.pk, old],
        )

"""Starting an annotation in one statement: ``labels_start_annotation``.

``labels.annotation.queue.start_own`` calls it when an analyst opens an article they have not
started. It does what ``do_get_or_create_own`` does in Python, in one round trip: lock the
user's membership, then the article; return the user's layer of the article if they have one;
else, when the article has a free seat and the user holds fewer than the project's
``max_open_drafts`` leased drafts, insert their leased draft and return it. It returns no row
when it cannot start one (no such article, not a member, no seat, the cap reached): Python's
checks then say why, in the words the user reads.

A PL/pgSQL function rather than one SQL statement because of the locks: under READ COMMITTED a
statement keeps the snapshot it started with, so seats counted after waiting for another
request's lock would miss that request's draft. Each statement here takes a fresh snapshot,
after the locks: the counts see every commit made before the locks were granted.

The seat rule is ``AnnotationQuerySet.holding_a_seat`` and the cap's is ``queue.leased_drafts``
(finished = submitted or reviewed, ``labels.models.FINISHED``); tests/annotation/test_seats.py
checks the two agree. The new row's columns come from the model, as JSON (``p_row``): the
function sets only its id, article, annotator, schema version and lease.
"""

from django.db import migrations

FORWARD = """
CREATE FUNCTION labels_start_annotation(
  p_article bigint, p_user integer, p_row jsonb, p_default_lease_minutes integer
) RETURNS SETOF labels_annotation LANGUAGE plpgsql AS $$
DECLARE
  project labels_project%ROWTYPE;
BEGIN
  SELECT p.* INTO project FROM labels_project p JOIN labels_article r ON r.project_id = p.id
    WHERE r.id = p_article;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  PERFORM 1 FROM labels_membership WHERE project_id = project.id AND user_id = p_user FOR UPDATE;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  PERFORM 1 FROM labels_article WHERE id = p_article FOR UPDATE;
  RETURN QUERY SELECT * FROM labels_annotation
    WHERE article_id = p_article AND annotator_id = p_user AND NOT is_gold;
  IF FOUND THEN
    RETURN;
  END IF;
  IF (SELECT count(*) FROM labels_annotation a
      WHERE a.article_id = p_article AND NOT a.is_gold
        AND (a.status IN ('submitted', 'reviewed')
             OR (a.status = 'draft'
                 AND (a.assigned_by_id IS NOT NULL OR a.lease_expires_at > now()))))
     >= project.annotators_per_article THEN
    RETURN;
  END IF;
  IF (SELECT count(*) FROM labels_annotation a JOIN labels_article r ON r.id = a.article_id
      WHERE r.project_id = project.id AND a.annotator_id = p_user AND NOT a.is_gold
        AND a.status = 'draft' AND a.assigned_by_id IS NULL AND a.lease_expires_at > now())
     >= project.max_open_drafts THEN
    RETURN;
  END IF;
  RETURN QUERY INSERT INTO labels_annotation
    SELECT (jsonb_populate_record(NULL::labels_annotation, p_row || jsonb_build_object(
      'id', nextval(pg_get_serial_sequence('labels_annotation', 'id')),
      'article_id', p_article,
      'annotator_id', p_user,
      'schema_version', project.schema_version,
      'lease_expires_at', now() + make_interval(
        mins => coalesce(project.lease_minutes, p_default_lease_minutes))))).*
    RETURNING *;
END;
$$;
"""

BACKWARD = "DROP FUNCTION labels_start_annotation(bigint, integer, jsonb, integer);"


class Migration(migrations.Migration):
    dependencies = [("labels", "0019_index_existing_articles")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]

"""Handing out the next article in one statement: ``labels_next_annotation``.

``labels.annotation.queue.do_next`` calls it for **Next** (the API's ``POST …/next/`` and the
workspace's Next). It does, in one round trip, what ``do_next`` did in eleven: lock the
user's membership; return their oldest open draft first (an assigned one, or one whose lease
still runs, as it is; an expired one with its lease renewed when the article still has room,
or when a reviewer sent it back); otherwise lease the first article of the project that they
have not annotated and that has a free seat — in import order, or the most uncertain first
with ``next_by_uncertainty`` (``ArticleUncertainty``; articles never measured after).

How it locks and counts, as the Python did: candidate articles are locked ``FOR UPDATE SKIP
LOCKED`` first; when that finds none, a second pass waits for the rows other requests hold, so
that nobody is told "nothing left" because every remaining article was locked for an instant.
After the lock the seats are counted again in a fresh statement (each statement of a PL/pgSQL
function takes a new snapshot under READ COMMITTED, so the count sees every commit made before
the lock was granted). An article found full is unlocked again — its attempt runs in a
sub-transaction that is rolled back — so that a request never sits on rows it does not use.

Its answer is one row: ``outcome`` and the annotation (NULL unless an annotation is returned):

- ``resumed``: one of the user's open drafts; ``created``: a new leased draft;
- ``none``: nothing is left for this user (the API's 204);
- ``not_member``: no such project, or the user is not a member (Python's access check then
  answers 404);
- ``unauthenticated``: ``p_token`` (the digest of an API key taken on trust from the process's
  memory, ``labels.api.auth.DeferredToken``) is revoked, or its user inactive; checked before
  anything else is read.

Times are ``statement_timestamp()``, Django's ``Now()``: inside a longer transaction a lease
runs from the moment of the request, not from the transaction's start. The seat rule is
``AnnotationQuerySet.holding_a_seat`` (finished = submitted or reviewed,
``labels.models.FINISHED``); tests/annotation/test_seats.py checks the two agree. The new row's
columns come from the model, as JSON (``p_row``): the function sets only its id, article,
annotator, schema version and lease.
"""

from django.db import migrations

FORWARD = """
CREATE FUNCTION labels_next_annotation(
  p_slug text, p_user integer, p_token text, p_row jsonb, p_default_lease_minutes integer
) RETURNS TABLE (outcome text, annotation labels_annotation) LANGUAGE plpgsql AS $$
DECLARE
  project labels_project%ROWTYPE;
  lease interval;
  draft labels_annotation%ROWTYPE;
  found_row labels_annotation%ROWTYPE;
  candidate bigint;
  excluded bigint[] := '{}';
  skipping boolean := true;
BEGIN
  IF p_token IS NOT NULL AND NOT EXISTS (
      SELECT 1 FROM authtoken_token t JOIN auth_user u ON u.id = t.user_id
      WHERE t.key = p_token AND t.user_id = p_user AND u.is_active) THEN
    RETURN QUERY SELECT 'unauthenticated'::text, NULL::labels_annotation;
    RETURN;
  END IF;
  SELECT p.* INTO project FROM labels_project p WHERE p.slug = p_slug;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_member'::text, NULL::labels_annotation;
    RETURN;
  END IF;
  PERFORM 1 FROM labels_membership WHERE project_id = project.id AND user_id = p_user FOR UPDATE;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_member'::text, NULL::labels_annotation;
    RETURN;
  END IF;
  lease := make_interval(mins => coalesce(project.lease_minutes, p_default_lease_minutes));

  -- The user's open drafts, oldest first (returned by a reviewer first, then assigned ones).
  FOR draft IN
    SELECT a.* FROM labels_annotation a JOIN labels_article r ON r.id = a.article_id
    WHERE r.project_id = project.id AND a.annotator_id = p_user AND NOT a.is_gold
      AND a.status = 'draft'
    ORDER BY a.review_comment DESC, a.assigned_by_id ASC NULLS LAST, a.created_at
    FOR UPDATE OF a
  LOOP
    IF draft.assigned_by_id IS NOT NULL OR draft.lease_expires_at > statement_timestamp() THEN
      RETURN QUERY SELECT 'resumed'::text, draft;
      RETURN;
    END IF;
    IF draft.review_comment <> '' OR (
        SELECT count(*) FROM labels_annotation a
        WHERE a.article_id = draft.article_id AND a.id <> draft.id AND NOT a.is_gold
          AND (a.status IN ('submitted', 'reviewed')
               OR (a.status = 'draft'
                   AND (a.assigned_by_id IS NOT NULL
                        OR a.lease_expires_at > statement_timestamp()))))
        < project.annotators_per_article THEN
      UPDATE labels_annotation
        SET lease_expires_at = statement_timestamp() + lease, updated_at = statement_timestamp()
        WHERE id = draft.id RETURNING * INTO found_row;
      RETURN QUERY SELECT 'resumed'::text, found_row;
      RETURN;
    END IF;
  END LOOP;

  -- A new article: the first with a free seat that the user has not annotated.
  LOOP
    candidate := NULL;
    BEGIN
      IF skipping THEN
        SELECT r.id INTO candidate FROM labels_article r
          LEFT JOIN labels_articleuncertainty u
            ON project.next_by_uncertainty AND u.article_id = r.id
          WHERE r.project_id = project.id AND NOT r.id = ANY (excluded)
            AND NOT EXISTS (SELECT 1 FROM labels_annotation m
                            WHERE m.article_id = r.id AND m.annotator_id = p_user)
            AND (SELECT count(*) FROM labels_annotation a
                 WHERE a.article_id = r.id AND NOT a.is_gold
                   AND (a.status IN ('submitted', 'reviewed')
                        OR (a.status = 'draft'
                            AND (a.assigned_by_id IS NOT NULL
                        OR a.lease_expires_at > statement_timestamp()))))
                < project.annotators_per_article
          ORDER BY u.value DESC NULLS LAST, r.id
          LIMIT 1 FOR UPDATE OF r SKIP LOCKED;
      ELSE
        SELECT r.id INTO candidate FROM labels_article r
          LEFT JOIN labels_articleuncertainty u
            ON project.next_by_uncertainty AND u.article_id = r.id
          WHERE r.project_id = project.id AND NOT r.id = ANY (excluded)
            AND NOT EXISTS (SELECT 1 FROM labels_annotation m
                            WHERE m.article_id = r.id AND m.annotator_id = p_user)
            AND (SELECT count(*) FROM labels_annotation a
                 WHERE a.article_id = r.id AND NOT a.is_gold
                   AND (a.status IN ('submitted', 'reviewed')
                        OR (a.status = 'draft'
                            AND (a.assigned_by_id IS NOT NULL
                        OR a.lease_expires_at > statement_timestamp()))))
                < project.annotators_per_article
          ORDER BY u.value DESC NULLS LAST, r.id
          LIMIT 1 FOR UPDATE OF r;
      END IF;
      IF candidate IS NOT NULL THEN
        -- The row is ours now: count again, in a statement that sees every earlier commit.
        IF (SELECT count(*) FROM labels_annotation a
            WHERE a.article_id = candidate AND NOT a.is_gold
              AND (a.status IN ('submitted', 'reviewed')
                   OR (a.status = 'draft'
                       AND (a.assigned_by_id IS NOT NULL
                        OR a.lease_expires_at > statement_timestamp()))))
           >= project.annotators_per_article THEN
          RAISE EXCEPTION USING ERRCODE = 'LBFUL';  -- rolls the lock back
        END IF;
        INSERT INTO labels_annotation
          SELECT (jsonb_populate_record(NULL::labels_annotation, p_row || jsonb_build_object(
            'id', nextval(pg_get_serial_sequence('labels_annotation', 'id')),
            'article_id', candidate,
            'annotator_id', p_user,
            'schema_version', project.schema_version,
            'lease_expires_at', statement_timestamp() + lease))).*
          RETURNING * INTO found_row;
        RETURN QUERY SELECT 'created'::text, found_row;
        RETURN;
      END IF;
    EXCEPTION WHEN SQLSTATE 'LBFUL' THEN
      excluded := excluded || candidate;
      CONTINUE;
    END;
    IF NOT skipping THEN
      RETURN QUERY SELECT 'none'::text, NULL::labels_annotation;
      RETURN;
    END IF;
    skipping := false;
  END LOOP;
END;
$$;
"""

BACKWARD = "DROP FUNCTION labels_next_annotation(text, integer, text, jsonb, integer);"


class Migration(migrations.Migration):
    dependencies = [("labels", "0020_start_annotation_function")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]

"""History can be deleted only by the owner's purge function, and only with its annotations.

Before this, the append-only trigger let any role DELETE history rows after ``SET LOCAL
annotator.history_purge = 'on'`` — a custom setting every role may set, so the least-privilege
application role of docs/deploy.md could erase history. Now:

- the trigger lets a DELETE through only when that setting is on *and* the current user is the
  table's owner, which for the application role happens only inside ``labels_purge_history``:
  a ``SECURITY DEFINER`` function owned by the role that ran the migrations (the tables' owner);
- the function deletes the history of the annotations of the articles it is given, and a
  deferred constraint trigger checks at commit that every annotation whose history went is gone
  too, so the function cannot erase the history of work that stays.

``labels.annotation.history.purge_history`` calls the function when a manager deletes an article
or a project.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION labels_history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE'
     AND current_setting('annotator.history_purge', true) = 'on'
     AND current_user = (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = TG_RELID)
  THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'labels_historyevent is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE FUNCTION labels_history_deleted_with_its_annotation() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM labels_annotation WHERE id = OLD.annotation_id) THEN
    RAISE EXCEPTION 'the history of annotation % was deleted but the annotation was not',
      OLD.annotation_id USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NULL;
END;
$$;
CREATE CONSTRAINT TRIGGER labels_history_deleted_with_its_annotation
  AFTER DELETE ON labels_historyevent DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION labels_history_deleted_with_its_annotation();

CREATE FUNCTION labels_purge_history(article_ids bigint[]) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  deleted bigint;
BEGIN
  PERFORM set_config('annotator.history_purge', 'on', true);
  DELETE FROM labels_historyevent h USING labels_annotation a
    WHERE h.annotation_id = a.id AND a.article_id = ANY(article_ids);
  GET DIAGNOSTICS deleted = ROW_COUNT;
  PERFORM set_config('annotator.history_purge', 'off', true);
  RETURN deleted;
END;
$$;
"""

BACKWARD = """
DROP FUNCTION labels_purge_history(bigint[]);
DROP TRIGGER labels_history_deleted_with_its_annotation ON labels_historyevent;
DROP FUNCTION labels_history_deleted_with_its_annotation();
CREATE OR REPLACE FUNCTION labels_history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('annotator.history_purge', true) = 'on' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'labels_historyevent is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("labels", "0009_history_rejected_and_relation_updated")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]

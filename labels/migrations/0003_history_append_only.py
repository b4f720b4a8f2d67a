"""History rows can be added, never changed, and deleted only by an explicit purge.

A trigger refuses UPDATE always, and DELETE unless the transaction has set
``annotator.history_purge`` to ``on`` (``SET LOCAL``), which only ``labels.history.purging`` does,
when a whole article or project is deleted. TRUNCATE is a table owner's privilege, not the
application's: docs/deploy.md has the application role own nothing (and the test suite's flush
between browser tests relies on it).
"""

from django.db import migrations

FORWARD = """
CREATE FUNCTION labels_history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('annotator.history_purge', true) = 'on' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'labels_historyevent is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER labels_history_append_only
  BEFORE UPDATE OR DELETE ON labels_historyevent
  FOR EACH ROW EXECUTE FUNCTION labels_history_append_only();
"""

BACKWARD = """
DROP TRIGGER labels_history_append_only ON labels_historyevent;
DROP FUNCTION labels_history_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("labels", "0002_relation_ends_in_same_annotation")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]

"""A relation's two spans must belong to the relation's own annotation.

Django cannot express a foreign key over two columns, so these composite keys are plain SQL:
(annotation_id, source_id) and (annotation_id, target_id) must name a row of
labels_span (annotation_id, id), which the unique constraint labels_span_unique_annotation_id
makes a valid target.
"""

from django.db import migrations

FORWARD = """
ALTER TABLE labels_relation
  ADD CONSTRAINT labels_relation_source_same_annotation
  FOREIGN KEY (annotation_id, source_id) REFERENCES labels_span (annotation_id, id)
  ON DELETE CASCADE;
ALTER TABLE labels_relation
  ADD CONSTRAINT labels_relation_target_same_annotation
  FOREIGN KEY (annotation_id, target_id) REFERENCES labels_span (annotation_id, id)
  ON DELETE CASCADE;
"""

BACKWARD = """
ALTER TABLE labels_relation DROP CONSTRAINT labels_relation_source_same_annotation;
ALTER TABLE labels_relation DROP CONSTRAINT labels_relation_target_same_annotation;
"""


class Migration(migrations.Migration):
    dependencies = [("labels", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]

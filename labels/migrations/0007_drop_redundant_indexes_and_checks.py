"""Drop indexes and foreign-key checks that others already cover, so that every write (an
import above all: 100,000 spans) maintains fewer of them.

- single-column indexes on annotation.article, annotation.annotator, article.project,
  historyevent.annotation, relation.annotation and span.annotation: a composite index or unique
  constraint starting with the same column serves every lookup they served;
- the created_by indexes of spans and relations become partial (imported rows have none);
- labels_span_by_position (annotation, start): the unique position constraint now starts with
  (annotation, start) and serves the same queries;
- the client_id uniqueness becomes partial (only client-saved rows have one; NULLs never
  collided anyway);
- the plain foreign keys relation.source/target → span and relation.annotation → annotation:
  the composite ones of migration 0002 check the same ends (and that they are in the
  relation's annotation, whose spans' own foreign key says it exists), and cascade.

The index removals are written out: Django's own AlterField(db_index=False) on
annotation.article would also drop labels_annotation_unique_gold, a one-column index on the same
column, and with it the "one gold layer per article" rule.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("labels", "0006_project_suggesters"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="relation",
            name="labels_relation_unique_client_id",
        ),
        migrations.RemoveConstraint(
            model_name="span",
            name="labels_span_unique_client_id",
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="annotation",
                    name="annotator",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        help_text="Whose layer this is; empty for the gold layer.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="annotations",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "labels_annotation_annotator_id_69a34ed6"',
                    'CREATE INDEX "labels_annotation_annotator_id_69a34ed6" ON "labels_annotation" ("annotator_id")',
                ),
            ],
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="annotation",
                    name="article",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="annotations",
                        to="labels.article",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "labels_annotation_article_id_f36ee9e6"',
                    'CREATE INDEX "labels_annotation_article_id_f36ee9e6" ON "labels_annotation" ("article_id")',
                ),
            ],
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="article",
                    name="project",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="articles",
                        to="labels.project",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "labels_article_project_id_8e7d5575"',
                    'CREATE INDEX "labels_article_project_id_8e7d5575" ON "labels_article" ("project_id")',
                ),
            ],
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="historyevent",
                    name="annotation",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="history",
                        to="labels.annotation",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "labels_historyevent_annotation_id_43d2497e"',
                    'CREATE INDEX "labels_historyevent_annotation_id_43d2497e" ON "labels_historyevent" ("annotation_id")',
                ),
            ],
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="relation",
                    name="annotation",
                    field=models.ForeignKey(
                        db_index=False,
                        db_constraint=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="relations",
                        to="labels.annotation",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "labels_relation_annotation_id_5af0136e"',
                    'CREATE INDEX "labels_relation_annotation_id_5af0136e" ON "labels_relation" ("annotation_id")',
                ),
                migrations.RunSQL(
                    'ALTER TABLE "labels_relation" DROP CONSTRAINT '
                    '"labels_relation_annotation_id_5af0136e_fk_labels_annotation_id"',
                    'ALTER TABLE "labels_relation" ADD CONSTRAINT '
                    '"labels_relation_annotation_id_5af0136e_fk_labels_annotation_id" '
                    'FOREIGN KEY ("annotation_id") REFERENCES "labels_annotation" ("id") '
                    "DEFERRABLE INITIALLY DEFERRED",
                ),
            ],
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="relation",
                    name="created_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "labels_relation_created_by_id_1b301a17"',
                    'CREATE INDEX "labels_relation_created_by_id_1b301a17" ON "labels_relation" ("created_by_id")',
                ),
            ],
        ),
        migrations.AlterField(
            model_name="relation",
            name="source",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="outgoing",
                to="labels.span",
            ),
        ),
        migrations.AlterField(
            model_name="relation",
            name="target",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="incoming",
                to="labels.span",
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="span",
                    name="annotation",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="spans",
                        to="labels.annotation",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "labels_span_annotation_id_83342f3f"',
                    'CREATE INDEX "labels_span_annotation_id_83342f3f" ON "labels_span" ("annotation_id")',
                ),
            ],
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="span",
                    name="created_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "labels_span_created_by_id_2143a08c"',
                    'CREATE INDEX "labels_span_created_by_id_2143a08c" ON "labels_span" ("created_by_id")',
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="relation",
            index=models.Index(
                condition=models.Q(("created_by__isnull", False)),
                fields=["created_by"],
                name="labels_relation_by_creator",
            ),
        ),
        migrations.AddIndex(
            model_name="span",
            index=models.Index(
                condition=models.Q(("created_by__isnull", False)),
                fields=["created_by"],
                name="labels_span_by_creator",
            ),
        ),
        migrations.AddConstraint(
            model_name="relation",
            constraint=models.UniqueConstraint(
                condition=models.Q(("client_id__isnull", False)),
                fields=("annotation", "client_id"),
                name="labels_relation_unique_client_id",
            ),
        ),
        migrations.AddConstraint(
            model_name="span",
            constraint=models.UniqueConstraint(
                condition=models.Q(("client_id__isnull", False)),
                fields=("annotation", "client_id"),
                name="labels_span_unique_client_id",
            ),
        ),
        # (annotation, start, end, label) instead of (annotation, label, start, end): the same
        # rule, and the index now also serves an annotation's spans in text order, which
        # labels_span_by_position did.
        migrations.RemoveConstraint(
            model_name="span",
            name="labels_span_unique_position",
        ),
        migrations.RemoveIndex(
            model_name="span",
            name="labels_span_by_position",
        ),
        migrations.AddConstraint(
            model_name="span",
            constraint=models.UniqueConstraint(
                fields=("annotation", "start", "end", "label"), name="labels_span_unique_position"
            ),
        ),
    ]

"""The articles' full-text vectors move from an expression index on ``labels_article`` into a
table of their own, ``labels_articlesearch``, so that an import stores articles without
computing them and a background job fills the table afterwards (docs/performance.md). The
existing articles are indexed by the next migration.
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("labels", "0017_suggestion_feedback_and_uncertainty")]

    operations = [
        migrations.CreateModel(
            name="ArticleSearch",
            fields=[
                (
                    "article",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_index",
                        serialize=False,
                        to="labels.article",
                    ),
                ),
                ("vector", django.contrib.postgres.search.SearchVectorField()),
            ],
            options={
                "indexes": [
                    django.contrib.postgres.indexes.GinIndex(
                        fields=["vector"], name="labels_articlesearch_vector"
                    )
                ],
            },
        ),
        migrations.RemoveIndex(model_name="article", name="labels_article_search"),
    ]

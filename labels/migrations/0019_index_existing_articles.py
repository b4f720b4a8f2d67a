"""Index the existing articles for search (``labels_articlesearch``, the previous migration),
in one statement: about 0.3 s per 1,000 articles of 3,000 characters. New articles are indexed
by ``labels.interop.search_index``."""

from django.db import migrations

# The expression of Article.search_vector(), as Django compiles it.
FILL = """
INSERT INTO labels_articlesearch (article_id, vector)
SELECT id, to_tsvector('simple'::regconfig, COALESCE(title, '') || ' ' || COALESCE(text, ''))
FROM labels_article
ON CONFLICT (article_id) DO NOTHING
"""


class Migration(migrations.Migration):
    dependencies = [("labels", "0018_article_search_index_table")]

    operations = [migrations.RunSQL(FILL, "DELETE FROM labels_articlesearch")]

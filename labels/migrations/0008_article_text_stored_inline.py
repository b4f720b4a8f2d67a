"""Article rows up to a full page (8,160 bytes) are stored as they are, not compressed.

PostgreSQL compresses (pglz) any row over 2 kB, and a 3,000-character article is one: the
compression was a tenth of what storing an article costs, half a second of a 10,000-article
import (docs/performance.md). This server's PostgreSQL has no lz4, the fast compressor. Articles
longer than a page are still compressed and moved out of line as before. The price is disk: an
article of ordinary prose takes its full size instead of about 60 % of it. To trade back,
``ALTER TABLE labels_article RESET (toast_tuple_target)`` (new rows only).
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("labels", "0007_drop_redundant_indexes_and_checks")]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE labels_article SET (toast_tuple_target = 8160)",
            "ALTER TABLE labels_article RESET (toast_tuple_target)",
        )
    ]

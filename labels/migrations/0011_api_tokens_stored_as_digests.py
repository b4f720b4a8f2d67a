"""API tokens are stored as digests: each existing key is replaced by its SHA-256 digest.

``labels.api.auth`` looks a presented key up by its digest, so tokens issued before this
migration keep working, and a copy of the database no longer holds usable keys. Irreversible by
design: the keys themselves are gone (going back leaves every token revoked, in effect).
"""

import hashlib

from django.db import migrations


def _digest(key: str) -> str:
    # The same function as labels.api.auth.token_digest, frozen here as migrations must be.
    return hashlib.sha256(key.encode()).hexdigest()[:40]


def hash_existing_keys(apps, schema_editor):
    Token = apps.get_model("authtoken", "Token")
    for token in list(Token.objects.all()):
        key, user_id, created = token.key, token.user_id, token.created
        token.delete()
        Token.objects.create(key=_digest(key), user_id=user_id)
        Token.objects.filter(key=_digest(key)).update(created=created)


class Migration(migrations.Migration):
    dependencies = [
        ("labels", "0010_history_purge_only_through_a_definer_function"),
        ("authtoken", "0004_alter_tokenproxy_options"),
    ]

    operations = [migrations.RunPython(hash_existing_keys, migrations.RunPython.noop)]

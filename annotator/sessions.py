"""Django's database sessions, refusing session cookies Django could never have issued.

Django makes session keys of 32 lowercase letters and digits but looks up any cookie of eight
characters or more; a hostile cookie holding a NUL byte then reaches PostgreSQL, which refuses
it ("text fields cannot contain NUL") and the page answered 500 — every page that looks at the
user, the 404 page included. A key that is not made of Django's characters is treated as no
session at all: the visitor is anonymous, as with any unknown key.
"""

from __future__ import annotations

import re

from django.contrib.sessions.backends import db

_ISSUED_KEY = re.compile(r"[a-z0-9]{8,40}\Z")


class SessionStore(db.SessionStore):
    def _validate_session_key(self, key):
        return bool(key) and _ISSUED_KEY.match(key) is not None

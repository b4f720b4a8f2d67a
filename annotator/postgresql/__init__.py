"""The ``annotator.postgresql`` database engine: Django's PostgreSQL backend with a health check
that costs no round trip when the connection is evidently alive (see ``base``). The embedded
engine (``annotator.embedded``) builds on it."""

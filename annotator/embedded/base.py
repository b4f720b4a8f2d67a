"""The ``annotator.embedded`` database engine (see the package docstring).

Settings: the usual PostgreSQL keys plus ``EMBEDDED = {"data_dir": ..., "database": ...}``, where
``database`` is the main database that must exist before Django connects (test databases are
created by Django itself through the "postgres" maintenance database).
"""

from __future__ import annotations

from annotator.postgresql import base

from . import server


class DatabaseWrapper(base.DatabaseWrapper):
    def _ensure_server(self) -> str:
        embedded = self.settings_dict["EMBEDDED"]
        return str(server.ensure_running(embedded["data_dir"], embedded["database"]))

    def get_connection_params(self):
        params = super().get_connection_params()
        params["host"] = self._ensure_server()
        return params

    def _nodb_cursor(self):
        self._ensure_server()
        return super()._nodb_cursor()

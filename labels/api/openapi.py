"""How the OpenAPI schema describes our own authentication classes (drf-spectacular extensions,
registered when this module is imported, from ``LabelsConfig.ready``)."""

from __future__ import annotations

from drf_spectacular.authentication import SessionScheme


class LabelsSessionScheme(SessionScheme):
    """The browser's session, as DRF's: ``labels.api.sessions`` only changes its CSRF check."""

    target_class = "labels.api.sessions.SessionAuthentication"

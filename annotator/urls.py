from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from labels.pages.admin_door import admin_login
from labels.pages.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Before the admin's own: a signed-in user who is not staff is told where a manager's pages
    # are instead of being refused by a log-in form they cannot pass (labels/pages/admin_door.py).
    path("admin/login/", admin_login, name="admin_door"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("labels.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its initialiser as a separate script (no inline code, so the CSP
    # holds) and Swagger UI comes from drf-spectacular-sidecar's static files, not a CDN.
    # labels/api_docs.html drops the package template's inline <style>.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema", template_name="labels/api_docs.html"
        ),
        name="api-docs",
    ),
    path("", include("labels.pages.urls")),
]

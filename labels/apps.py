from django.apps import AppConfig


class LabelsConfig(AppConfig):
    name = "labels"
    verbose_name = "Annotation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from labels import checks  # noqa: F401  (registers the system checks)
        from labels.api import openapi  # noqa: F401  (registers the OpenAPI extensions)

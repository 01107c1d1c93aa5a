from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "cultivate.insights"
    label = "insights"
    verbose_name = "Workforce insights"

    def ready(self) -> None:
        from . import access  # noqa: F401  registers the scopes `Model.objects.for_membership` applies

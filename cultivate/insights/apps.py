from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "cultivate.insights"
    label = "insights"
    verbose_name = "Workforce insights"

    def ready(self) -> None:
        from cultivate.core import audit_actions

        from . import access  # noqa: F401  registers the scopes `Model.objects.for_membership` applies
        from .audit_actions import InsightsAction

        audit_actions.register(self.label, InsightsAction)

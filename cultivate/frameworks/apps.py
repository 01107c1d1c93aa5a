from django.apps import AppConfig


class FrameworksConfig(AppConfig):
    name = "cultivate.frameworks"
    label = "frameworks"
    verbose_name = "Competency frameworks"

    def ready(self) -> None:
        from cultivate.core import audit_actions

        from . import access  # noqa: F401  registers the scopes `Model.objects.for_membership` applies
        from .audit_actions import FrameworksAction

        audit_actions.register(self.label, FrameworksAction)

from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "cultivate.programmes"
    label = "programmes"
    verbose_name = "Development programmes"

    def ready(self) -> None:
        from cultivate.core import audit_actions

        from . import access  # noqa: F401  registers the scopes `Model.objects.for_membership` applies
        from .audit_actions import ProgrammeAction

        audit_actions.register(self.label, ProgrammeAction)

from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "cultivate.organisations"
    label = "organisations"
    verbose_name = "Organisations and people"

    def ready(self) -> None:
        from cultivate.core import audit_actions

        from . import access  # noqa: F401  registers the scopes `Model.objects.for_membership` applies
        from .audit_actions import OrganisationsAction

        audit_actions.register(self.label, OrganisationsAction)

from django.apps import AppConfig


class CredentialsConfig(AppConfig):
    name = "cultivate.credentials"
    label = "credentials"
    verbose_name = "Verifiable certificates and competence records"

    def ready(self) -> None:
        from cultivate.core import audit_actions

        from . import (
            access,  # noqa: F401  registers the scopes `Model.objects.for_membership` applies
            completion,
        )
        from .audit_actions import CredentialsAction

        audit_actions.register(self.label, CredentialsAction)
        completion.register()

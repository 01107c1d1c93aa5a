from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "cultivate.learning"
    label = "learning"
    verbose_name = "Training provision, mandatory training and gap analysis"

    def ready(self) -> None:
        from cultivate.core import audit_actions

        from . import (
            access,  # noqa: F401  registers the scopes `Model.objects.for_membership` applies
            support_access,  # noqa: F401  the same for support at work
        )
        from .audit_actions import LearningAction
        from .plans import access as plan_access  # noqa: F401  and those of plans and supervision
        from .support_audit_actions import SupportAction

        audit_actions.register(self.label, LearningAction)
        audit_actions.register(self.label, SupportAction)

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cultivate.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from . import audit_actions

        audit_actions.register(
            self.label, audit_actions.CoreAction, anonymous=[audit_actions.CoreAction.PERMISSION_DENIED]
        )

from django.apps import AppConfig


class PathwaysConfig(AppConfig):
    name = "cultivate.pathways"
    label = "pathways"
    verbose_name = "Career pathways, qualifications and apprenticeships"

    def ready(self) -> None:
        from cultivate.core import audit_actions

        from . import access  # noqa: F401  registers the scopes `Model.objects.for_membership` applies
        from .audit_actions import PathwaysAction

        audit_actions.register(self.label, PathwaysAction)

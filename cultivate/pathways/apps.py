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
        from django.apps import apps

        if apps.is_installed("cultivate.learning"):
            # Mandatory training and learning offers come from the learning app when it is there.
            from . import learning_sources, readiness

            readiness.set_training_source(learning_sources.mandatory_training)
            readiness.set_offers_source(learning_sources.offers_for_kinds)
            readiness.set_learned_source(learning_sources.learned_qualifications)

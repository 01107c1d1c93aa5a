from django.apps import AppConfig


class PortfolioConfig(AppConfig):
    name = "cultivate.portfolio"
    label = "portfolio"
    verbose_name = "Portfolios, sign-off and delegation"

    def ready(self) -> None:
        from cultivate.core import audit_actions

        # Frameworks asks what depends on a framework through this hook rather than importing the portfolio.
        from cultivate.frameworks import dependents

        from . import access  # noqa: F401  registers the scopes `Model.objects.for_membership` applies
        from .audit_actions import PortfolioAction
        from .framework_dependents import PortfolioDependents

        audit_actions.register(self.label, PortfolioAction)
        dependents.register(PortfolioDependents())

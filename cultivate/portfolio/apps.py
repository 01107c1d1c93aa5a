from django.apps import AppConfig


class PortfolioConfig(AppConfig):
    name = "cultivate.portfolio"
    label = "portfolio"
    verbose_name = "Portfolios, sign-off and delegation"

    def ready(self) -> None:
        # Frameworks asks what depends on a framework through this hook rather than importing the portfolio.
        from cultivate.frameworks import dependents

        from . import access  # noqa: F401  registers the scopes `Model.objects.for_membership` applies
        from .framework_dependents import PortfolioDependents

        dependents.register(PortfolioDependents())

from django.apps import AppConfig


class PortfolioConfig(AppConfig):
    name = "cultivate.portfolio"
    label = "portfolio"
    verbose_name = "Portfolios, sign-off and delegation"

    def ready(self) -> None:
        from cultivate.core import audit_actions

        from .audit_actions import PortfolioAction

        audit_actions.register(self.label, PortfolioAction)

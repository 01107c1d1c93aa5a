from django.apps import AppConfig


class PortfolioConfig(AppConfig):
    name = "cultivate.portfolio"
    label = "portfolio"
    verbose_name = "Portfolios, sign-off and delegation"

    def ready(self) -> None:
        from . import access  # noqa: F401  registers the scopes `Model.objects.for_membership` applies

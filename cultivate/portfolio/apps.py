from django.apps import AppConfig


class PortfolioConfig(AppConfig):
    name = "cultivate.portfolio"
    label = "portfolio"
    verbose_name = "Portfolios, sign-off and delegation"

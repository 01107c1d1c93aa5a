from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "cultivate.insights"
    label = "insights"
    verbose_name = "Workforce insights"

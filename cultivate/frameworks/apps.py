from django.apps import AppConfig


class FrameworksConfig(AppConfig):
    name = "cultivate.frameworks"
    label = "frameworks"
    verbose_name = "Competency frameworks"

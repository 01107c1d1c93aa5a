from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cultivate.core"
    label = "core"
    verbose_name = "Core"

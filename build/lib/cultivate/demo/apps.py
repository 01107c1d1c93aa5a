from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo alliance generator. Installed by local and test settings only, never in production."""

    name = "cultivate.demo"
    label = "demo"
    verbose_name = "Demo data"

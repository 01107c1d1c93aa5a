from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The pages that bring the apps together: the home page, the navigation and the audit log."""

    name = "cultivate.site"
    label = "site"
    verbose_name = "Site"

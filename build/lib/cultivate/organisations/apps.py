from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "cultivate.organisations"
    label = "organisations"
    verbose_name = "Organisations and people"

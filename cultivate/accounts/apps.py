from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "cultivate.accounts"
    label = "accounts"
    verbose_name = "Accounts and access"

    def ready(self) -> None:
        from . import access  # noqa: F401  registers the scopes `Model.objects.for_membership` applies

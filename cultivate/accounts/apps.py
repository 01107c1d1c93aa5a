from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "cultivate.accounts"
    label = "accounts"
    verbose_name = "Accounts and access"

    def ready(self) -> None:
        from cultivate.core import audit_actions

        from .audit_actions import AccountsAction

        audit_actions.register(
            self.label,
            AccountsAction,
            # A client without an account causes these: they record an attempt, not a change.
            anonymous=[
                AccountsAction.SIGN_IN_FAILED,
                AccountsAction.LOCKED_OUT,
                AccountsAction.PASSWORD_RESET_REQUESTED,
            ],
        )
        from cultivate.core import notify

        from .notifications import default_email_choice

        notify.register_default_choice(default_email_choice)

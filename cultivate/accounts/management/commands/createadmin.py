"""`cultivate createadmin`: create an organisation admin (or an alliance admin), asking for what is not given."""

from __future__ import annotations

import getpass
import os
import sys
from argparse import ArgumentParser
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from cultivate.accounts.audit_actions import AccountsAction
from cultivate.accounts.models import Role, User
from cultivate.accounts.services import membership_grant, user_create
from cultivate.core.audit import AuditContext, audit
from cultivate.organisations.models import Alliance, Organisation

# Who the audit log names for the accounts this command makes: nobody is signed in.
COMMAND = AuditContext.system("createadmin command")

PASSWORD_ENV = "CULTIVATE_ADMIN_PASSWORD"  # noqa: S105 - the name of a variable, not a password


def _messages(error: ValidationError) -> str:
    return " ".join(error.messages)


class Command(BaseCommand):
    help = (
        "Create an organisation admin (--organisation ODS) or an alliance admin (--alliance CODE). Asks for "
        f"anything not given when run in a terminal. The password comes from --password, the {PASSWORD_ENV} "
        "environment variable (better: it stays out of the shell history), or a prompt."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--email", help="the admin's email address, which they sign in with")
        parser.add_argument("--name", help="the admin's full name")
        parser.add_argument(
            "--organisation", metavar="ODS", help="ODS code of the organisation they administer"
        )
        parser.add_argument("--alliance", metavar="CODE", help="code of the alliance they administer")
        parser.add_argument("--password", help=f"their password (or set {PASSWORD_ENV})")
        parser.add_argument(
            "--superuser",
            action="store_true",
            help="also let them use Django admin (is_staff and is_superuser)",
        )
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="never ask; fail instead",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.interactive = bool(options["interactive"]) and sys.stdin.isatty()
        email = self._email(options["email"])
        name = (options["name"] or self._ask("Full name: ")).strip()
        if not name:
            raise CommandError("Give the admin's full name with --name.")
        organisation, alliance = self._scope(
            options["organisation"], options["alliance"], options["superuser"]
        )
        password = self._password(options["password"], email=email, name=name)
        try:
            with transaction.atomic():
                user = user_create(email=email, full_name=name, password=password, ctx=COMMAND)
                if options["superuser"]:
                    user.is_staff = user.is_superuser = True
                    user.save(update_fields=["is_staff", "is_superuser"])
                    audit(
                        AccountsAction.USER_CHANGED,
                        ctx=COMMAND,
                        obj=user,
                        via="createadmin",
                        changes={
                            "is_staff": {"from": False, "to": True},
                            "is_superuser": {"from": False, "to": True},
                        },
                    )
                if organisation is not None:
                    membership_grant(user=user, role=Role.ORG_ADMIN, organisation=organisation, ctx=COMMAND)
                elif alliance is not None:
                    membership_grant(user=user, role=Role.ALLIANCE_ADMIN, alliance=alliance, ctx=COMMAND)
        except ValidationError as error:
            raise CommandError(f"The admin was not created: {_messages(error)}") from error
        if organisation is not None:
            done = (
                f"Created {user.email}, organisation admin of {organisation.name} ({organisation.ods_code})"
            )
        elif alliance is not None:
            done = f"Created {user.email}, alliance admin of {alliance.name}"
        else:
            done = f"Created {user.email}, with no role in any organisation yet"
        self.stdout.write(done + (", who may also use Django admin." if options["superuser"] else "."))

    # Each answer: from its option, else asked for, else a clear refusal. ----------------------------------------

    def _ask(self, prompt: str) -> str:
        return input(prompt) if self.interactive else ""

    def _email(self, given: str | None) -> str:
        email = (given or self._ask("Email address: ")).strip().lower()
        if not email:
            raise CommandError("Give the admin's email address with --email.")
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"{email!r} is not a valid email address (--email).") from None
        if User.objects.filter(email__iexact=email).exists():
            raise CommandError(f"A user with the email address {email} already exists.")
        return email

    def _scope(
        self, ods_code: str | None, alliance_code: str | None, superuser: bool
    ) -> tuple[Organisation | None, Alliance | None]:
        if ods_code and alliance_code:
            raise CommandError(
                "Give either --organisation (an organisation admin) or --alliance (an alliance "
                "admin), not both."
            )
        if not ods_code and not alliance_code and self.interactive:
            ods_code = self._ask("ODS code of the organisation (leave blank for an alliance admin): ").strip()
            if not ods_code:
                alliance_code = self._ask("Alliance code: ").strip()
        if ods_code:
            code = ods_code.strip().upper()
            organisation = Organisation.objects.filter(ods_code=code).first()
            if organisation is None:
                known = list(
                    Organisation.objects.order_by("ods_code").values_list("ods_code", flat=True)[:10]
                )
                hint = (
                    f" Known codes include: {', '.join(known)}."
                    if known
                    else " There are no organisations yet."
                )
                raise CommandError(f"No organisation has the ODS code {code!r} (--organisation).{hint}")
            return organisation, None
        if alliance_code:
            code = alliance_code.strip()
            alliance = Alliance.objects.filter(code=code).first()
            if alliance is None:
                known = list(Alliance.objects.order_by("code").values_list("code", flat=True)[:10])
                hint = f" Known codes: {', '.join(known)}." if known else " There are no alliances yet."
                raise CommandError(f"No alliance has the code {code!r} (--alliance).{hint}")
            return None, alliance
        if superuser:
            return None, None  # a Django admin superuser with no role yet, e.g. on a new installation
        raise CommandError(
            "Give --organisation ODS for an organisation admin, or --alliance CODE for an alliance admin."
        )

    def _password(self, given: str | None, *, email: str, name: str) -> str:
        candidate = User(email=email, full_name=name)
        password = given or os.environ.get(PASSWORD_ENV, "")
        if password:
            try:
                password_validation.validate_password(password, user=candidate)
            except ValidationError as error:
                raise CommandError(f"The password was not accepted: {_messages(error)}") from error
            return password
        if not self.interactive:
            raise CommandError(f"Give a password with --password or the {PASSWORD_ENV} environment variable.")
        while True:
            password = getpass.getpass("Password: ")
            if getpass.getpass("Password (again): ") != password:
                self.stderr.write("The passwords did not match. Try again.")
                continue
            try:
                password_validation.validate_password(password, user=candidate)
            except ValidationError as error:
                self.stderr.write(f"That password was not accepted: {_messages(error)}")
                continue
            return password

"""Accounts made in bulk from staff records, each person invited by email to set their own password.

The link carries Django's password-reset token made with its own salt (an invitation link is no reset link, nor
the reverse); it works once (setting the password changes what the token was made from) and expires after
`PASSWORD_RESET_TIMEOUT` (three days), as a reset link does. An admin sends a new one from the user's page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from cultivate.core.audit import AuditContext, audit
from cultivate.organisations.models import Person, Team

from . import services
from .audit_actions import AccountsAction
from .models import Membership, Role, User


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "cultivate.accounts.invitations.InvitationTokenGenerator"


invitation_tokens = InvitationTokenGenerator()

# Roles given in bulk: an assessor needs their professional registration recorded first, one at a time; an
# alliance admin is not held in an organisation.
BULK_ROLES = (Role.SUPPORT_WORKER, Role.LINE_MANAGER, Role.EDUCATOR, Role.ANALYST, Role.ORG_ADMIN)


def invitation_url(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse("accounts:invitation", args=[uid, invitation_tokens.make_token(user)])
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def _send(user: User, organisation_name: str) -> None:
    days = max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)
    send_mail(
        "Your Cultivate account",
        f"Hello {user.get_short_name()},\n\n"
        f"{organisation_name} has made you an account on Cultivate, where you keep your competency portfolio.\n\n"
        f"To start, choose a password with this link (it works once and expires after {days} days):\n\n"
        f"{invitation_url(user)}\n\n"
        "If it has expired, ask your organisation's Cultivate admin to send you a new one.\n\nCultivate",
        None,
        [user.email],
    )


@dataclass
class InviteReport:
    invited: list[User] = field(default_factory=list)
    skipped: list[tuple[Person, str]] = field(default_factory=list)


def users_invite(
    *,
    admin: Membership,
    people: Sequence[Person],
    role: str,
    teams: Sequence[Team] = (),
    ctx: AuditContext,
) -> InviteReport:
    """Make an account for each of these people (the admin's organisation's staff without one), give each the
    role (with the teams), and email each an invitation once it is all saved. People with no email address on
    their staff record, or whose address another account has, are skipped and reported. All or nothing."""
    organisation = admin.organisation
    if organisation is None or role not in BULK_ROLES:
        raise ValueError("Bulk invitations are for an organisation's admin, to the roles in BULK_ROLES.")
    report = InviteReport()
    taken = set(
        User.objects.filter(email__in=[p.email.lower() for p in people if p.email]).values_list(
            "email", flat=True
        )
    )
    with transaction.atomic():
        for person in people:
            if person.organisation_id != organisation.pk or getattr(person, "user", None) is not None:
                report.skipped.append((person, "already has an account or is not in your organisation"))
                continue
            if not person.email:
                report.skipped.append((person, "has no email address on their staff record"))
                continue
            if person.email.lower() in taken:
                report.skipped.append((person, "has an email address another account already uses"))
                continue
            user = services.user_create(
                email=person.email,
                full_name=person.display_name,
                person=person,
                home_organisation=organisation,
                created_by=admin.user,
                ctx=ctx,
            )
            services.membership_grant(
                user=user,
                role=role,
                organisation=organisation,
                teams=list(teams),
                granted_by=admin.user,
                ctx=ctx,
            )
            audit(AccountsAction.USER_INVITED, ctx=ctx, actor=admin.user, obj=user, organisation=organisation)
            report.invited.append(user)
        invited = list(report.invited)
        name = organisation.name

        def send_all() -> None:
            for user in invited:
                _send(user, name)

        # Emails go once the accounts are saved, so nobody is invited to an account that was rolled back.
        transaction.on_commit(send_all)
    return report


def invitation_send(*, admin: Membership, user: User, ctx: AuditContext) -> None:
    """Invite someone who has not set a password yet to set one (a new account made one at a time, or a new
    link when an earlier one expired). Django's "Forgotten your password?" sends nothing to an account without
    a usable password, so this is their way in."""
    if user.has_usable_password():
        raise ValueError("This person has already set a password.")
    organisation = admin.organisation
    _send(user, organisation.name if organisation is not None else "Your organisation")
    audit(AccountsAction.USER_INVITED, ctx=ctx, actor=admin.user, obj=user, organisation=organisation)

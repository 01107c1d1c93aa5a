"""Writes for accounts: sign-in under the throttle, users, memberships and API tokens. Each is audited."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any, cast

from django.contrib.auth.hashers import check_password, get_hasher, make_password
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import ManyToManyField
from django.utils import timezone

from cultivate.accounts.audit_actions import AccountsAction
from cultivate.core import rows
from cultivate.core.audit import AuditContext, audit
from cultivate.core.writes import write_unless_busy
from cultivate.organisations.models import Alliance, Organisation, Person, Team

from . import throttle
from .models import TEAM_ROLES, ApiToken, Membership, Role, User

TOKEN_PREFIX = "cvt_"  # noqa: S105 - a public prefix, not a secret


@dataclass(frozen=True)
class SignInResult:
    user: User | None
    # Set when sign-in is locked for the address or the client (whether or not the address has an account).
    lock: throttle.Lock | None = None


@functools.cache
def _dummy_hash(algorithm: str) -> str:
    """A hash of a random password, made once per hasher (tests use a faster one)."""
    return make_password(secrets.token_urlsafe(16), hasher=algorithm)


def _password_matches(account: User | None, password: str) -> bool:
    """Runs the password hasher exactly once whatever the account: a missing account, or one with no usable
    password, is checked against a dummy hash, so the answer takes as long as for a real account."""
    if account is not None and account.has_usable_password():
        return account.check_password(password)
    check_password(password, _dummy_hash(get_hasher().algorithm))
    return False


def sign_in_attempt(*, ctx: AuditContext, email: str, password: str) -> SignInResult:
    """Check credentials under the throttle (cultivate/accounts/throttle.py). Known and unknown addresses take
    the same steps (one hasher run, the same throttle writes, one audit row) and get the same answer, so neither
    the page nor its timing says whether an account exists. While a lock is in force even the right password
    is refused, without checking it."""
    address = throttle.normalise_address(email)
    keys = throttle.keys_for(email=address, client_address=ctx.ip_address)
    account = User.objects.filter(email=address).first()
    who: dict[str, Any] = {"actor": account} if account is not None else {"actor_email": address}
    lock = throttle.current_lock(keys)
    if lock is not None:
        audit(AccountsAction.SIGN_IN_FAILED, ctx=ctx, reason="locked", scope=lock.scope, **who)
        return SignInResult(user=None, lock=lock)
    if _password_matches(account, password) and account is not None and account.is_active:
        throttle.clear_address(address)
        return SignInResult(user=account)
    started = throttle.record_failure(keys)
    reason = "unknown account" if account is None else "wrong password"
    audit(AccountsAction.SIGN_IN_FAILED, ctx=ctx, reason=reason, **who)
    for new_lock in started:
        audit(
            AccountsAction.LOCKED_OUT,
            ctx=ctx,
            scope=new_lock.scope,
            until=new_lock.until.isoformat(),
            **who,
        )
    return SignInResult(user=None, lock=throttle.current_lock(keys) if started else None)


def sign_in_unlock(*, user: User, ctx: AuditContext | None = None) -> None:
    """A completed password reset lifts the throttle on the user's address; lifting a lock is audited."""
    if throttle.clear_address(user.email):
        audit(
            AccountsAction.SIGN_IN_UNLOCKED,
            actor=user,
            ctx=ctx,
            scope=throttle.ADDRESS,
            via="reset link",
        )


def user_create(
    *,
    email: str,
    full_name: str,
    password: str | None = None,
    person: Person | None = None,
    home_organisation: Organisation | None = None,
    home_alliance: Alliance | None = None,
    registration_body: str = "",
    registration_pin: str = "",
    created_by: User | None = None,
    ctx: AuditContext | None = None,
) -> User:
    user = User(
        email=email.strip().lower(),
        full_name=full_name.strip(),
        person=person,
        home_organisation=home_organisation or (person.organisation if person else None),
        home_alliance=home_alliance,
        registration_body=registration_body,
        registration_pin=registration_pin.strip(),
    )
    if password:
        user.set_password(password)
    else:
        # No password yet: the user sets one through the reset link.
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    audit(
        AccountsAction.USER_CREATED,
        actor=created_by,
        ctx=ctx,
        obj=user,
        organisation=user.home_organisation,
    )
    return user


def user_update(
    *,
    user: User,
    full_name: str,
    registration_body: str,
    registration_pin: str,
    changed_by: User | None,
    ctx: AuditContext | None = None,
) -> User:
    changes = {}
    for field, value in (
        ("full_name", full_name.strip()),
        ("registration_body", registration_body),
        ("registration_pin", registration_pin.strip()),
    ):
        if getattr(user, field) != value:
            changes[field] = {"from": getattr(user, field), "to": value}
            setattr(user, field, value)
    if changes:
        user.full_clean(exclude=["password"])
        user.save(update_fields=list(changes))
        audit(AccountsAction.USER_CHANGED, actor=changed_by, ctx=ctx, obj=user, changes=changes)
    return user


def user_deactivate(*, user: User, by: User, ctx: AuditContext | None = None) -> None:
    user.is_active = False
    user.save(update_fields=["is_active"])
    audit(AccountsAction.USER_DEACTIVATED, actor=by, ctx=ctx, obj=user)


def _check_membership(
    role: str,
    organisation: Organisation | None,
    alliance: Alliance | None,
    teams: list[Team],
    user: User,
) -> None:
    errors: dict[str, str] = {}
    if role == Role.ALLIANCE_ADMIN:
        if alliance is None:
            errors["alliance"] = "Choose the alliance this admin acts for."
    elif organisation is None:
        errors["organisation"] = "Choose the organisation this role is held in."
    if role in TEAM_ROLES and not teams:
        errors["teams"] = "Choose at least one team for a line manager or assessor."
    if any(organisation is None or team.organisation_id != organisation.pk for team in teams):
        errors["teams"] = "Teams must belong to the organisation."
    if role == Role.ASSESSOR and not user.is_registered_professional:
        errors["role"] = (
            "An assessor must be a registered professional: record their registration body and PIN."
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def membership_grant(
    *,
    user: User,
    role: str,
    organisation: Organisation | None = None,
    alliance: Alliance | None = None,
    teams: list[Team] | None = None,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    granted_by: User | None = None,
    ctx: AuditContext | None = None,
) -> Membership:
    teams = teams or []
    _check_membership(role, organisation, alliance, teams, user)
    membership = Membership(
        user=user,
        role=role,
        organisation=organisation,
        alliance=alliance,
        starts_on=starts_on or timezone.localdate(),
        ends_on=ends_on,
        granted_by=granted_by,
    )
    membership.full_clean()
    membership.save()
    if teams:
        membership.teams.set(teams)
    audit(
        AccountsAction.MEMBERSHIP_GRANTED,
        actor=granted_by,
        ctx=ctx,
        obj=membership,
        organisation=organisation,
        user=user.email,
        role=role,
        teams=[t.name for t in teams],
    )
    return membership


def membership_end(
    *, membership: Membership, ended_by: User | None, ctx: AuditContext | None = None
) -> Membership:
    """Roles are ended, not deleted, so the history of who could do what stays readable."""
    membership.revoked_at = timezone.now()
    today = timezone.localdate()
    if membership.ends_on is None or membership.ends_on > today:
        membership.ends_on = max(today, membership.starts_on)
    membership.save(update_fields=["revoked_at", "ends_on", "updated_at"])
    audit(
        AccountsAction.MEMBERSHIP_REVOKED,
        actor=ended_by,
        ctx=ctx,
        obj=membership,
        organisation=membership.organisation,
        user=membership.user.email,
        role=membership.role,
    )
    return membership


def _hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_token_create(
    *,
    user: User,
    membership: Membership,
    name: str,
    expires_at: dt.datetime | None = None,
    ctx: AuditContext | None = None,
) -> tuple[ApiToken, str]:
    """Returns the token and its secret. The secret is not stored and cannot be shown again."""
    if membership.user_id != user.pk:
        raise ValidationError({"membership": "A token can only act in one of your own roles."})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        membership=membership,
        name=name.strip(),
        prefix=secret[: len(TOKEN_PREFIX) + 6],
        token_hash=_hash_token(secret),
        expires_at=expires_at,
    )
    token.full_clean()
    token.save()
    audit(
        AccountsAction.TOKEN_CREATED,
        actor=user,
        ctx=ctx,
        obj=token,
        organisation=membership.organisation,
    )
    return token, secret


def api_token_revoke(*, token: ApiToken, by: User, ctx: AuditContext | None = None) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit(AccountsAction.TOKEN_REVOKED, actor=by, ctx=ctx, obj=token)


def _token_sql() -> str:
    """The token with its user, role, the role's organisation or alliance, and the role's teams (one row per
    team, by name; one row with NULL team columns when it has none), in one query."""
    teams = Membership._meta.get_field("teams")
    assert isinstance(teams, ManyToManyField)
    link = rows.quote(teams.m2m_db_table())
    return (
        f"SELECT {rows.select_list(ApiToken, 't')}, {rows.select_list(User, 'u')}, "  # noqa: S608
        f"{rows.select_list(Membership, 'm')}, {rows.select_list(Organisation, 'o')}, "
        f"{rows.select_list(Alliance, 'a')}, {rows.select_list(Team, 'tm')} "
        f"FROM {rows.table(ApiToken)} {rows.quote('t')} "
        f"INNER JOIN {rows.table(User)} {rows.quote('u')} "
        f"ON {rows.column(User, 'id', 'u')} = {rows.column(ApiToken, 'user', 't')} "
        f"INNER JOIN {rows.table(Membership)} {rows.quote('m')} "
        f"ON {rows.column(Membership, 'id', 'm')} = {rows.column(ApiToken, 'membership', 't')} "
        f"LEFT OUTER JOIN {rows.table(Organisation)} {rows.quote('o')} "
        f"ON {rows.column(Organisation, 'id', 'o')} = {rows.column(Membership, 'organisation', 'm')} "
        f"LEFT OUTER JOIN {rows.table(Alliance)} {rows.quote('a')} "
        f"ON {rows.column(Alliance, 'id', 'a')} = {rows.column(Membership, 'alliance', 'm')} "
        f"LEFT OUTER JOIN {link} ON {link}.{rows.quote(teams.m2m_column_name())} "
        f"= {rows.column(Membership, 'id', 'm')} "
        f"LEFT OUTER JOIN {rows.table(Team)} {rows.quote('tm')} "
        f"ON {rows.column(Team, 'id', 'tm')} = {link}.{rows.quote(teams.m2m_reverse_name())} "
        f"WHERE {rows.column(ApiToken, 'token_hash', 't')} = %s "
        f"ORDER BY {rows.column(Team, 'name', 'tm')}, {rows.column(Team, 'id', 'tm')}"
    )


def api_token_authenticate(secret: str) -> ApiToken | None:
    """The usable token with this secret, its user active and its role current; None otherwise.

    Runs on every API call, so it reads in one hand-written query (`_token_sql`) what the ORM read in two: the
    token, user, role, organisation and alliance as `select_related` would load them, and the role's teams,
    which the access rules read, put where `prefetch_related` would put them (changing them through the
    manager forgets them, as for a prefetch)."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    with connection.cursor() as cursor:
        cursor.execute(rows.statement("api_token", _token_sql), [_hash_token(secret)])
        found = cursor.fetchall()
    if not found:
        return None
    models = (ApiToken, User, Membership, Organisation, Alliance)
    token, user, membership, organisation, alliance = rows.split(found[0], models)
    membership.organisation, membership.alliance = organisation, alliance
    token.user, token.membership = user, membership
    if not token.is_usable or not user.is_active or not membership.is_current:
        return None
    # The manager's own queryset, as a prefetch makes it: its filter is built only if someone chains from it.
    teams = membership.teams.all()
    at = sum(rows.width(model) for model in models)
    teams._result_cache = [team for row in found if (team := rows.from_row(Team, row, at)) is not None]
    teams._prefetch_done = True
    membership._prefetched_objects_cache = {"teams": teams}
    now = timezone.now()
    # Writing on every call would serialise API traffic; a minute's precision is enough to see use, and a call
    # made while SQLite is busy with a long write leaves it to the next one.
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        write_unless_busy(lambda: ApiToken.objects.filter(pk=token.pk).update(last_used_at=now))
    return cast(ApiToken, token)

"""Reads for accounts. Every selector takes the acting membership and returns only what it may see."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from cultivate.core.models import AuditEvent

from .models import ApiToken, Membership, Role, User

ROLE_ORDER = [
    Role.SUPPORT_WORKER,
    Role.LINE_MANAGER,
    Role.ASSESSOR,
    Role.EDUCATOR,
    Role.ANALYST,
    Role.ORG_ADMIN,
    Role.ALLIANCE_ADMIN,
]


def current_memberships(*, user: User) -> list[Membership]:
    memberships = list(
        Membership.objects.current()
        .filter(user=user)
        .select_related("organisation", "alliance", "organisation__alliance")
        .prefetch_related("teams")
    )
    memberships.sort(key=lambda m: (ROLE_ORDER.index(Role(m.role)), m.pk))
    return memberships


def users_visible_to(membership: Membership) -> QuerySet[User]:
    """Users an admin may manage: those holding a role in the admin's organisation (or alliance)."""
    if membership.role == Role.ORG_ADMIN:
        scope = (
            Q(memberships__organisation_id=membership.organisation_id)
            | Q(person__organisation_id=membership.organisation_id)
            | Q(home_organisation_id=membership.organisation_id)
        )
    elif membership.role == Role.ALLIANCE_ADMIN:
        # Alliance admins look after admins (their own and member organisations'), not every member of staff.
        scope = (
            Q(memberships__alliance_id=membership.alliance_id)
            | Q(
                memberships__organisation__alliance_id=membership.alliance_id,
                memberships__role=Role.ORG_ADMIN,
            )
            | Q(home_alliance_id=membership.alliance_id)
        )
    else:
        return User.objects.none()
    ids = User.objects.filter(scope).values("pk")
    return User.objects.filter(pk__in=ids)


def user_for_admin(membership: Membership, pk: int) -> User | None:
    return users_visible_to(membership).filter(pk=pk).first()


def memberships_of(membership: Membership, user: User) -> QuerySet[Membership]:
    """The roles of `user` that the acting admin may see and change."""
    qs = (
        Membership.objects.filter(user=user)
        .select_related("organisation", "alliance")
        .prefetch_related("teams")
    )
    if membership.role == Role.ORG_ADMIN:
        return qs.filter(organisation=membership.organisation)
    if membership.role == Role.ALLIANCE_ADMIN:
        return qs.filter(
            Q(alliance_id=membership.alliance_id)
            | Q(organisation__alliance_id=membership.alliance_id, role=Role.ORG_ADMIN)
        )
    return qs.none()


def tokens_of(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).select_related("membership", "membership__organisation")


def audit_events_visible_to(membership: Membership | None) -> QuerySet[AuditEvent]:
    """The audit events an admin may read: their organisation's (or their alliance's organisations')."""
    if membership is None:
        return AuditEvent.objects.none()
    if membership.role == Role.ORG_ADMIN:
        # The organisation's events, and events by its own users that carry no organisation (sign-ins).
        org_users = User.objects.filter(memberships__organisation=membership.organisation).values("pk")
        return AuditEvent.objects.filter(
            Q(organisation_id=membership.organisation_id)
            | Q(organisation__isnull=True, actor_id__in=org_users)
        )
    if membership.role == Role.ALLIANCE_ADMIN:
        return AuditEvent.objects.filter(organisation__alliance=membership.alliance)
    return AuditEvent.objects.none()

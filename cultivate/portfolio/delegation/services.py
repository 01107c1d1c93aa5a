"""Services of the delegation register: the check (which records its answer in the audit log) and the writes
to protocols (each audited). Access is the caller's to check."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cultivate.accounts.models import Membership, User
from cultivate.core import rows
from cultivate.core.audit import AuditContext, audit, audit_event
from cultivate.core.models import AuditEvent
from cultivate.frameworks.models import Competence, NodeType, VersionStatus
from cultivate.organisations.models import Organisation, Person, SupportRole, Team, TeamSetting
from cultivate.portfolio.audit_actions import PortfolioAction

from ..models import DelegationProtocol, ProtocolRequirement
from ..status import statuses
from .decision import BAND_ORDER, DelegationDecision, ProtocolRules, decide
from .reads import competences_available_to, posts_by_person, protocol_rules
from .savings import savings_clean


def delegation_check(
    *,
    membership: Membership | None,
    person: Person,
    protocol: DelegationProtocol,
    team: Team,
    on: dt.date | None = None,
    ctx: AuditContext | None = None,
    channel: str = "page",
    rules: ProtocolRules | None = None,
) -> DelegationDecision:
    """May `person` carry out `protocol`'s activity in `team` on `on` (default today)? Yes, or no with every
    reason. The answer, its reasons and the sign-offs it relied on are recorded in the audit log.

    Access is the caller's to check (`access.may(membership, "check_delegation", person)`). A fixed number
    of queries and one insert, whatever the protocol: its rules (`reads.protocol_rules`; none when `rules` are
    given, as `reads.rules_for_check` reads them with the protocol), the posts, then the queries of
    `status.statuses`."""
    on = on or timezone.localdate()
    if rules is None:
        (rules,) = protocol_rules([protocol])
    assert rules.protocol is protocol, "rules of another protocol"
    posts, role_names = posts_by_person([person.pk], on)
    competences = [r.competence for r in rules.requirements]
    # Requirements usually point at published rows (the version comes with them): then `statuses` need not
    # look the published rows up again.
    published = all(c.version.status == VersionStatus.PUBLISHED for c in competences)
    status_of = statuses([person.pk], competences, on=on, published=published) if competences else {}
    decision = decide(
        rules,
        person_id=person.pk,
        person_organisation_id=person.organisation_id,
        team=team,
        on=on,
        posts=posts.get(person.pk, []),
        status_of=status_of,
        role_names=role_names,
        person=person,
    )
    decision.audit_event = _audit_check(
        ctx=ctx,
        actor=membership.user if membership is not None else None,
        obj=person,
        organisation=protocol.organisation,
        channel=channel,
        person_id=person.pk,
        staff_id=person.staff_id,
        protocol_id=protocol.pk,
        protocol=protocol.code,
        team_id=team.pk,
        team=team.name,
        date=on.isoformat(),
        allowed=decision.allowed,
        reasons=[reason.as_audit() for reason in decision.reasons],
        relied_on=[reliance.as_audit() for reliance in decision.relied_on],
    )
    return decision


def _audit_check(
    *,
    ctx: AuditContext | None,
    actor: User | None,
    obj: Person,
    organisation: Organisation,
    **detail: Any,
) -> AuditEvent:
    """`audit(PortfolioAction.DELEGATION_CHECKED, ...)`: the same row (`audit_event`), written by one hand-written
    INSERT (`rows.insert`) instead of `save()`, which compiled it through the ORM on every check."""
    event = audit_event(
        PortfolioAction.DELEGATION_CHECKED,
        actor=actor,
        ctx=ctx,
        obj=obj,
        organisation=organisation,
        **detail,
    )
    rows.insert(event)
    return event


_PROTOCOL_FIELDS = (
    "code",
    "activity",
    "description",
    "team_settings",
    "min_band",
    "supervision",
    "delegating_role",
    "is_active",
    "savings",
)


def _check_protocol(protocol: DelegationProtocol) -> None:
    errors: dict[str, list[str]] = defaultdict(list)
    valid_settings = {value for value, _ in TeamSetting.choices}
    if not isinstance(protocol.team_settings, list) or not set(protocol.team_settings) <= valid_settings:
        errors["team_settings"].append("Choose settings from the list.")
    if protocol.min_band and protocol.min_band not in BAND_ORDER:
        errors["min_band"].append("Choose an Agenda for Change band.")
    if not protocol.delegating_role.strip():
        errors["delegating_role"].append("Say which registered role delegates and stays accountable.")
    if errors:
        raise ValidationError(dict(errors))


def protocol_create(
    *,
    organisation: Organisation,
    actor: User | None,
    code: str,
    activity: str,
    delegating_role: str,
    description: str = "",
    team_settings: Sequence[str] = (),
    roles: Iterable[SupportRole] = (),
    min_band: str = "",
    supervision: str = "",
    is_active: bool = True,
    savings: dict[str, Any] | None = None,
    ctx: AuditContext | None = None,
) -> DelegationProtocol:
    protocol = DelegationProtocol(
        organisation=organisation,
        code=code.strip().lower(),
        activity=activity.strip(),
        description=description.strip(),
        team_settings=sorted(set(team_settings)),
        min_band=min_band,
        supervision=supervision.strip(),
        delegating_role=delegating_role.strip(),
        is_active=is_active,
        savings=savings_clean(savings),
        created_by=actor,
    )
    _check_protocol(protocol)
    protocol.full_clean()
    role_list = list(roles)
    with transaction.atomic():
        protocol.save()
        protocol.roles.set(role_list)
    audit(
        PortfolioAction.PROTOCOL_CHANGED,
        ctx=ctx,
        actor=actor,
        obj=protocol,
        organisation=organisation,
        change="created",
        code=protocol.code,
        roles=sorted(r.name for r in role_list),
    )
    return protocol


def protocol_update(
    *,
    protocol: DelegationProtocol,
    actor: User | None,
    code: str,
    activity: str,
    delegating_role: str,
    description: str = "",
    team_settings: Sequence[str] = (),
    roles: Iterable[SupportRole] = (),
    min_band: str = "",
    supervision: str = "",
    is_active: bool = True,
    savings: dict[str, Any] | None = None,
    ctx: AuditContext | None = None,
) -> DelegationProtocol:
    new_values: dict[str, Any] = {
        "code": code.strip().lower(),
        "activity": activity.strip(),
        "description": description.strip(),
        "team_settings": sorted(set(team_settings)),
        "min_band": min_band,
        "supervision": supervision.strip(),
        "delegating_role": delegating_role.strip(),
        "is_active": is_active,
        "savings": savings_clean(savings),
    }
    changes: dict[str, Any] = {}
    for name in _PROTOCOL_FIELDS:
        old = getattr(protocol, name)
        if old != new_values[name]:
            changes[name] = {"from": old, "to": new_values[name]}
            setattr(protocol, name, new_values[name])
    role_list = list(roles)
    old_roles = sorted(r.name for r in protocol.roles.all())
    new_roles = sorted(r.name for r in role_list)
    if old_roles != new_roles:
        changes["roles"] = {"from": old_roles, "to": new_roles}
    if not changes:
        return protocol
    _check_protocol(protocol)
    protocol.full_clean()
    with transaction.atomic():
        protocol.save()
        if "roles" in changes:
            protocol.roles.set(role_list)
    audit(
        PortfolioAction.PROTOCOL_CHANGED,
        ctx=ctx,
        actor=actor,
        obj=protocol,
        organisation=protocol.organisation,
        change="updated",
        code=protocol.code,
        changes=changes,
    )
    return protocol


def protocol_requirement_set(
    *,
    protocol: DelegationProtocol,
    competence: Competence,
    min_level: str,
    actor: User | None,
    ctx: AuditContext | None = None,
) -> ProtocolRequirement:
    """Require a competence at a minimum level (or change the level of one already required)."""
    if competence.node_type != NodeType.COMPETENCE:
        raise ValidationError({"competence": "Choose a competence, not a domain."})
    if not competences_available_to(protocol.organisation).filter(pk=competence.pk).exists():
        raise ValidationError(
            {"competence": "Choose a competence from a published framework your organisation uses."}
        )
    framework = competence.framework
    if not framework.level_rank(min_level):
        labels = ", ".join(level["label"] for level in framework.level_list)
        raise ValidationError({"min_level": f"{framework.title} has these levels: {labels}."})
    if competence.levels and min_level not in competence.levels:
        labels = ", ".join(framework.level_label(code) for code in competence.levels)
        raise ValidationError({"min_level": f"This competence is signed off at: {labels}."})
    requirement = ProtocolRequirement.objects.filter(
        protocol=protocol,
        competence__framework=competence.framework,
        competence__identifier=competence.identifier,
    ).first()
    before = requirement.min_level if requirement else None
    if requirement is None:
        requirement = ProtocolRequirement(protocol=protocol, competence=competence, min_level=min_level)
    else:
        requirement.competence = competence
        requirement.min_level = min_level
    requirement.full_clean()
    requirement.save()
    audit(
        PortfolioAction.PROTOCOL_CHANGED,
        ctx=ctx,
        actor=actor,
        obj=protocol,
        organisation=protocol.organisation,
        change="requirement_set",
        code=protocol.code,
        competence_id=competence.pk,
        competence=str(competence)[:200],
        min_level={"from": before, "to": min_level},
    )
    return requirement


def protocol_requirement_remove(
    *, requirement: ProtocolRequirement, actor: User | None, ctx: AuditContext | None = None
) -> None:
    protocol = requirement.protocol
    competence = requirement.competence
    requirement.delete()
    audit(
        PortfolioAction.PROTOCOL_CHANGED,
        ctx=ctx,
        actor=actor,
        obj=protocol,
        organisation=protocol.organisation,
        change="requirement_removed",
        code=protocol.code,
        competence_id=competence.pk,
        competence=str(competence)[:200],
        min_level=requirement.min_level,
    )

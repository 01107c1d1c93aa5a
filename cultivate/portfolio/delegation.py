"""The delegation register: protocols (when a support worker may carry out a clinical activity that a
registered professional delegates), the check "may this worker carry out this activity in this team today?",
the team's view of who may do what, and the savings model.

One pure function (`_evaluate`) decides, fed by batch reads: a single check, a team's grid and an
organisation's count of authorised workers give the same answer from the same records, each at a fixed number
of queries whatever the number of people, protocols and competences. Services write (and audit); selectors
read, scoped by the acting membership."""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Exists, ManyToManyField, Model, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from cultivate.accounts.models import Membership, User
from cultivate.core import rows
from cultivate.core.audit import AuditContext, audit, audit_event
from cultivate.core.models import AuditEvent
from cultivate.frameworks.models import Competence, Framework, FrameworkVersion, NodeType, VersionStatus
from cultivate.organisations import access as org_access
from cultivate.organisations.models import (
    AfcBand,
    EmploymentSpell,
    Organisation,
    Person,
    SupportRole,
    Team,
    TeamSetting,
)
from cultivate.portfolio.audit_actions import PortfolioAction

from .models import DelegationProtocol, ProtocolRequirement
from .status import EXPIRING_SOON_DAYS, VERSION_DOCUMENTS, CompetenceStatus, State, statuses

# Agenda for Change bands, lowest first. "Not on Agenda for Change" has no place in the order.
BAND_ORDER: tuple[str, ...] = ("1", "2", "3", "4", "5", "6", "7", "8a", "8b", "8c", "8d", "9")
BAND_CHOICES = [(band, label) for band, label in AfcBand.choices if band in BAND_ORDER]

# Past this many people in scope, the check page asks for a staff ID instead of offering a list.
PERSON_CHOICES_MAX = 400
LAPSING_DAYS = EXPIRING_SOON_DAYS


def band_rank(band: str) -> int:
    """1 for band 1 … 12 for band 9; 0 for a band outside Agenda for Change or not recorded."""
    return BAND_ORDER.index(band) + 1 if band in BAND_ORDER else 0


def band_label(band: str) -> str:
    return str(dict(AfcBand.choices).get(band, band or "not recorded"))


# --- The decision -------------------------------------------------------------------------------------


class ReasonCode:
    """Why the answer is no. Stable codes (clients of the API switch on them) with labels for people."""

    INACTIVE_PROTOCOL = "inactive_protocol"
    OTHER_ORGANISATION = "other_organisation"
    NOT_IN_TEAM = "not_in_team"
    WRONG_SETTING = "wrong_setting"
    WRONG_ROLE = "wrong_role"
    BAND_TOO_LOW = "band_too_low"
    MISSING = "missing"
    BELOW_LEVEL = "below_level"
    EXPIRED = "expired"
    REASSESS = "reassess"

    LABELS = {
        INACTIVE_PROTOCOL: "Protocol not in use",
        OTHER_ORGANISATION: "Another organisation's protocol",
        NOT_IN_TEAM: "Not working in this team",
        WRONG_SETTING: "Setting not covered",
        WRONG_ROLE: "Role not covered",
        BAND_TOO_LOW: "Band too low",
        MISSING: "Competence not signed off",
        BELOW_LEVEL: "Signed off below the level needed",
        EXPIRED: "Sign-off expired",
        REASSESS: "Reassessment needed",
    }
    ALL = tuple(LABELS)


@dataclass(frozen=True)
class CompetenceRef:
    id: int
    identifier: str
    code: str
    title: str
    framework: str

    @property
    def name(self) -> str:
        return f"{self.code} {self.title}".strip()

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "identifier": self.identifier,
            "code": self.code,
            "title": self.title,
            "framework": self.framework,
        }


@dataclass(frozen=True)
class Reason:
    code: str
    message: str
    competence: CompetenceRef | None = None
    required_level: str = ""
    held_level: str = ""
    date: dt.date | None = None

    @property
    def label(self) -> str:
        return ReasonCode.LABELS.get(self.code, self.code)

    def as_audit(self) -> dict[str, Any]:
        row: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.competence is not None:
            row["competence_id"] = self.competence.id
        return row


@dataclass(frozen=True)
class Reliance:
    """A sign-off the answer relied on."""

    assessment_id: int
    competence: CompetenceRef
    level: str
    level_label: str
    required_level: str
    assessed_on: dt.date | None
    expires_on: dt.date | None
    assessor_name: str

    def as_audit(self) -> dict[str, Any]:
        return {
            "assessment_id": self.assessment_id,
            "competence_id": self.competence.id,
            "level": self.level,
            "assessed_on": self.assessed_on.isoformat() if self.assessed_on else None,
            "expires_on": self.expires_on.isoformat() if self.expires_on else None,
        }


@dataclass
class DelegationDecision:
    allowed: bool
    person_id: int
    protocol: DelegationProtocol
    team: Team
    on: dt.date
    reasons: list[Reason] = field(default_factory=list)
    relied_on: list[Reliance] = field(default_factory=list)
    # Supervision conditions, one a line, as the delegating professional reads them.
    conditions: list[str] = field(default_factory=list)
    person: Person | None = None
    audit_event: AuditEvent | None = None

    @property
    def answer(self) -> str:
        return "yes" if self.allowed else "no"

    @property
    def lapses_on(self) -> dt.date | None:
        """When the authorisation lapses as things stand: the earliest expiry among the relied-on sign-offs."""
        dates = [r.expires_on for r in self.relied_on if r.expires_on is not None]
        return min(dates) if dates else None


@dataclass(frozen=True)
class _Post:
    """An employment spell active on the day of the check."""

    team_id: int | None
    role_id: int | None
    band: str


@dataclass(frozen=True)
class _Requirement:
    competence: Competence
    ref: CompetenceRef
    min_level: str
    min_rank: int
    min_label: str
    framework: Framework


@dataclass(frozen=True)
class _ProtocolRules:
    """A protocol read once (from its prefetched requirements and roles) for many evaluations."""

    protocol: DelegationProtocol
    requirements: tuple[_Requirement, ...]
    role_ids: frozenset[int]
    role_names: tuple[str, ...]
    settings: frozenset[str]
    min_band_rank: int
    conditions: tuple[str, ...]


def competence_ref(competence: Competence) -> CompetenceRef:
    return CompetenceRef(
        id=competence.pk,
        identifier=str(competence.identifier),
        code=competence.code,
        title=competence.label,
        framework=competence.framework.title,
    )


def supervision_lines(text: str) -> list[str]:
    return [line.strip().lstrip("-•* ").strip() for line in text.splitlines() if line.strip()]


def _build_requirements(rows: Iterable[ProtocolRequirement]) -> tuple[_Requirement, ...]:
    return tuple(_requirement(requirement.competence, requirement.min_level) for requirement in rows)


def _requirement(competence: Competence, min_level: str) -> _Requirement:
    framework = competence.framework
    return _Requirement(
        competence=competence,
        ref=competence_ref(competence),
        min_level=min_level,
        min_rank=framework.level_rank(min_level),
        min_label=framework.level_label(min_level),
        framework=framework,
    )


def _rules(
    protocol: DelegationProtocol, requirements: tuple[_Requirement, ...] | None = None
) -> _ProtocolRules:
    if requirements is None:
        requirements = _build_requirements(protocol.requirements.all())
    return _rules_of(protocol, requirements, [(role.pk, role.name) for role in protocol.roles.all()])


def _rules_of(
    protocol: DelegationProtocol, requirements: tuple[_Requirement, ...], roles: Iterable[tuple[int, str]]
) -> _ProtocolRules:
    roles = list(roles)
    return _ProtocolRules(
        protocol=protocol,
        requirements=requirements,
        role_ids=frozenset(pk for pk, _ in roles),
        role_names=tuple(sorted(name for _, name in roles)),
        settings=frozenset(protocol.team_settings or []),
        min_band_rank=band_rank(protocol.min_band),
        conditions=tuple(supervision_lines(protocol.supervision)),
    )


# What a single check reads of its protocol's requirements, in one query of plain columns: loading whole rows of
# three joined models (and decoding their JSON) cost more than the rest of the check.
_CHECK_FIELDS = (
    "pk",
    "min_level",
    "competence_id",
    "competence__version_id",
    "competence__framework_id",
    "competence__identifier",
    "competence__code",
    "competence__title",
    "competence__short_title",
    "competence__content_hash",
    "competence__version__status",
    "competence__version__number",
    "competence__framework__title",
    "competence__framework__levels",
)

_M = TypeVar("_M", bound=Model)


def _loaded(model: type[_M], db: str, values: dict[str, Any]) -> _M:
    """An instance of `model` as loaded from `db` with only these fields (by attname); the others are
    deferred. `from_db` takes the values in the order of the model's fields."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    assert len(names) == len(values), f"not fields of {model.__name__}: {set(values) - set(names)}"
    return model.from_db(db, names, [values[name] for name in names])


def _requirements_for_check(protocol: DelegationProtocol) -> tuple[_Requirement, ...]:
    """The protocol's requirements, as `_build_requirements` makes them from prefetched rows, with the models
    built from the columns read: any other field is deferred, read from the database if asked for."""
    builder = _RequirementRows()
    for row in (
        ProtocolRequirement.objects.filter(protocol_id=protocol.pk)
        .order_by("competence__code", "pk")  # as `_protocol_requirements`
        .values_list(*_CHECK_FIELDS)
    ):
        builder.add(row)
    return builder.requirements()


class _RequirementRows:
    """Requirements made from rows of the `_CHECK_FIELDS` columns (values as a queryset gives them)."""

    def __init__(self) -> None:
        self.rows: list[_Requirement] = []
        self.frameworks: dict[int, Framework] = {}
        self.db = ProtocolRequirement.objects.db

    def add(self, row: Sequence[Any]) -> None:
        (
            _pk,
            min_level,
            competence_id,
            version_id,
            framework_id,
            identifier,
            code,
            title,
            short_title,
            content_hash,
            version_status,
            version_number,
            framework_title,
            framework_levels,
        ) = row
        db = self.db
        framework = self.frameworks.get(framework_id)
        if framework is None:
            framework = self.frameworks[framework_id] = _loaded(
                Framework, db, {"id": framework_id, "title": framework_title, "levels": framework_levels}
            )
        competence = _loaded(
            Competence,
            db,
            {
                "id": competence_id,
                "version_id": version_id,
                "framework_id": framework_id,
                "identifier": identifier,
                "code": code,
                "title": title,
                "short_title": short_title,
                "content_hash": content_hash,
            },
        )
        competence.version = _loaded(
            FrameworkVersion,
            db,
            {
                "id": version_id,
                "framework_id": framework_id,
                "status": version_status,
                "number": version_number,
            },
        )
        competence.framework = framework
        # What `_build_requirements` makes of the requirement row; the row itself is not needed.
        self.rows.append(_requirement(competence, min_level))

    def requirements(self) -> tuple[_Requirement, ...]:
        return tuple(self.rows)


def _fmt(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _evaluate(
    rules: _ProtocolRules,
    *,
    person_id: int,
    person_organisation_id: int,
    team: Team,
    on: dt.date,
    posts: Sequence[_Post],
    status_of: dict[tuple[int, int], CompetenceStatus],
    role_names: dict[int, str],
) -> tuple[list[Reason], list[Reliance]]:
    """Every reason the answer is no (none: yes) and the sign-offs a yes relies on."""
    protocol = rules.protocol
    reasons: list[Reason] = []
    if not protocol.is_active:
        reasons.append(Reason(ReasonCode.INACTIVE_PROTOCOL, "This protocol is not in use."))
    if protocol.organisation_id != person_organisation_id:
        reasons.append(
            Reason(ReasonCode.OTHER_ORGANISATION, "This protocol belongs to another organisation.")
        )
    in_team = [post for post in posts if post.team_id == team.pk]
    if not in_team:
        reasons.append(
            Reason(
                ReasonCode.NOT_IN_TEAM,
                f"No post in {team.name} on {_fmt(on)}."
                if posts
                else f"No post in the organisation on {_fmt(on)}.",
            )
        )
    if rules.settings and team.setting not in rules.settings:
        covered = ", ".join(
            sorted(str(label).lower() for value, label in TeamSetting.choices if value in rules.settings)
        )
        reasons.append(
            Reason(
                ReasonCode.WRONG_SETTING,
                f"The setting of {team.name} is {team.get_setting_display().lower()}; the protocol covers "
                f"{covered} only.",
            )
        )
    # Role and band are read from the posts in this team; with none there, from any post held that day.
    candidates = in_team or list(posts)
    if rules.role_ids and candidates:
        fitting = [post for post in candidates if post.role_id in rules.role_ids]
        if not fitting:
            held = sorted({role_names.get(p.role_id, "") for p in candidates if p.role_id} - {""})
            reasons.append(
                Reason(
                    ReasonCode.WRONG_ROLE,
                    (
                        f"Their role ({', '.join(held)})"
                        if held
                        else "Their post, not matched to a support role,"
                    )
                    + f" is not one the protocol covers ({', '.join(rules.role_names)}).",
                )
            )
        else:
            candidates = fitting
    if rules.min_band_rank and candidates:
        best = max(candidates, key=lambda p: band_rank(p.band))
        if band_rank(best.band) < rules.min_band_rank:
            reasons.append(
                Reason(
                    ReasonCode.BAND_TOO_LOW,
                    f"{band_label(best.band)}; the protocol needs {band_label(protocol.min_band).lower()} "
                    "or above.",
                    required_level=protocol.min_band,
                    held_level=best.band,
                )
            )
    relied_on: list[Reliance] = []
    for requirement in rules.requirements:
        status = status_of.get((person_id, requirement.competence.pk))
        reason = _competence_reason(requirement, status)
        if reason is not None:
            reasons.append(reason)
        elif status is not None and status.assessment_id is not None:
            relied_on.append(
                Reliance(
                    assessment_id=status.assessment_id,
                    competence=requirement.ref,
                    level=status.level,
                    level_label=requirement.framework.level_label(status.level),
                    required_level=requirement.min_level,
                    assessed_on=status.assessed_on,
                    expires_on=status.expires_on,
                    assessor_name=status.assessor_name,
                )
            )
    return reasons, relied_on


def _competence_reason(requirement: _Requirement, status: CompetenceStatus | None) -> Reason | None:
    name = requirement.ref.name
    needs = requirement.min_label
    common: dict[str, Any] = {"competence": requirement.ref, "required_level": requirement.min_level}
    if status is None or status.state in {State.NOT_STARTED, State.IN_PROGRESS, State.AWAITING}:
        doing = {
            State.IN_PROGRESS: " (evidence started)",
            State.AWAITING: " (awaiting sign-off)",
        }.get(status.state if status else State.NOT_STARTED, "")
        return Reason(ReasonCode.MISSING, f"{name}: not signed off{doing}; needs {needs}.", **common)
    if status.state == State.EXPIRED:
        assert status.expires_on is not None
        return Reason(
            ReasonCode.EXPIRED,
            f"{name}: the sign-off expired on {_fmt(status.expires_on)}; needs reassessing at {needs}.",
            held_level=status.level,
            date=status.expires_on,
            **common,
        )
    if status.state == State.REASSESS:
        return Reason(
            ReasonCode.REASSESS,
            f"{name}: the competence has changed since it was signed off; needs reassessing at {needs}.",
            held_level=status.level,
            date=status.assessed_on,
            **common,
        )
    if status.level_rank < requirement.min_rank:
        held = requirement.framework.level_label(status.level)
        return Reason(
            ReasonCode.BELOW_LEVEL,
            f"{name}: signed off at {held}; the protocol needs {needs}.",
            held_level=status.level,
            date=status.assessed_on,
            **common,
        )
    return None


def _decide(
    rules: _ProtocolRules,
    *,
    person_id: int,
    person_organisation_id: int,
    team: Team,
    on: dt.date,
    posts: Sequence[_Post],
    status_of: dict[tuple[int, int], CompetenceStatus],
    role_names: dict[int, str],
    person: Person | None = None,
) -> DelegationDecision:
    reasons, relied_on = _evaluate(
        rules,
        person_id=person_id,
        person_organisation_id=person_organisation_id,
        team=team,
        on=on,
        posts=posts,
        status_of=status_of,
        role_names=role_names,
    )
    return DelegationDecision(
        allowed=not reasons,
        person_id=person_id,
        protocol=rules.protocol,
        team=team,
        on=on,
        reasons=reasons,
        relied_on=relied_on if not reasons else [],
        conditions=list(rules.conditions),
        person=person,
    )


# --- Selectors ----------------------------------------------------------------------------------------


def _protocol_requirements() -> QuerySet[ProtocolRequirement]:
    return (
        ProtocolRequirement.objects.select_related(
            "competence", "competence__framework", "competence__version"
        )
        .defer(*(f"competence__{name}" for name in VERSION_DOCUMENTS))  # the version's CASE document etc.
        .order_by("competence__code", "pk")
    )


def _protocols() -> QuerySet[DelegationProtocol]:
    return DelegationProtocol.objects.select_related("organisation").prefetch_related(
        Prefetch("requirements", queryset=_protocol_requirements()),
        Prefetch("roles", queryset=SupportRole.objects.order_by("name")),
    )


def protocols_visible_to(membership: Membership | None) -> QuerySet[DelegationProtocol]:
    """The protocols of the role's organisation (every member may read them); none for alliance roles."""
    if membership is None or membership.organisation_id is None:
        return DelegationProtocol.objects.none()
    return _protocols().filter(organisation_id=membership.organisation_id).order_by("activity", "code")


def protocol_by_id(pk: int) -> DelegationProtocol | None:
    """The protocol, whether or not visible; callers check access and audit refusals."""
    return _protocols().filter(pk=pk).first()


def protocol_by_code(organisation: Organisation, code: str) -> DelegationProtocol | None:
    # The code is unique in the organisation: no ordering (the default one joins the organisation).
    found = _protocols().filter(organisation=organisation, code=code.strip().lower()).order_by()[:1]
    return next(iter(found), None)


def protocol_for_check(organisation: Organisation, code: str) -> DelegationProtocol | None:
    """The protocol alone (`delegation_check` reads its requirements itself, see `_requirements_for_check`).
    The API's check uses `rules_for_check`, which reads the protocol with its requirements and roles at once."""
    found = DelegationProtocol.objects.filter(
        organisation=organisation, code=code.strip().lower()
    ).order_by()[:1]
    protocol = next(iter(found), None)
    if protocol is not None:
        protocol.organisation = organisation  # the same row: saves reading it again for the audit event
    return protocol


def _rules_for_check_sql() -> str:
    """A protocol of an organisation (by code) with its requirements (the `_CHECK_FIELDS` columns) and its
    roles: one row per requirement × role, NULLs where it has none."""
    p, r, c, v, f, s = "p", "r", "c", "v", "f", "s"
    col = rows.column
    roles = DelegationProtocol._meta.get_field("roles")
    assert isinstance(roles, ManyToManyField)
    link = rows.quote(roles.m2m_db_table())
    return (
        f"SELECT {rows.select_list(DelegationProtocol, p)}, "  # noqa: S608
        f"{col(ProtocolRequirement, 'id', r)}, {col(ProtocolRequirement, 'min_level', r)}, "
        f"{col(ProtocolRequirement, 'competence', r)}, {col(Competence, 'version', c)}, "
        f"{col(Competence, 'framework', c)}, {col(Competence, 'identifier', c)}, {col(Competence, 'code', c)}, "
        f"{col(Competence, 'title', c)}, {col(Competence, 'short_title', c)}, "
        f"{col(Competence, 'content_hash', c)}, {col(FrameworkVersion, 'status', v)}, "
        f"{col(FrameworkVersion, 'number', v)}, {col(Framework, 'title', f)}, {col(Framework, 'levels', f)}, "
        f"{col(SupportRole, 'id', s)}, {col(SupportRole, 'name', s)} "
        f"FROM {rows.table(DelegationProtocol)} {rows.quote(p)} "
        f"LEFT OUTER JOIN {rows.table(ProtocolRequirement)} {rows.quote(r)} "
        f"ON {col(ProtocolRequirement, 'protocol', r)} = {col(DelegationProtocol, 'id', p)} "
        f"LEFT OUTER JOIN {rows.table(Competence)} {rows.quote(c)} "
        f"ON {col(Competence, 'id', c)} = {col(ProtocolRequirement, 'competence', r)} "
        f"LEFT OUTER JOIN {rows.table(FrameworkVersion)} {rows.quote(v)} "
        f"ON {col(FrameworkVersion, 'id', v)} = {col(Competence, 'version', c)} "
        f"LEFT OUTER JOIN {rows.table(Framework)} {rows.quote(f)} "
        f"ON {col(Framework, 'id', f)} = {col(Competence, 'framework', c)} "
        f"LEFT OUTER JOIN {link} ON {link}.{rows.quote(roles.m2m_column_name())} = {col(DelegationProtocol, 'id', p)} "
        f"LEFT OUTER JOIN {rows.table(SupportRole)} {rows.quote(s)} "
        f"ON {col(SupportRole, 'id', s)} = {link}.{rows.quote(roles.m2m_reverse_name())} "
        f"WHERE {col(DelegationProtocol, 'organisation', p)} = %s AND {col(DelegationProtocol, 'code', p)} = %s "
        # As `_protocol_requirements` orders the requirements.
        f"ORDER BY {col(Competence, 'code', c)}, {col(ProtocolRequirement, 'id', r)}, {col(SupportRole, 'id', s)}"
    )


def rules_for_check(organisation: Organisation, code: str) -> _ProtocolRules | None:
    """The protocol with this code in the organisation, read with its requirements and roles in one query, as
    `delegation_check` applies it (None when there is none). What `protocol_for_check` and
    `_requirements_for_check` read, and the roles, without building three queries through the ORM."""
    with connection.cursor() as cursor:
        cursor.execute(
            rows.statement("delegation_rules_for_check", _rules_for_check_sql),
            [organisation.pk, code.strip().lower()],
        )
        found = cursor.fetchall()
    if not found:
        return None
    protocol = rows.from_row(DelegationProtocol, found[0])
    assert protocol is not None
    protocol.organisation = organisation  # the same row: saves reading it again for the audit event
    at = rows.width(DelegationProtocol)
    identifier = rows.converter(Competence, "identifier")
    levels = rows.converter(Framework, "levels")
    builder = _RequirementRows()
    seen: set[int] = set()
    roles: dict[int, str] = {}
    for row in found:
        requirement = row[at : at + len(_CHECK_FIELDS)]
        if requirement[0] is not None and requirement[0] not in seen:
            seen.add(requirement[0])
            builder.add(
                [*requirement[:5], identifier(requirement[5]), *requirement[6:13], levels(requirement[13])]
            )
        role_id, role_name = row[at + len(_CHECK_FIELDS) :]
        if role_id is not None:
            roles[role_id] = role_name
    return _rules_of(protocol, builder.requirements(), roles.items())


def requirement_by_id(protocol: DelegationProtocol, pk: int) -> ProtocolRequirement | None:
    return next((r for r in protocol.requirements.all() if r.pk == pk), None)


def frameworks_available_to(organisation: Organisation) -> QuerySet[Framework]:
    """Frameworks the organisation may draw competences from: its own, its alliance's, the ones it adopted and
    the reference frameworks, each with a published version."""
    owned = (
        Q(owner_organisation=organisation) | Q(is_reference=True) | Q(adoptions__organisation=organisation)
    )
    if organisation.alliance_id:
        owned |= Q(owner_alliance_id=organisation.alliance_id)
    return (
        Framework.objects.filter(owned, versions__status=VersionStatus.PUBLISHED)
        .distinct()
        .order_by("title", "pk")
    )


def competences_available_to(organisation: Organisation) -> QuerySet[Competence]:
    """Competences (published rows) a protocol of the organisation may require."""
    return (
        Competence.objects.filter(
            framework__in=frameworks_available_to(organisation).values("pk"),
            version__status=VersionStatus.PUBLISHED,
            node_type=NodeType.COMPETENCE,
        )
        .select_related("framework")
        .order_by("framework__title", "code", "sequence", "pk")
    )


def competence_for_protocol(organisation: Organisation, pk: int) -> Competence | None:
    return competences_available_to(organisation).filter(pk=pk).first()


def level_choices(organisation: Organisation) -> list[tuple[str, str]]:
    """Every level code used by the frameworks available to the organisation, lowest first."""
    seen: dict[str, str] = {}
    for framework in frameworks_available_to(organisation):
        for level in framework.level_list:
            seen.setdefault(level["code"], level["label"])
    return list(seen.items())


def teams_for_check(organisation: Organisation) -> QuerySet[Team]:
    return Team.objects.filter(organisation=organisation).order_by("name")


def _team_sql() -> str:
    return (
        f"SELECT {rows.select_list(Team)} FROM {rows.table(Team)} "  # noqa: S608
        f"WHERE {rows.column(Team, 'organisation')} = %s AND {rows.column(Team, 'id')} = %s"
    )


def team_for_check(organisation: Organisation, *, team_id: int | None = None, name: str = "") -> Team | None:
    if team_id is not None:
        # Hand-written: the API's check asks for a team by id on every call.
        with connection.cursor() as cursor:
            cursor.execute(rows.statement("delegation_team", _team_sql), [organisation.pk, team_id])
            found = cursor.fetchone()
        return rows.from_row(Team, found) if found else None
    # Ordered by id: the model's default order joins the organisation for nothing.
    return Team.objects.filter(organisation=organisation, name__iexact=name.strip()).order_by("pk").first()


def organisation_by_code(ods_code: str) -> Organisation | None:
    """The organisation, whether or not visible; callers check access and audit refusals."""
    return Organisation.objects.filter(ods_code=ods_code.strip().upper()).first()


def _person_sql() -> str:
    return (
        f"SELECT {rows.select_list(Person)}, {rows.select_list(Organisation)} "  # noqa: S608
        f"FROM {rows.table(Person)} INNER JOIN {rows.table(Organisation)} "
        f"ON {rows.column(Organisation, 'id')} = {rows.column(Person, 'organisation')} "
        f"WHERE {rows.column(Person, 'id')} = %s"
    )


def person_for_check(pk: int) -> Person | None:
    """The person with their organisation, whether or not visible; callers check access and audit refusals.
    Hand-written: the API's check reads one on every call."""
    with connection.cursor() as cursor:
        cursor.execute(rows.statement("delegation_person", _person_sql), [pk])
        found = cursor.fetchone()
    if found is None:
        return None
    person, organisation = rows.split(found, (Person, Organisation))
    person.organisation = organisation
    return person


def person_by_staff_id(organisation: Organisation, staff_id: str) -> Person | None:
    return (
        Person.objects.select_related("organisation")
        .filter(organisation=organisation, staff_id=staff_id.strip())
        .first()
    )


def people_for_check(membership: Membership | None, *, on: dt.date | None = None) -> list[Person] | None:
    """People in the role's scope who hold a post on the day, by name; None when there are more than
    PERSON_CHOICES_MAX (the page then asks for a staff ID)."""
    on = on or timezone.localdate()
    in_post = EmploymentSpell.objects.active_on(on).filter(person=OuterRef("pk"))
    people = list(
        Person.objects.filter(org_access.person_scope(membership))
        .filter(Exists(in_post))
        .order_by("family_name", "given_name", "staff_id")
        .only("pk", "given_name", "family_name", "staff_id", "organisation_id")[: PERSON_CHOICES_MAX + 1]
    )
    return None if len(people) > PERSON_CHOICES_MAX else people


# --- The check ------------------------------------------------------------------------------------------


def _posts_sql(people: int) -> str:
    spell = functools.partial(rows.column, EmploymentSpell)
    marks = ", ".join(["%s"] * people)
    return (
        f"SELECT {spell('person')}, {spell('team')}, {spell('role')}, {rows.column(SupportRole, 'name')}, "  # noqa: S608
        f"{spell('afc_band')} FROM {rows.table(EmploymentSpell)} LEFT OUTER JOIN {rows.table(SupportRole)} "
        f"ON {rows.column(SupportRole, 'id')} = {spell('role')} "
        # `EmploymentSpell.objects.active_on(on)`.
        f"WHERE ({spell('end_date')} IS NULL OR {spell('end_date')} >= %s) AND {spell('start_date')} <= %s "
        f"AND {spell('person')} IN ({marks}) "
        # The model's order (person, start) would join the person for their name: start date alone gives the
        # same order per person.
        f"ORDER BY {spell('start_date')}, {spell('id')}"
    )


def _posts_by_person(person_ids: Iterable[int], on: dt.date) -> tuple[dict[int, list[_Post]], dict[int, str]]:
    """Each person's posts on the day, and the names of their roles; hand-written (the API's check reads them
    on every call)."""
    people = list(person_ids)
    posts: dict[int, list[_Post]] = defaultdict(list)
    role_names: dict[int, str] = {}
    if not people:
        return posts, role_names
    day = connection.ops.adapt_datefield_value(on)
    with connection.cursor() as cursor:
        # The check's one person: written once and kept; other sizes written each time (not to fill the cache).
        if len(people) == 1:
            sql = rows.statement("delegation_posts_1", lambda: _posts_sql(1))
        else:
            sql = _posts_sql(len(people))
        cursor.execute(sql, [day, day, *people])
        found = cursor.fetchall()
    for person_id, team_id, role_id, role_name, band in found:
        posts[person_id].append(_Post(team_id=team_id, role_id=role_id, band=band))
        if role_id:
            role_names[role_id] = role_name
    return posts, role_names


def delegation_check(
    *,
    membership: Membership | None,
    person: Person,
    protocol: DelegationProtocol,
    team: Team,
    on: dt.date | None = None,
    ctx: AuditContext | None = None,
    channel: str = "page",
    rules: _ProtocolRules | None = None,
) -> DelegationDecision:
    """May `person` carry out `protocol`'s activity in `team` on `on` (default today)? Yes, or no with every
    reason. The answer, its reasons and the sign-offs it relied on are recorded in the audit log.

    Access is the caller's to check (`access.may(membership, "check_delegation", person)`). A fixed number
    of queries and one insert, whatever the protocol: its requirements (`_requirements_for_check`) and roles
    (none when prefetched, or when `rules` are given, as `rules_for_check` reads them with the protocol), the
    posts, then the queries of `status.statuses`."""
    on = on or timezone.localdate()
    if rules is None:
        rules = _rules(protocol, _requirements_for_check(protocol))
    assert rules.protocol is protocol, "rules of another protocol"
    posts, role_names = _posts_by_person([person.pk], on)
    competences = [r.competence for r in rules.requirements]
    # Requirements usually point at published rows (the version comes with them): then `statuses` need not
    # look the published rows up again.
    published = all(c.version.status == VersionStatus.PUBLISHED for c in competences)
    status_of = statuses([person.pk], competences, on=on, published=published) if competences else {}
    decision = _decide(
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


# --- The team's view: who may do what, and what lapses soon ------------------------------------------------


@dataclass(frozen=True)
class TeamMember:
    person: Person
    job_title: str
    band: str


@dataclass(frozen=True)
class Lapse:
    person: Person
    protocol: DelegationProtocol
    competence: CompetenceRef
    expires_on: dt.date
    assessment_id: int

    @property
    def days_left(self) -> int:
        return (self.expires_on - timezone.localdate()).days


@dataclass
class TeamDelegation:
    team: Team
    on: dt.date
    people: list[TeamMember]
    protocols: list[DelegationProtocol]
    # (person id, protocol id) → decision
    decisions: dict[tuple[int, int], DelegationDecision]
    lapsing: list[Lapse]
    lapsing_days: int = LAPSING_DAYS

    def decision(self, person_id: int, protocol_id: int) -> DelegationDecision:
        return self.decisions[(person_id, protocol_id)]

    def allowed_count(self, protocol_id: int) -> int:
        return sum(1 for m in self.people if self.decisions[(m.person.pk, protocol_id)].allowed)


def _team_posts(team: Team, on: dt.date) -> QuerySet[EmploymentSpell]:
    return (
        EmploymentSpell.objects.active_on(on)
        .filter(team=team)
        .select_related("person", "role")
        .order_by("person__family_name", "person__given_name", "person__staff_id", "person_id", "-start_date")
    )


def team_delegation(*, team: Team, on: dt.date | None = None) -> TeamDelegation:
    """Every person active in the team × every active protocol of its organisation, decided in one batch:
    one query for the team's posts, three for the protocols, four for all the statuses."""
    on = on or timezone.localdate()
    posts: dict[int, list[_Post]] = defaultdict(list)
    members: dict[int, TeamMember] = {}
    role_names: dict[int, str] = {}
    for spell in _team_posts(team, on):
        posts[spell.person_id].append(
            _Post(team_id=spell.team_id, role_id=spell.role_id, band=spell.afc_band)
        )
        if spell.role_id and spell.role is not None:
            role_names[spell.role_id] = spell.role.name
        members.setdefault(
            spell.person_id,
            TeamMember(person=spell.person, job_title=spell.job_title or spell.job_role, band=spell.afc_band),
        )
    protocols = list(_protocols().filter(organisation_id=team.organisation_id, is_active=True))
    all_rules = [_rules(p) for p in protocols]
    competences = list(
        {r.competence.pk: r.competence for rules in all_rules for r in rules.requirements}.values()
    )
    person_ids = list(members)
    status_of = statuses(person_ids, competences, on=on) if competences and person_ids else {}
    decisions: dict[tuple[int, int], DelegationDecision] = {}
    lapsing: list[Lapse] = []
    horizon = on + dt.timedelta(days=LAPSING_DAYS)
    for member in members.values():
        person = member.person
        for rules in all_rules:
            decision = _decide(
                rules,
                person_id=person.pk,
                person_organisation_id=person.organisation_id,
                team=team,
                on=on,
                posts=posts[person.pk],
                status_of=status_of,
                role_names=role_names,
                person=person,
            )
            decisions[(person.pk, rules.protocol.pk)] = decision
            for reliance in decision.relied_on:
                if reliance.expires_on is not None and reliance.expires_on <= horizon:
                    lapsing.append(
                        Lapse(
                            person=person,
                            protocol=rules.protocol,
                            competence=reliance.competence,
                            expires_on=reliance.expires_on,
                            assessment_id=reliance.assessment_id,
                        )
                    )
    lapsing.sort(key=lambda lapse: (lapse.expires_on, lapse.person.display_name, lapse.protocol.activity))
    return TeamDelegation(
        team=team,
        on=on,
        people=list(members.values()),
        protocols=protocols,
        decisions=decisions,
        lapsing=lapsing,
    )


@dataclass(frozen=True)
class Authorisations:
    """Who in an organisation may carry out a protocol's activity on a day (in at least one of their teams)."""

    people: int
    teams: int
    by_team: dict[int, int]


def protocol_authorisations(protocol: DelegationProtocol, *, on: dt.date | None = None) -> Authorisations:
    """Counted across the organisation in one batch (the posts, then the four status queries)."""
    on = on or timezone.localdate()
    rules = _rules(protocol)
    if not protocol.is_active:
        return Authorisations(people=0, teams=0, by_team={})
    spells = EmploymentSpell.objects.active_on(on).filter(
        person__organisation_id=protocol.organisation_id, team__isnull=False
    )
    if rules.settings:
        spells = spells.filter(team__setting__in=rules.settings)
    if rules.role_ids:
        spells = spells.filter(role_id__in=rules.role_ids)
    rows = list(spells.select_related("team"))
    posts: dict[int, list[_Post]] = defaultdict(list)
    teams: dict[int, Team] = {}
    for spell in rows:
        posts[spell.person_id].append(
            _Post(team_id=spell.team_id, role_id=spell.role_id, band=spell.afc_band)
        )
        assert spell.team is not None
        teams[spell.team.pk] = spell.team
    competences = [r.competence for r in rules.requirements]
    person_ids = list(posts)
    status_of = statuses(person_ids, competences, on=on) if competences and person_ids else {}
    allowed_people: set[int] = set()
    by_team: dict[int, int] = defaultdict(int)
    for person_id, held in posts.items():
        for team_id in {p.team_id for p in held if p.team_id is not None}:
            reasons, _ = _evaluate(
                rules,
                person_id=person_id,
                person_organisation_id=protocol.organisation_id,
                team=teams[team_id],
                on=on,
                posts=held,
                status_of=status_of,
                role_names={},
            )
            if not reasons:
                allowed_people.add(person_id)
                by_team[team_id] += 1
    return Authorisations(people=len(allowed_people), teams=len(by_team), by_team=dict(by_team))


# --- The savings model ------------------------------------------------------------------------------------

SAVINGS_KEYS: dict[str, str] = {
    "source": "Where the figures come from, as it should be cited (required when there are figures).",
    "source_url": "A link to the source (optional).",
    "unit": (
        "What one range is for: 'service' (one service of the organisation that delegates the activity: the "
        "range counts once when anyone is authorised), 'team' (each team with an authorised worker) or "
        "'worker' (each authorised worker)."
    ),
    "currency": "ISO 4217 code; 'GBP' if left out.",
    "first_year_low": "Lowest estimated saving in the first year (a number; includes the cost of training).",
    "first_year_high": "Highest estimated saving in the first year.",
    "later_year_low": "Lowest estimated saving in each later year (training already paid for).",
    "later_year_high": "Highest estimated saving in each later year.",
    "price_year": "The year the prices are from (optional); figures are shown as published, not inflated.",
    "note": "What the saving depends on, in plain words (optional).",
}
"""The keys of `DelegationProtocol.savings`, a JSON object; `{}` means the protocol has no savings model.
All four amounts are required together, low ≤ high, and none negative. `savings_clean` checks a value and
`savings_estimate` applies it. `LEEDS_DIABETES_SAVINGS` is the published example."""

SAVINGS_UNITS = {"service": "service", "team": "team", "worker": "authorised worker"}
SAVINGS_UNIT_CHOICES = [
    ("service", "One service (counted once when anyone is authorised)"),
    ("team", "Each team with an authorised worker"),
    ("worker", "Each authorised worker"),
]
_AMOUNTS = ("first_year_low", "first_year_high", "later_year_low", "later_year_high")

LEEDS_DIABETES_SAVINGS: dict[str, Any] = {
    "source": (
        "NHS Employers case study: NHS Leeds Community Healthcare, “Supporting and developing community support "
        "workers” (25 October 2010)"
    ),
    "unit": "service",
    "currency": "GBP",
    "first_year_low": 5294,
    "first_year_high": 12800,
    "later_year_low": 8500,
    "later_year_high": 16000,
    "price_year": 2010,
    "note": (
        "Support workers delivering diabetes care in place of a registered nurse, in the trust's district "
        "nursing service. The first year includes the cost of training the support workers. The saving depends "
        "on how many patients on the caseload need diabetes care and are suitable for delegation; the case "
        "study gives one range for the service, not a figure per worker or per patient."
    ),
}
"""The Leeds diabetes example (seed 001), in the `SAVINGS_KEYS` format, for the demo's diabetes protocols."""


def _amount(data: dict[str, Any], key: str, errors: list[str]) -> Decimal | None:
    value = data.get(key)
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        errors.append(f"{key} must be a number.")
        return None
    if not number.is_finite() or number < 0:
        errors.append(f"{key} must be a number of 0 or more.")
        return None
    return number


def savings_clean(data: dict[str, Any] | None) -> dict[str, Any]:
    """The savings inputs checked and normalised (amounts as plain numbers); ValidationError otherwise."""
    if not data:
        return {}
    if not isinstance(data, dict):
        raise ValidationError({"savings": "The savings model must be an object."})
    errors: list[str] = []
    unknown = sorted(set(data) - set(SAVINGS_KEYS))
    if unknown:
        errors.append(f"Unknown keys: {', '.join(unknown)}.")
    amounts = {key: _amount(data, key, errors) for key in _AMOUNTS}
    if any(v is None for v in amounts.values()) and not errors:
        errors.append("Give all four amounts: first year low and high, later years low and high.")
    unit = data.get("unit") or ""
    if unit not in SAVINGS_UNITS:
        errors.append("unit must be one of: service, team, worker.")
    source = str(data.get("source") or "").strip()
    if not source:
        errors.append("Say where the figures come from (source).")
    for low, high in (("first_year_low", "first_year_high"), ("later_year_low", "later_year_high")):
        a, b = amounts.get(low), amounts.get(high)
        if a is not None and b is not None and a > b:
            errors.append(f"{low} is more than {high}.")
    raw_year: Any = data.get("price_year")
    price_year: int | None = None
    if raw_year not in (None, ""):
        try:
            price_year = int(raw_year)
        except (TypeError, ValueError):
            errors.append("price_year must be a year.")
    if errors:
        raise ValidationError({"savings": errors})
    cleaned: dict[str, Any] = {
        "source": source,
        "unit": unit,
        "currency": str(data.get("currency") or "GBP").upper(),
    }
    for key, number in amounts.items():
        assert number is not None
        cleaned[key] = int(number) if number == number.to_integral_value() else float(number)
    for key in ("source_url", "note"):
        if str(data.get(key) or "").strip():
            cleaned[key] = str(data[key]).strip()
    if price_year is not None:
        cleaned["price_year"] = price_year
    return cleaned


@dataclass(frozen=True)
class SavingsEstimate:
    inputs: dict[str, Any]
    unit: str
    unit_label: str
    units: int
    authorised: Authorisations
    first_year: tuple[Decimal, Decimal]
    later_years: tuple[Decimal, Decimal]
    on: dt.date

    @property
    def source(self) -> str:
        return str(self.inputs.get("source", ""))

    @property
    def source_url(self) -> str:
        return str(self.inputs.get("source_url", ""))

    @property
    def note(self) -> str:
        return str(self.inputs.get("note", ""))

    @property
    def price_year(self) -> int | None:
        value = self.inputs.get("price_year")
        return int(value) if value else None

    @property
    def published_first_year(self) -> tuple[Decimal, Decimal]:
        return Decimal(str(self.inputs["first_year_low"])), Decimal(str(self.inputs["first_year_high"]))

    @property
    def published_later_years(self) -> tuple[Decimal, Decimal]:
        return Decimal(str(self.inputs["later_year_low"])), Decimal(str(self.inputs["later_year_high"]))


def savings_estimate(protocol: DelegationProtocol, *, on: dt.date | None = None) -> SavingsEstimate | None:
    """The protocol's published range applied to who is authorised today (None without a savings model).

    'service': the range once if anyone in the organisation is authorised (the source gives one figure for a
    service and nothing per worker); 'team': once per team with an authorised worker; 'worker': per worker."""
    if not protocol.savings:
        return None
    on = on or timezone.localdate()
    inputs = savings_clean(protocol.savings)
    authorised = protocol_authorisations(protocol, on=on)
    unit = inputs["unit"]
    units = {
        "service": 1 if authorised.people else 0,
        "team": authorised.teams,
        "worker": authorised.people,
    }[unit]
    first = (Decimal(str(inputs["first_year_low"])), Decimal(str(inputs["first_year_high"])))
    later = (Decimal(str(inputs["later_year_low"])), Decimal(str(inputs["later_year_high"])))
    return SavingsEstimate(
        inputs=inputs,
        unit=unit,
        unit_label=SAVINGS_UNITS[unit],
        units=units,
        authorised=authorised,
        first_year=(first[0] * units, first[1] * units),
        later_years=(later[0] * units, later[1] * units),
        on=on,
    )


# --- Services: writing protocols ----------------------------------------------------------------------------

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

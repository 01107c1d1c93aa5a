"""The delegation decision: its value types and the one pure function that decides.

`evaluate` answers "may this person carry out this protocol's activity in this team on this day?" from records
already read (the protocol's rules, the person's posts that day, their competence statuses); it reads nothing
itself. The single check, the team's grid and the organisation's count of authorised workers all call it, so
they give the same answer from the same records."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from cultivate.core.models import AuditEvent
from cultivate.frameworks.models import Competence, Framework
from cultivate.organisations.models import AfcBand, Person, Team, TeamSetting

from ..models import DelegationProtocol
from ..status import CompetenceStatus, State

# Agenda for Change bands, lowest first. "Not on Agenda for Change" has no place in the order.
BAND_ORDER: tuple[str, ...] = ("1", "2", "3", "4", "5", "6", "7", "8a", "8b", "8c", "8d", "9")
BAND_CHOICES = [(band, label) for band, label in AfcBand.choices if band in BAND_ORDER]


def band_rank(band: str) -> int:
    """1 for band 1 … 12 for band 9; 0 for a band outside Agenda for Change or not recorded."""
    return BAND_ORDER.index(band) + 1 if band in BAND_ORDER else 0


def band_label(band: str) -> str:
    return str(dict(AfcBand.choices).get(band, band or "not recorded"))


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
class Post:
    """An employment spell active on the day of the check: where, in which support role, at which band."""

    team_id: int | None
    role_id: int | None
    band: str


@dataclass(frozen=True)
class RequiredCompetence:
    """A competence a protocol requires, at its lowest level, with the rank and label of that level."""

    competence: Competence
    ref: CompetenceRef
    min_level: str
    min_rank: int
    min_label: str
    framework: Framework


@dataclass(frozen=True)
class ProtocolRules:
    """A protocol read once (`reads.protocol_rules` or `reads.rules_for_check`) for many evaluations."""

    protocol: DelegationProtocol
    requirements: tuple[RequiredCompetence, ...]
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


def required_competence(competence: Competence, min_level: str) -> RequiredCompetence:
    framework = competence.framework
    return RequiredCompetence(
        competence=competence,
        ref=competence_ref(competence),
        min_level=min_level,
        min_rank=framework.level_rank(min_level),
        min_label=framework.level_label(min_level),
        framework=framework,
    )


def rules_of(
    protocol: DelegationProtocol,
    requirements: Sequence[RequiredCompetence],
    roles: Iterable[tuple[int, str]],
) -> ProtocolRules:
    """The rules of a protocol from its requirements and its support roles (id, name)."""
    role_list = list(roles)
    return ProtocolRules(
        protocol=protocol,
        requirements=tuple(requirements),
        role_ids=frozenset(pk for pk, _ in role_list),
        role_names=tuple(sorted(name for _, name in role_list)),
        settings=frozenset(protocol.team_settings or []),
        min_band_rank=band_rank(protocol.min_band),
        conditions=tuple(supervision_lines(protocol.supervision)),
    )


def _fmt(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def evaluate(
    rules: ProtocolRules,
    *,
    person_id: int,
    person_organisation_id: int,
    team: Team,
    on: dt.date,
    posts: Sequence[Post],
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


def _competence_reason(requirement: RequiredCompetence, status: CompetenceStatus | None) -> Reason | None:
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


def decide(
    rules: ProtocolRules,
    *,
    person_id: int,
    person_organisation_id: int,
    team: Team,
    on: dt.date,
    posts: Sequence[Post],
    status_of: dict[tuple[int, int], CompetenceStatus],
    role_names: dict[int, str],
    person: Person | None = None,
) -> DelegationDecision:
    """`evaluate`'s answer as a decision: the reasons, the sign-offs relied on (with a yes) and the conditions."""
    reasons, relied_on = evaluate(
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

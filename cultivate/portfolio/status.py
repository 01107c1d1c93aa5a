"""Competence status, computed from the records (assessments, open requests, evidence), never stored.

Everything here works in batches with a fixed number of queries, whatever the number of people and
competences, so the team matrix and the delegation check cost the same for a team of 4 or of 40.

A requirement may point at a competence row of an older version; it is always read against the row in the
framework's published version with the same identifier. A sign-off counts while the content hash of the
competence it was given for equals the published row's (unchanged since), otherwise reassessment is needed."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone

from cultivate.frameworks.models import Competence, Framework, RoleRequirement, VersionStatus
from cultivate.organisations.models import ContractType, EmploymentSpell

from .models import Assessment, AssessmentKind, EvidenceLink, RequestStatus, SignOffRequest

EXPIRING_SOON_DAYS = 30


class State(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    AWAITING = "awaiting", "Awaiting sign-off"
    ACHIEVED = "achieved", "Achieved"
    EXPIRING = "expiring", "Expiring soon"
    EXPIRED = "expired", "Expired"
    REASSESS = "reassess", "Reassessment needed"


# States in which the competence counts as held (for delegation and for requirements met).
HELD_STATES = frozenset({State.ACHIEVED, State.EXPIRING})

Key = tuple[int, uuid.UUID]  # (framework id, competence identifier)


@dataclass(frozen=True)
class CompetenceStatus:
    state: State
    level: str = ""
    level_rank: int = 0
    assessed_on: dt.date | None = None
    expires_on: dt.date | None = None
    assessment_id: int | None = None
    assessor_name: str = ""
    reason: str = ""

    @property
    def is_held(self) -> bool:
        return self.state in HELD_STATES

    @property
    def label(self) -> str:
        return str(self.state.label)


NOT_STARTED = CompetenceStatus(State.NOT_STARTED)


def published_rows(competences: Iterable[Competence]) -> dict[Key, Competence]:
    """The published row for each (framework, identifier); one query. Keys with no published row are absent
    (the competence was removed, or its framework has no published version)."""
    keys = {(c.framework_id, c.identifier) for c in competences}
    if not keys:
        return {}
    by_framework: dict[int, set[uuid.UUID]] = defaultdict(set)
    for framework_id, identifier in keys:
        by_framework[framework_id].add(identifier)
    condition = Q()
    for framework_id, identifiers in by_framework.items():
        condition |= Q(framework_id=framework_id, identifier__in=identifiers)
    rows = Competence.objects.filter(condition, version__status=VersionStatus.PUBLISHED).select_related(
        "framework", "version"
    )
    return {(row.framework_id, row.identifier): row for row in rows}


def key_filter(prefix: str, keys: set[Key], *, identifier_field: str = "identifier") -> Q:
    """A filter matching rows whose (framework, identifier) is one of `keys`, through `prefix` (e.g.
    "competence__"); matches nothing when `keys` is empty."""
    by_framework: dict[int, set[uuid.UUID]] = defaultdict(set)
    for framework_id, identifier in keys:
        by_framework[framework_id].add(identifier)
    condition = Q(pk__in=[])
    for framework_id, identifiers in by_framework.items():
        condition |= Q(
            **{f"{prefix}framework_id": framework_id, f"{prefix}{identifier_field}__in": identifiers}
        )
    return condition


def _date(value: dt.date) -> str:
    return f"{value.day} {value:%B %Y}"


def statuses(
    person_ids: Sequence[int],
    competences: Sequence[Competence],
    *,
    on: dt.date | None = None,
    expiring_days: int = EXPIRING_SOON_DAYS,
) -> dict[tuple[int, int], CompetenceStatus]:
    """Status of each competence for each person on a day, keyed by (person id, competence pk as passed).
    Four queries whatever the sizes."""
    on = on or timezone.localdate()
    if not person_ids or not competences:
        return {}
    current = published_rows(competences)
    keys = {(c.framework_id, c.identifier) for c in competences}

    # Every record for these people and competences, whatever its date: a correction rewrites the record it
    # supersedes from the start (the original was wrong), so it hides it even on days before the correction's
    # own date; a withdrawal takes effect from its date. Withdrawals themselves never count as "the latest":
    # withdrawing one sign-off leaves any other standing one in place.
    assessments: list[dict[str, Any]] = [
        dict(row)
        for row in Assessment.objects.filter(
            key_filter("", keys, identifier_field="competence_identifier"), person_id__in=person_ids
        )
        .order_by("assessed_on", "pk")
        .values(
            "pk",
            "person_id",
            "framework_id",
            "competence_identifier",
            "content_hash",
            "kind",
            "level",
            "level_rank",
            "assessed_on",
            "expires_on",
            "assessor_name",
            "supersedes_id",
        )
    ]
    superseded = {
        a["supersedes_id"]
        for a in assessments
        if a["supersedes_id"] and (a["kind"] == AssessmentKind.CORRECTION or a["assessed_on"] <= on)
    }
    latest: dict[tuple[int, Key], dict[str, Any]] = {}
    for row in assessments:
        if row["pk"] in superseded or row["kind"] == AssessmentKind.WITHDRAWAL or row["assessed_on"] > on:
            continue
        # Ordered by date, so the last record standing is the one that counts.
        latest[(row["person_id"], (row["framework_id"], row["competence_identifier"]))] = row

    # Open requests make "awaiting sign-off"; a request returned with feedback means work in progress.
    requests: dict[tuple[int, Key], set[str]] = defaultdict(set)
    for person_id, framework_id, identifier, status in SignOffRequest.objects.filter(
        key_filter("competence__", keys),
        person_id__in=person_ids,
        status__in=[RequestStatus.OPEN, RequestStatus.RETURNED],
    ).values_list("person_id", "competence__framework_id", "competence__identifier", "status"):
        requests[(person_id, (framework_id, identifier))].add(status)
    with_evidence = {
        (person_id, (framework_id, identifier))
        for person_id, framework_id, identifier in EvidenceLink.objects.filter(
            key_filter("competence__", keys), evidence__person_id__in=person_ids
        ).values_list("evidence__person_id", "competence__framework_id", "competence__identifier")
    }

    result: dict[tuple[int, int], CompetenceStatus] = {}
    soon = on + dt.timedelta(days=expiring_days)
    for competence in competences:
        key = (competence.framework_id, competence.identifier)
        row_now = current.get(key)
        for person_id in person_ids:
            request_states = requests.get((person_id, key), set())
            result[(person_id, competence.pk)] = _status(
                latest.get((person_id, key)),
                row_now or competence,
                version_number=row_now.version.number if row_now is not None else None,
                awaiting=RequestStatus.OPEN in request_states,
                in_progress=(person_id, key) in with_evidence or RequestStatus.RETURNED in request_states,
                on=on,
                soon=soon,
            )
    return result


def _status(
    assessment: dict[str, Any] | None,
    row_now: Competence,
    *,
    version_number: int | None,
    awaiting: bool,
    in_progress: bool,
    on: dt.date,
    soon: dt.date,
) -> CompetenceStatus:
    lapsed: CompetenceStatus | None = None
    if assessment is not None and assessment["kind"] != AssessmentKind.WITHDRAWAL:
        details = {
            "level": str(assessment["level"]),
            "level_rank": int(assessment["level_rank"]),
            "assessed_on": assessment["assessed_on"],
            "expires_on": assessment["expires_on"],
            "assessment_id": int(assessment["pk"]),
            "assessor_name": str(assessment["assessor_name"]),
        }
        expires_on = assessment["expires_on"]
        if assessment["content_hash"] != row_now.content_hash:
            changed = f" in version {version_number}" if version_number else ""
            lapsed = CompetenceStatus(
                State.REASSESS,
                reason=f"The competence changed{changed} after this sign-off; it needs reassessing.",
                **details,
            )
        elif isinstance(expires_on, dt.date) and expires_on < on:
            lapsed = CompetenceStatus(
                State.EXPIRED,
                reason=f"Expired on {_date(expires_on)}.",
                **details,
            )
        elif isinstance(expires_on, dt.date) and expires_on <= soon:
            return CompetenceStatus(
                State.EXPIRING,
                reason=f"Expires on {_date(expires_on)}.",
                **details,
            )
        else:
            return CompetenceStatus(State.ACHIEVED, **details)
    if awaiting:
        return CompetenceStatus(State.AWAITING, reason=lapsed.reason if lapsed else "")
    if lapsed is not None:
        return lapsed
    if in_progress:
        return CompetenceStatus(State.IN_PROGRESS)
    return NOT_STARTED


@dataclass(frozen=True)
class Requirement:
    """A competence a person's role requires, read against the published version."""

    requirement: RoleRequirement
    competence: Competence
    min_level: str
    min_rank: int
    due_on: dt.date | None


def requirements_for(person_ids: Sequence[int], *, on: dt.date | None = None) -> dict[int, list[Requirement]]:
    """For each person, the competences their current role (and band) requires in their organisation, with
    the date each is due. A person with spells in two roles gets the union; where two requirements name the
    same competence, the higher level counts (the earlier due date breaks a tie). Bank spells count only for
    people with no other post (a substantive post's requirements are the ones that apply to them). Four
    queries whatever the number of people."""
    on = on or timezone.localdate()
    all_spells = list(
        EmploymentSpell.objects.active_on(on)
        .filter(person_id__in=person_ids, role__isnull=False)
        .values("person_id", "person__organisation_id", "role_id", "afc_band", "contract_type")
    )
    substantive = {s["person_id"] for s in all_spells if s["contract_type"] != ContractType.BANK}
    spells = [
        s for s in all_spells if s["contract_type"] != ContractType.BANK or s["person_id"] not in substantive
    ]
    if not spells:
        return {pid: [] for pid in person_ids}
    # When each person started in each role: the earliest spell in that role, for "within N days" due dates.
    started = {
        (row["person_id"], row["role_id"]): row["first"]
        for row in EmploymentSpell.objects.filter(person_id__in=person_ids, role__isnull=False)
        .values("person_id", "role_id")
        .annotate(first=models.Min("start_date"))
    }
    org_roles = {(s["person__organisation_id"], s["role_id"]) for s in spells}
    condition = Q(pk__in=[])
    for org_id, role_id in org_roles:
        condition |= Q(organisation_id=org_id, role_id=role_id)
    requirements = list(
        RoleRequirement.objects.filter(condition)
        .select_related("competence", "competence__framework")
        .order_by("pk")
    )
    current = published_rows([r.competence for r in requirements])
    by_org_role: dict[tuple[int, int], list[RoleRequirement]] = defaultdict(list)
    for requirement in requirements:
        by_org_role[(requirement.organisation_id, requirement.role_id)].append(requirement)

    chosen: dict[int, dict[Key, Requirement]] = defaultdict(dict)
    for spell in spells:
        person_id = spell["person_id"]
        for requirement in by_org_role.get((spell["person__organisation_id"], spell["role_id"]), []):
            if requirement.afc_band and requirement.afc_band != spell["afc_band"]:
                continue
            key = (requirement.competence.framework_id, requirement.competence.identifier)
            row = current.get(key)
            if row is None:
                continue
            start = started.get((person_id, spell["role_id"]))
            due = (
                start + dt.timedelta(days=requirement.within_days)
                if start and requirement.within_days
                else None
            )
            framework: Framework = row.framework
            candidate = Requirement(
                requirement=requirement,
                competence=row,
                min_level=requirement.min_level,
                min_rank=framework.level_rank(requirement.min_level),
                due_on=due,
            )
            held = chosen[person_id].get(key)
            if held is None or _stricter(candidate, held):
                chosen[person_id][key] = candidate
    result: dict[int, list[Requirement]] = {pid: [] for pid in person_ids}
    for person_id, by_key in chosen.items():
        result[person_id] = sorted(
            by_key.values(),
            key=lambda r: (r.competence.framework.title, r.competence.sequence, r.competence.pk),
        )
    return result


def _stricter(candidate: Requirement, held: Requirement) -> bool:
    if candidate.min_rank != held.min_rank:
        return candidate.min_rank > held.min_rank
    if candidate.due_on is None:
        return False
    return held.due_on is None or candidate.due_on < held.due_on

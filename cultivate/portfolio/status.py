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
from cultivate.organisations.models import EmploymentSpell

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


def _key_filter(prefix: str, keys: set[Key]) -> Q:
    by_framework: dict[int, set[uuid.UUID]] = defaultdict(set)
    for framework_id, identifier in keys:
        by_framework[framework_id].add(identifier)
    condition = Q(pk__in=[])
    for framework_id, identifiers in by_framework.items():
        condition |= Q(**{f"{prefix}framework_id": framework_id, f"{prefix}identifier__in": identifiers})
    return condition


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

    assessments: list[dict[str, Any]] = [
        dict(row)
        for row in Assessment.objects.filter(
            Q(framework_id__in={k[0] for k in keys}, competence_identifier__in={k[1] for k in keys}),
            person_id__in=person_ids,
            assessed_on__lte=on,
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
    superseded = {a["supersedes_id"] for a in assessments if a["supersedes_id"]}
    latest: dict[tuple[int, Key], dict[str, Any]] = {}
    for row in assessments:
        if row["pk"] in superseded:
            continue
        # Ordered by date, so the last record standing is the one that counts.
        latest[(row["person_id"], (row["framework_id"], row["competence_identifier"]))] = row

    open_requests = {
        (person_id, (framework_id, identifier))
        for person_id, framework_id, identifier in SignOffRequest.objects.filter(
            _key_filter("competence__", keys), person_id__in=person_ids, status=RequestStatus.OPEN
        ).values_list("person_id", "competence__framework_id", "competence__identifier")
    }
    with_evidence = {
        (person_id, (framework_id, identifier))
        for person_id, framework_id, identifier in EvidenceLink.objects.filter(
            _key_filter("competence__", keys), evidence__person_id__in=person_ids
        ).values_list("evidence__person_id", "competence__framework_id", "competence__identifier")
    }

    result: dict[tuple[int, int], CompetenceStatus] = {}
    soon = on + dt.timedelta(days=expiring_days)
    for competence in competences:
        key = (competence.framework_id, competence.identifier)
        row_now = current.get(key, competence)
        for person_id in person_ids:
            result[(person_id, competence.pk)] = _status(
                latest.get((person_id, key)),
                row_now,
                awaiting=(person_id, key) in open_requests,
                in_progress=(person_id, key) in with_evidence,
                on=on,
                soon=soon,
            )
    return result


def _status(
    assessment: dict[str, Any] | None,
    row_now: Competence,
    *,
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
            lapsed = CompetenceStatus(
                State.REASSESS,
                reason=f"The competence changed in version {row_now.version.number}; it needs reassessing.",
                **details,
            )
        elif isinstance(expires_on, dt.date) and expires_on < on:
            lapsed = CompetenceStatus(
                State.EXPIRED,
                reason=f"Expired on {expires_on:%-d %B %Y}.",
                **details,
            )
        elif isinstance(expires_on, dt.date) and expires_on <= soon:
            return CompetenceStatus(
                State.EXPIRING,
                reason=f"Expires on {expires_on:%-d %B %Y}.",
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
    the date each is due. A person with spells in two roles gets the union. A fixed number of queries."""
    on = on or timezone.localdate()
    spells = list(
        EmploymentSpell.objects.active_on(on)
        .filter(person_id__in=person_ids, role__isnull=False)
        .exclude(contract_type="Bank")
        .values("person_id", "person__organisation_id", "role_id", "afc_band")
    )
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
        RoleRequirement.objects.filter(condition).select_related("competence", "competence__framework")
    )
    current = published_rows([r.competence for r in requirements])
    by_org_role: dict[tuple[int, int], list[RoleRequirement]] = defaultdict(list)
    for requirement in requirements:
        by_org_role[(requirement.organisation_id, requirement.role_id)].append(requirement)

    result: dict[int, list[Requirement]] = {pid: [] for pid in person_ids}
    seen: dict[int, set[tuple[int, uuid.UUID]]] = defaultdict(set)
    for spell in spells:
        person_id = spell["person_id"]
        for requirement in by_org_role.get((spell["person__organisation_id"], spell["role_id"]), []):
            if requirement.afc_band and requirement.afc_band != spell["afc_band"]:
                continue
            key = (requirement.competence.framework_id, requirement.competence.identifier)
            row = current.get(key)
            if row is None or key in seen[person_id]:
                continue
            seen[person_id].add(key)
            start = started.get((person_id, spell["role_id"]))
            due = (
                start + dt.timedelta(days=requirement.within_days)
                if start and requirement.within_days
                else None
            )
            framework: Framework = row.framework
            result[person_id].append(
                Requirement(
                    requirement=requirement,
                    competence=row,
                    min_level=requirement.min_level,
                    min_rank=framework.level_rank(requirement.min_level),
                    due_on=due,
                )
            )
    return result

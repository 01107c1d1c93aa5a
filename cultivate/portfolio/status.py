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

from django.db import connection, models
from django.db.models import Q
from django.db.models.functions import Cast
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
    # Unordered: the result is a mapping, and the model's default ordering costs a sort.
    rows = (
        Competence.objects.filter(condition, version__status=VersionStatus.PUBLISHED)
        .select_related("framework", "version")
        .order_by()
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


# SQLite stores dates as ISO text and Django parses each one; for the thousands of assessments a matrix reads,
# they are read as text, compared as text and parsed only for the records that count. PostgreSQL returns
# dates ready-made.
_DAYS_AS_TEXT: dict[str, Any] = (
    {
        "assessed_text": Cast("assessed_on", models.TextField()),
        "expires_text": Cast("expires_on", models.TextField()),
    }
    if connection.vendor == "sqlite"
    else {}
)
_DAY_FIELDS = ("assessed_text", "expires_text") if _DAYS_AS_TEXT else ("assessed_on", "expires_on")


def _day(value: dt.date | str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def statuses(
    person_ids: Sequence[int],
    competences: Sequence[Competence],
    *,
    on: dt.date | None = None,
    expiring_days: int = EXPIRING_SOON_DAYS,
    published: bool = False,
) -> dict[tuple[int, int], CompetenceStatus]:
    """Status of each competence for each person on a day, keyed by (person id, competence pk as passed).
    Four queries whatever the sizes; three when the caller passes `published=True`, promising that every
    competence is already its framework's published row (with `version` loaded), which skips that look-up."""
    on = on or timezone.localdate()
    if not person_ids or not competences:
        return {}
    current = (
        {(c.framework_id, c.identifier): c for c in competences} if published else published_rows(competences)
    )
    keys = {(c.framework_id, c.identifier) for c in competences}
    # The identifier is read as text: converting thousands of values to UUIDs costs more than the query.
    # SQLite stores the hex form and PostgreSQL returns the hyphenated one; both map back to the key's UUID.
    # Keys are numbered: hashing a UUID runs Python code, and the cell loop below looks keys up thousands of
    # times.
    index: dict[Key, int] = {}
    identifier_of: dict[tuple[int, str], int] = {}
    for framework_id, identifier in keys:
        number = index[(framework_id, identifier)] = len(index)
        identifier_of[(framework_id, identifier.hex)] = number
        identifier_of[(framework_id, str(identifier))] = number

    # Every record for these people and competences, whatever its date: a correction rewrites the record it
    # supersedes from the start (the original was wrong), so it hides it even on days before the correction's
    # own date; a withdrawal takes effect from its date. Withdrawals themselves never count as "the latest":
    # withdrawing one sign-off leaves any other standing one in place.
    assessments = list(
        Assessment.objects.filter(
            key_filter("", keys, identifier_field="competence_identifier"), person_id__in=person_ids
        )
        .order_by("assessed_on", "pk")
        .annotate(identifier_text=Cast("competence_identifier", models.TextField()), **_DAYS_AS_TEXT)
        .values_list(
            "pk",
            "person_id",
            "framework_id",
            "identifier_text",
            "content_hash",
            "kind",
            "level",
            "level_rank",
            *_DAY_FIELDS,
            "assessor_name",
            "supersedes_id",
        )
    )
    correction = AssessmentKind.CORRECTION
    withdrawal = AssessmentKind.WITHDRAWAL
    today = on.isoformat() if _DAYS_AS_TEXT else on  # ISO dates compare as text in date order
    superseded = {row[11] for row in assessments if row[11] and (row[5] == correction or row[8] <= today)}
    latest: dict[tuple[int, int], tuple[Any, ...]] = {}
    for row in assessments:
        if row[0] in superseded or row[5] == withdrawal or row[8] > today:
            continue
        # Ordered by date, so the last record standing is the one that counts.
        latest[(row[1], identifier_of[(row[2], row[3].lower())])] = row

    # Open requests make "awaiting sign-off"; a request returned with feedback means work in progress.
    requests: dict[tuple[int, int], set[str]] = defaultdict(set)
    for person_id, framework_id, identifier, status in (
        SignOffRequest.objects.filter(
            key_filter("competence__", keys),
            person_id__in=person_ids,
            status__in=[RequestStatus.OPEN, RequestStatus.RETURNED],
        )
        .order_by()
        .values_list("person_id", "competence__framework_id", "competence__identifier", "status")
    ):
        requests[(person_id, index[(framework_id, identifier)])].add(status)
    with_evidence = {
        (person_id, index[(framework_id, identifier)])
        for person_id, framework_id, identifier in EvidenceLink.objects.filter(
            key_filter("competence__", keys), evidence__person_id__in=person_ids
        ).values_list("evidence__person_id", "competence__framework_id", "competence__identifier")
    }

    result: dict[tuple[int, int], CompetenceStatus] = {}
    soon = on + dt.timedelta(days=expiring_days)
    made: dict[tuple[Any, ...], CompetenceStatus] = {}
    no_requests: set[str] = set()
    for competence in competences:
        key = (competence.framework_id, competence.identifier)
        number = index[key]
        row_now = current.get(key)
        reference = row_now or competence
        for person_id in person_ids:
            person_key = (person_id, number)
            assessment = latest.get(person_key)
            request_states = requests.get(person_key, no_requests)
            awaiting = RequestStatus.OPEN in request_states
            in_progress = person_key in with_evidence or RequestStatus.RETURNED in request_states
            if assessment is None:
                # Most cells: the status depends only on the two flags; share the (immutable) object.
                found = made.get((awaiting, in_progress))
                if found is None:
                    found = made[(awaiting, in_progress)] = _status(
                        None,
                        reference,
                        version_number=None,
                        awaiting=awaiting,
                        in_progress=in_progress,
                        on=on,
                        soon=soon,
                    )
            else:
                found = _status(
                    assessment,
                    reference,
                    version_number=row_now.version.number
                    if row_now is not None and assessment[4] != reference.content_hash
                    else None,
                    awaiting=awaiting,
                    in_progress=in_progress,
                    on=on,
                    soon=soon,
                )
            result[(person_id, competence.pk)] = found
    return result


def _status(
    assessment: tuple[Any, ...] | None,
    row_now: Competence,
    *,
    version_number: int | None,
    awaiting: bool,
    in_progress: bool,
    on: dt.date,
    soon: dt.date,
) -> CompetenceStatus:
    lapsed: CompetenceStatus | None = None
    if assessment is not None and assessment[5] != AssessmentKind.WITHDRAWAL:
        expires_on = _day(assessment[9])
        details: dict[str, Any] = {
            "level": str(assessment[6]),
            "level_rank": int(assessment[7]),
            "assessed_on": _day(assessment[8]),
            "expires_on": expires_on,
            "assessment_id": int(assessment[0]),
            "assessor_name": str(assessment[10]),
        }
        if assessment[4] != row_now.content_hash:
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

    # What each (organisation, role, band) requires is worked out once; only due dates differ per person.
    rank_of: dict[tuple[int, str], int] = {}
    candidates: dict[tuple[int, int, str], list[tuple[int, RoleRequirement, Competence, int]]] = {}
    order: dict[int, tuple[str, int, int]] = {}

    def candidates_for(
        org_id: int, role_id: int, band: str
    ) -> list[tuple[int, RoleRequirement, Competence, int]]:
        found = candidates.get((org_id, role_id, band))
        if found is not None:
            return found
        found = candidates[(org_id, role_id, band)] = []
        for requirement in by_org_role.get((org_id, role_id), []):
            if requirement.afc_band and requirement.afc_band != band:
                continue
            key = (requirement.competence.framework_id, requirement.competence.identifier)
            row = current.get(key)
            if row is None:
                continue
            rank = rank_of.get((row.pk, requirement.min_level))
            if rank is None:
                framework: Framework = row.framework
                rank = rank_of[(row.pk, requirement.min_level)] = framework.level_rank(requirement.min_level)
                order[row.pk] = (framework.title, row.sequence, row.pk)
            # Keyed by the published row, one per (framework, identifier): ints hash faster than UUIDs.
            found.append((row.pk, requirement, row, rank))
        return found

    chosen: dict[int, dict[int, Requirement]] = defaultdict(dict)
    for spell in spells:
        person_id = spell["person_id"]
        start = started.get((person_id, spell["role_id"]))
        mine = chosen[person_id]
        for key, requirement, row, rank in candidates_for(
            spell["person__organisation_id"], spell["role_id"], spell["afc_band"]
        ):
            due = (
                start + dt.timedelta(days=requirement.within_days)
                if start and requirement.within_days
                else None
            )
            candidate = Requirement(
                requirement=requirement,
                competence=row,
                min_level=requirement.min_level,
                min_rank=rank,
                due_on=due,
            )
            held = mine.get(key)
            if held is None or _stricter(candidate, held):
                mine[key] = candidate
    result: dict[int, list[Requirement]] = {pid: [] for pid in person_ids}
    for person_id, by_key in chosen.items():
        result[person_id] = sorted(by_key.values(), key=lambda r: order[r.competence.pk])
    return result


def _stricter(candidate: Requirement, held: Requirement) -> bool:
    if candidate.min_rank != held.min_rank:
        return candidate.min_rank > held.min_rank
    if candidate.due_on is None:
        return False
    return held.due_on is None or candidate.due_on < held.due_on

"""Reads for portfolios, evidence, sign-off requests and assessments.

Selectors take the acting membership and return only what it may see (`Model.objects.for_membership`); pages
fetch one record from them through `core.access.object_or_deny`, which refuses (audited) what is outside."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from cultivate.accounts.models import Membership, Role, User
from cultivate.frameworks.models import (
    Competence,
    Framework,
    NodeType,
    VersionStatus,
)
from cultivate.organisations.models import EmploymentSpell, Organisation, Person, Team

from . import access, delegation, status
from .models import (
    Assessment,
    AssessmentKind,
    Evidence,
    EvidenceFile,
    EvidenceLink,
    RequestStatus,
    SignOffRequest,
)

Key = tuple[int, uuid.UUID]
ProtocolRules = delegation.ProtocolRules  # the protocol with its requirements and roles, read at once


# --- People -------------------------------------------------------------------------------------------


def portfolios_visible_to(membership: Membership | None) -> QuerySet[Person]:
    """The people whose portfolios this membership may read."""
    return Person.objects.for_membership(membership).select_related("organisation")


def current_teams(person: Person, on: dt.date | None = None) -> list[int]:
    return list(
        EmploymentSpell.objects.active_on(on)
        .filter(person=person, team__isnull=False)
        .order_by("-start_date")
        .values_list("team_id", flat=True)
    )


def assessors_for(person: Person) -> list[User]:
    """Registered professionals who may sign off for this person today: assessors of the person's organisation
    whose teams include one the person works in now (never the person themself)."""
    teams = current_teams(person)
    if not teams:
        return []
    return list(
        User.objects.filter(
            is_active=True,
            memberships__in=Membership.objects.current().filter(
                role=Role.ASSESSOR, organisation_id=person.organisation_id, teams__in=teams
            ),
        )
        .exclude(registration_body="")
        .exclude(registration_pin="")
        .exclude(person_id=person.pk)
        .distinct()
        .order_by("full_name", "pk")
    )


def line_manager_users(person_ids: Sequence[int], on: dt.date | None = None) -> dict[int, list[User]]:
    """Whom a worker's reminders also go to: the user of the line manager named on the worker's current
    spells; where none is named (or the named manager has no account), the users holding a current line
    manager role on the worker's current teams. Three queries."""
    on = on or timezone.localdate()
    spells = list(
        EmploymentSpell.objects.active_on(on)
        .filter(person_id__in=person_ids)
        .values_list("person_id", "team_id", "line_manager_id")
    )
    named = {lm for _, _, lm in spells if lm}
    users_by_person = {
        u.person_id: u for u in User.objects.filter(person_id__in=named, is_active=True) if u.person_id
    }
    team_ids = {team for _, team, _ in spells if team}
    by_team: dict[int, list[User]] = defaultdict(list)
    for membership in (
        Membership.objects.current()
        .filter(role=Role.LINE_MANAGER, teams__in=team_ids, user__is_active=True)
        .select_related("user")
        .prefetch_related("teams")
        .distinct()
    ):
        for team in membership.teams.all():
            if team.pk in team_ids and membership.user not in by_team[team.pk]:
                by_team[team.pk].append(membership.user)
    result: dict[int, list[User]] = {pid: [] for pid in person_ids}
    for person_id, _team, manager_id in spells:
        user = users_by_person.get(manager_id) if manager_id else None
        if user is not None and user.person_id != person_id and user not in result[person_id]:
            result[person_id].append(user)
    named_found = {pid for pid, users in result.items() if users}
    for person_id, team_id, _manager in spells:
        if person_id in named_found or not team_id:
            continue
        for user in by_team.get(team_id, []):
            if user.person_id != person_id and user not in result[person_id]:
                result[person_id].append(user)
    return result


# --- Frameworks and competences as the portfolio reads them -----------------------------------------


def frameworks_for(organisation: Organisation) -> Q:
    """A filter on Framework: those an organisation's staff may use (unowned reference frameworks, their
    organisation's and their alliance's), as the frameworks access module decides for its members."""
    scope = Q(owner_alliance__isnull=True, owner_organisation__isnull=True) | Q(
        owner_organisation_id=organisation.pk
    )
    if organisation.alliance_id:
        scope |= Q(owner_alliance_id=organisation.alliance_id)
    return scope


def competences() -> QuerySet[Competence]:
    """Competences (not domains) of any framework: a portfolio page then asks `competence_is_available`."""
    return Competence.objects.select_related("framework", "version", "parent").filter(
        node_type=NodeType.COMPETENCE
    )


def published_competence(competence: Competence) -> Competence | None:
    """The row of the framework's published version with the same identifier (with its framework)."""
    return status.published_rows([competence]).get((competence.framework_id, competence.identifier))


def competence_is_available(person: Person, competence: Competence) -> bool:
    """Whether the person's portfolio may show this competence: its framework is one their organisation may
    use, or the person already has records for it."""
    if Framework.objects.filter(frameworks_for(person.organisation), pk=competence.framework_id).exists():
        return True
    return _has_records(person, {(competence.framework_id, competence.identifier)})


def _has_records(person: Person, keys: set[Key]) -> bool:
    return (
        Assessment.objects.filter(
            status.key_filter("", keys, identifier_field="competence_identifier"), person=person
        ).exists()
        or EvidenceLink.objects.filter(
            status.key_filter("competence__", keys), evidence__person=person
        ).exists()
        or SignOffRequest.objects.filter(status.key_filter("competence__", keys), person=person).exists()
    )


def required_competences(person: Person, on: dt.date | None = None) -> list[Competence]:
    """The published rows of the competences the person's current roles require."""
    return [r.competence for r in status.requirements_for([person.pk], on=on)[person.pk]]


def parents_of(competences: Iterable[Competence]) -> dict[int, Competence]:
    """The domain rows above these competences (one query), by pk."""
    ids = {c.parent_id for c in competences if c.parent_id}
    return {c.pk: c for c in Competence.objects.filter(pk__in=ids)}


def other_competences(person: Person, excluding: set[Key]) -> list[Competence]:
    """Competences the person has records for (evidence, requests, assessments) that are not among
    `excluding` (their required ones), as published rows where there is one. Four queries."""
    keys: set[Key] = set()
    keys.update(Assessment.objects.filter(person=person).values_list("framework_id", "competence_identifier"))
    keys.update(
        SignOffRequest.objects.filter(person=person)
        .exclude(status=RequestStatus.CANCELLED)
        .values_list("competence__framework_id", "competence__identifier")
    )
    keys.update(
        EvidenceLink.objects.filter(evidence__person=person).values_list(
            "competence__framework_id", "competence__identifier"
        )
    )
    keys -= excluding
    if not keys:
        return []
    rows = list(
        Competence.objects.filter(status.key_filter("", keys))
        .select_related("framework", "version")
        .order_by("framework__title", "-version__number", "sequence", "pk")
    )
    chosen: dict[Key, Competence] = {}
    for row in rows:
        key = (row.framework_id, row.identifier)
        current = chosen.get(key)
        if current is None or (
            row.version.status == VersionStatus.PUBLISHED
            and current.version.status != VersionStatus.PUBLISHED
        ):
            chosen[key] = row
    return sorted(chosen.values(), key=lambda c: (c.framework.title, c.sequence, c.pk))


# --- Evidence ----------------------------------------------------------------------------------------


def evidence_of(person: Person) -> QuerySet[Evidence]:
    return (
        Evidence.objects.filter(person=person)
        .prefetch_related(
            Prefetch(
                "links", queryset=EvidenceLink.objects.select_related("competence", "competence__framework")
            ),
            "files",
        )
        .order_by("-occurred_on", "-pk")
    )


def evidence_visible_to(membership: Membership | None) -> QuerySet[Evidence]:
    """Evidence in the portfolios this membership may read, with its person, links and files."""
    return (
        Evidence.objects.for_membership(membership)
        .select_related("person", "person__organisation", "created_by")
        .prefetch_related(
            Prefetch(
                "links",
                queryset=EvidenceLink.objects.select_related(
                    "competence", "competence__framework", "via"
                ).order_by("via_id", "competence__framework__title", "competence__sequence"),
            ),
            "files",
        )
    )


def evidence_file_by_id(evidence: Evidence, pk: int) -> EvidenceFile | None:
    return EvidenceFile.objects.filter(evidence=evidence, pk=pk).first()


def evidence_for_competence(person: Person, competence: Competence) -> list[Evidence]:
    """The person's evidence linked to this competence in any version."""
    return list(
        Evidence.objects.filter(
            person=person,
            links__competence__framework_id=competence.framework_id,
            links__competence__identifier=competence.identifier,
        )
        .prefetch_related("files", "links")
        .distinct()
        .order_by("-occurred_on", "-pk")
    )


def evidence_use(evidence: Evidence) -> tuple[list[Assessment], list[SignOffRequest]]:
    """The assessments that relied on this evidence and the open requests that include it."""
    assessments = list(
        Assessment.objects.filter(evidence=evidence)
        .select_related("competence")
        .order_by("assessed_on", "pk")
    )
    requests = list(
        SignOffRequest.objects.filter(evidence=evidence, status=RequestStatus.OPEN).select_related(
            "competence"
        )
    )
    return assessments, requests


def locked_competence_keys(evidence: Evidence) -> set[Key]:
    """Competences whose link to this evidence may not be removed: it was relied on for them, or is before an
    assessor now."""
    keys: set[Key] = set(
        Assessment.objects.filter(evidence=evidence).values_list("framework_id", "competence_identifier")
    )
    keys.update(
        SignOffRequest.objects.filter(evidence=evidence, status=RequestStatus.OPEN).values_list(
            "competence__framework_id", "competence__identifier"
        )
    )
    return keys


# --- Requests and assessments ------------------------------------------------------------------------


def requests_visible_to(membership: Membership | None) -> QuerySet[SignOffRequest]:
    return (
        SignOffRequest.objects.for_membership(membership)
        .select_related(
            "person",
            "person__organisation",
            "competence",
            "competence__framework",
            "assessor",
            "team",
            "decided_by",
        )
        .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.prefetch_related("files", "links")))
    )


def requests_for(person: Person, competence: Competence | None = None) -> list[SignOffRequest]:
    qs = SignOffRequest.objects.filter(person=person).select_related(
        "competence", "competence__framework", "assessor", "decided_by"
    )
    if competence is not None:
        qs = qs.filter(
            competence__framework_id=competence.framework_id, competence__identifier=competence.identifier
        )
    return list(qs.prefetch_related("evidence").order_by("-created_at", "-pk"))


def open_request(person: Person, competence: Competence) -> SignOffRequest | None:
    return (
        SignOffRequest.objects.filter(
            person=person,
            status=RequestStatus.OPEN,
            competence__framework_id=competence.framework_id,
            competence__identifier=competence.identifier,
        )
        .order_by("-pk")
        .first()
    )


def assessment_history(person: Person, competence: Competence) -> list[Assessment]:
    """Every record for this person and competence (any version), oldest first, with what superseded what."""
    return list(
        Assessment.objects.filter(
            person=person, framework_id=competence.framework_id, competence_identifier=competence.identifier
        )
        .select_related(
            "competence", "competence__version", "competence__framework", "supersedes", "superseded_by"
        )
        .prefetch_related("evidence")
        .order_by("assessed_on", "pk")
    )


def assessments_visible_to(membership: Membership | None) -> QuerySet[Assessment]:
    return Assessment.objects.for_membership(membership).select_related(
        "person", "person__organisation", "competence", "competence__framework", "superseded_by"
    )


def is_standing(assessment: Assessment) -> bool:
    """Not superseded by a correction or a withdrawal, and not itself a withdrawal."""
    if assessment.kind == AssessmentKind.WITHDRAWAL:
        return False
    return not Assessment.objects.filter(supersedes=assessment).exists()


def assessor_queue(membership: Membership | None) -> QuerySet[SignOffRequest]:
    """Open requests from the people this assessor may sign off for, oldest first."""
    if membership is None or membership.role != Role.ASSESSOR:
        return SignOffRequest.objects.none()
    return (
        SignOffRequest.objects.filter(
            person__in=Person.objects.filter(access.portfolio_scope(membership)).exclude(
                pk=membership.user.person_id or 0
            ),
            person__organisation_id=membership.organisation_id,
            status=RequestStatus.OPEN,
        )
        .select_related("person", "competence", "competence__framework", "assessor", "team")
        .order_by("created_at", "pk")
    )


QUEUE_SORTS = {
    "oldest": ("created_at", "pk"),
    "newest": ("-created_at", "-pk"),
    "person": ("person__family_name", "person__given_name", "created_at", "pk"),
    "competence": ("competence__code", "competence__title", "created_at", "pk"),
}


@dataclass(frozen=True)
class QueueFilters:
    team: int | None = None
    competence: str = ""  # the competence's identifier: the same competence in any version
    waiting_days: int | None = None  # waiting at least this many days
    mine: bool = False  # addressed to this assessor, or to any assessor of the team
    sort: str = "oldest"


def assessor_queue_filtered(membership: Membership | None, filters: QueueFilters) -> QuerySet[SignOffRequest]:
    """The queue narrowed by team, competence and time waiting, in the order asked for."""
    queue = assessor_queue(membership)
    if membership is None:
        return queue
    if filters.team:
        queue = queue.filter(team_id=filters.team)
    if filters.competence:
        try:
            queue = queue.filter(competence__identifier=uuid.UUID(filters.competence))
        except ValueError:
            return queue.none()
    if filters.waiting_days:
        since = timezone.now() - dt.timedelta(days=filters.waiting_days)
        queue = queue.filter(created_at__lte=since)
    if filters.mine:
        queue = queue.filter(Q(assessor__isnull=True) | Q(assessor=membership.user))
    return queue.order_by(*QUEUE_SORTS.get(filters.sort, QUEUE_SORTS["oldest"]))


def assessor_queue_choices(
    membership: Membership | None,
) -> tuple[list[tuple[int, str]], list[tuple[str, str]]]:
    """The teams and competences the whole queue holds, for its filters (one query)."""
    teams: dict[int, str] = {}
    competences: dict[str, str] = {}
    for team_id, team_name, identifier, code, title, short_title in assessor_queue(membership).values_list(
        "team_id",
        "team__name",
        "competence__identifier",
        "competence__code",
        "competence__title",
        "competence__short_title",
    ):
        if team_id:
            teams[team_id] = team_name
        competences[str(identifier)] = f"{code} {short_title or title}".strip()
    return (
        sorted(teams.items(), key=lambda item: item[1]),
        sorted(competences.items(), key=lambda item: item[1]),
    )


def recent_decisions(membership: Membership, limit: int = 10) -> list[Assessment]:
    """The assessor's own latest records, so that a slip can be corrected from the queue page."""
    return list(
        Assessment.objects.filter(
            assessor=membership.user, person__organisation_id=membership.organisation_id or 0
        )
        .select_related("person", "competence", "competence__framework", "superseded_by")
        .order_by("-created_at", "-pk")[:limit]
    )


# --- Reminders ---------------------------------------------------------------------------------------


def assessments_due_for_reminder(on: dt.date, within_days: int) -> QuerySet[Assessment]:
    """Standing sign-offs and corrections of people in post that expire by `on + within_days` (or already
    have), with their competence: candidates for expiry reminders. Whether each still counts is for status."""
    in_post = EmploymentSpell.objects.active_on(on).values("person_id")
    return (
        Assessment.objects.filter(
            expires_on__isnull=False,
            expires_on__lte=on + dt.timedelta(days=within_days),
            superseded_by__isnull=True,
            person_id__in=in_post,
        )
        .exclude(kind=AssessmentKind.WITHDRAWAL)
        .select_related("competence", "competence__framework")
        .order_by("person_id", "pk")
    )


def people_in_post_with_roles(on: dt.date) -> list[int]:
    return sorted(
        set(
            EmploymentSpell.objects.active_on(on)
            .filter(role__isnull=False)
            .values_list("person_id", flat=True)
            .distinct()
        )
    )


def current_team_of(person_ids: Sequence[int], on: dt.date) -> dict[int, int]:
    """Each person's team on `on` (the latest-started spell's, where they have several); one query."""
    found: dict[int, int] = {}
    for person_id, team_id in (
        EmploymentSpell.objects.active_on(on)
        .filter(person_id__in=list(person_ids), team__isnull=False)
        .order_by("person_id", "start_date", "pk")
        .values_list("person_id", "team_id")
    ):
        found[person_id] = team_id
    return found


def people_with_user(person_ids: Iterable[int]) -> dict[int, Person]:
    """People with their user account loaded (None where they have none)."""
    return {p.pk: p for p in Person.objects.filter(pk__in=list(person_ids)).select_related("user")}


def reminders_already_sent(person_ids: Iterable[int]) -> set[tuple[int, int, int | None, str]]:
    from .models import ReminderSent

    return set(
        ReminderSent.objects.filter(person_id__in=list(person_ids)).values_list(
            "person_id", "competence_id", "assessment_id", "kind"
        )
    )


# --- Delegation -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckSubjects:
    """Who, what and where a delegation check asks about; None for each that was not found."""

    person: Person | None
    rules: ProtocolRules | None
    team: Team | None


def delegation_check_subjects(
    *,
    person_id: int | None = None,
    staff_id: str = "",
    staff_organisation: Organisation | None = None,
    protocol: str,
    team_id: int | None = None,
    team_name: str = "",
    organisation: Organisation | None = None,
) -> CheckSubjects:
    """The person (by id, or by staff ID in `staff_organisation`), and the protocol and team of `organisation`
    (the person's own when not given) that a delegation check names: the one way the API's check and the
    check page find them. Nothing is refused here: the caller asks `check_delegation` of the person. Each read
    is one query (hand-written in `delegation`: the API answers many checks a second)."""
    if person_id is not None:
        person = delegation.person_for_check(person_id)
    elif staff_organisation is not None:
        person = delegation.person_by_staff_id(staff_organisation, staff_id)
    else:
        person = None
    where = organisation or (person.organisation if person is not None else None)
    if person is None or where is None:
        return CheckSubjects(person=person, rules=None, team=None)
    return CheckSubjects(
        person=person,
        rules=delegation.rules_for_check(where, protocol),
        team=delegation.team_for_check(where, team_id=team_id, name=team_name),
    )

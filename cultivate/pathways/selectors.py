"""Reads: pathways and steps a role may see, public route pages, a worker's qualifications, results,
apprenticeships and readiness, an organisation's readiness and apprenticeship outcomes."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import F, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from cultivate.accounts.models import Membership, Role
from cultivate.organisations import access as org_access
from cultivate.organisations.models import EmploymentSpell, Organisation, Person

from . import access, off_the_job, readiness
from .models import (
    Apprenticeship,
    ApprenticeshipStandard,
    OffTheJobEntry,
    Pathway,
    Qualification,
    QualificationStatus,
    SkillsResult,
    Step,
    StepRequirement,
)


def _with_steps(pathways: QuerySet[Pathway]) -> QuerySet[Pathway]:
    steps = Step.objects.select_related("standard", "previous").prefetch_related(
        Prefetch("requirements", queryset=StepRequirement.objects.order_by("sequence", "pk"))
    )
    return pathways.prefetch_related(Prefetch("steps", queryset=steps)).select_related(
        "owner_organisation", "owner_alliance"
    )


def pathways_visible_to(membership: Membership | None) -> QuerySet[Pathway]:
    return _with_steps(Pathway.objects.for_membership(membership))


def steps_of(pathway: Pathway) -> QuerySet[Step]:
    return pathway.steps.select_related("standard", "previous", "pathway")


def steps_visible_to(membership: Membership | None) -> QuerySet[Step]:
    return Step.objects.for_membership(membership).select_related("pathway", "standard", "previous")


def organisations_with_public_routes() -> QuerySet[Organisation]:
    # unscoped: public route pages are for anyone; they show pathways only, nothing personal
    return Organisation.objects.all()


def public_pathways(organisation: Organisation) -> QuerySet[Pathway]:
    return _with_steps(Pathway.objects.filter(access.public_pathways_of(organisation)))


def standards() -> QuerySet[ApprenticeshipStandard]:
    return ApprenticeshipStandard.objects.order_by("level", "title")


def record_people_visible_to(membership: Membership | None) -> QuerySet[Person]:
    return Person.objects.filter(access.record_people_scope(membership)).select_related("organisation")


def qualifications_of(person: Person) -> QuerySet[Qualification]:
    return person.qualifications.select_related("confirmed_by", "supersedes").order_by("-awarded_on", "-pk")


def qualifications_visible_to(membership: Membership | None) -> QuerySet[Qualification]:
    return Qualification.objects.for_membership(membership).select_related("person", "person__organisation")


def waiting_for_confirmation(organisation: Organisation) -> QuerySet[Qualification]:
    return Qualification.objects.filter(
        person__organisation=organisation, status=QualificationStatus.RECORDED
    ).select_related("person")


def skills_results_of(person: Person) -> QuerySet[SkillsResult]:
    return person.skills_results.order_by("subject", "-assessed_on", "-pk")


def latest_skills(person: Person) -> dict[str, SkillsResult]:
    latest: dict[str, SkillsResult] = {}
    for result in skills_results_of(person):
        latest.setdefault(result.subject, result)
    return latest


def apprenticeships_of(person: Person) -> QuerySet[Apprenticeship]:
    return person.apprenticeships.select_related("standard")


def apprenticeships_visible_to(membership: Membership | None) -> QuerySet[Apprenticeship]:
    return Apprenticeship.objects.for_membership(membership).select_related(
        "standard", "person", "person__organisation"
    )


def entries_of(apprenticeship: Apprenticeship) -> QuerySet[OffTheJobEntry]:
    return apprenticeship.entries.order_by("-on", "-pk")


def logged_hours(apprenticeship: Apprenticeship) -> Decimal:
    """Hours that count: up to gateway only."""
    entries = apprenticeship.entries.all()
    if apprenticeship.gateway_on is not None:
        entries = entries.filter(on__lte=apprenticeship.gateway_on)
    return entries.aggregate(total=Sum("hours"))["total"] or Decimal(0)


def apprenticeship_progress(
    apprenticeship: Apprenticeship, *, on: dt.date | None = None
) -> off_the_job.Progress:
    return off_the_job.progress(apprenticeship, logged_hours(apprenticeship), on=on or timezone.localdate())


def progress_of(
    apprenticeships: list[Apprenticeship], *, on: dt.date | None = None
) -> dict[int, off_the_job.Progress]:
    """Off-the-job progress of many apprenticeships: one query for the hours (up to each one's gateway) and one
    for the rules, whatever the number."""
    on = on or timezone.localdate()
    counted = Q(apprenticeship__gateway_on__isnull=True) | Q(on__lte=F("apprenticeship__gateway_on"))
    logged = dict(
        OffTheJobEntry.objects.filter(counted, apprenticeship__in=[a.pk for a in apprenticeships])
        .values("apprenticeship_id")
        .annotate(total=Sum("hours"))
        .values_list("apprenticeship_id", "total")
        .order_by()
    )
    rules = off_the_job.rules()
    return {
        a.pk: off_the_job.progress(a, logged.get(a.pk) or Decimal(0), on=on, all_rules=rules)
        for a in apprenticeships
    }


def person_readiness(
    person: Person, membership: Membership | None, *, on: dt.date | None = None
) -> list[tuple[Pathway, list[readiness.StepReadiness]]]:
    """One worker against every step of every pathway they can see (their organisation's, its alliance's and
    the reference ones)."""
    pathways = list(
        Pathway.objects.filter(access.public_pathways_of(person.organisation)).prefetch_related("steps")
    )
    steps = [step for pathway in pathways for step in pathway.steps.all()]
    found = readiness.readiness([person.pk], steps, on=on, organisation_id=person.organisation_id)
    return [(pathway, [found[(person.pk, step.pk)] for step in pathway.steps.all()]) for pathway in pathways]


def step_readiness(person: Person, step: Step, *, on: dt.date | None = None) -> readiness.StepReadiness:
    found = readiness.readiness([person.pk], [step], on=on, organisation_id=person.organisation_id)
    return found[(person.pk, step.pk)]


def steps_for_person(person: Person) -> QuerySet[Step]:
    return Step.objects.filter(
        pathway__in=Pathway.objects.filter(access.public_pathways_of(person.organisation))
    )


def people_in_post(organisation: Organisation, membership: Membership | None, *, on: dt.date) -> list[Person]:
    """The organisation's people in post today; a line manager's own teams' only."""
    people = Person.objects.filter(organisation=organisation).filter(
        pk__in=EmploymentSpell.objects.active_on(on).values("person_id")
    )
    if membership is not None and membership.role == Role.LINE_MANAGER:
        people = people.filter(org_access.person_scope(membership))
    return list(people.order_by("family_name", "given_name", "pk"))


def organisation_readiness(
    organisation: Organisation, membership: Membership | None, *, on: dt.date | None = None
) -> tuple[list[Step], list[Person], dict[tuple[int, int], readiness.StepReadiness]]:
    """Every person in post against every step the organisation can see, batched."""
    on = on or timezone.localdate()
    steps = list(
        Step.objects.filter(pathway__in=Pathway.objects.filter(access.public_pathways_of(organisation)))
        .select_related("pathway")
        .order_by("pathway__title", "sequence", "pk")
    )
    people = people_in_post(organisation, membership, on=on)
    found = readiness.readiness([p.pk for p in people], steps, on=on, organisation_id=organisation.pk)
    return steps, people, found


def apprenticeships_of_organisation(organisation: Organisation) -> QuerySet[Apprenticeship]:
    return Apprenticeship.objects.filter(person__organisation=organisation).select_related(
        "standard", "person"
    )


def outcomes_by_cohort(organisation: Organisation) -> dict[int, dict[str, int]]:
    """Counts of apprenticeships by the year they started and what happened after (blank: not finished)."""
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    rows = (
        Apprenticeship.objects.filter(person__organisation=organisation)
        .order_by()
        .values_list("start_date", "outcome")
    )
    for start, outcome in rows:
        counts[start.year][outcome or "ongoing"] += 1
    return {year: dict(values) for year, values in sorted(counts.items())}


def apprenticeships_behind(
    membership: Membership | None, *, on: dt.date | None = None
) -> list[tuple[Apprenticeship, off_the_job.Progress]]:
    """Apprenticeships in training (no gateway, no outcome) this role may see whose off-the-job hours are behind:
    the member's own; a line manager's teams'; every one of the organisation's for its educators and admins.
    Three queries."""
    if membership is None:
        return []
    on = on or timezone.localdate()
    mine = Q(person_id=membership.user.person_id) if membership.user.person_id else Q(pk__in=[])
    if membership.role in access.EDITOR_ROLES or membership.role == Role.LINE_MANAGER:
        mine |= Q(person__in=Person.objects.filter(access.record_people_scope(membership)).values("pk"))
    ongoing = list(
        Apprenticeship.objects.filter(
            mine, gateway_on__isnull=True, outcome="", start_date__lte=on, planned_end_date__gte=on
        )
        .select_related("standard", "person")
        .order_by("person__family_name", "person__given_name", "pk")
    )
    if not ongoing:
        return []
    progress = progress_of(ongoing, on=on)
    return [(a, progress[a.pk]) for a in ongoing if progress[a.pk].behind]

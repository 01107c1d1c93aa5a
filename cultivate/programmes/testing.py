"""Factories for tests: a programme with its lead, cohorts, accepted applicants placed in a cohort (never
imported by the running service or the demo generator)."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from cultivate.accounts.models import Membership, Role, User
from cultivate.accounts.testing import make_organisation, make_person, make_team, make_user
from cultivate.organisations.models import Alliance, Organisation, Person

from .models import (
    DEFAULT_DIMENSIONS,
    Application,
    ApplicationStatus,
    Cohort,
    Dimension,
    Participant,
    Programme,
    ProgrammeLead,
    ProgrammeStatus,
    Session,
)

_seq = itertools.count(1)


def make_programme(
    *,
    organisation: Organisation | None = None,
    alliance: Alliance | None = None,
    lead: User | None = None,
    starts_on: dt.date | None = None,
    weeks: int = 14,
    status: str = ProgrammeStatus.OPEN,
    cohorts: int = 1,
) -> Programme:
    starts_on = starts_on or timezone.localdate() - dt.timedelta(days=7)
    programme = Programme.objects.create(
        organisation=organisation,
        alliance=alliance,
        title=f"Programme {next(_seq)}",
        weeks=weeks,
        starts_on=starts_on,
        ends_on=starts_on + dt.timedelta(weeks=weeks) - dt.timedelta(days=1),
        status=status,
    )
    Dimension.objects.bulk_create(
        Dimension(programme=programme, name=name, position=i) for i, name in enumerate(DEFAULT_DIMENSIONS)
    )
    for n in range(cohorts):
        Cohort.objects.create(programme=programme, name=f"Cohort {n + 1}")
    if lead is not None:
        membership = Membership.objects.filter(user=lead, role=Role.EDUCATOR).first()
        assert membership is not None and membership.organisation is not None
        ProgrammeLead.objects.create(programme=programme, user=lead, organisation=membership.organisation)
    return programme


def make_worker(organisation: Organisation, *, setting: str = "inpatient") -> tuple[User, Person]:
    """A support worker with a staff record in a team of `organisation`, and an account linked to it."""
    team = make_team(organisation, setting=setting)
    person = make_person(organisation, team=team)
    user = make_user(Role.SUPPORT_WORKER, organisation=organisation, person=person)
    return user, person


def make_application(
    programme: Programme, person: Person, status: str = ApplicationStatus.ACCEPTED
) -> Application:
    return Application.objects.create(
        programme=programme, person=person, statement="I want to grow", status=status
    )


def make_participant(cohort: Cohort, person: Person) -> Participant:
    application = make_application(cohort.programme, person)
    return Participant.objects.create(cohort=cohort, application=application, person=person)


def make_session(
    programme: Programme, *, start: dt.datetime | None = None, hours: float = 2, cohort: Cohort | None = None
) -> Session:
    start = start or timezone.now() - dt.timedelta(minutes=30)
    return Session.objects.create(
        programme=programme,
        cohort=cohort,
        topic=f"Session {next(_seq)}",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=hours),
    )


__all__ = [
    "make_application",
    "make_organisation",
    "make_participant",
    "make_programme",
    "make_session",
    "make_worker",
]

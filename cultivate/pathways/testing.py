"""Factories for tests of the pathways app and of apps that read it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from cultivate.organisations.models import Person

from . import services
from .models import (
    Apprenticeship,
    ApprenticeshipStandard,
    ManagerSupport,
    Pathway,
    Qualification,
    QualificationStatus,
    SkillsResult,
    Step,
)


def load_reference() -> None:
    services.reference_load()


def step(code: str) -> Step:
    """A reference step by its code (after `load_reference`)."""
    return Step.objects.get(code=code, pathway__owner_alliance=None, pathway__owner_organisation=None)


def standard(code: str) -> ApprenticeshipStandard:
    return ApprenticeshipStandard.objects.filter(code=code).order_by("-version")[0]


def make_qualification(
    person: Person, kind: str, *, confirmed: bool = True, awarded_on: dt.date | None = None, **extra: Any
) -> Qualification:
    return Qualification.objects.create(
        person=person,
        kind=kind,
        awarded_on=awarded_on or dt.date(2020, 6, 1),
        evidence=extra.pop("evidence", "Certificate 123"),
        status=QualificationStatus.CONFIRMED if confirmed else QualificationStatus.RECORDED,
        confirmed_at=timezone.now() if confirmed else None,
        **extra,
    )


def make_skills_result(
    person: Person, subject: str, level: str, *, assessed_on: dt.date | None = None
) -> SkillsResult:
    assessed_on = assessed_on or dt.date(2026, 1, 5)
    return SkillsResult.objects.create(
        person=person,
        subject=subject,
        level=level,
        assessed_on=assessed_on,
        reassess_on=assessed_on + dt.timedelta(days=182),
    )


def make_support(person: Person, step: Step, given_by: Any) -> ManagerSupport:
    return ManagerSupport.objects.create(
        person=person, step=step, given_by=given_by, given_on=dt.date(2026, 1, 1)
    )


def make_apprenticeship(
    person: Person,
    standard: ApprenticeshipStandard | None = None,
    *,
    start: dt.date = dt.date(2026, 1, 5),
    end: dt.date = dt.date(2027, 7, 5),
    hours: str = "37.5",
    **extra: Any,
) -> Apprenticeship:
    if standard is None:
        standard = ApprenticeshipStandard.objects.get_or_create(
            code="ST0827", version="1.0", defaults={"title": "Nursing associate (NMC 2018)", "level": 5}
        )[0]
    return Apprenticeship.objects.create(
        person=person,
        standard=standard,
        provider=extra.pop("provider", "Leeds Beckett University"),
        start_date=start,
        planned_end_date=end,
        contracted_hours=Decimal(hours),
        **extra,
    )


def make_pathway(title: str = "Local route", **extra: Any) -> Pathway:
    return Pathway.objects.create(code=extra.pop("code", "local-route"), title=title, **extra)

"""Factories for learning tests: offers, sessions, subjects and completions made directly (the services are
what the tests test, so these stay beneath them)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils import timezone

from cultivate.frameworks.models import Competence
from cultivate.organisations.models import Alliance, Organisation, Person, SupportRole

from .models import (
    Completion,
    DeliveryMode,
    MandatoryRequirement,
    MandatorySubject,
    Offer,
    OfferCompetence,
    OfferKind,
    Part,
    Session,
)

_seq = itertools.count(1)


def make_offer(
    organisation: Organisation | None = None,
    *,
    alliance: Alliance | None = None,
    develops: Sequence[Competence] = (),
    **extra: Any,
) -> Offer:
    n = next(_seq)
    offer = Offer.objects.create(
        organisation=organisation,
        alliance=alliance,
        code=extra.pop("code", f"course-{n}"),
        title=extra.pop("title", f"Course {n}"),
        kind=extra.pop("kind", OfferKind.INTERNAL_COURSE),
        provider=extra.pop("provider", "Learning and development"),
        mode=extra.pop("mode", DeliveryMode.CLASSROOM),
        hours=extra.pop("hours", Decimal("3.5")),
        cost_per_place=extra.pop("cost_per_place", Decimal("40")),
        capacity=extra.pop("capacity", 12),
        **extra,
    )
    for competence in develops:
        OfferCompetence.objects.create(offer=offer, competence=competence, part=Part.KNOWLEDGE)
    return offer


def make_session(
    offer: Offer,
    *,
    starts_in_days: int = 14,
    capacity: int = 10,
    hours: int = 3,
    venue: str = "Training room",
) -> Session:
    starts = timezone.now().replace(hour=9, minute=30, second=0, microsecond=0) + dt.timedelta(
        days=starts_in_days
    )
    return Session.objects.create(
        offer=offer,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=hours),
        capacity=capacity,
        venue=venue,
    )


def make_subject(
    organisation: Organisation,
    name: str = "Fire safety",
    *,
    renewal_months: int = 12,
    role: SupportRole | None = None,
    setting: str = "",
    required: bool = True,
) -> MandatorySubject:
    n = next(_seq)
    subject = MandatorySubject.objects.create(
        organisation=organisation, code=f"subject-{n}", name=name, renewal_months=renewal_months
    )
    if required:
        MandatoryRequirement.objects.create(subject=subject, role=role, setting=setting)
    return subject


def make_completion(
    person: Person, *, subject: MandatorySubject | None = None, offer: Offer | None = None, on: dt.date
) -> Completion:
    return Completion.objects.create(
        person=person,
        subject=subject or (offer.subject if offer else None),
        offer=offer,
        completed_on=on,
        hours=offer.hours if offer else Decimal("1"),
        cost=offer.cost_per_place if offer else Decimal("0"),
    )

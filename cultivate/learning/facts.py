"""An organisation's completed training as plain facts for other parts to copy: the insights snapshot writes
them into the analytics store's `training` table (the columns of DATA-FORMATS.md's training.csv), so that the
board report and the fairness dashboard read the service's own records as they read an imported extract. Reads
only: no access decisions here, the caller is the snapshot of the whole organisation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from cultivate.organisations.models import Organisation

from .models import Completion


@dataclass(frozen=True)
class TrainingFact:
    person_id: int
    course_code: str
    course_title: str
    completed_on: dt.date
    mandatory: bool  # a statutory or mandatory subject (WRES indicator 4 counts only the rest)
    hours: Decimal
    cost: Decimal


def training_facts(organisation: Organisation) -> Iterator[TrainingFact]:
    """Every completion of the organisation's staff, oldest first; one query."""
    rows = (
        Completion.objects.filter(person__organisation=organisation)
        .order_by("completed_on", "pk")
        .values_list(
            "person_id",
            "completed_on",
            "hours",
            "cost",
            "subject_id",
            "subject__code",
            "subject__name",
            "offer__code",
            "offer__title",
        )
    )
    for (
        person_id,
        completed_on,
        hours,
        cost,
        subject_id,
        subject_code,
        subject_name,
        code,
        title,
    ) in rows.iterator(chunk_size=5000):
        yield TrainingFact(
            person_id=person_id,
            course_code=code or subject_code,
            course_title=title or subject_name,
            completed_on=completed_on,
            mandatory=subject_id is not None,
            hours=hours,
            cost=cost,
        )

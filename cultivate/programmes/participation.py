"""Programme places as facts other parts read: each cohort's first and last session day, and each place's
sessions held and attended. The insights snapshot copies them into the analytics store (`programme_participation`)
and the outcomes report reads them; both need the same definitions. Reads only: no access decisions here, the
callers pass places they may read."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.utils import timezone

from .models import Attendance, AttendanceStatus, Cohort, Participant, Session


def cohort_dates(cohorts: Iterable[Cohort]) -> dict[int, tuple[dt.date, dt.date]]:
    """Each cohort's first and last session day in London (its own sessions and the programme's shared ones);
    a cohort without sessions is left out."""
    wanted = {c.pk: c for c in cohorts}
    programmes = {c.programme_id for c in wanted.values()}
    days: dict[int, list[dt.date]] = defaultdict(list)
    rows = Session.objects.filter(programme_id__in=programmes).values_list(
        "programme_id", "cohort_id", "starts_at"
    )
    for programme_id, cohort_id, starts_at in rows:
        day = timezone.localdate(starts_at)
        for cohort in wanted.values():
            if cohort.programme_id == programme_id and cohort_id in (None, cohort.pk):
                days[cohort.pk].append(day)
    return {pk: (min(found), max(found)) for pk, found in days.items()}


def sessions_attended(
    places: Iterable[Participant], *, now: dt.datetime | None = None
) -> tuple[dict[int, int], dict[int, int]]:
    """For each place (by id): the sessions held for its cohort so far, and those the person was present at."""
    now = now or timezone.now()
    places = list(places)
    programmes = {p.cohort.programme_id for p in places}
    sessions = list(
        Session.objects.filter(programme_id__in=programmes, starts_at__lte=now).values_list(
            "programme_id", "cohort_id"
        )
    )
    held = {
        p.pk: sum(
            1 for prog, cohort in sessions if prog == p.cohort.programme_id and cohort in (None, p.cohort_id)
        )
        for p in places
    }
    present: dict[int, int] = defaultdict(int)
    rows = Attendance.objects.filter(
        participant__in=[p.pk for p in places], session__starts_at__lte=now, status=AttendanceStatus.PRESENT
    ).values_list("participant_id", flat=True)
    for participant_id in rows:
        present[participant_id] += 1
    return held, dict(present)

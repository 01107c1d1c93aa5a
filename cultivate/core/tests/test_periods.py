""" "Active on a day" is written once (`core.periods`); its three forms agree on every boundary: the queryset
filter (`EmploymentSpell.objects.active_on`, `Membership.objects.current`), the Python test (`is_active_on`,
`is_current`) and the SQL condition of the hand-written statements (`active_on_sql`, used by
`organisations.access` and `portfolio.delegation.reads.posts_by_person`)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from cultivate.accounts import testing as t
from cultivate.accounts.models import Membership, Role
from cultivate.core import rows
from cultivate.core.periods import active_on_sql, is_active_on
from cultivate.organisations.models import EmploymentSpell

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 6, 15)
ONE = dt.timedelta(days=1)
# (start, end) around DAY: before, on and after each end of the period, and open-ended.
PERIODS = [
    (DAY - 10 * ONE, None),
    (DAY, None),
    (DAY + ONE, None),
    (DAY - 10 * ONE, DAY - ONE),
    (DAY - 10 * ONE, DAY),
    (DAY - 10 * ONE, DAY + ONE),
    (DAY, DAY),
    (DAY + ONE, DAY + 5 * ONE),
]


def _sql_active(day: dt.date) -> set[int]:
    spell = rows.column
    condition = active_on_sql(spell(EmploymentSpell, "start_date"), spell(EmploymentSpell, "end_date"))
    value = connection.ops.adapt_datefield_value(day)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {spell(EmploymentSpell, 'id')} FROM {rows.table(EmploymentSpell)} WHERE {condition}",  # noqa: S608
            [value, value],
        )
        return {row[0] for row in cursor.fetchall()}


def test_the_three_forms_agree_for_spells() -> None:
    org = t.make_organisation()
    team = t.make_team(org, "Ward")
    spells = [
        t.make_spell(
            t.make_person(org), team=team, start=start, end=end, leaving_reason="Retirement" if end else ""
        )
        for start, end in PERIODS
    ]
    for day in (DAY - ONE, DAY, DAY + ONE):
        expected = {s.pk for s in spells if is_active_on(s.start_date, s.end_date, day)}
        assert set(EmploymentSpell.objects.active_on(day).values_list("pk", flat=True)) == expected, day
        assert _sql_active(day) == expected, day
    # DAY itself: exactly the periods that include it.
    assert {s.pk for s in spells if is_active_on(s.start_date, s.end_date, DAY)} == {
        spells[i].pk for i in (0, 1, 4, 5, 6)
    }


def test_the_forms_agree_for_memberships_and_today() -> None:
    org = t.make_organisation()
    today = timezone.localdate()
    memberships = []
    for start, end in PERIODS:
        membership = t.make_user(Role.ORG_ADMIN, organisation=org).memberships.get()
        shift = today - DAY
        membership.starts_on, membership.ends_on = start + shift, end + shift if end else None
        membership.save()
        memberships.append(membership)
    current = set(
        Membership.objects.filter(pk__in=[m.pk for m in memberships]).current().values_list("pk", flat=True)
    )
    assert (
        current == {m.pk for m in memberships if m.is_current} == {memberships[i].pk for i in (0, 1, 4, 5, 6)}
    )
    spell = t.make_spell(t.make_person(org), start=today, end=today, leaving_reason="Retirement")
    assert spell.is_current and EmploymentSpell.objects.active_on().filter(pk=spell.pk).exists()

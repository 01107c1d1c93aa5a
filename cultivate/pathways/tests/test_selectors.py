import datetime as dt
from decimal import Decimal

import pytest

from cultivate.accounts import testing as t
from cultivate.pathways import selectors
from cultivate.pathways import testing as pt
from cultivate.pathways.models import OffTheJobEntry

pytestmark = pytest.mark.django_db


def test_progress_of_many_apprenticeships_counts_hours_up_to_each_gateway(django_assert_max_num_queries):
    org = t.make_organisation()
    first = pt.make_apprenticeship(t.make_person(org), start=dt.date(2025, 9, 1), end=dt.date(2026, 9, 1))
    second = pt.make_apprenticeship(
        t.make_person(org), start=dt.date(2025, 9, 1), end=dt.date(2026, 9, 1), gateway_on=dt.date(2026, 6, 1)
    )
    for apprenticeship in (first, second):
        for day in (dt.date(2026, 5, 1), dt.date(2026, 7, 1)):
            OffTheJobEntry.objects.create(
                apprenticeship=apprenticeship, on=day, hours=Decimal(5), activity="Study"
            )
    with django_assert_max_num_queries(2):
        found = selectors.progress_of([first, second], on=dt.date(2026, 8, 1))
    assert found[first.pk].logged == 10
    assert found[second.pk].logged == 5  # the July hours come after gateway
    assert found[second.pk].behind
    assert selectors.logged_hours(second) == 5

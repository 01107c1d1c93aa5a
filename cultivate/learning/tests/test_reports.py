import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from cultivate.learning import reports
from cultivate.learning.models import Completion, EnrolmentStatus, Evaluation
from cultivate.learning.presenters import evaluation_row, spend_row
from cultivate.learning.testing import make_completion, make_offer, make_session
from cultivate.organisations import testing as t
from cultivate.organisations.models import TeamSetting

pytestmark = pytest.mark.django_db


def test_evaluations_grouped_and_small_numbers_suppressed():
    org = t.make_organisation()
    team = t.make_team(org)
    people = [t.make_person(org, team) for _ in range(6)]
    popular = make_offer(org, title="Popular", provider="Trust L&D")
    rare = make_offer(org, title="Rare", provider="University")
    day = timezone.localdate() - dt.timedelta(days=10)
    for n, person in enumerate(people):
        Evaluation.objects.create(
            completion=make_completion(person, offer=popular, on=day), rating=5 if n else 2
        )
    Evaluation.objects.create(completion=make_completion(people[0], offer=rare, on=day), rating=4)
    lines = reports.evaluations(org, by="offer")
    assert [(line.name, line.responses) for line in lines] == [("Popular", 6), ("Rare", 1)]
    assert evaluation_row(lines[0])["mean"] == "4.5 out of 5"
    assert evaluation_row(lines[1]) == {"name": "Rare", "responses": "[c]", "mean": "[c]", "good": "[c]"}
    assert {line.name for line in reports.evaluations(org, by="provider")} == {"Trust L&D", "University"}


def test_spend_by_setting_per_head_with_backfill():
    org = t.make_organisation()
    ward = t.make_team(org, setting=TeamSetting.INPATIENT)
    community = t.make_team(org, setting=TeamSetting.COMMUNITY)
    on_ward = [t.make_person(org, ward) for _ in range(5)]
    t.make_person(org, community)
    offer = make_offer(org, cost_per_place=Decimal("100"), hours=Decimal("6"))
    session = make_session(offer, starts_in_days=-5)
    day = timezone.localdate() - dt.timedelta(days=5)
    for person in on_ward[:2]:
        session.enrolments.create(person=person, status=EnrolmentStatus.ATTENDED, protected_time=True)
        Completion.objects.create(
            person=person, offer=offer, session=session, completed_on=day, hours=6, cost=100
        )
    make_completion(on_ward[2], offer=offer, on=day - dt.timedelta(days=400))  # over a year ago
    lines = {line.group: line for line in reports.spend(org, by="setting")}
    inpatient = lines["Inpatient"]
    assert (inpatient.people, inpatient.completions, inpatient.cost) == (5, 2, Decimal("200"))
    assert inpatient.cost_per_head == Decimal("40") and inpatient.backfill_hours == Decimal("12")
    assert spend_row(lines["Community"])["cost"] == "[c]"

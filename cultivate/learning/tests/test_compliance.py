import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cultivate.learning import compliance
from cultivate.learning.compliance import ComplianceState
from cultivate.learning.testing import make_completion, make_subject
from cultivate.organisations import testing as t
from cultivate.organisations.models import TeamSetting
from cultivate.portfolio.tests.portfolio_factories import give_role, make_role

pytestmark = pytest.mark.django_db

ON = dt.date(2026, 6, 1)


def test_status_in_date_expiring_expired_and_missing():
    org = t.make_organisation()
    team = t.make_team(org)
    people = [t.make_person(org, team) for _ in range(4)]
    fire = make_subject(org, "Fire safety", renewal_months=12)
    make_completion(people[0], subject=fire, on=dt.date(2026, 3, 1))  # expires 1 March 2027
    make_completion(people[1], subject=fire, on=dt.date(2025, 6, 20))  # expires 20 June 2026: within 30 days
    make_completion(people[2], subject=fire, on=dt.date(2025, 6, 1))  # expires on the day: expired
    make_completion(people[2], subject=fire, on=dt.date(2024, 1, 1))  # an older one does not matter
    found = compliance.mandatory_status_for_people([p.pk for p in people], ON)
    states = [found[p.pk][0].state for p in people]
    assert states == [
        ComplianceState.IN_DATE,
        ComplianceState.EXPIRING,
        ComplianceState.EXPIRED,
        ComplianceState.MISSING,
    ]
    assert found[people[1].pk][0].expires_on == dt.date(2026, 6, 20)
    assert found[people[0].pk][0].is_compliant and not found[people[2].pk][0].is_compliant


def test_required_by_role_and_setting_only():
    org = t.make_organisation()
    ward = t.make_team(org, setting=TeamSetting.INPATIENT)
    community = t.make_team(org, setting=TeamSetting.COMMUNITY)
    hca = make_role("Healthcare assistant")
    on_ward, in_community = t.make_person(org, ward), t.make_person(org, community)
    other_role = t.make_person(org, ward)
    give_role(on_ward, hca)
    give_role(in_community, hca)
    make_subject(org, "Fire safety")
    make_subject(org, "PMVA", role=hca, setting=TeamSetting.INPATIENT)
    left = t.make_person(org)
    t.make_spell(
        left, team=ward, end=dt.date(2025, 1, 1), leaving_reason="Voluntary Resignation - Other/Not Known"
    )
    required = compliance.required_subjects([on_ward.pk, in_community.pk, other_role.pk, left.pk], on=ON)
    assert [s.name for s in required[on_ward.pk]] == ["Fire safety", "PMVA"]
    assert [s.name for s in required[in_community.pk]] == ["Fire safety"]
    assert [s.name for s in required[other_role.pk]] == ["Fire safety"]
    assert required[left.pk] == []


def test_another_organisations_subjects_never_apply():
    org, other = t.make_organisation(), t.make_organisation()
    person = t.make_person(org, t.make_team(org))
    make_subject(other, "Their subject")
    assert compliance.required_subjects([person.pk], on=ON)[person.pk] == []


def test_figures_and_windows():
    org = t.make_organisation()
    team = t.make_team(org)
    people = [t.make_person(org, team) for _ in range(3)]
    fire = make_subject(org, "Fire safety", renewal_months=12)
    make_completion(people[0], subject=fire, on=dt.date(2025, 6, 20))  # 19 days left
    make_completion(people[1], subject=fire, on=dt.date(2025, 8, 15))  # 75 days left
    figures = compliance.compliance_figures(
        compliance.mandatory_status_for_people([p.pk for p in people], ON), on=ON
    )
    assert (figures.people, figures.required, figures.compliant) == (3, 3, 2)
    subject = figures.subjects[0]
    assert subject.expiring == {30: 1, 60: 1, 90: 2}
    assert (subject.missing, subject.expired) == (1, 0)


def test_query_count_does_not_grow_with_people():
    org = t.make_organisation()
    team = t.make_team(org)
    make_subject(org, "Fire safety")
    make_subject(org, "Information governance")

    def queries(n):
        ids = [t.make_person(org, team).pk for _ in range(n)]
        with CaptureQueriesContext(connection) as captured:
            compliance.mandatory_status_for_people(ids, ON)
        return len(captured)

    assert queries(2) == queries(20) == 3

"""The demo's training: generated once for this module by the `demo` command inside a transaction that is rolled
back afterwards."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cultivate.demo.alliance import ALLIANCE_CODE
from cultivate.demo.generator import demo_delete
from cultivate.learning import compliance, gaps
from cultivate.learning.gaps import Finding
from cultivate.learning.models import Completion, Evaluation, MandatorySubject, Offer
from cultivate.organisations.models import Organisation, Team

pytestmark = pytest.mark.django_db


def test_catalogue_of_about_sixty_offers_with_costs(demo: str) -> None:
    offers = Offer.objects.filter(organisation__alliance__code=ALLIANCE_CODE) | Offer.objects.filter(
        alliance__code=ALLIANCE_CODE
    )
    assert 50 <= offers.count() <= 70
    assert offers.filter(cost_per_place__gt=0).count() > 20
    assert {o.kind for o in offers} >= {
        "internal_course",
        "e_learning",
        "university_module",
        "apprenticeship",
    }
    assert "learning offers" in demo


def test_three_years_of_completions_and_evaluations(demo: str) -> None:
    completions = Completion.objects.filter(person__organisation__alliance__code=ALLIANCE_CODE)
    days = completions.values_list("completed_on", flat=True)
    today = timezone.localdate()
    assert min(days) >= today - dt.timedelta(days=3 * 366) and max(days) <= today
    assert min(days) <= today - dt.timedelta(days=2 * 365)
    assert Evaluation.objects.filter(completion__in=completions).count() > 100


def test_compliance_varies_by_team(demo: str) -> None:
    rates: list[float] = []
    for team in Team.objects.filter(organisation__alliance__code=ALLIANCE_CODE)[:12]:
        people = list(team.spells.filter(end_date__isnull=True).values_list("person_id", flat=True))
        figures = compliance.compliance_figures(
            compliance.mandatory_status_for_people(people), on=timezone.localdate()
        )
        if figures.rate is not None:
            rates.append(figures.rate)
    assert max(rates) - min(rates) > 0.1


def test_mental_health_awareness_is_a_gap_in_one_trust_only(demo: str) -> None:
    def finding(ods_code: str) -> str | None:
        organisation = Organisation.objects.get(ods_code=ods_code)
        for line in gaps.organisation_gaps(organisation):
            if line.competence.code == "MH-MC-01":
                return line.finding
        return None

    assert finding("RZ9") == Finding.GAP
    assert finding("RZ7") not in {Finding.GAP, None}


def test_pmva_only_where_a_setting_requires_it(demo: str) -> None:
    pmva = MandatorySubject.objects.filter(organisation__alliance__code=ALLIANCE_CODE, code="pmva")
    assert pmva.exists()
    assert all(r.setting for s in pmva for r in s.requirements.all())


def test_support_at_work(demo: str) -> None:
    """Requests for flexible working with their decisions (one overdue for a line manager to see on their home
    page) and records of the support offered after incidents."""
    from cultivate.learning.support_models import FlexibleWorkingRequest, IncidentSupport

    requests = FlexibleWorkingRequest.objects.filter(person__organisation__alliance__code=ALLIANCE_CODE)
    decisions = set(requests.values_list("decision", flat=True))
    assert {"approved", "approved_changed", "refused", "pending"} <= decisions
    assert requests.filter(decision="pending", decision_due_on__lt=timezone.localdate()).exists()
    support = IncidentSupport.objects.filter(person__organisation__alliance__code=ALLIANCE_CODE)
    assert (
        support.filter(follow_up_done_on__isnull=False).exists()
        and support.filter(follow_up_done_on__isnull=True).exists()
    )


def test_delete_removes_the_training(demo: str) -> None:
    from cultivate.learning.support_models import FlexibleWorkingRequest

    demo_delete()
    assert not Offer.objects.filter(alliance__code=ALLIANCE_CODE).exists()
    assert not FlexibleWorkingRequest.objects.exists()
    assert not MandatorySubject.objects.filter(organisation__ods_code__in=["RZ7", "RZ8", "RZ9"]).exists()


def test_places_on_the_coming_sessions(demo: str) -> None:
    from cultivate.learning.models import Enrolment

    coming = Enrolment.objects.filter(
        session__starts_at__gt=timezone.now(), session__offer__organisation__alliance__code=ALLIANCE_CODE
    )
    assert coming.filter(status="booked").exists() and coming.filter(status="requested").exists()


def test_plans_and_supervision_with_some_people_overdue(demo: str) -> None:
    from cultivate.accounts.models import User
    from cultivate.demo.alliance import demo_email
    from cultivate.learning.models import DevelopmentPlan, SupervisionMeeting
    from cultivate.learning.plans import home, selectors
    from cultivate.learning.plans.models import PlanStatus

    plans = DevelopmentPlan.objects.filter(person__organisation__alliance__code=ALLIANCE_CODE)
    statuses = set(plans.values_list("status", flat=True))
    assert statuses == set(PlanStatus.values)
    assert SupervisionMeeting.objects.filter(person__organisation__alliance__code=ALLIANCE_CODE).count() > 100
    assert "supervision meetings" in demo
    worker = User.objects.get(email=demo_email("support.worker"))
    assert plans.get(person=worker.person).status == PlanStatus.DRAFT
    assert "Agree your development plan" in [
        a.text for a in home.actions(worker.memberships.get(role="support_worker"))
    ]
    manager = User.objects.get(email=demo_email("line.manager")).memberships.get(role="line_manager")
    assert selectors.overdue_people(manager)
    organisation = Organisation.objects.get(ods_code="RZ7")
    figures = selectors.organisation_figures(organisation)
    assert 0 < figures.overdue < figures.people

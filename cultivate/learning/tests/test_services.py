import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cultivate.accounts.models import Role
from cultivate.accounts.testing import make_user
from cultivate.core.audit import AuditContext
from cultivate.learning import services
from cultivate.learning.models import Completion, EnrolmentStatus, MandatorySubject, OfferKind
from cultivate.learning.testing import make_offer, make_session
from cultivate.organisations import testing as t
from cultivate.portfolio import status
from cultivate.portfolio.tests.portfolio_factories import make_competence, make_framework, membership

pytestmark = pytest.mark.django_db
CTX = AuditContext.system("learning tests")


@pytest.fixture
def scene():
    org = t.make_organisation(alliance=t.make_alliance())
    team = t.make_team(org)
    manager_person = t.make_person(org, team)
    worker = t.make_person(org)
    t.make_spell(worker, team=team, line_manager=manager_person)
    other = t.make_person(org, team)
    return {
        "org": org,
        "team": team,
        "worker": worker,
        "other": other,
        "worker_user": make_user(Role.SUPPORT_WORKER, organisation=org, person=worker),
        "manager": make_user(Role.LINE_MANAGER, organisation=org, teams=[team], person=manager_person),
        "educator": make_user(Role.EDUCATOR, organisation=org),
    }


def m(user):
    return membership(user)


def fields(**changes):
    values: dict[str, Any] = dict(
        code="fire-1",
        title="Fire safety",
        kind=OfferKind.INTERNAL_COURSE,
        provider="L&D",
        mode="classroom",
        hours=Decimal("2"),
        cost_per_place=Decimal("25"),
        capacity=10,
    )
    values.update(changes)
    return services.OfferFields(**values)


def test_educator_creates_an_offer_and_a_negative_cost_is_refused(scene):
    offer = services.offer_create(
        ctx=CTX, membership=m(scene["educator"]), fields=fields(), organisation=scene["org"]
    )
    assert offer.organisation == scene["org"] and offer.created_by == scene["educator"]
    with pytest.raises(ValidationError) as error:
        services.offer_create(
            ctx=CTX,
            membership=m(scene["educator"]),
            fields=fields(code="x", cost_per_place=Decimal("-1")),
            organisation=scene["org"],
        )
    assert error.value.message_dict["cost_per_place"] == ["The cost per place must be £0 or more"]
    with pytest.raises(ValidationError, match="already has this course code"):
        services.offer_create(
            ctx=CTX, membership=m(scene["educator"]), fields=fields(), organisation=scene["org"]
        )


def test_worker_and_other_organisations_educator_may_not_manage_offers(scene):
    with pytest.raises(PermissionDenied):
        services.offer_create(
            ctx=CTX, membership=m(scene["worker_user"]), fields=fields(), organisation=scene["org"]
        )
    stranger = make_user(Role.EDUCATOR, organisation=t.make_organisation())
    with pytest.raises(PermissionDenied):
        services.offer_create(ctx=CTX, membership=m(stranger), fields=fields(), organisation=scene["org"])


def test_reference_subjects_and_renewal_never_zero(scene):
    made = services.subjects_adopt_reference(
        ctx=CTX, membership=m(scene["educator"]), organisation=scene["org"]
    )
    assert len(made) == 11
    assert (
        services.subjects_adopt_reference(ctx=CTX, membership=m(scene["educator"]), organisation=scene["org"])
        == []
    )
    fire = MandatorySubject.objects.get(organisation=scene["org"], cstf_code="fire-safety")
    with pytest.raises(ValidationError) as error:
        services.subject_set_renewal(ctx=CTX, membership=m(scene["educator"]), subject=fire, renewal_months=0)
    assert error.value.message_dict["renewal_months"] == ["Enter a renewal period of at least 1 month"]
    fire.refresh_from_db()
    assert fire.renewal_months == 24


def test_request_approve_and_waiting_list(scene):
    session = make_session(make_offer(scene["org"]), capacity=1)
    request = services.enrolment_request(ctx=CTX, membership=m(scene["worker_user"]), session=session)
    assert request.status == EnrolmentStatus.REQUESTED
    with pytest.raises(ValidationError, match="already has a place"):
        services.enrolment_request(ctx=CTX, membership=m(scene["worker_user"]), session=session)
    # The manager books someone else onto the one place first: the approved request goes on the waiting list.
    services.enrolment_book(ctx=CTX, membership=m(scene["manager"]), session=session, person=scene["other"])
    decided = services.enrolment_decide(
        ctx=CTX, membership=m(scene["manager"]), enrolment=request, approve=True, protected_time=True
    )
    assert decided.status == EnrolmentStatus.WAITING and decided.protected_time


def test_overbooking_is_refused_unless_waiting_list(scene):
    session = make_session(make_offer(scene["org"]), capacity=1)
    services.enrolment_book(ctx=CTX, membership=m(scene["manager"]), session=session, person=scene["other"])
    with pytest.raises(ValidationError, match="This session is full"):
        services.enrolment_book(
            ctx=CTX, membership=m(scene["manager"]), session=session, person=scene["worker"]
        )
    waiting = services.enrolment_book(
        ctx=CTX, membership=m(scene["manager"]), session=session, person=scene["worker"], waiting_list=True
    )
    assert waiting.status == EnrolmentStatus.WAITING
    booked = session.enrolments.get(person=scene["other"])
    services.enrolment_withdraw(ctx=CTX, membership=m(scene["manager"]), enrolment=booked)
    waiting.refresh_from_db()
    assert waiting.status == EnrolmentStatus.BOOKED


def test_manager_may_not_book_themselves_or_outside_their_team(scene):
    session = make_session(make_offer(scene["org"]))
    stranger = t.make_person(scene["org"], t.make_team(scene["org"]))
    with pytest.raises(PermissionDenied):
        services.enrolment_book(ctx=CTX, membership=m(scene["manager"]), session=session, person=stranger)


def test_completion_stands_as_portfolio_evidence(scene):
    framework = make_framework(owner_organisation=scene["org"])
    competence = make_competence(framework, assessed_in_practice=True)
    offer = make_offer(scene["org"], develops=[competence])
    session = make_session(offer, starts_in_days=-2)
    enrolment = session.enrolments.create(person=scene["worker"], status=EnrolmentStatus.BOOKED)
    completion = services.completion_complete_own(
        ctx=CTX, membership=m(scene["worker_user"]), enrolment=enrolment, completed_on=timezone.localdate()
    )
    evidence = completion.evidence
    assert evidence is not None
    assert evidence.person == scene["worker"] and list(evidence.competences.all()) == [competence]
    # It shows in the portfolio as work in progress: practice still needs an assessor's sign-off.
    found = status.statuses([scene["worker"].pk], [competence])[(scene["worker"].pk, competence.pk)]
    assert found.state == status.State.IN_PROGRESS
    with pytest.raises(ValidationError, match="already recorded"):
        services.completion_complete_own(
            ctx=CTX,
            membership=m(scene["worker_user"]),
            enrolment=enrolment,
            completed_on=timezone.localdate(),
        )


def test_completion_before_the_session_is_refused_and_nothing_saved(scene):
    offer = make_offer(scene["org"])
    session = make_session(offer, starts_in_days=-2)
    before = timezone.localdate() - dt.timedelta(days=5)
    with pytest.raises(ValidationError) as error:
        services.completion_record(
            ctx=CTX,
            membership=m(scene["educator"]),
            person=scene["worker"],
            offer=offer,
            session=session,
            completed_on=before,
        )
    assert "on or after the session's start" in error.value.message_dict["completed_on"][0]
    with pytest.raises(ValidationError) as error:
        services.completion_record(
            ctx=CTX,
            membership=m(scene["educator"]),
            person=scene["worker"],
            offer=offer,
            completed_on=timezone.localdate(),
            cost=Decimal("-5"),
        )
    assert error.value.message_dict["cost"] == ["The cost must be £0 or more"]
    assert not Completion.objects.exists()


def test_own_completion_of_a_session_not_yet_held_is_refused(scene):
    session = make_session(make_offer(scene["org"]), starts_in_days=3)
    enrolment = session.enrolments.create(person=scene["worker"], status=EnrolmentStatus.BOOKED)
    with pytest.raises(ValidationError, match="has not happened yet"):
        services.completion_complete_own(
            ctx=CTX,
            membership=m(scene["worker_user"]),
            enrolment=enrolment,
            completed_on=timezone.localdate(),
        )


def test_attendance_makes_completions(scene):
    offer = make_offer(scene["org"])
    session = make_session(offer, starts_in_days=-1)
    came = session.enrolments.create(person=scene["worker"], status=EnrolmentStatus.BOOKED)
    missed = session.enrolments.create(person=scene["other"], status=EnrolmentStatus.BOOKED)
    made = services.attendance_record(
        ctx=CTX, membership=m(scene["educator"]), session=session, attended=[came.pk], absent=[missed.pk]
    )
    assert [c.person for c in made] == [scene["worker"]]
    missed.refresh_from_db()
    assert missed.status == EnrolmentStatus.ABSENT


def test_evaluation_once_and_rating_range(scene):
    offer = make_offer(scene["org"])
    completion = services.completion_record(
        ctx=CTX,
        membership=m(scene["educator"]),
        person=scene["worker"],
        offer=offer,
        completed_on=timezone.localdate(),
    )
    with pytest.raises(ValidationError):
        services.evaluation_submit(
            ctx=CTX, membership=m(scene["worker_user"]), completion=completion, rating=6
        )
    services.evaluation_submit(ctx=CTX, membership=m(scene["worker_user"]), completion=completion, rating=4)
    with pytest.raises(ValidationError, match="already evaluated"):
        services.evaluation_submit(
            ctx=CTX, membership=m(scene["worker_user"]), completion=completion, rating=4
        )
    with pytest.raises(PermissionDenied):
        services.evaluation_submit(ctx=CTX, membership=m(scene["educator"]), completion=completion, rating=4)

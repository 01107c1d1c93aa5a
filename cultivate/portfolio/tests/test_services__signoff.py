"""Sign-off services: requests, sign-off, return, correction, withdrawal; who may; notifications; audit;
atomic writes."""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cultivate.accounts import testing as t
from cultivate.accounts.models import Membership, Role
from cultivate.core.models import AuditEvent, Notification
from cultivate.portfolio import services, status
from cultivate.portfolio.audit_actions import PortfolioAction
from cultivate.portfolio.models import Assessment, AssessmentKind, RequestStatus, SignOffRequest

from . import portfolio_factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene():  # type: ignore[no-untyped-def]
    return f.make_scene()


def ask(scene, competence=None, evidence=None, **extra):  # type: ignore[no-untyped-def]
    competence = competence or scene["obs"]
    if evidence is None:
        evidence = [f.make_evidence(scene["worker_person"], competence, kind="observation")]
    return services.signoff_request_create(
        membership=f.membership(scene["worker"]),
        person=scene["worker_person"],
        competence=competence,
        evidence=evidence,
        **extra,
    )


def sign(scene, item, user="assessor", **extra):  # type: ignore[no-untyped-def]
    values: dict[str, Any] = {"level": "supervised", "assessed_on": timezone.localdate()}
    values.update(extra)
    return services.signoff_sign_off(membership=f.membership(scene[user]), signoff_request=item, **values)


def state(scene, competence=None):  # type: ignore[no-untyped-def]
    competence = competence or scene["obs"]
    person = scene["worker_person"]
    return status.statuses([person.pk], [competence])[(person.pk, competence.pk)]


def test_request_notifies_every_assessor_for_the_team(scene, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    second = t.make_user(Role.ASSESSOR, organisation=scene["org"], teams=[scene["ward"], scene["other_ward"]])
    with django_capture_on_commit_callbacks(execute=True):
        item = ask(scene, level_sought="supervised", message="On shift Tuesday")
    assert item.status == RequestStatus.OPEN and item.team == scene["ward"]
    assert item.requested_by == scene["worker"]
    recipients = set(Notification.objects.values_list("user_id", flat=True))
    # Not the assessor of another ward only, nor anyone in another organisation.
    assert recipients == {scene["assessor"].pk, second.pk}
    # Assessors get a daily summary unless they chose otherwise: nothing is emailed yet, both wait for it.
    assert mail.outbox == []
    assert set(Notification.objects.filter(digest_due=True).values_list("user_id", flat=True)) == recipients
    assert all(n.url == f"/assessments/requests/{item.pk}/" for n in Notification.objects.all())
    assert state(scene).state == status.State.AWAITING
    event = AuditEvent.objects.get(action=PortfolioAction.SIGNOFF_REQUESTED)
    assert event.detail["level_sought"] == "supervised"


def test_request_to_a_chosen_assessor_notifies_only_them(scene, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    t.make_user(Role.ASSESSOR, organisation=scene["org"], teams=[scene["ward"]])
    with django_capture_on_commit_callbacks(execute=True):
        ask(scene, assessor=scene["assessor"])
    assert list(Notification.objects.values_list("user_id", flat=True)) == [scene["assessor"].pk]


def test_request_rules(scene) -> None:  # type: ignore[no-untyped-def]
    # An assessor who does not cover the worker's team cannot be chosen.
    with pytest.raises(ValidationError) as caught:
        ask(scene, assessor=scene["other_assessor"])
    assert "assessor" in caught.value.error_dict
    # A level the competence does not have.
    with pytest.raises(ValidationError) as caught:
        ask(scene, level_sought="expert")
    assert "level_sought" in caught.value.error_dict
    # Someone else's evidence.
    theirs = f.make_evidence(scene["manager_person"], scene["obs"])
    with pytest.raises(ValidationError) as caught:
        ask(scene, evidence=[theirs])
    assert "evidence" in caught.value.error_dict
    # Only the worker asks.
    with pytest.raises(PermissionDenied):
        services.signoff_request_create(
            membership=f.membership(scene["manager"]), person=scene["worker_person"], competence=scene["obs"]
        )
    # One open request per competence.
    ask(scene)
    with pytest.raises(ValidationError, match="already asked"):
        ask(scene)
    assert SignOffRequest.objects.count() == 1


def test_practice_competence_needs_observation_or_witness(scene) -> None:  # type: ignore[no-untyped-def]
    reflection = f.make_evidence(scene["worker_person"], scene["obs"], kind="reflection")
    with pytest.raises(ValidationError) as caught:
        ask(scene, evidence=[reflection])
    assert "observation or witness testimony" in caught.value.message_dict["evidence"][0]
    with pytest.raises(ValidationError):
        ask(scene, evidence=[])
    witness = f.make_evidence(scene["worker_person"], kind="witness")
    item = ask(scene, evidence=[reflection, witness])
    # Evidence included in a request is linked to the competence if it was not.
    assert witness.links.filter(competence=scene["obs"]).exists()
    assert item.evidence.count() == 2
    # A competence not assessed in practice needs no particular evidence.
    assert ask(scene, competence=scene["comms"], evidence=[]).status == RequestStatus.OPEN


def test_nobody_to_ask(scene) -> None:  # type: ignore[no-untyped-def]
    Membership.objects.filter(role=Role.ASSESSOR).update(revoked_at=timezone.now())
    with pytest.raises(ValidationError, match="Nobody can sign off"):
        ask(scene)


def test_sign_off(scene, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    item = ask(scene)
    Notification.objects.all().delete()
    assessed = dt.date(2024, 1, 31)
    with django_capture_on_commit_callbacks(execute=True):
        assessment = sign(scene, item, assessed_on=assessed, comments="Confident and accurate.")
    assessor = scene["assessor"]
    assert (assessment.kind, assessment.level, assessment.level_rank) == (
        AssessmentKind.SIGN_OFF,
        "supervised",
        2,
    )
    assert assessment.expires_on == dt.date(2025, 1, 31)  # 12 months
    assert (assessment.assessor_name, assessment.registration_body, assessment.registration_pin) == (
        assessor.full_name,
        "NMC",
        assessor.registration_pin,
    )
    assert assessment.content_hash == scene["obs"].content_hash
    assert list(assessment.evidence.all()) == list(item.evidence.all())
    item.refresh_from_db()
    assert (item.status, item.decided_by) == (RequestStatus.SIGNED_OFF, assessor)
    notification = Notification.objects.get()
    assert notification.user == scene["worker"] and "signed off" in notification.title
    assert notification.url == f"/portfolio/competences/{scene['obs'].pk}/"
    event = AuditEvent.objects.get(action=PortfolioAction.SIGNED_OFF)
    assert event.actor == assessor and event.detail["level"] == "supervised"
    # Expired long ago, so the status says so.
    assert state(scene).state == status.State.EXPIRED
    with pytest.raises(ValidationError, match="already been decided"):
        sign(scene, item)


def test_sign_off_today_is_achieved_and_no_expiry_without_interval(scene) -> None:  # type: ignore[no-untyped-def]
    sign(scene, ask(scene))
    assert state(scene).state == status.State.ACHIEVED
    comms = sign(scene, ask(scene, competence=scene["comms"], evidence=[]), level="observed")
    assert comms.expires_on is None


def test_sign_off_rules(scene) -> None:  # type: ignore[no-untyped-def]
    item = ask(scene)
    with pytest.raises(ValidationError) as caught:
        sign(scene, item, level="expert")
    assert "level" in caught.value.error_dict
    with pytest.raises(ValidationError) as caught:
        sign(scene, item, assessed_on=timezone.localdate() + dt.timedelta(days=1))
    assert "assessed_on" in caught.value.error_dict
    assert not Assessment.objects.exists()


@pytest.mark.parametrize("who", ["other_assessor", "manager", "org_admin", "other_org_assessor", "worker"])
def test_who_may_not_sign_off(scene, who) -> None:  # type: ignore[no-untyped-def]
    item = ask(scene)
    with pytest.raises(PermissionDenied):
        sign(scene, item, user=who)
    with pytest.raises(PermissionDenied):
        services.signoff_return(membership=f.membership(scene[who]), signoff_request=item, feedback="No.")
    assert not Assessment.objects.exists()


def test_never_for_themselves_even_as_an_assessor(scene) -> None:  # type: ignore[no-untyped-def]
    # A registered nurse on the ward who is also an assessor for it, asking for their own sign-off.
    nurse_person = t.make_person(scene["org"], team=scene["ward"], band="5")
    f.give_role(nurse_person, scene["hca"])
    nurse = t.make_user(Role.ASSESSOR, organisation=scene["org"], teams=[scene["ward"]], person=nurse_person)
    Membership.objects.create(user=nurse, role=Role.SUPPORT_WORKER, organisation=scene["org"])
    as_worker = Membership.objects.get(user=nurse, role=Role.SUPPORT_WORKER)
    evidence = f.make_evidence(nurse_person, scene["obs"])
    item = services.signoff_request_create(
        membership=as_worker, person=nurse_person, competence=scene["obs"], evidence=[evidence]
    )
    as_assessor = Membership.objects.get(user=nurse, role=Role.ASSESSOR)
    with pytest.raises(PermissionDenied):
        services.signoff_sign_off(
            membership=as_assessor, signoff_request=item, level="supervised", assessed_on=timezone.localdate()
        )
    # Nor may they be chosen as their own assessor.
    with pytest.raises(ValidationError):
        services.signoff_request_create(
            membership=as_worker,
            person=nurse_person,
            competence=scene["comms"],
            assessor=nurse,
        )


def test_unregistered_assessor_may_not_sign_off(scene) -> None:  # type: ignore[no-untyped-def]
    item = ask(scene)
    assessor = scene["assessor"]
    assessor.registration_pin = ""
    assessor.save()
    with pytest.raises(PermissionDenied):
        sign(scene, item)


def test_return_with_feedback(scene, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    item = ask(scene)
    with pytest.raises(ValidationError) as caught:
        services.signoff_return(
            membership=f.membership(scene["assessor"]), signoff_request=item, feedback="  "
        )
    assert "feedback" in caught.value.error_dict
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        services.signoff_return(
            membership=f.membership(scene["assessor"]),
            signoff_request=item,
            feedback="Please add a witness statement from the night shift.",
        )
    item.refresh_from_db()
    assert item.status == RequestStatus.RETURNED and item.feedback.startswith("Please add")
    assert "witness statement" in Notification.objects.get(user=scene["worker"]).body
    assert AuditEvent.objects.filter(action=PortfolioAction.SIGNOFF_RETURNED).count() == 1
    assert state(scene).state == status.State.IN_PROGRESS
    # The worker may ask again.
    assert ask(scene).status == RequestStatus.OPEN


def test_cancel_request(scene) -> None:  # type: ignore[no-untyped-def]
    item = ask(scene)
    with pytest.raises(PermissionDenied):
        services.signoff_request_cancel(membership=f.membership(scene["assessor"]), signoff_request=item)
    services.signoff_request_cancel(membership=f.membership(scene["worker"]), signoff_request=item)
    assert SignOffRequest.objects.get().status == RequestStatus.CANCELLED
    with pytest.raises(ValidationError):
        services.signoff_request_cancel(membership=f.membership(scene["worker"]), signoff_request=item)


def test_correction(scene, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    original = sign(scene, ask(scene), level="independent", assessed_on=dt.date(2026, 1, 10))
    second = t.make_user(Role.ASSESSOR, organisation=scene["org"], teams=[scene["ward"]])
    with pytest.raises(ValidationError) as caught:
        services.assessment_correct(
            membership=f.membership(second),
            assessment=original,
            level="supervised",
            assessed_on=original.assessed_on,
            reason="",
        )
    assert "reason" in caught.value.error_dict
    with pytest.raises(ValidationError, match="must correct something"):
        services.assessment_correct(
            membership=f.membership(second),
            assessment=original,
            level=original.level,
            assessed_on=original.assessed_on,
            reason="No change",
        )
    with django_capture_on_commit_callbacks(execute=True):
        correction = services.assessment_correct(
            membership=f.membership(second),
            assessment=original,
            level="supervised",
            assessed_on=dt.date(2026, 1, 12),
            reason="I recorded the wrong level and date.",
        )
    assert correction.kind == AssessmentKind.CORRECTION and correction.supersedes == original
    assert correction.expires_on == dt.date(2027, 1, 12)
    assert correction.assessor == second and correction.assessor_name == second.full_name
    assert correction.content_hash == original.content_hash
    assert set(correction.evidence.all()) == set(original.evidence.all())
    current = state(scene)
    assert (current.assessment_id, current.level) == (correction.pk, "supervised")
    assert "corrected" in Notification.objects.filter(user=scene["worker"]).first().title  # type: ignore[union-attr]
    event = AuditEvent.objects.get(action=PortfolioAction.ASSESSMENT_CORRECTED)
    assert event.detail["previous_level"] == "independent"
    # The superseded record can no longer be corrected or withdrawn.
    with pytest.raises(ValidationError, match="already been corrected"):
        services.assessment_withdraw(membership=f.membership(second), assessment=original, reason="x")
    # The original itself never changed.
    original.refresh_from_db()
    assert (original.level, original.assessed_on) == ("independent", dt.date(2026, 1, 10))


def test_withdrawal(scene) -> None:  # type: ignore[no-untyped-def]
    signed = sign(scene, ask(scene))
    with pytest.raises(ValidationError) as caught:
        services.assessment_withdraw(
            membership=f.membership(scene["assessor"]), assessment=signed, reason=" "
        )
    assert "reason" in caught.value.error_dict
    with pytest.raises(PermissionDenied):
        services.assessment_withdraw(
            membership=f.membership(scene["other_assessor"]),
            assessment=signed,
            reason="Not mine to withdraw.",
        )
    withdrawal = services.assessment_withdraw(
        membership=f.membership(scene["assessor"]),
        assessment=signed,
        reason="Concerns raised about practice.",
    )
    assert (withdrawal.kind, withdrawal.level, withdrawal.supersedes) == (
        AssessmentKind.WITHDRAWAL,
        "",
        signed,
    )
    assert withdrawal.assessed_on == timezone.localdate()
    assert not state(scene).is_held
    assert AuditEvent.objects.filter(action=PortfolioAction.ASSESSMENT_WITHDRAWN).count() == 1
    with pytest.raises(ValidationError, match="cannot be corrected or withdrawn"):
        services.assessment_withdraw(
            membership=f.membership(scene["assessor"]), assessment=withdrawal, reason="x"
        )


def test_writes_are_atomic(scene) -> None:  # type: ignore[no-untyped-def]
    item = ask(scene)
    with mock.patch("cultivate.portfolio.services.audit", side_effect=RuntimeError("audit down")):
        with pytest.raises(RuntimeError):
            sign(scene, item)
        item.refresh_from_db()
        with pytest.raises(RuntimeError):
            services.signoff_return(
                membership=f.membership(scene["assessor"]), signoff_request=item, feedback="x"
            )
    item.refresh_from_db()
    assert item.status == RequestStatus.OPEN and item.feedback == ""
    assert not Assessment.objects.exists()
    signed = sign(scene, item)
    with (
        mock.patch("cultivate.portfolio.services.audit", side_effect=RuntimeError("audit down")),
        pytest.raises(RuntimeError),
    ):
        services.assessment_withdraw(
            membership=f.membership(scene["assessor"]), assessment=signed, reason="x"
        )
    assert Assessment.objects.count() == 1


def test_sign_off_after_a_new_version_uses_the_published_row(scene) -> None:  # type: ignore[no-untyped-def]
    item = ask(scene)
    f.publish_new_version(
        scene["framework"], {scene["obs"].identifier: {"description": "Now with a manual cuff."}}
    )
    assessment = sign(scene, item)
    row = f.current_row(scene["obs"])
    assert assessment.competence == row and assessment.content_hash == row.content_hash
    assert state(scene, row).state == status.State.ACHIEVED


def test_add_months() -> None:
    assert services.add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert services.add_months(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)
    assert services.add_months(dt.date(2026, 11, 15), 3) == dt.date(2027, 2, 15)
    assert services.add_months(dt.date(2026, 12, 1), 12) == dt.date(2027, 12, 1)

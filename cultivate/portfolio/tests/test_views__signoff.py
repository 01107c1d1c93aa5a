"""Sign-off pages: asking, the assessor's queue, reviewing (sign off or return), correcting and withdrawing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from cultivate.accounts import testing as t
from cultivate.accounts.models import Role
from cultivate.core.audit_actions import CoreAction
from cultivate.core.models import AuditEvent
from cultivate.portfolio import services, status
from cultivate.portfolio.models import Assessment, AssessmentKind, RequestStatus, SignOffRequest

from . import portfolio_factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene():  # type: ignore[no-untyped-def]
    return f.make_scene()


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(response.content.decode().split())


def ask(scene, competence=None, person_key="worker_person", user_key="worker"):  # type: ignore[no-untyped-def]
    competence = competence or scene["obs"]
    evidence = f.make_evidence(
        scene[person_key], competence, kind="observation", title="Observed by Sister Jones"
    )
    return services.signoff_request_create(
        membership=f.membership(scene[user_key]),
        person=scene[person_key],
        competence=competence,
        evidence=[evidence],
        level_sought="supervised",
    )


def test_ask_for_sign_off_page(scene) -> None:  # type: ignore[no-untyped-def]
    evidence = f.make_evidence(scene["worker_person"], scene["obs"], title="Observed by Sister Jones")
    client = client_for(scene["worker"])
    chooser = text(client.get("/portfolio/requests/new/"))
    assert "Select a competence" in chooser and "OBS1 Measure and record blood pressure" in chooser
    page = text(client.get(f"/portfolio/requests/new/?competence={scene['obs'].pk}"))
    assert "assessed in practice" in page and "Observed by Sister Jones" in page
    assert scene["assessor"].full_name in page and scene["other_assessor"].full_name not in page
    assert "Any assessor for my team" in page
    response = client.post(
        "/portfolio/requests/new/",
        {
            "competence": scene["obs"].pk,
            "level_sought": "supervised",
            "evidence": [evidence.pk],
            "assessor": "",
            "message": "I am on earlies next week.",
        },
    )
    assert (
        response.status_code == 302 and response["Location"] == f"/portfolio/competences/{scene['obs'].pk}/"
    )
    item = SignOffRequest.objects.get()
    assert (item.level_sought, item.message, item.assessor) == (
        "supervised",
        "I am on earlies next week.",
        None,
    )
    page = text(client.get(response["Location"]))
    assert "Awaiting sign-off" in page and "Cancel this request" in page


def test_ask_without_practice_evidence_shows_the_rule(scene) -> None:  # type: ignore[no-untyped-def]
    reflection = f.make_evidence(scene["worker_person"], scene["obs"], kind="reflection")
    response = client_for(scene["worker"]).post(
        "/portfolio/requests/new/", {"competence": scene["obs"].pk, "evidence": [reflection.pk]}
    )
    assert response.status_code == 200
    page = text(response)
    assert "There is a problem" in page and "include at least one observation or witness testimony" in page
    assert not SignOffRequest.objects.exists()


def test_worker_cancels_a_request(scene) -> None:  # type: ignore[no-untyped-def]
    item = ask(scene)
    assert client_for(scene["assessor"]).post(f"/portfolio/requests/{item.pk}/cancel/").status_code == 403
    assert client_for(scene["stranger"]).post(f"/portfolio/requests/{item.pk}/cancel/").status_code == 404
    response = client_for(scene["worker"]).post(f"/portfolio/requests/{item.pk}/cancel/")
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == RequestStatus.CANCELLED


def test_queue_lists_open_requests_oldest_first(scene) -> None:  # type: ignore[no-untyped-def]
    first = ask(scene)
    second = ask(scene, competence=scene["comms"])
    SignOffRequest.objects.filter(pk=first.pk).update(created_at=timezone.now() - dt.timedelta(days=3))
    # A request from someone on another ward, and one from another organisation, are not shown.
    other_person = t.make_person(
        scene["org"], team=scene["other_ward"], given_name="Ola", family_name="Other"
    )
    t.make_user(Role.SUPPORT_WORKER, organisation=scene["org"], person=other_person)
    SignOffRequest.objects.create(person=other_person, competence=scene["obs"])
    SignOffRequest.objects.create(person=scene["stranger_person"], competence=scene["obs"])
    page = text(client_for(scene["assessor"]).get("/assessments/"))
    assert "Requests waiting for a decision" in page and "<strong>2</strong> requests waiting." in page
    assert page.index(f"/assessments/requests/{first.pk}/") < page.index(
        f"/assessments/requests/{second.pk}/"
    )
    assert "3 days" in page
    assert "Ola Other" not in page and "Sam Stranger" not in page
    other_page = text(client_for(scene["other_assessor"]).get("/assessments/"))
    assert "Ola Other" in other_page and "Wren Worker" not in other_page


def test_requests_addressed_to_another_assessor_are_listed_apart(scene) -> None:  # type: ignore[no-untyped-def]
    colleague = t.make_user(Role.ASSESSOR, organisation=scene["org"], teams=[scene["ward"]])
    evidence = f.make_evidence(scene["worker_person"], scene["obs"])
    services.signoff_request_create(
        membership=f.membership(scene["worker"]),
        person=scene["worker_person"],
        competence=scene["obs"],
        evidence=[evidence],
        assessor=colleague,
    )
    client = client_for(scene["assessor"])
    page = text(client.get("/assessments/"))
    assert colleague.full_name in page  # addressed to them, shown in its own column
    mine = text(client.get("/assessments/", {"mine": "1"}))
    assert "No requests match these filters." in mine and "match these filters, of 1" in mine


def test_queue_filters_sorts_counts_and_pages(scene) -> None:  # type: ignore[no-untyped-def]
    first = ask(scene)
    second = ask(scene, competence=scene["comms"])
    SignOffRequest.objects.filter(pk=first.pk).update(created_at=timezone.now() - dt.timedelta(days=10))
    client = client_for(scene["assessor"])
    # By competence (any version of it), by time waiting, by team; the filters are GET parameters.
    page = text(client.get("/assessments/", {"competence": str(scene["comms"].identifier)}))
    assert f"/assessments/requests/{second.pk}/" in page and f"/assessments/requests/{first.pk}/" not in page
    assert "<strong>1</strong> request waiting match" in page
    page = text(client.get("/assessments/", {"waiting": "7"}))
    assert f"/assessments/requests/{first.pk}/" in page and f"/assessments/requests/{second.pk}/" not in page
    page = text(client.get("/assessments/", {"team": str(scene["ward"].pk)}))
    assert f"/assessments/requests/{first.pk}/" in page and f"/assessments/requests/{second.pk}/" in page
    newest = text(client.get("/assessments/", {"sort": "newest"}))
    assert newest.index(f"/requests/{second.pk}/") < newest.index(f"/requests/{first.pk}/")
    # A bad value is an error on the form, not a crash; the whole queue is shown.
    bad = text(client.get("/assessments/", {"team": "999999"}))
    assert "There is a problem" in bad and "<strong>2</strong> requests waiting" in bad
    # Paged, 25 to a page.
    other = t.make_person(scene["org"], team=scene["ward"], given_name="Many", family_name="Requests")
    for _ in range(30):
        SignOffRequest.objects.create(
            person=other, competence=f.make_competence(scene["framework"]), team=scene["ward"]
        )
    page = text(client.get("/assessments/"))
    assert "<strong>32</strong> requests waiting. Page 1 of 2." in page
    assert page.count("/assessments/requests/") == 25
    assert text(client.get("/assessments/", {"page": "2"})).count("/assessments/requests/") == 7


@pytest.mark.parametrize("who", ["worker", "manager", "org_admin", "analyst"])
def test_queue_is_for_assessors(scene, who) -> None:  # type: ignore[no-untyped-def]
    assert client_for(scene[who]).get("/assessments/").status_code == 403


def test_review_and_sign_off(scene) -> None:  # type: ignore[no-untyped-def]
    item = ask(scene)
    client = client_for(scene["assessor"])
    page = text(client.get(f"/assessments/requests/{item.pk}/"))
    assert "Review a request for sign-off" in page and "Observed by Sister Jones" in page
    assert "Sign off" in page and "Return with feedback" in page
    assert scene["assessor"].registration_pin in page
    # Errors are shown on the form that was sent.
    response = client.post(
        f"/assessments/requests/{item.pk}/",
        {"action": "sign_off", "signoff-level": "", "signoff-assessed_on": "2999-01-01"},
    )
    page = text(response)
    assert "Select the level you are signing off" in page and "must be today or in the past" in page
    response = client.post(
        f"/assessments/requests/{item.pk}/",
        {
            "action": "sign_off",
            "signoff-level": "supervised",
            "signoff-assessed_on": timezone.localdate().isoformat(),
            "signoff-comments": "Accurate and kind.",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/assessments/"
    assessment = Assessment.objects.get()
    assert (assessment.level, assessment.comments, assessment.assessor) == (
        "supervised",
        "Accurate and kind.",
        scene["assessor"],
    )
    # The worker sees it achieved.
    page = text(client_for(scene["worker"]).get("/portfolio/"))
    assert "Signed off at Supervised" in page
    # A second decision on the same request is refused politely.
    again = client.post(f"/assessments/requests/{item.pk}/", {"action": "return", "return-feedback": "x"})
    assert again.status_code == 302
    item.refresh_from_db()
    assert item.status == RequestStatus.SIGNED_OFF


def test_review_shows_the_statement_and_levels_and_warns_below_the_level_needed(scene) -> None:  # type: ignore[no-untyped-def]
    item = ask(scene)
    client = client_for(scene["assessor"])
    page = text(client.get(f"/assessments/requests/{item.pk}/"))
    assert "What each level means" in page
    assert "Carries out the task safely with a registered professional present." in page
    assert "(needed for their role)" in page
    sent = {
        "action": "sign_off",
        "signoff-level": "observed",
        "signoff-assessed_on": timezone.localdate().isoformat(),
    }
    # Below the level the role needs (supervised): a confirmation step, nothing recorded yet.
    warned = client.post(f"/assessments/requests/{item.pk}/", sent)
    assert warned.status_code == 200
    page = text(warned)
    assert "Below the level their role needs" in page and "Sign off at Observed anyway" in page
    assert not Assessment.objects.exists()
    confirmed = client.post(f"/assessments/requests/{item.pk}/", {**sent, "signoff-confirm_below": "on"})
    assert confirmed.status_code == 302
    assert Assessment.objects.get().level == "observed"


def test_review_and_return(scene) -> None:  # type: ignore[no-untyped-def]
    item = ask(scene)
    client = client_for(scene["assessor"])
    response = client.post(f"/assessments/requests/{item.pk}/", {"action": "return", "return-feedback": ""})
    assert "Enter feedback saying what is needed" in text(response)
    response = client.post(
        f"/assessments/requests/{item.pk}/",
        {"action": "return", "return-feedback": "Add a witness statement."},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == RequestStatus.RETURNED
    page = text(client_for(scene["worker"]).get(f"/portfolio/competences/{scene['obs'].pk}/"))
    assert "Returned with feedback" in page and "Add a witness statement." in page


@pytest.mark.parametrize(
    ("who", "status_code"),
    [
        ("other_assessor", 404),
        ("manager", 403),
        ("org_admin", 403),
        ("other_org_assessor", 404),
        ("stranger", 404),
    ],
)
def test_review_access(scene, who, status_code) -> None:  # type: ignore[no-untyped-def]
    item = ask(scene)
    client = client_for(scene[who])
    assert client.get(f"/assessments/requests/{item.pk}/").status_code == status_code
    response = client.post(
        f"/assessments/requests/{item.pk}/",
        {"action": "sign_off", "signoff-level": "supervised", "signoff-assessed_on": timezone.localdate()},
    )
    assert response.status_code == status_code
    assert not Assessment.objects.exists()
    assert AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED, actor=scene[who]).count() == 2


def test_assessor_cannot_review_their_own_request(scene) -> None:  # type: ignore[no-untyped-def]
    nurse_person = t.make_person(
        scene["org"], team=scene["ward"], band="5", given_name="Nia", family_name="Nurse"
    )
    nurse = t.make_user(Role.ASSESSOR, organisation=scene["org"], teams=[scene["ward"]], person=nurse_person)
    item = SignOffRequest.objects.create(person=nurse_person, competence=scene["comms"])
    response = client_for(nurse).get(f"/assessments/requests/{item.pk}/")
    assert response.status_code == 403
    assert "Nia Nurse" not in text(client_for(nurse).get("/assessments/"))


def test_correct_and_withdraw_pages(scene) -> None:  # type: ignore[no-untyped-def]
    item = ask(scene)
    signed = services.signoff_sign_off(
        membership=f.membership(scene["assessor"]),
        signoff_request=item,
        level="independent",
        assessed_on=timezone.localdate(),
    )
    client = client_for(scene["assessor"])
    page = text(client.get(f"/assessments/{signed.pk}/correct/"))
    assert "Correct a sign-off" in page and "Signed off at Independent" in page
    response = client.post(
        f"/assessments/{signed.pk}/correct/",
        {"level": "supervised", "assessed_on": signed.assessed_on.isoformat(), "reason": ""},
    )
    assert "Enter the reason for the correction" in text(response)
    response = client.post(
        f"/assessments/{signed.pk}/correct/",
        {
            "level": "supervised",
            "assessed_on": signed.assessed_on.isoformat(),
            "reason": "Wrong level chosen.",
        },
    )
    assert response.status_code == 302
    correction = Assessment.objects.get(kind=AssessmentKind.CORRECTION)
    # The superseded record now offers no actions.
    assert "already been corrected or withdrawn" in text(client.get(f"/assessments/{signed.pk}/correct/"))
    # Withdrawing is confirmed first.
    unconfirmed = client.post(
        f"/assessments/{correction.pk}/withdraw/", {"reason": "Concerns about practice."}
    )
    assert "Confirm that you want to withdraw the sign-off" in text(unconfirmed)
    response = client.post(
        f"/assessments/{correction.pk}/withdraw/", {"reason": "Concerns about practice.", "confirm": "on"}
    )
    assert response.status_code == 302
    person = scene["worker_person"]
    current = status.statuses([person.pk], [scene["obs"]])[(person.pk, scene["obs"].pk)]
    assert not current.is_held
    history = text(client_for(scene["worker"]).get(f"/portfolio/competences/{scene['obs'].pk}/"))
    assert (
        "Withdrawn" in history and "Concerns about practice." in history and "Wrong level chosen." in history
    )
    # The withdrawn sign-off itself reads "Withdrawn", not just "Superseded".
    assert 'nhsuk-tag--red">Withdrawn</strong>' in history.replace("> ", ">").replace(" <", "<")


@pytest.mark.parametrize(("who", "status_code"), [("other_assessor", 404), ("manager", 403), ("worker", 403)])
def test_correct_and_withdraw_access(scene, who, status_code) -> None:  # type: ignore[no-untyped-def]
    signed = f.make_assessment(scene["worker_person"], scene["obs"], assessor=scene["assessor"])
    client = client_for(scene[who])
    assert client.post(f"/assessments/{signed.pk}/withdraw/", {"reason": "x"}).status_code == status_code
    assert client.post(f"/assessments/{signed.pk}/correct/", {"reason": "x"}).status_code == status_code
    assert Assessment.objects.count() == 1

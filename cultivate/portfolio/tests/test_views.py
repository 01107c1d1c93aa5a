"""Portfolio pages: my portfolio, a person's portfolio (read-only), a competence, and notifications."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from cultivate.accounts import testing as t
from cultivate.accounts.models import Role
from cultivate.core import selectors as core_selectors
from cultivate.core.audit_actions import CoreAction
from cultivate.core.models import AuditEvent, Notification
from cultivate.core.notify import notify
from cultivate.portfolio.models import AssessmentKind, SignOffRequest

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


def test_my_portfolio_shows_progress_and_statuses(scene) -> None:  # type: ignore[no-untyped-def]
    person = scene["worker_person"]
    f.make_assessment(
        person,
        scene["comms"],
        level="observed",
        assessed_on=timezone.localdate() - dt.timedelta(days=10),
        assessor=scene["assessor"],
    )
    f.make_evidence(person, scene["obs"])
    response = client_for(scene["worker"]).get("/portfolio/")
    assert response.status_code == 200
    page = text(response)
    assert "Your portfolio" in page
    assert "1 of 2</strong> required competences met (50%)" in page
    assert '<progress class="app-progress' in page and 'max="2" value="1"' in page
    # Grouped by framework and domain, each with a status in words.
    assert "<h2>Clinical skills</h2>" in page and "<h3>Observations</h3>" in page
    assert "OBS1 Measure and record blood pressure" in page
    assert ">In progress<" in page.replace(" <", "<").replace("> ", ">")
    assert "Signed off at Observed" in page
    # Blood pressure was due 84 days after starting in January 2025: overdue.
    assert "Overdue: was due by 31 March 2025" in page
    # Which requirement applies and how the due date was worked out.
    assert "Required for Healthcare assistant at Supervised." in page
    assert "84 days from starting in the role on 6 January 2025" in page
    assert "Needs attention" in page
    # What to do comes before the table of statuses (a phone reads the page top down).
    assert page.index("Needs attention") < page.index("Required competences by status")
    assert "Add evidence" in page and "Ask for sign-off" in page


def test_below_the_required_level_is_not_met(scene) -> None:  # type: ignore[no-untyped-def]
    f.make_assessment(scene["worker_person"], scene["obs"], level="observed", assessor=scene["assessor"])
    page = text(client_for(scene["worker"]).get("/portfolio/"))
    assert "Signed off at Observed: Supervised needed" in page
    assert "0 of 2</strong> required competences met" in page
    # Its own status and tag, never a green "Achieved" beside "Overdue".
    compact = page.replace(" <", "<").replace("> ", ">")
    assert 'nhsuk-tag--orange">Below the level needed<' in compact
    assert ">Achieved<" not in compact
    assert "below the level needed (Observed, Supervised needed), overdue" in page


def test_other_competences_are_listed_separately(scene) -> None:  # type: ignore[no-untyped-def]
    extra = f.make_competence(scene["framework"], "Use a hoist", code="MOV1")
    f.make_assessment(scene["worker_person"], extra, assessor=scene["assessor"])
    page = text(client_for(scene["worker"]).get("/portfolio/"))
    assert "Other competences" in page and "MOV1 Use a hoist" in page


def test_portfolio_without_a_staff_record() -> None:
    org = t.make_organisation()
    user = t.make_user(Role.ORG_ADMIN, organisation=org)
    response = client_for(user).get("/portfolio/")
    assert response.status_code == 200
    assert "not linked to a staff record" in text(response)


def test_portfolio_in_queries_independent_of_size(scene, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    client = client_for(scene["worker"])
    client.get("/portfolio/")
    for _ in range(15):
        competence = f.make_competence(scene["framework"], parent=scene["domain"], reassess_months=12)
        f.require(scene["org"], scene["hca"], competence)
        f.make_assessment(scene["worker_person"], competence, assessor=scene["assessor"])
        f.make_evidence(scene["worker_person"], competence)
    with django_assert_max_num_queries(40):
        assert client.get("/portfolio/").status_code == 200


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("manager", True),
        ("assessor", True),
        ("org_admin", True),
        ("other_assessor", False),
        ("analyst", False),
        ("stranger", False),
        ("other_org_assessor", False),
    ],
)
def test_person_portfolio_access(scene, who, allowed) -> None:  # type: ignore[no-untyped-def]
    person = scene["worker_person"]
    response = client_for(scene[who]).get(f"/people/{person.pk}/portfolio/")
    competence = client_for(scene[who]).get(f"/people/{person.pk}/portfolio/competences/{scene['obs'].pk}/")
    if allowed:
        assert response.status_code == 200 and competence.status_code == 200
        page = text(response)
        assert "Read-only" in page and "Wren Worker" in page
        assert "Add evidence" not in page
    else:
        assert response.status_code == 404 and competence.status_code == 404
        assert AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED, actor=scene[who]).exists()


def test_own_portfolio_under_people_is_the_own_view(scene) -> None:  # type: ignore[no-untyped-def]
    response = client_for(scene["worker"]).get(f"/people/{scene['worker_person'].pk}/portfolio/")
    assert response.status_code == 200
    page = text(response)
    assert "Your portfolio" in page and "Add evidence" in page and "Read-only" not in page


def test_competence_detail_with_history(scene) -> None:  # type: ignore[no-untyped-def]
    person = scene["worker_person"]
    original = f.make_assessment(
        person, scene["obs"], level="independent", assessed_on=dt.date(2026, 1, 5), assessor=scene["assessor"]
    )
    f.make_assessment(
        person,
        scene["obs"],
        level="supervised",
        assessed_on=dt.date(2026, 1, 5),
        kind=AssessmentKind.CORRECTION,
        supersedes=original,
        reason="Only supervised so far.",
        assessor=scene["assessor"],
    )
    evidence = f.make_evidence(person, scene["obs"], title="Night shift observation")
    SignOffRequest.objects.create(
        person=person, competence=scene["obs"], status="returned", feedback="Add a witness, please."
    )
    page = text(client_for(scene["worker"]).get(f"/portfolio/competences/{scene['obs'].pk}/"))
    assert "Measure and record blood pressure" in page
    assert "Assessed in practice" in page
    assert "Night shift observation" in page and f"/portfolio/evidence/{evidence.pk}/" in page
    assert "Add a witness, please." in page
    assert "Corrected to Supervised" in page and "Only supervised so far." in page
    assert "Signed off at Independent" in page and "Superseded" in page
    assert "Observed, Supervised, Independent" in page
    # The worker has no correct/withdraw actions; an assessor for them does.
    assert "/correct/" not in page
    assessor_page = text(
        client_for(scene["assessor"]).get(f"/people/{person.pk}/portfolio/competences/{scene['obs'].pk}/")
    )
    assert "/correct/" in assessor_page and "/withdraw/" in assessor_page
    manager_page = text(
        client_for(scene["manager"]).get(f"/people/{person.pk}/portfolio/competences/{scene['obs'].pk}/")
    )
    assert "/correct/" not in manager_page


def test_old_version_urls_redirect_to_the_published_row(scene) -> None:  # type: ignore[no-untyped-def]
    f.publish_new_version(scene["framework"])
    row = f.current_row(scene["obs"])
    response = client_for(scene["worker"]).get(f"/portfolio/competences/{scene['obs'].pk}/")
    assert response.status_code == 302 and response["Location"] == f"/portfolio/competences/{row.pk}/"


def test_a_competence_of_another_organisations_framework_is_not_found(scene) -> None:  # type: ignore[no-untyped-def]
    private = f.make_competence(f.make_framework(owner_organisation=scene["other_org"]), "Private")
    assert client_for(scene["worker"]).get(f"/portfolio/competences/{private.pk}/").status_code == 404
    assert client_for(scene["worker"]).get("/portfolio/competences/999999/").status_code == 404


# --- Notifications -----------------------------------------------------------------------------------


def test_notifications_page_and_marking_read(scene) -> None:  # type: ignore[no-untyped-def]
    user = scene["worker"]
    first = notify(user=user, title="Blood pressure signed off", url="/portfolio/", email=False)
    notify(user=user, title="Reminder", email=False)
    notify(user=scene["manager"], title="Someone else's", email=False)
    assert core_selectors.unread_count(user) == 2
    client = client_for(user)
    page = text(client.get("/notifications/"))
    assert "2 unread notifications" in page and "Blood pressure signed off" in page
    assert "Someone else's" not in page
    # Following a notification marks it read and goes to its page.
    response = client.get(f"/notifications/{first.pk}/")
    assert response.status_code == 302 and response["Location"] == "/portfolio/"
    assert core_selectors.unread_count(user) == 1
    # Another user's notification does not exist for this user.
    other = Notification.objects.get(user=scene["manager"])
    assert client.get(f"/notifications/{other.pk}/").status_code == 404
    assert client.post("/notifications/read/", {"id": other.pk}).status_code == 302
    other.refresh_from_db()
    assert other.read_at is None
    client.post("/notifications/read/")
    assert core_selectors.unread_count(user) == 0
    assert "no unread notifications" in text(client.get("/notifications/"))


def test_notification_links_stay_in_the_service(scene) -> None:  # type: ignore[no-untyped-def]
    user = scene["worker"]
    outside = notify(user=user, title="Odd", url="https://evil.example/", email=False)
    protocol_relative = notify(user=user, title="Odd", url="//evil.example/", email=False)
    client = client_for(user)
    assert client.get(f"/notifications/{outside.pk}/")["Location"] == "/notifications/"
    assert client.get(f"/notifications/{protocol_relative.pk}/")["Location"] == "/notifications/"


def test_unread_count_for_anonymous_users() -> None:
    from django.contrib.auth.models import AnonymousUser

    assert core_selectors.unread_count(AnonymousUser()) == 0
    assert list(core_selectors.notifications_for(AnonymousUser())) == []


def test_notifications_need_sign_in() -> None:
    response = Client().get("/notifications/")
    assert response.status_code == 302 and "/accounts/sign-in/" in response["Location"]

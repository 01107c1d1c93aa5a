"""The job-title review pages: the open queue, accepting with a role or rejecting (audited, becoming an alias),
and the count of distinct titles per role; never another organisation's titles."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client
from pytest_django.fixtures import Settings

from cultivate.accounts.models import Role
from cultivate.accounts.testing import make_organisation, make_person, make_team, make_user
from cultivate.core.audit_actions import CoreAction
from cultivate.core.models import AuditEvent
from cultivate.insights.audit_actions import InsightsAction
from cultivate.insights.job_titles import job_title_reviews_queue
from cultivate.insights.models import JobTitleReview
from cultivate.insights.snapshot import snapshot_organisation
from cultivate.organisations.models import EmploymentSpell, JobTitle, Organisation, SupportRole

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def store(settings: Settings, tmp_path: Path) -> Path:
    settings.INSIGHTS_STORE = tmp_path / "store"
    return tmp_path / "store"


@pytest.fixture
def organisation() -> Organisation:
    return make_organisation("RX1")


@pytest.fixture
def other() -> Organisation:
    return make_organisation("RX2")


def client_for(role: str, organisation: Organisation) -> Client:
    client = Client()
    client.force_login(make_user(role, organisation=organisation))
    return client


def queue(organisation: Organisation, titles: dict[str, int]) -> list[JobTitleReview]:
    job_title_reviews_queue(title_counts=titles, organisation=organisation)
    return list(JobTitleReview.objects.filter(organisation=organisation).order_by("title"))


def test_the_queue_lists_open_titles_with_their_suggestion(organisation: Organisation) -> None:
    queue(organisation, {"Zyxwv Quorbler": 12, "Healthcare Assistant": 40, "Rare Bespoke Title": 2})
    page = client_for(Role.ORG_ADMIN, organisation).get("/insights/organisations/RX1/job-titles/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Zyxwv Quorbler" in html and "Rare Bespoke Title" in html
    # Titles that map need no review.
    assert "Healthcare Assistant</th>" not in html
    # Small counts are not shown exactly.
    assert "fewer than 5" in html and ">12<" in html


def test_accepting_with_a_role_makes_an_alias_and_is_audited(organisation: Organisation) -> None:
    review = queue(organisation, {"Zyxwv Quorbler": 12})[0]
    role = SupportRole.objects.get(name="Healthcare support worker")
    client = client_for(Role.ANALYST, organisation)
    url = f"/insights/organisations/RX1/job-titles/{review.pk}/"
    assert client.get(url).status_code == 200

    response = client.post(url, {"decision": "accept", "role": role.pk})

    assert response.status_code == 302 and response["Location"] == "/insights/organisations/RX1/job-titles/"
    review.refresh_from_db()
    assert review.status == "accepted" and review.role == role
    alias = JobTitle.objects.get(organisation=organisation)
    assert alias.title == "Zyxwv Quorbler" and alias.role == role
    event = AuditEvent.objects.get(action=InsightsAction.JOB_TITLE_MAPPED)
    assert event.organisation == organisation and event.detail["role"] == role.name
    html = client.get(response["Location"]).content.decode()
    assert "is mapped to Healthcare support worker" in html
    assert "There are no job titles waiting for review." in html


def test_rejecting_says_it_is_not_a_support_role(organisation: Organisation) -> None:
    review = queue(organisation, {"Zyxwv Quorbler": 12})[0]
    client = client_for(Role.ORG_ADMIN, organisation)
    client.post(f"/insights/organisations/RX1/job-titles/{review.pk}/", {"decision": "reject", "role": ""})
    review.refresh_from_db()
    assert review.status == "rejected" and review.role is None
    assert not JobTitle.objects.filter(organisation=organisation).exists()


def test_accepting_without_a_role_is_explained(organisation: Organisation) -> None:
    review = queue(organisation, {"Zyxwv Quorbler": 12})[0]
    response = client_for(Role.ORG_ADMIN, organisation).post(
        f"/insights/organisations/RX1/job-titles/{review.pk}/", {"decision": "accept", "role": ""}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "nhsuk-error-summary" in html and "Select the role the title maps to" in html
    review.refresh_from_db()
    assert review.is_open


def test_titles_per_role_counts_distinct_titles_in_the_store(organisation: Organisation, store: Path) -> None:
    team = make_team(organisation, "Ward 1")
    for title in (
        "Healthcare Assistant",
        "HCA",
        "Health Care Assistant",
        "Nursing Associate",
        "Zyxwv Quorbler",
    ):
        for _ in range(5):
            person = make_person(organisation, team=team)
            EmploymentSpell.objects.filter(person=person).update(job_title=title)
    snapshot_organisation(organisation=organisation, store=store)

    html = client_for(Role.ANALYST, organisation).get("/insights/organisations/RX1/job-titles/roles/")

    text = html.content.decode()
    assert html.status_code == 200
    assert "The 5 distinct job titles" in text
    found = {
        role: (titles, people)
        for role, titles, _normalised, people in re.findall(
            r'nhsuk-table__header">([^<]+)</th>\s*<td[^>]*>([^<]+)</td>\s*<td[^>]*>([^<]+)</td>\s*<td[^>]*>([^<]+)</td>',
            text,
        )
    }
    assert found == {
        "Health care assistant": ("3", "15"),
        "Nursing associate": ("1", "5"),
        "Not matched to a role": ("1", "5"),
    }


def test_titles_per_role_without_data_says_what_to_do(organisation: Organisation) -> None:
    html = client_for(Role.ORG_ADMIN, organisation).get("/insights/organisations/RX1/job-titles/roles/")
    assert "There is no workforce data for" in html.content.decode()


def test_an_analyst_of_a_cannot_review_titles_of_b(organisation: Organisation, other: Organisation) -> None:
    theirs = queue(other, {"Zyxwv Quorbler": 12})[0]
    client = client_for(Role.ANALYST, organisation)
    denied = AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED)
    role = SupportRole.objects.get(name="Healthcare support worker")
    for url in (
        "/insights/organisations/RX2/job-titles/",
        "/insights/organisations/RX2/job-titles/roles/",
        f"/insights/organisations/RX2/job-titles/{theirs.pk}/",
        f"/insights/organisations/RX1/job-titles/{theirs.pk}/",
    ):
        before = denied.count()
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"decision": "accept", "role": role.pk}).status_code in (404, 405), url
        assert denied.count() == before + 2
    theirs.refresh_from_db()
    assert theirs.is_open
    assert not JobTitle.objects.filter(organisation=other).exists()


@pytest.mark.parametrize("role", [Role.EDUCATOR, Role.LINE_MANAGER, Role.ASSESSOR, Role.SUPPORT_WORKER])
def test_other_roles_may_not_review(organisation: Organisation, role: str) -> None:
    review = queue(organisation, {"Zyxwv Quorbler": 12})[0]
    client = client_for(role, organisation)
    assert client.get("/insights/organisations/RX1/job-titles/").status_code in (403, 404)
    assert client.post(
        f"/insights/organisations/RX1/job-titles/{review.pk}/", {"decision": "reject"}
    ).status_code in (403, 404)
    review.refresh_from_db()
    assert review.is_open

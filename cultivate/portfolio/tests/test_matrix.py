"""The team competence matrix (content, filters, exports, queries that do not grow with the team) and the
team delegation page, with access for each role and across organisations."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from cultivate.accounts import testing as t
from cultivate.accounts.models import Role
from cultivate.core.audit_actions import CoreAction
from cultivate.core.models import AuditEvent
from cultivate.portfolio import delegation, matrix
from cultivate.portfolio.tests import portfolio_factories as pf
from cultivate.portfolio.tests.delegation_factories import build_world, put_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = build_world()
    pf.require(w.org, w.senior, w.cbg, "independent")
    pf.require(w.org, w.senior, w.obs, "independent")
    return w


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def manager(world):
    return t.make_user(Role.LINE_MANAGER, organisation=world.org, teams=[world.community])


def url(world, suffix: str = "competence/") -> str:
    return f"/teams/{world.community.pk}/{suffix}"


def shown(response) -> tuple[int, int]:
    """(people, competences) from the matrix page's status line."""
    found = re.search(
        r"(\d+) of \d+ (?:person|people) in the team(?: \(\d+ in support roles\))?,\s+(\d+) competences?",
        response.content.decode(),
    )
    assert found, response.content.decode()
    return int(found.group(1)), int(found.group(2))


def test_matrix_rows_columns_and_cells(world, manager) -> None:
    other = t.make_person(world.org, given_name="Ada", family_name="Able")
    put_in(other, world.community, world.senior)
    pf.make_assessment(
        other,
        world.cbg,
        expires_on=world.today - dt.timedelta(days=3),
        assessed_on=world.today - dt.timedelta(days=400),
    )
    pf.make_assessment(other, world.insulin, level="observed")  # not required of her role
    left = t.make_person(world.org, given_name="Lee", family_name="Left")
    put_in(
        left,
        world.community,
        world.senior,
        end=world.today - dt.timedelta(days=1),
        leaving_reason="Retirement Age",
    )

    built = matrix.team_matrix(team=world.community, on=world.today)
    assert [row.person for row in built.rows] == [other, world.worker]
    assert [c.code for c in built.columns] == ["CS1", "CS2"]
    ada, sam = built.rows
    assert [c.state for c in ada.cells] == ["expired", "not_started"]
    assert [c.state for c in sam.cells] == [
        "achieved",
        "below_level",
    ]  # observations at supervised < independent
    assert sam.cells[1].detail == "Supervised, required: Independent"
    assert all(c.required for c in sam.cells)

    page = client_for(manager).get(url(world))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Ada Able" in html and "Sam Worker" in html and "Lee Left" not in html
    assert 'class="app-matrix__cell app-matrix__cell--expired"' in html
    assert '<span aria-hidden="true">X</span><span class="nhsuk-u-visually-hidden">Expired</span>' in html
    assert '<span class="nhsuk-u-visually-hidden">Below the level needed</span>' in html
    assert "Key" in html and "teams.css" in html
    # The header names each competence (not only its code) under its domain.
    assert '<span class="app-matrix__code">CS1</span> Capillary blood glucose monitoring</th>' in html
    assert '<th scope="colgroup" colspan="2" class="app-matrix__group">Clinical skills</th>' in html


def test_support_staff_by_default_and_a_person_by_person_view(world, manager) -> None:
    nurse = t.make_person(world.org, given_name="Nia", family_name="Nurse")
    put_in(nurse, world.community, None)  # a registered post: no support role
    built = matrix.team_matrix(team=world.community, on=world.today)
    assert [row.person for row in built.rows] == [world.worker]
    assert (built.people_in_team, built.support_in_team) == (2, 1)
    everyone = matrix.team_matrix(
        team=world.community, filters=matrix.MatrixFilters(staff=matrix.EVERYONE), on=world.today
    )
    assert {row.person for row in everyone.rows} == {world.worker, nurse}
    client = client_for(manager)
    html = client.get(url(world)).content.decode()
    assert "Nia Nurse" not in html and "1 of 2 people in the team (1 in support roles)" in html
    assert "Nia Nurse" in client.get(url(world), {"staff": "all"}).content.decode()
    # One section per person: what is not yet met first.
    people = client.get(url(world), {"view": "people"}).content.decode()
    assert "app-matrix-wrapper" not in people
    assert "Sam Worker: 1 of 2 required met" in people
    assert people.index("Clinical observations") < people.index("Capillary blood glucose monitoring")
    assert "Show as a table" in people


def test_framework_filter_shows_every_competence_and_marks_what_is_not_required(world, manager) -> None:
    pf.make_assessment(world.worker, world.insulin, level="observed")
    built = matrix.team_matrix(
        team=world.community, filters=matrix.MatrixFilters(framework=world.framework.pk), on=world.today
    )
    assert [c.code for c in built.columns] == ["CS1", "CS2", "CS3"]
    insulin = built.rows[0].cells[2]
    assert insulin.state == "achieved" and not insulin.required
    assert "(A)" in insulin.html() and "Achieved, not required" in insulin.html()


def test_domain_filter(world) -> None:
    other_domain = pf.make_domain(world.framework, "Communication", sequence=2)
    pf.make_competence(world.framework, "Listening", code="CM1", parent=other_domain)
    built = matrix.team_matrix(
        team=world.community, filters=matrix.MatrixFilters(domain=other_domain.pk), on=world.today
    )
    assert [c.code for c in built.columns] == ["CM1"]
    everything = matrix.team_matrix(
        team=world.community, filters=matrix.MatrixFilters(framework=world.framework.pk), on=world.today
    )
    assert [c.code for c in everything.columns] == ["CS1", "CS2", "CS3", "CM1"]


def test_a_framework_the_organisation_does_not_use_is_ignored(world) -> None:
    foreign = pf.make_framework(owner_organisation=world.other_org)
    pf.make_competence(foreign, code="F1")
    built = matrix.team_matrix(
        team=world.community, filters=matrix.MatrixFilters(framework=foreign.pk), on=world.today
    )
    assert [c.code for c in built.columns] == ["CS1", "CS2"]


def test_status_filter_keeps_matching_people_and_competences(world) -> None:
    other = t.make_person(world.org, given_name="Ada", family_name="Able")
    put_in(other, world.community, world.senior)
    pf.make_assessment(
        other,
        world.obs,
        expires_on=world.today - dt.timedelta(days=1),
        assessed_on=world.today - dt.timedelta(days=30),
    )
    expired = matrix.team_matrix(
        team=world.community, filters=matrix.MatrixFilters(status="expired"), on=world.today
    )
    assert [r.person for r in expired.rows] == [other]
    assert [c.code for c in expired.columns] == ["CS2"]
    unmet = matrix.team_matrix(
        team=world.community, filters=matrix.MatrixFilters(status="unmet"), on=world.today
    )
    assert [r.person for r in unmet.rows] == [other, world.worker]
    assert [c.code for c in unmet.columns] == ["CS1", "CS2"]
    achieved = matrix.team_matrix(
        team=world.community, filters=matrix.MatrixFilters(status="achieved"), on=world.today
    )
    assert [r.person for r in achieved.rows] == [world.worker]


def test_filters_through_the_page(world, manager) -> None:
    client = client_for(manager)
    page = client.get(url(world), {"framework": world.framework.pk})
    assert page.status_code == 200
    assert shown(page) == (1, 3)
    assert "CS3" in page.content.decode()
    bad = client.get(url(world), {"framework": "999999", "status": "nonsense"})
    assert bad.status_code == 200
    assert "Select a valid choice" in bad.content.decode()
    assert shown(bad) == (1, 2)  # the unfiltered matrix


def test_csv_export_is_the_filtered_table_and_is_audited(world, manager) -> None:
    world.worker.given_name = "=HYPERLINK(1)"
    world.worker.save()
    response = client_for(manager).get(url(world, "competence/export.csv"), {"status": "below_level"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    # Per competence: its status, the level signed off and the due date, each a column a spreadsheet filters.
    assert rows[0] == [
        "Name",
        "Staff ID",
        "Job title",
        "Band",
        "CS2 Clinical observations",
        "CS2 Clinical observations: level",
        "CS2 Clinical observations: due",
    ]
    assert rows[1][0] == "'=HYPERLINK(1) Worker"
    assert rows[1][1:] == ["W0001", "Healthcare Assistant", "3", "Below the level needed", "Supervised", ""]
    event = AuditEvent.objects.get(action=CoreAction.EXPORT)
    assert event.detail["format"] == "csv"
    assert event.detail["people"] == 1 and event.detail["competences"] == 1
    assert event.detail["filters"]["status"] == "below_level"
    assert event.organisation == world.org


def test_xlsx_export_parses_back(world, manager) -> None:
    response = client_for(manager).get(url(world, "competence/export.xlsx"))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    sheet = workbook["Competence"]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0] == [
        "Name",
        "Staff ID",
        "Job title",
        "Band",
        "CS1 Capillary blood glucose monitoring",
        "CS1 Capillary blood glucose monitoring: level",
        "CS1 Capillary blood glucose monitoring: due",
        "CS2 Clinical observations",
        "CS2 Clinical observations: level",
        "CS2 Clinical observations: due",
    ]
    assert values[1][:2] == ["Sam Worker", "W0001"]
    assert values[1][4:7] == ["Achieved", "Independent", None]
    assert values[1][7:9] == ["Below the level needed", "Supervised"]
    about = dict(workbook["About"].iter_rows(values_only=True))
    assert about["Team"] == "Wharfe District Nursing"
    assert AuditEvent.objects.get(action=CoreAction.EXPORT).detail["format"] == "xlsx"


def test_unknown_export_format_is_404(world, manager) -> None:
    assert client_for(manager).get(url(world, "competence/export.pdf")).status_code == 404


def _grow(world, people: int, competences: int) -> None:
    extra = [pf.make_competence(world.framework, parent=world.domain) for _ in range(competences)]
    for competence in extra:
        pf.require(world.org, world.senior, competence, "supervised")
    for n in range(people):
        person = t.make_person(world.org)
        put_in(person, world.community, world.senior)
        for i, competence in enumerate(extra):
            if (n + i) % 3 == 0:
                pf.make_assessment(person, competence, level="supervised")
            elif (n + i) % 3 == 1:
                pf.make_evidence(person, competence)


def test_matrix_queries_do_not_grow_with_people_or_competences(
    world, manager, django_assert_max_num_queries
) -> None:
    client = client_for(manager)
    client.get(url(world))  # the session and its role are set up on the first request

    def count(path: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        assert response.status_code == 200
        return len(captured.captured_queries)

    _grow(world, people=2, competences=3)
    small = count(url(world))
    small_filtered = count(url(world) + f"?framework={world.framework.pk}&status=achieved")
    _grow(world, people=12, competences=20)
    with django_assert_max_num_queries(small):
        large = client.get(url(world))
    assert shown(large) == (15, 25)
    assert count(url(world)) == small
    assert count(url(world) + f"?framework={world.framework.pk}&status=achieved") == small_filtered


# --- The team delegation page ---------------------------------------------------------------------------


def test_team_delegation_page(world, manager) -> None:
    soon = t.make_person(world.org, given_name="Ada", family_name="Soon")
    put_in(soon, world.community, world.senior)
    pf.make_assessment(soon, world.cbg, expires_on=world.today + dt.timedelta(days=12))
    pf.make_assessment(soon, world.obs)
    lacking = t.make_person(world.org, given_name="Bo", family_name="Lacking")
    put_in(lacking, world.community, world.senior)
    page = client_for(manager).get(url(world, "delegation/"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "2 of 3 may" in html
    assert ">Yes</strong>" in html
    # A "No" is a tag as strong as a "Yes", and its reasons name the competence.
    assert '<strong class="nhsuk-tag nhsuk-tag--red">No</strong>' in html
    assert "Competence not signed off: Capillary blood glucose monitoring (CS1)" in html
    # What lapses soon comes first.
    assert html.index("Lapsing in the next 30 days") < html.index("Who may carry out each activity today")
    expires = world.today + dt.timedelta(days=12)
    lapsing = html[html.index("Lapsing in the next 30 days") :]
    assert f"{expires.day} {expires:%B %Y}" in lapsing
    assert "Ada Soon" in lapsing[: lapsing.index("Who may carry out")]
    assert "Sam Worker" not in lapsing[: lapsing.index("Who may carry out")]


def test_team_delegation_hides_activities_the_team_s_setting_never_covers(world, manager) -> None:
    # The protocol covers community teams only: a ward sees no column of "No" for it, and is told why.
    ward_manager = t.make_user(Role.LINE_MANAGER, organisation=world.org, teams=[world.ward])
    nurse = t.make_person(world.org, given_name="Wyn", family_name="Ward")
    put_in(nurse, world.ward, world.senior)
    html = client_for(ward_manager).get(f"/teams/{world.ward.pk}/delegation/").content.decode()
    assert "app-matrix-wrapper" not in html
    assert f"Not shown: {world.protocol.activity}" in html
    assert "None of the activities in use covers this team's setting." in html
    grid = delegation.team_delegation(team=world.ward, on=world.today)
    assert grid.protocols == [] and grid.not_covered == [world.protocol]
    assert delegation.team_delegation(team=world.community, on=world.today).protocols == [world.protocol]


# --- Access ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["competence/", "competence/export.csv", "delegation/"])
def test_access_per_role(world, suffix) -> None:
    path = url(world, suffix)
    assessor = t.make_user(Role.ASSESSOR, organisation=world.org, teams=[world.community])
    admin = t.make_user(Role.ORG_ADMIN, organisation=world.org)
    for user in (assessor, admin):
        assert client_for(user).get(path).status_code == 200, user
    elsewhere = t.make_user(Role.LINE_MANAGER, organisation=world.org, teams=[world.ward])
    other_admin = t.make_user(Role.ORG_ADMIN, organisation=world.other_org)
    worker_user = t.make_user(Role.SUPPORT_WORKER, organisation=world.org, person=world.worker)
    alliance_admin = t.make_user(Role.ALLIANCE_ADMIN, alliance=world.org.alliance)
    for user in (elsewhere, other_admin, worker_user):
        assert client_for(user).get(path).status_code == 404, user
    analyst = t.make_user(Role.ANALYST, organisation=world.org)
    educator = t.make_user(Role.EDUCATOR, organisation=world.org)
    for user in (analyst, educator, alliance_admin):
        assert client_for(user).get(path).status_code == 403, user
    assert AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED).count() == 6
    assert (
        not AuditEvent.objects.filter(action=CoreAction.EXPORT).exclude(actor__in=[assessor, admin]).exists()
    )


def test_team_list(world, manager) -> None:
    page = client_for(manager).get("/teams/")
    assert page.status_code == 200
    assert "Wharfe District Nursing" in page.content.decode() and "Ward 1" not in page.content.decode()
    admin = t.make_user(Role.ORG_ADMIN, organisation=world.org)
    html = client_for(admin).get("/teams/").content.decode()
    assert "Ward 1" in html and "Wharfe District Nursing" in html and "Other Ward" not in html
    analyst = t.make_user(Role.ANALYST, organisation=world.org)
    assert client_for(analyst).get("/teams/").status_code == 403

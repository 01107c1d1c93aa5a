"""Journeys of the people who run Cultivate for an organisation: its admin, analysts and educators."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from cultivate.accounts.models import Membership, Role
from cultivate.accounts.testing import make_alliance, make_organisation, make_person, make_team, make_user
from cultivate.organisations.selectors import STAFF_PAGE_SIZE

from .browser import Journey, nav_link, sign_in

pytestmark = [pytest.mark.system, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# More staff than one page of the staff list holds: the Alexes, plus Priya Okonkwo.
ALEXES = STAFF_PAGE_SIZE + 10
IN_POST = ALEXES + 1

PEOPLE_CSV = """person_id,given_name,family_name,birth_year,sex,ethnic_category,disability
N1001,Ola,Nowak,1991,F,A,N
N1002,Ben,Quist,1985,M,99,U
"""
ASSIGNMENTS_CSV = """\
assignment_id,person_id,organisation_code,team,job_role,job_title,afc_band,contract_type,fte,start_date
NA1,N1001,{ods},Oak Ward,Healthcare Assistant,Healthcare Assistant,3,Permanent,1.00,2024-01-08
NA2,N1002,{ods},Maple Ward,Healthcare Assistant,Senior Healthcare Assistant,4,Permanent,0.80,2023-06-01
"""


def _organisation_with_staff() -> tuple[str, str, str]:
    """An organisation with more staff than one page holds, on two wards and several bands."""
    organisation = make_organisation(ods_code="RX4")
    birch, oak = make_team(organisation, "Birch Ward"), make_team(organisation, "Oak Ward")
    for n in range(ALEXES):
        make_person(
            organisation,
            team=birch if n % 2 else oak,
            band="3" if n % 3 else "4",
            given_name="Alex",
            family_name=f"Staff{n:02d}",
        )
    priya = make_person(
        organisation,
        team=oak,
        band="4",
        given_name="Priya",
        family_name="Okonkwo",
        birth_year=1988,
        sex="F",
        ethnic_category="A",
        disability="N",
        religion="Hindu",
    )
    admin = make_user(Role.ORG_ADMIN, organisation=organisation)
    return admin.email, organisation.ods_code, f"Priya Okonkwo ({priya.staff_id})"


def _apply_filters(page: Page, *, q: str = "", band: str = "", team: str = "") -> None:
    page.get_by_role("textbox", name=re.compile(r"^Name or staff ID")).fill(q)
    page.get_by_role("combobox", name=re.compile(r"^Band")).select_option(label=band or "Any band")
    page.get_by_role("combobox", name=re.compile(r"^Team")).select_option(label=team or "Any team")
    page.get_by_role("button", name="Apply filters").click()


def test_organisation_admin_finds_staff_and_manages_users(page: Page, journey: Journey) -> None:
    # Given the admin of an organisation with more staff in post than one page of the list holds
    email, ods_code, priya = _organisation_with_staff()
    sign_in(page, email)
    journey.check("home")

    # When they open the staff list, it is paginated over two pages
    nav_link(page, "Staff").click()
    status = page.get_by_role("main").get_by_role("status")
    expect(status).to_have_text(f"{IN_POST} people, page 1 of 2")
    expect(page.get_by_role("table", name=re.compile("Staff of")).locator("tbody tr")).to_have_count(
        STAFF_PAGE_SIZE
    )
    journey.check("staff list")
    page.get_by_role("link", name=re.compile("^Next")).click()
    expect(status).to_have_text(f"{IN_POST} people, page 2 of 2")
    expect(page.get_by_role("table", name=re.compile("Staff of")).locator("tbody tr")).to_have_count(
        IN_POST - STAFF_PAGE_SIZE
    )
    journey.check("staff list, page 2")

    # And they can search by name, and filter by band and team
    _apply_filters(page, q="okonkwo")
    expect(status).to_have_text("1 person")
    _apply_filters(page, band="Band 4", team="Oak Ward")
    # Oak Ward holds the even-numbered Alexes, in band 4 where n is also a multiple of 3, and Priya Okonkwo.
    expect(status).to_have_text(f"{len(range(0, ALEXES, 6)) + 1} people")
    expect(page).to_have_url(re.compile(r"band=4"))
    journey.check("staff list, filtered")

    # Then a person's page shows their equality information to the admin
    page.get_by_role("link", name="Priya Okonkwo").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Priya Okonkwo")
    equality = page.get_by_role("heading", name="Equality information")
    expect(equality).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("White - British")
    expect(page.get_by_role("main")).to_contain_text("1988")
    journey.check("person detail")

    # When they add a user without filling anything in
    nav_link(page, "Users").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Users")
    journey.check("users")
    page.get_by_role("button", name="Add a user").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a user")
    journey.check("add a user")
    page.get_by_role("button", name="Save").click()

    # Then the NHS error summary has focus and links to each field that needs an answer
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    expect(page).to_have_title(re.compile(r"^Error: Add a user"))
    expect(summary.locator("a[href='#id_full_name']")).to_have_count(1)
    expect(summary.locator("a[href='#id_email']")).to_have_count(1)
    journey.check("add a user, errors")
    summary.locator("a[href='#id_email']").click()
    expect(page.get_by_label("Email address")).to_be_focused()

    # When they complete the form, linking the account to a staff record, and give the new user a role as
    # line manager of Oak Ward
    # (the staff record is found by a search that narrows the list, not picked from everyone)
    page.get_by_label("Find their staff record by name or staff ID").fill("Okonkwo")
    page.get_by_role("button", name="Find staff record").click()
    page.get_by_label("Full name").fill("Nia Fraser")
    page.get_by_label("Email address").fill("nia.fraser@example.nhs.uk")
    page.get_by_role("combobox", name=re.compile(r"^Staff record")).select_option(label=priya)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nia Fraser")
    journey.check("user detail")
    page.get_by_role("button", name="Give a role").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Give Nia Fraser a role")
    journey.check("give a role")
    page.get_by_label("Role", exact=True).select_option(label="Line manager")
    page.get_by_label("Oak Ward").check()
    page.get_by_role("button", name="Give role").click()
    roles = page.get_by_role("table", name="Roles held")
    expect(roles).to_contain_text("Line manager")
    expect(roles).to_contain_text("Oak Ward")
    journey.check("user with a role")

    # Then the audit log records the grant
    nav_link(page, "Audit log").click()
    grant = page.get_by_role("row").filter(has_text="Role granted")
    expect(grant).to_have_count(1)
    expect(grant).to_contain_text("nia.fraser@example.nhs.uk")
    expect(grant).to_contain_text("Oak Ward")
    journey.check("audit log")

    # When they upload a small valid extract on the import page
    nav_link(page, "Import staff").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Import staff records")
    journey.check("import")
    page.locator("input[type=file][name=people]").set_input_files(
        {"name": "people.csv", "mimeType": "text/csv", "buffer": PEOPLE_CSV.encode()}
    )
    page.locator("input[type=file][name=assignments]").set_input_files(
        {
            "name": "assignments.csv",
            "mimeType": "text/csv",
            "buffer": ASSIGNMENTS_CSV.format(ods=ods_code).encode(),
        }
    )
    page.get_by_role("button", name="Upload and check").click()

    # Then they see the changes the import will make, and nothing is imported until they confirm
    expect(page.get_by_role("region", name="Important")).to_contain_text("Nothing has been imported yet.")
    expect(page.get_by_role("main")).to_contain_text("2 new, 0 changed, 0 unchanged")
    journey.check("import preview")
    page.get_by_role("button", name="Import 2 people").click()

    # Then the report says what was created, including the new team
    expect(page.get_by_role("alert")).to_contain_text("The staff records were imported.")
    changes = page.get_by_role("table", name="What changed")
    # Created, updated, unchanged: two new people, each with one new employment spell.
    for what in ("People", "Employment spells"):
        row = changes.get_by_role("row").filter(has=page.get_by_role("rowheader", name=what))
        expect(row.get_by_role("cell")).to_have_text(["2", "0", "0"])
    expect(page.get_by_role("main")).to_contain_text("Maple Ward")
    journey.check("import report")
    page.get_by_role("link", name="Go to the staff list").click()
    expect(page.get_by_role("main").get_by_role("status")).to_have_text(re.compile(rf"^{IN_POST + 2} people"))
    journey.finish()


def test_organisation_admin_gives_a_role_to_a_new_user_without_a_staff_record(
    page: Page, journey: Journey
) -> None:
    # Given an organisation admin, and a colleague from outside the staff records (an agency educator, say)
    organisation = make_organisation(ods_code="RV5")
    make_team(organisation, "Oak Ward")
    admin = make_user(Role.ORG_ADMIN, organisation=organisation)
    sign_in(page, admin.email)

    # When they add the colleague as a user without linking a staff record
    page.goto("/accounts/users/new/")
    page.get_by_label("Full name").fill("Cal Dunmore")
    page.get_by_label("Email address").fill("cal.dunmore@example.nhs.uk")
    page.get_by_role("button", name="Save").click()

    # Then they land on the new user's page, ready to give them a role
    expect(page.get_by_role("heading", level=1)).to_have_text("Cal Dunmore")
    page.get_by_role("button", name="Give a role").click()
    page.get_by_label("Role", exact=True).select_option(label="Educator or programme lead")
    page.get_by_role("button", name="Give role").click()
    expect(page.get_by_role("table", name="Roles held")).to_contain_text("Educator or programme lead")
    journey.finish()


def test_workforce_analyst_sees_aggregates_only(page: Page, journey: Journey) -> None:
    # Given a workforce analyst in an organisation with staff on two wards
    organisation = make_organisation(ods_code="RY7")
    birch, oak = make_team(organisation, "Birch Ward"), make_team(organisation, "Oak Ward")
    for n in range(8):
        make_person(organisation, team=birch if n < 6 else oak, band="3" if n % 2 else "4")
    analyst = make_user(Role.ANALYST, organisation=organisation)

    # When they sign in and open their organisation's page
    sign_in(page, analyst.email)
    journey.check("home")
    nav_link(page, "Organisation").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(organisation.name)

    # Then they see aggregate tables, with counts under 5 suppressed, and no way into the staff list
    expect(page.get_by_role("heading", name="Band mix")).to_be_visible()
    teams = page.get_by_role("table", name="People in post by team")
    expect(teams.get_by_role("row").filter(has_text="Birch Ward")).to_contain_text("6")
    expect(teams.get_by_role("row").filter(has_text="Oak Ward")).to_contain_text("fewer than 5")
    expect(page.get_by_role("link", name=re.compile("staff list", re.I))).to_have_count(0)
    expect(nav_link(page, "Staff")).to_have_count(0)
    journey.check("organisation")

    # And the staff list's address is refused
    response = page.goto(f"/organisations/{organisation.ods_code}/staff/")
    assert response is not None and response.status in (403, 404)
    expect(page.get_by_role("main")).not_to_contain_text("Staff ID")
    journey.finish()


def test_alliance_admin_sees_member_organisations(page: Page, journey: Journey) -> None:
    # Given an alliance admin of an alliance of two trusts, and a trust outside the alliance
    alliance = make_alliance("North Coast Alliance")
    members = [make_organisation(ods_code=code, alliance=alliance) for code in ("RA1", "RA2")]
    make_organisation(ods_code="RZ9")
    make_person(members[0], team=make_team(members[0], "Harbour Ward"))
    admin = make_user(Role.ALLIANCE_ADMIN, alliance=alliance)

    # When they sign in and open Organisations
    sign_in(page, admin.email)
    journey.check("home")
    nav_link(page, "Organisations").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Organisations")

    # Then only the alliance's members are listed
    table = page.get_by_role("table", name="Organisations you can see")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table).to_contain_text("RA1")
    expect(table).to_contain_text("RA2")
    expect(table).not_to_contain_text("RZ9")
    journey.check("organisations")

    # And they can open a member's page, then manage the alliance's users
    table.get_by_role("link", name=members[0].name).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(members[0].name)
    expect(page.get_by_role("table", name="People in post by team")).to_contain_text("Harbour Ward")
    journey.check("organisation")
    nav_link(page, "Users").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Users")
    expect(page.get_by_role("main")).to_contain_text("North Coast Alliance")
    journey.finish()


def test_educator_reaches_their_organisation(page: Page, journey: Journey) -> None:
    # Given an educator at a trust
    organisation = make_organisation(ods_code="RE3")
    make_person(organisation, team=make_team(organisation, "Rowan Ward"))
    educator = make_user(Role.EDUCATOR, organisation=organisation)

    # When they sign in, the home page offers their organisation
    sign_in(page, educator.email)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Educator or programme lead")
    journey.check("home")
    page.get_by_role("main").get_by_role("link", name=organisation.name).click()

    # Then the organisation page shows its figures
    expect(page.get_by_role("heading", level=1)).to_contain_text(organisation.name)
    expect(page.get_by_role("table", name="People in post by team")).to_contain_text("Rowan Ward")
    journey.finish()


def test_user_with_two_roles_switches_between_them(page: Page, journey: Journey) -> None:
    # Given someone who is both a line manager of Birch Ward and a workforce analyst
    organisation = make_organisation(ods_code="RW2")
    birch = make_team(organisation, "Birch Ward")
    make_person(organisation, team=birch)
    user = make_user(Role.LINE_MANAGER, organisation=organisation, teams=[birch])
    Membership.objects.create(user=user, role=Role.ANALYST, organisation=organisation)

    # When they sign in, the header says which role they act in and offers to change it
    sign_in(page, user.email)
    switcher = page.locator("header").get_by_role("link", name=re.compile(r"^Role: .+ \(change\)$"))
    expect(switcher).to_be_visible()
    starting = switcher.inner_text()
    journey.check("home")
    switcher.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change role")
    journey.check("change role")

    # Then choosing the other role changes the navigation with it
    other = "Workforce analyst" if "Line manager" in starting else "Line manager"
    page.get_by_role("radio", name=re.compile(other)).check()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("header")).to_contain_text(f"Role: {other}")
    if other == "Workforce analyst":
        expect(nav_link(page, "Organisation")).to_be_visible()
        expect(nav_link(page, "My team")).to_have_count(0)
    else:
        expect(nav_link(page, "My team")).to_be_visible()
        expect(nav_link(page, "Organisation")).to_have_count(0)
    journey.finish()

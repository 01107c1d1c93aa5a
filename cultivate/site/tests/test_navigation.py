"""The navigation and the home page's cards, per role: exactly the links each role had before the apps declared
their own (issue 10), each link one the role can open, and every page a role can open but is not pointed to
named here with the reason."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, RequestFactory

from cultivate.accounts import testing as t
from cultivate.accounts.models import Role
from cultivate.core.navigation import Link, Menu
from cultivate.site import menus

pytestmark = pytest.mark.django_db

HEADER = {
    Role.SUPPORT_WORKER: [
        "Home", "My portfolio", "My programme", "Learning", "Programmes", "Career pathways", "My record",
    ],
    Role.LINE_MANAGER: [
        "Home", "My portfolio", "My programme", "My team", "Learning", "Team competence", "Delegation",
        "Programmes", "Career pathways", "Workforce insights", "My record",
    ],
    Role.ASSESSOR: [
        "Home", "Sign-off requests", "My team", "Learning", "Team competence", "Delegation", "Career pathways",
        "Workforce insights",
    ],
    Role.EDUCATOR: ["Home", "Learning", "Delegation", "Programmes", "Frameworks", "Career pathways", "Organisation"],
    Role.ANALYST: ["Home", "Learning", "Career pathways", "Organisation", "Workforce insights"],
    Role.ORG_ADMIN: [
        "Home", "Learning", "Team competence", "Delegation", "Frameworks", "Career pathways", "Staff",
        "Import staff", "Workforce insights", "Users", "Audit log",
    ],
    Role.ALLIANCE_ADMIN: [
        "Home", "Learning", "Programmes", "Frameworks", "Career pathways", "Organisations", "Workforce insights",
        "Users", "Audit log",
    ],
}  # fmt: skip

HOME = {
    Role.SUPPORT_WORKER: [
        "My portfolio", "What is left for me to become a nursing associate", "My learning", "My programme",
        "Certificates and competence record", "My record", "Support at work", "Programmes", "Your account",
    ],
    Role.LINE_MANAGER: [
        "My portfolio", "My learning", "My programme", "Certificates and competence record", "My record",
        "Team competence", "Supervision", "Who is ready for the next step", "Team learning", "Support at work",
        "My team", "Programmes", "Workforce insights", "Your account",
    ],
    Role.ASSESSOR: [
        "Sign-off requests", "Recognise prior assessment", "Team competence", "Team learning", "People I assess",
        "Workforce insights", "Your account",
    ],
    Role.EDUCATOR: [
        "Who is ready for the next step", "Team learning", "Programmes", "Trust RAA", "Training gaps", "Frameworks",
        "Your account",
    ],
    Role.ANALYST: ["Trust RAA", "Training gaps", "Workforce insights", "Board report", "Your account"],
    Role.ORG_ADMIN: [
        "Team competence", "Who is ready for the next step", "Team learning", "Support at work", "Staff",
        "Credentials issued",
        "Import staff records", "Users and roles", "Audit log", "Training gaps", "Workforce insights",
        "Board report", "Frameworks", "Your account",
    ],
    Role.ALLIANCE_ADMIN: [
        "Programmes", "Credentials issued", "Users and roles", "Audit log", "Member organisations",
        "Workforce insights", "Competence and training across member trusts", "Board report", "Frameworks",
        "Your account",
    ],
}  # fmt: skip

INSIGHTS_SECTION = {
    Role.SUPPORT_WORKER: [],
    Role.EDUCATOR: [],
    Role.LINE_MANAGER: ["Dashboards"],
    Role.ASSESSOR: ["Dashboards"],
    Role.ANALYST: ["Dashboards", "Board report", "Import workforce data", "Job titles"],
    Role.ORG_ADMIN: ["Dashboards", "Board report", "Import workforce data", "Job titles"],
    Role.ALLIANCE_ADMIN: ["Dashboards", "Member trusts", "Board report"],
}

# Pages a role may open that no link points it to: the navigation is for the role's work, not every page.
NOT_LINKED = {
    # Every role may read the frameworks it can see and its organisation's delegation protocols, and has a
    # portfolio and record page (saying it has none when the user has no staff record).
    "/frameworks/": {Role.SUPPORT_WORKER, Role.LINE_MANAGER, Role.ASSESSOR, Role.ANALYST},
    "/delegation/protocols/": {Role.SUPPORT_WORKER, Role.ANALYST},
    "/portfolio/": {Role.ASSESSOR, Role.EDUCATOR, Role.ANALYST, Role.ORG_ADMIN, Role.ALLIANCE_ADMIN},
    "/me/": {Role.ASSESSOR, Role.EDUCATOR, Role.ANALYST, Role.ORG_ADMIN, Role.ALLIANCE_ADMIN},
    # The list of organisations shows a role its own; only an alliance admin has several.
    "/organisations/": set(Role) - {Role.ALLIANCE_ADMIN},
    # An organisation's admins reach its summary from the staff list, an alliance's admins from the list.
    "/organisations/RAA/": {Role.ORG_ADMIN, Role.ALLIANCE_ADMIN},
    # Anyone may open their own career pathway page (it says when there is no staff record); the home card is
    # for support workers, and the pathways page links it for everyone with a record.
    "/pathways/me/": set(Role) - {Role.SUPPORT_WORKER},
    # An alliance's admins may read a member organisation's learning figures, but act for no one organisation,
    # so no link names one for them.
    "/learning/organisations/RAA/gaps/": {Role.ALLIANCE_ADMIN},
    # Every role may list the programmes it can see and its own places; the links are for those who apply to
    # programmes or run them.
    "/programmes/": {Role.ASSESSOR, Role.ANALYST, Role.ORG_ADMIN},
    "/programmes/mine/": {Role.ASSESSOR, Role.EDUCATOR, Role.ANALYST, Role.ORG_ADMIN, Role.ALLIANCE_ADMIN},
}


@pytest.fixture
def users() -> dict[Role, Any]:
    alliance = t.make_alliance("North Alliance")
    org = t.make_organisation("RAA", alliance=alliance)
    team = t.make_team(org, "Ward 1")
    return {
        Role.SUPPORT_WORKER: t.make_user(
            Role.SUPPORT_WORKER, organisation=org, person=t.make_person(org, team)
        ),
        Role.LINE_MANAGER: t.make_user(
            Role.LINE_MANAGER, organisation=org, teams=[team], person=t.make_person(org, team, band="6")
        ),
        Role.ASSESSOR: t.make_user(Role.ASSESSOR, organisation=org, teams=[team]),
        Role.EDUCATOR: t.make_user(Role.EDUCATOR, organisation=org),
        Role.ANALYST: t.make_user(Role.ANALYST, organisation=org),
        Role.ORG_ADMIN: t.make_user(Role.ORG_ADMIN, organisation=org),
        Role.ALLIANCE_ADMIN: t.make_user(Role.ALLIANCE_ADMIN, alliance=alliance),
    }


def _request(user: Any, path: str = "/") -> Any:
    request = RequestFactory().get(path)
    request.user = user
    setattr(request, "membership", user.memberships.get())  # noqa: B010 - as the middleware does
    return request


@pytest.mark.parametrize("role", list(Role))
def test_each_role_sees_the_links_it_saw_before(users: dict[Role, Any], role: Role) -> None:
    user = users[role]
    membership = user.memberships.get()
    assert [i["text"] for i in menus.header_links(_request(user), membership)] == HEADER[role]
    assert [c["heading"] for c in menus.home_cards(membership)] == HOME[role]
    section = menus.section_links(_request(user, "/insights/"), membership)
    assert [i["text"] for i in section] == INSIGHTS_SECTION[role]
    assert menus.section_links(_request(user, "/frameworks/"), membership) == []


@pytest.mark.parametrize("role", list(Role))
def test_the_links_are_the_pages_the_role_can_open(users: dict[Role, Any], role: Role) -> None:
    """Every link a role is shown opens for it; of every page any app links to, those the role can open but is
    not shown are exactly the ones NOT_LINKED names."""
    user = users[role]
    membership = user.memberships.get()
    client = Client()
    client.force_login(user)
    shown = {i["href"] for i in menus.header_links(_request(user), membership)}
    shown |= {c["href"] for c in menus.home_cards(membership)}
    shown |= {i["href"] for i in menus.section_links(_request(user, "/insights/"), membership)}
    for href in sorted(shown):
        assert _opens(client, href), href
    every_target = {href for other in users.values() for href in _all_targets(other)}
    opens = {href for href in every_target if _opens(client, href)}
    not_linked = {href for href, roles in NOT_LINKED.items() if role in roles}
    assert opens - shown == not_linked
    assert not shown - opens


def _opens(client: Client, href: str) -> bool:
    """The page answers (after any redirect: the insights index sends a role to its own dashboards)."""
    return client.get(href, follow=True).status_code == 200


def _all_targets(user: Any) -> set[str]:
    membership = user.memberships.get()
    return (
        {i["href"] for i in menus.header_links(_request(user), membership)}
        | {c["href"] for c in menus.home_cards(membership)}
        | {i["href"] for i in menus.section_links(_request(user, "/insights/"), membership)}
    )


def test_no_role_sees_no_navigation_and_is_told_so(client: Client) -> None:
    user = t.make_user(None)
    client.force_login(user)
    response = client.get("/")
    assert "You do not have a role yet" in response.content.decode()
    assert menus.header_links(_request_without_role(user), None) == []


def _request_without_role(user: Any) -> Any:
    request = RequestFactory().get("/")
    request.user = user
    setattr(request, "membership", None)  # noqa: B010 - as the middleware does
    return request


def test_every_cultivate_app_with_a_navigation_module_offers_a_menu() -> None:
    """The apps declare their own links: no central list to edit when an app is added."""
    offered = menus.installed_menus()
    assert all(isinstance(menu, Menu) for menu in offered)
    rules_named = {link.rule for menu in offered for link in (*menu.header, *menu.home)} - {None}
    assert {
        "view_dashboards",
        "list_staff",
        "view_own_portfolio",
        "work_on_frameworks",
        "read_audit",
    } <= rules_named


def test_each_link_names_a_rule_its_app_knows(users: dict[Role, Any]) -> None:
    """A misspelt rule would hide a link from everyone: every rule a link names exists in its app's rules."""
    org_admin = users[Role.ORG_ADMIN].memberships.get()
    for menu in menus.installed_menus():
        links: list[Link] = [*menu.header, *menu.home]
        if menu.section is not None:
            links += [menu.section.root, *menu.section.links]
        for link in links:
            if link.rule is not None:
                # rules raises KeyError for a rule it does not know.
                menu.may(org_admin, link.rule, org_admin.organisation)

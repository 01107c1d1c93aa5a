"""The organisations access module: predicates and queryset scopes agree, and each role sees its scope."""

from __future__ import annotations

import datetime as dt

import pytest

from cultivate.accounts import testing as t
from cultivate.accounts.models import Role
from cultivate.organisations import access, selectors
from cultivate.organisations.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():  # type: ignore[no-untyped-def]
    org = t.make_organisation()
    team1, team2 = t.make_team(org, "Ward 1"), t.make_team(org, "Ward 2")
    manager = t.make_person(org, team=team1, band="6")
    in1 = t.make_person(org, team=team1)
    in2 = t.make_person(org, team=team2)
    reports = t.make_person(org)
    t.make_spell(reports, team=team2, line_manager=manager)
    left = t.make_person(org)
    t.make_spell(left, team=team1, end=dt.date(2021, 1, 1), leaving_reason="Retirement Age")
    other = t.make_person(t.make_organisation(), team=None)
    return {
        "org": org,
        "team1": team1,
        "team2": team2,
        "manager": manager,
        "in1": in1,
        "in2": in2,
        "reports": reports,
        "left": left,
        "other": other,
    }


def visible(membership) -> set[int]:  # type: ignore[no-untyped-def]
    return set(selectors.people_visible_to(membership).values_list("pk", flat=True))


def predicate_visible(membership) -> set[int]:  # type: ignore[no-untyped-def]
    return {p.pk for p in Person.objects.all() if access.may(membership, "view_person", p)}


def test_scopes_per_role(org) -> None:  # type: ignore[no-untyped-def]
    o = org
    cases = {
        Role.ORG_ADMIN: (
            t.make_user(Role.ORG_ADMIN, organisation=o["org"]),
            {o["manager"].pk, o["in1"].pk, o["in2"].pk, o["reports"].pk, o["left"].pk},
        ),
        Role.LINE_MANAGER: (
            t.make_user(Role.LINE_MANAGER, organisation=o["org"], teams=[o["team1"]], person=o["manager"]),
            {o["manager"].pk, o["in1"].pk, o["reports"].pk},
        ),
        Role.ASSESSOR: (
            t.make_user(Role.ASSESSOR, organisation=o["org"], teams=[o["team2"]]),
            {o["in2"].pk, o["reports"].pk},
        ),
        Role.SUPPORT_WORKER: (
            t.make_user(Role.SUPPORT_WORKER, organisation=o["org"], person=o["in1"]),
            {o["in1"].pk},
        ),
        Role.ANALYST: (t.make_user(Role.ANALYST, organisation=o["org"]), set()),
        Role.EDUCATOR: (t.make_user(Role.EDUCATOR, organisation=o["org"]), set()),
    }
    for role, (user, expected) in cases.items():
        membership = user.memberships.get()
        assert visible(membership) == expected, role
        assert predicate_visible(membership) == expected, role


def test_characteristics_only_for_self_and_org_admin(org) -> None:  # type: ignore[no-untyped-def]
    o = org
    admin = t.make_user(Role.ORG_ADMIN, organisation=o["org"]).memberships.get()
    manager = t.make_user(
        Role.LINE_MANAGER, organisation=o["org"], teams=[o["team1"]], person=o["manager"]
    ).memberships.get()
    worker = t.make_user(Role.SUPPORT_WORKER, organisation=o["org"], person=o["in1"]).memberships.get()
    assert access.may(admin, "view_characteristics", o["in1"])
    assert not access.may(manager, "view_characteristics", o["in1"])
    assert access.may(worker, "view_characteristics", o["in1"])
    assert not access.may(admin, "view_characteristics", o["other"])


def test_person_page_hides_characteristics_from_manager(client, org) -> None:  # type: ignore[no-untyped-def]
    o = org
    Person.objects.filter(pk=o["in1"].pk).update(ethnic_category="N", disability="Y")
    manager = t.make_user(Role.LINE_MANAGER, organisation=o["org"], teams=[o["team1"]], person=o["manager"])
    client.force_login(manager)
    html = client.get(f"/people/{o['in1'].pk}/").content.decode()
    assert "Employment history" in html and "Equality information" not in html
    admin = t.make_user(Role.ORG_ADMIN, organisation=o["org"])
    client.force_login(admin)
    html = client.get(f"/people/{o['in1'].pk}/").content.decode()
    assert "Equality information" in html and "Black or Black British - African" in html


def test_staff_list_filters_and_paging(client, org) -> None:  # type: ignore[no-untyped-def]
    o = org
    for i in range(60):
        t.make_person(o["org"], team=o["team2"], band="2" if i % 2 else "4", family_name=f"Zed{i:02d}")
    admin = t.make_user(Role.ORG_ADMIN, organisation=o["org"])
    client.force_login(admin)
    page1 = client.get(
        f"/organisations/{o['org'].ods_code}/staff/?team={o['team2'].pk}&band=2"
    ).content.decode()
    assert "30 people" in page1
    everyone = client.get(f"/organisations/{o['org'].ods_code}/staff/").content.decode()
    assert "64 people, page 1 of 2" in everyone
    page2 = client.get(f"/organisations/{o['org'].ods_code}/staff/?page=2").content.decode()
    assert "page 2 of 2" in page2
    left = client.get(f"/organisations/{o['org'].ods_code}/staff/?status=left").content.decode()
    assert "1 person" in left and o["left"].display_name in left
    found = client.get(f"/organisations/{o['org'].ods_code}/staff/?q={o['in1'].staff_id}").content.decode()
    assert "1 person" in found and o["in1"].display_name in found
    bad = client.get(f"/organisations/{o['org'].ods_code}/staff/?band=99").content.decode()
    assert "There is a problem" in bad


def test_staff_list_query_count_does_not_grow_with_rows(client, org, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    o = org
    admin = t.make_user(Role.ORG_ADMIN, organisation=o["org"])
    client.force_login(admin)
    url = f"/organisations/{o['org'].ods_code}/staff/"
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # The first page after signing in stores the active role and the session once; count a later one.
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(40):
        t.make_person(o["org"], team=o["team1"], family_name=f"More{i}")
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_small_numbers_suppressed_for_analysts(client, org) -> None:  # type: ignore[no-untyped-def]
    o = org
    analyst = t.make_user(Role.ANALYST, organisation=o["org"])
    client.force_login(analyst)
    html = client.get(f"/organisations/{o['org'].ods_code}/").content.decode()
    assert "fewer than 5" in html
    admin = t.make_user(Role.ORG_ADMIN, organisation=o["org"])
    client.force_login(admin)
    html = client.get(f"/organisations/{o['org'].ods_code}/").content.decode()
    assert "fewer than 5" not in html

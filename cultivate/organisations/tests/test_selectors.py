"""Reads for the staff list's order, the home page's counts, the audit log's person filter and the people an
assessor assesses."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from cultivate.accounts import testing as t
from cultivate.accounts.models import Role
from cultivate.organisations import selectors
from cultivate.organisations.models import SupportRole
from cultivate.portfolio.tests.portfolio_factories import membership

pytestmark = pytest.mark.django_db


def test_staff_list_sorts() -> None:
    org = t.make_organisation()
    team = t.make_team(org)
    t.make_person(org, team=team, given_name="Zoe", family_name="Adams", staff_id="P3")
    t.make_person(org, team=team, given_name="Amy", family_name="Young", staff_id="P1")
    admin = membership(t.make_user(Role.ORG_ADMIN, organisation=org))

    def names(sort: str) -> list[str]:
        page = selectors.staff_list(admin, org, selectors.StaffFilters(sort=sort))
        return [p.given_name for p in page.object_list]

    assert names("") == ["Zoe", "Amy"]
    assert names("given") == ["Amy", "Zoe"]
    assert names("staff_id") == ["Amy", "Zoe"]
    assert names("newest") == ["Amy", "Zoe"]


def test_headline_figures_and_people_without_accounts() -> None:
    org = t.make_organisation()
    team = t.make_team(org)
    t.make_person(org, team=team)
    left = t.make_person(org)
    t.make_spell(
        left, team=team, end=timezone.localdate() - dt.timedelta(days=30), leaving_reason="Resignation"
    )
    with_account = t.make_person(org, team=team)
    t.make_user(Role.SUPPORT_WORKER, organisation=org, person=with_account)
    figures = selectors.headline_figures(org)
    assert (figures.headcount, figures.leavers_last_year, figures.headcount_year_ago) == (2, 1, 3)
    admin = membership(t.make_user(Role.ORG_ADMIN, organisation=org))
    assert selectors.people_in_post_without_account(admin) == 1


def test_person_ids_matching_stays_in_scope() -> None:
    org, other = t.make_organisation(), t.make_organisation()
    mine = t.make_person(org, given_name="Wren", family_name="Hale")
    t.make_person(other, given_name="Wren", family_name="Hale")
    admin = membership(t.make_user(Role.ORG_ADMIN, organisation=org))
    assert selectors.person_ids_matching(admin, "wren hale") == [mine.pk]
    assert selectors.people_by_id(admin, {mine.pk}) == {mine.pk: mine}


def test_people_i_assess_lists_support_workers_not_registered_staff() -> None:
    organisation = t.make_organisation()
    ward = t.make_team(organisation, "Elm Ward")
    worker = t.make_person(organisation, team=ward, given_name="Ria", family_name="Desai")
    worker.spells.update(role=SupportRole.objects.get(name="Health care assistant"))
    nurse = t.make_person(organisation, team=ward, given_name="Nia", family_name="Nurse")  # no support role
    assessor = t.make_user(Role.ASSESSOR, organisation=organisation, teams=[ward])
    membership = assessor.memberships.get()
    assert selectors.team_members(membership, ward, support_only=True) == [worker]
    assert set(selectors.team_members(membership, ward)) == {worker, nurse}
    client = Client()
    client.force_login(assessor)
    page = client.get("/team/").content.decode()
    assert "People I assess" in page and "Ria Desai" in page and "Nia Nurse" not in page
    # A line manager's team is everyone in it.
    manager = t.make_user(Role.LINE_MANAGER, organisation=organisation, teams=[ward])
    client.force_login(manager)
    page = client.get("/team/").content.decode()
    assert "Ria Desai" in page and "Nia Nurse" in page

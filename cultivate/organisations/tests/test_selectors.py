"""Reads of the organisations app: the people an assessor assesses."""

from __future__ import annotations

import pytest
from django.test import Client

from cultivate.accounts import testing as t
from cultivate.accounts.models import Role
from cultivate.organisations import selectors
from cultivate.organisations.models import SupportRole

pytestmark = pytest.mark.django_db


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

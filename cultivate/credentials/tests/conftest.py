from __future__ import annotations

import pytest

from cultivate.accounts.models import Role
from cultivate.accounts.testing import make_user
from cultivate.organisations.testing import make_alliance, make_organisation, make_person, make_team


@pytest.fixture
def trust(db):
    alliance = make_alliance()
    organisation = make_organisation(alliance=alliance)
    team = make_team(organisation)
    return organisation, team


@pytest.fixture
def worker(trust):
    organisation, team = trust
    person = make_person(organisation, team=team, given_name="Sam", family_name="Patel")
    user = make_user(Role.SUPPORT_WORKER, organisation=organisation, person=person)
    return person, user

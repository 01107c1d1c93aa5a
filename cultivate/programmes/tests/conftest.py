from __future__ import annotations

import pytest

from cultivate.accounts.models import Membership, Role
from cultivate.accounts.testing import make_alliance, make_organisation, make_user
from cultivate.core.audit import AuditContext
from cultivate.programmes.testing import make_programme, make_worker


def ctx_for(user, role=None) -> AuditContext:
    membership = Membership.objects.filter(user=user, **({"role": role} if role else {})).first()
    return AuditContext(actor=user, membership=membership)


@pytest.fixture
def world(db):
    """An alliance of three trusts; an alliance programme led by an educator of the first trust."""
    alliance = make_alliance()
    orgs = [make_organisation(alliance=alliance) for _ in range(3)]
    educator = make_user(Role.EDUCATOR, organisation=orgs[0])
    programme = make_programme(alliance=alliance, lead=educator, cohorts=2)
    workers = [make_worker(orgs[i % 3], setting=["inpatient", "community"][i % 2]) for i in range(6)]
    outsider_org = make_organisation()
    outsider = make_worker(outsider_org)
    return {
        "alliance": alliance,
        "orgs": orgs,
        "educator": educator,
        "programme": programme,
        "workers": workers,
        "outsider": outsider,
        "lead_ctx": ctx_for(educator),
    }

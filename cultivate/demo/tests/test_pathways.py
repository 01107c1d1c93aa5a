"""The demo's career pathways: the alliance's own route, every stage of readiness among its support workers,
40 apprentices over three years with outcomes, deterministic from the seed, and removed by the reset."""

from __future__ import annotations

import pytest
from django.utils import timezone

from cultivate.demo.alliance import ALLIANCE_CODE, TRUSTS
from cultivate.demo.generator import demo_delete
from cultivate.organisations.models import Organisation
from cultivate.pathways import selectors
from cultivate.pathways.models import Apprenticeship, OffTheJobEntry, Pathway, Qualification, SkillsResult


@pytest.mark.django_db
def test_the_demo_has_pathways_qualifications_results_and_40_apprentices(demo: str) -> None:
    assert "Career pathways:" in demo
    assert Pathway.objects.filter(owner_alliance__code=ALLIANCE_CODE).count() == 1
    assert Qualification.objects.filter(person__organisation__alliance__code=ALLIANCE_CODE).exists()
    assert SkillsResult.objects.filter(person__organisation__alliance__code=ALLIANCE_CODE).exists()
    apprenticeships = Apprenticeship.objects.filter(person__organisation__alliance__code=ALLIANCE_CODE)
    assert apprenticeships.count() == 40
    years = {a.start_date.year for a in apprenticeships}
    assert len(years) >= 3
    assert {a.outcome for a in apprenticeships} >= {"kept_on", "progressed", "left", ""}
    assert OffTheJobEntry.objects.filter(apprenticeship__in=apprenticeships).exists()


@pytest.mark.django_db
def test_every_stage_of_readiness_is_in_the_demo(demo: str) -> None:
    organisation = Organisation.objects.get(ods_code=TRUSTS[0].ods_code)
    steps, people, found = selectors.organisation_readiness(organisation, None, on=timezone.localdate())
    tna = next(s for s in steps if s.code == "trainee-nursing-associate" and s.pathway.owner_alliance is None)
    results = [found[(p.pk, tna.pk)] for p in people]
    assert any(r.ready for r in results)
    assert any(r.nearly for r in results)
    assert any(r.short_count >= 3 for r in results)


@pytest.mark.django_db
def test_the_reset_removes_the_demos_pathway_records(demo: str) -> None:
    demo_delete()
    assert not Apprenticeship.objects.exists()
    assert not Pathway.objects.filter(owner_alliance__code=ALLIANCE_CODE).exists()
    assert (
        Pathway.objects.filter(owner_alliance=None, owner_organisation=None).count() == 3
    )  # reference stays

"""`crosswalk_equivalents`: exact matches only, one step through a shared target, published versions only,
across versions by identifier, limited to what a membership may see, in a fixed number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cultivate.core.audit import AuditContext
from cultivate.frameworks import selectors, services
from cultivate.frameworks.models import AssociationType

from .framework_factories import (
    build_framework,
    care_certificate_item,
    items_of,
    make_world,
    membership,
    published_row,
)

# Changes made outside a request name a job: the audit log refuses a change nobody answers for.
TEST_JOB = AuditContext.system("test")

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


def test_exact_matches_through_a_shared_target(world):
    alliance_mh1 = published_row(world.alliance_fw.framework, "MH1")  # → CC6
    org_b_mh1 = published_row(world.org_b_fw.framework, "MH1")  # → CC6
    cc6 = care_certificate_item(6)
    mh2 = published_row(world.alliance_fw.framework, "MH2")  # no crosswalk
    result = selectors.crosswalk_equivalents([alliance_mh1.pk, cc6.pk, mh2.pk])
    assert result[alliance_mh1.pk] == {cc6.pk, org_b_mh1.pk}
    assert result[cc6.pk] == {alliance_mh1.pk, org_b_mh1.pk}
    assert result[mh2.pk] == set()


def test_only_what_the_membership_may_see(world):
    alliance_mh1 = published_row(world.alliance_fw.framework, "MH1")
    cc6 = care_certificate_item(6)
    org_b_mh1 = published_row(world.org_b_fw.framework, "MH1")
    seen_from_a = selectors.crosswalk_equivalents([alliance_mh1.pk], membership(world.users["educator"]))
    assert seen_from_a[alliance_mh1.pk] == {cc6.pk}
    seen_from_b = selectors.crosswalk_equivalents([org_b_mh1.pk], membership(world.users["educator_b"]))
    assert seen_from_b[org_b_mh1.pk] == {cc6.pk}


def test_related_and_draft_crosswalks_do_not_count(world):
    mh2 = published_row(world.alliance_fw.framework, "MH2")
    draft = services.version_draft_create(ctx=TEST_JOB, framework=world.alliance_fw.framework)
    services.crosswalk_add(ctx=TEST_JOB, origin=items_of(draft)["MH2"], destination=care_certificate_item(14))
    org_a = world.org_a_fw
    services.crosswalk_add(
        ctx=TEST_JOB,
        origin=org_a.items["MH2"],
        destination=care_certificate_item(14),
        association_type=AssociationType.IS_RELATED_TO,
    )
    services.version_publish(ctx=TEST_JOB, version=org_a.version)
    assert selectors.crosswalk_equivalents([mh2.pk]) == {mh2.pk: set()}
    assert selectors.crosswalk_equivalents([care_certificate_item(14).pk]) == {
        care_certificate_item(14).pk: set()
    }
    # Once the draft is published, its crosswalk counts, and an old row is answered with the new rows.
    services.version_publish(ctx=TEST_JOB, version=draft)
    assert selectors.crosswalk_equivalents([mh2.pk])[mh2.pk] == {care_certificate_item(14).pk}
    new_mh2 = published_row(world.alliance_fw.framework, "MH2")
    assert selectors.crosswalk_equivalents([care_certificate_item(14).pk])[care_certificate_item(14).pk] == {
        new_mh2.pk
    }


def test_one_step_only(world):
    """A → T and B → T; B → U as well: A is not equivalent to U."""
    alliance_mh1 = published_row(world.alliance_fw.framework, "MH1")
    extra = build_framework(world.org_a, title="Second")
    draft = services.version_draft_create(ctx=TEST_JOB, framework=extra.framework)
    services.crosswalk_add(ctx=TEST_JOB, origin=items_of(draft)["MH1"], destination=care_certificate_item(5))
    services.version_publish(ctx=TEST_JOB, version=draft)
    extra_mh1 = published_row(extra.framework, "MH1")  # → CC6 and → CC5
    result = selectors.crosswalk_equivalents([alliance_mh1.pk, extra_mh1.pk])
    assert care_certificate_item(5).pk not in result[alliance_mh1.pk]
    assert extra_mh1.pk in result[alliance_mh1.pk]
    assert {care_certificate_item(5).pk, care_certificate_item(6).pk} <= result[extra_mh1.pk]


def test_fixed_number_of_queries(world):
    ids = [
        c.pk
        for c in (published_row(world.alliance_fw.framework, code) for code in ("MH1", "MH2", "MH3", "MH4"))
    ]
    ids += [care_certificate_item(n).pk for n in range(1, 17)]
    educator = membership(world.users["educator"])
    with CaptureQueriesContext(connection) as few:
        selectors.crosswalk_equivalents(ids[:2], educator)
    with CaptureQueriesContext(connection) as many:
        selectors.crosswalk_equivalents(ids, educator)
    assert len(few) == len(many) == 4
    assert selectors.crosswalk_equivalents([]) == {}

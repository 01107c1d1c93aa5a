"""CASE import into the database: the real files, new versions of an existing framework, ownership, atomicity
and a 5,000-item package."""

from __future__ import annotations

import copy
import json
import uuid
from typing import Any

import pytest
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

from cultivate.core.audit import AuditContext
from cultivate.core.models import AuditEvent
from cultivate.frameworks.audit_actions import FrameworksAction
from cultivate.frameworks.case import testing
from cultivate.frameworks.case.services import ImportOutcome, case_import
from cultivate.frameworks.case.synthetic import synthetic_package
from cultivate.frameworks.models import (
    Association,
    Competence,
    Framework,
    FrameworkSource,
    FrameworkVersion,
    NodeType,
    VersionStatus,
)
from cultivate.frameworks.reference import CARE_CERTIFICATE_KEY, item_identifier
from cultivate.organisations.models import Organisation
from cultivate.organisations.testing import make_alliance, make_organisation

# Changes made outside a request name a job: the audit log refuses a change nobody answers for.
TEST_JOB = AuditContext.system("test")

pytestmark = [
    pytest.mark.django_db,
]


def test_the_shared_case_files_are_there() -> None:
    # The real CASE packages are fixtures read in place; without them these tests would prove nothing.
    assert testing.available(), f"the CASE test files are not in {testing.CASE_DIR}: set CULTIVATE_SHARED_DIR"


@pytest.fixture
def organisation() -> Organisation:
    return make_organisation("RX1")


def load(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(testing.real_package(name))
    return loaded


def table_counts() -> dict[str, int]:
    return {
        "frameworks": Framework.objects.count(),
        "versions": FrameworkVersion.objects.count(),
        "competences": Competence.objects.count(),
        "associations": Association.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def imported(outcome: ImportOutcome) -> FrameworkVersion:
    assert outcome.ok, [str(p) for p in outcome.problems]
    assert outcome.version is not None
    return outcome.version


@pytest.mark.parametrize("name", testing.REAL_PACKAGES)
def test_every_real_file_imports(name: str, organisation: Organisation) -> None:
    package = load(name)

    outcome = case_import(
        data=testing.real_package(name), actor=None, ctx=TEST_JOB, organisation=organisation, filename=name
    )

    version = imported(outcome)
    framework = version.framework
    assert outcome.created and not outcome.unchanged
    assert str(framework.identifier) == package["CFDocument"]["identifier"]
    assert framework.title == package["CFDocument"]["title"]
    assert framework.source == FrameworkSource.CASE
    assert framework.owner_organisation == organisation and not framework.is_reference
    assert outcome.items == len(package["CFItems"]) == version.items.count()
    assert outcome.associations == len(package["CFAssociations"]) == version.associations.count()
    assert {str(i) for i in version.items.values_list("identifier", flat=True)} == {
        item["identifier"] for item in package["CFItems"]
    }
    # Every isChildOf is mirrored in the item's parent: to the document means no parent.
    for association in package["CFAssociations"]:
        if association["associationType"] != "isChildOf":
            continue
        child = version.items.get(identifier=association["originNodeURI"]["identifier"])
        destination = association["destinationNodeURI"]["identifier"]
        if destination == package["CFDocument"]["identifier"]:
            assert child.parent is None
        else:
            assert child.parent is not None and str(child.parent.identifier) == destination
    event = AuditEvent.objects.get(action=FrameworksAction.FRAMEWORK_IMPORTED)
    assert event.detail["identifier"] == str(framework.identifier)
    assert event.detail["items"] == outcome.items and event.detail["result"] == "created"
    assert event.organisation == organisation


def test_ordering_puts_siblings_without_sequence_numbers_in_code_order(organisation: Organisation) -> None:
    version = imported(
        case_import(
            data=testing.real_package("Ordering.json"),
            actor=None,
            ctx=TEST_JOB,
            organisation=organisation,
            publish=True,
        )
    )

    parent = version.items.get(code="H.A.MATH.GM.PF.2DFP.L1")
    children = list(parent.children.order_by("sequence").values_list("code", "sequence"))
    assert [code for code, _ in children] == [f"H.A.MATH.GM.PF.2DFP.L1.{n}" for n in range(1, 25)]
    assert [sequence for _, sequence in children] == list(range(1, 25))
    assert parent.node_type == NodeType.DOMAIN
    assert version.items.get(code="H.A.MATH.GM.PF.2DFP.L1.7").node_type == NodeType.COMPETENCE
    assert version.items.get(code="H.A.MATH.GM").short_title == "Geometry and Measurement"
    assert version.status == VersionStatus.PUBLISHED and version.published_at is not None


def test_utf8_text_is_kept_exactly(organisation: Organisation) -> None:
    version = imported(
        case_import(
            data=testing.real_package("Utf8TestFramework.json"),
            actor=None,
            ctx=TEST_JOB,
            organisation=organisation,
        )
    )

    assert version.framework.title == "UTF8 \U0001d451 Test"
    assert version.items.get().title == "Item \U0001d451 1"
    assert version.case_document["creator"] == "OpenSALT Testing"


def test_the_opensalt_case_1_0_file_keeps_its_draft_status_types_and_outside_crosswalks(
    organisation: Organisation,
) -> None:
    name = "opensalt-framework-20c5134f-423d-4097-a971-3dd5152bf507.json"
    version = imported(
        case_import(data=testing.real_package(name), actor=None, ctx=TEST_JOB, organisation=organisation)
    )

    assert version.status == VersionStatus.DRAFT and version.published_at is None
    cluster = version.items.get(code="CCSS.Math.Content.6.RP.A")
    assert cluster.case_item_type == "Cluster" and cluster.node_type == NodeType.DOMAIN
    assert cluster.case_fields["language"] == "en"
    assert cluster.case_fields["educationLevel"] == ["06"]  # OpenSALT's "educationalLevel": "06"
    assert cluster.case_fields["lastChangeDateTime"] == "2017-05-25T18:05:33+00:00"  # no zone: UTC
    assert cluster.case_fields["extensions"]["CFItemAssociationURI"].endswith("/associations")
    # Top-level isChildOf with sequenceNumber "1" and "2" (strings) order the two clusters.
    assert list(version.items.filter(parent=None).order_by("sequence").values_list("code", flat=True)) == [
        "CCSS.Math.Content.6.RP.A",
        "CCSS.Math.Content.7.RP.A",
    ]
    outside = version.associations.filter(association_type="exactMatchOf")
    assert outside.count() == 16
    crosswalk = outside.first()
    assert crosswalk is not None
    assert crosswalk.destination is None and crosswalk.origin is not None
    assert set(crosswalk.destination_ref) == {"identifier", "uri", "title"}
    assert version.case_definitions["CFItemTypes"][0]["title"] == "Cluster"
    assert "description" not in version.case_definitions["CFItemTypes"][0]  # null is absent


def test_same_identifier_becomes_a_new_draft_version_only_when_the_content_differs(
    organisation: Organisation,
) -> None:
    # Both files have the CFDocument identifier d0000000-0000-0000-0000-000000000000.
    first = imported(
        case_import(
            data=testing.real_package("Utf8TestFramework.json"),
            actor=None,
            ctx=TEST_JOB,
            organisation=organisation,
            publish=True,
        )
    )

    again = case_import(
        data=testing.real_package("Utf8TestFramework.json"),
        actor=None,
        ctx=TEST_JOB,
        organisation=organisation,
    )
    assert again.ok and again.unchanged and not again.created
    assert again.version == first and again.items == 0
    assert "No change" in again.summary()
    assert first.framework.versions.count() == 1

    changed = case_import(
        data=testing.real_package("SmartLevelFramework.json"),
        actor=None,
        ctx=TEST_JOB,
        organisation=organisation,
    )
    second = imported(changed)
    assert not changed.created and not changed.unchanged
    assert second.framework == first.framework and second.number == 2
    assert second.status == VersionStatus.DRAFT  # even though the package does not say draft
    assert second.items.count() == 14 and first.items.count() == 1
    assert "new draft version 2" in changed.summary()
    assert Framework.objects.filter(source=FrameworkSource.CASE).count() == 1


def test_a_changed_statement_alone_is_a_change(organisation: Organisation) -> None:
    package = load("SmartLevelFramework.json")
    imported(case_import(data=package, actor=None, ctx=TEST_JOB, organisation=organisation, publish=True))
    edited = copy.deepcopy(package)
    edited["CFItems"][3]["fullStatement"] = "Item 1.2, reworded"
    edited["CFDocument"]["lastChangeDateTime"] = "2026-01-01T00:00:00Z"  # timestamps alone are not a change

    outcome = case_import(data=edited, actor=None, ctx=TEST_JOB, organisation=organisation)

    assert imported(outcome).number == 2
    retimed = copy.deepcopy(edited)
    retimed["CFItems"][0]["lastChangeDateTime"] = "2026-02-02T00:00:00Z"
    assert case_import(data=retimed, actor=None, ctx=TEST_JOB, organisation=organisation).unchanged


def test_a_framework_has_one_draft_at_a_time(organisation: Organisation) -> None:
    package = load("SmartLevelFramework.json")
    imported(case_import(data=package, actor=None, ctx=TEST_JOB, organisation=organisation, publish=True))
    package["CFItems"][0]["fullStatement"] = "Item 1, first edit"
    draft = imported(case_import(data=package, actor=None, ctx=TEST_JOB, organisation=organisation))
    assert draft.status == VersionStatus.DRAFT
    package["CFItems"][0]["fullStatement"] = "Item 1, second edit"
    before = table_counts()

    outcome = case_import(data=package, actor=None, ctx=TEST_JOB, organisation=organisation)

    assert [str(p) for p in outcome.problems] == [
        "$.CFDocument.identifier: this framework already has a draft (version 2), and a framework has one "
        "draft at a time: publish or discard it, then import the package again"
    ]
    assert table_counts() == before


def test_someone_elses_framework_is_not_changed(organisation: Organisation) -> None:
    imported(
        case_import(
            data=testing.real_package("Ordering.json"), actor=None, ctx=TEST_JOB, organisation=organisation
        )
    )
    before = table_counts()

    outcome = case_import(
        data=testing.real_package("Ordering.json"),
        actor=None,
        ctx=TEST_JOB,
        organisation=make_organisation("RX2"),
    )

    assert not outcome.ok
    assert [p.path for p in outcome.problems] == ["$.CFDocument.identifier"]
    assert table_counts() == before


def test_owners_alliance_and_reference(organisation: Organisation) -> None:
    alliance = make_alliance("Harrowdale")
    by_alliance = imported(
        case_import(data=testing.real_package("Ordering.json"), actor=None, ctx=TEST_JOB, alliance=alliance)
    ).framework
    assert by_alliance.owner_alliance == alliance and by_alliance.owner_organisation is None

    reference = imported(
        case_import(
            data=testing.real_package("Utf8TestFramework.json"),
            actor=None,
            ctx=TEST_JOB,
            reference=True,
            publish=True,
        )
    ).framework
    assert (
        reference.is_reference and reference.owner_alliance is None and reference.owner_organisation is None
    )

    nobody = case_import(data=testing.real_package("SmartLevelFramework.json"), actor=None, ctx=TEST_JOB)
    assert nobody.ok, "the framework exists: the command line may add a version without naming the owner"
    no_owner = case_import(data=synthetic_package(300, domains=2, subdomains=2), actor=None, ctx=TEST_JOB)
    assert [p.path for p in no_owner.problems] == ["$"]


MALFORMED: list[tuple[str, Any, list[str]]] = [
    ("not JSON", b'{"CFDocument": {', ["$"]),
    ("not UTF-8", b'{"CFDocument": "\xff"}', ["$"]),
    ("a list", b"[]", ["$"]),
    ("no CFDocument", {"CFItems": []}, ["$.CFDocument"]),
]


def _broken(change: str) -> tuple[dict[str, Any], list[str]]:
    package = load("SmartLevelFramework.json")
    items, associations = package["CFItems"], package["CFAssociations"]
    if change == "item without statement":
        del items[12]["fullStatement"]
        return package, ["$.CFItems[12].fullStatement"]
    if change == "item without identifier":
        items[2]["identifier"] = None
        return package, ["$.CFItems[2].identifier"]
    if change == "duplicate identifier":
        items[5]["identifier"] = items[4]["identifier"]
        return package, ["$.CFItems[5].identifier"]
    if change == "statement of the wrong type":
        items[1]["fullStatement"] = {"en": "Item 2"}
        items[3]["notes"] = ["a", "list"]
        return package, ["$.CFItems[1].fullStatement", "$.CFItems[3].notes"]
    if change == "association without ends":
        del associations[4]["originNodeURI"]
        associations[6]["destinationNodeURI"] = None
        del associations[7]["associationType"]
        return package, [
            "$.CFAssociations[4].originNodeURI",
            "$.CFAssociations[6].destinationNodeURI",
            "$.CFAssociations[7].associationType",
        ]
    if change == "cycle":
        # Item 1 (a child of the document) also becomes a child of its own child Item 1.1.
        associations.append(
            {
                "identifier": str(uuid.uuid4()),
                "associationType": "isChildOf",
                "originNodeURI": associations[0]["originNodeURI"],
                "destinationNodeURI": associations[2]["originNodeURI"],
            }
        )
        return package, [f"$.CFAssociations[{len(associations) - 1}].destinationNodeURI"]
    if change == "items not a list":
        package["CFItems"] = {"identifier": "x"}
        return package, ["$.CFItems"]
    raise AssertionError(change)


@pytest.mark.parametrize(
    "change",
    [
        "item without statement",
        "item without identifier",
        "duplicate identifier",
        "statement of the wrong type",
        "association without ends",
        "cycle",
        "items not a list",
    ],
)
def test_malformed_packages_are_rejected_with_paths_and_change_nothing(
    change: str, organisation: Organisation
) -> None:
    package, paths = _broken(change)
    before = table_counts()

    outcome = case_import(
        data=json.dumps(package).encode(), actor=None, ctx=TEST_JOB, organisation=organisation
    )

    assert not outcome.ok
    assert sorted(p.path for p in outcome.problems) == sorted(paths)
    assert table_counts() == before


@pytest.mark.parametrize(("label", "data", "paths"), MALFORMED)
def test_files_that_are_not_packages_are_rejected(
    label: str, data: Any, paths: list[str], organisation: Organisation
) -> None:
    before = table_counts()
    outcome = case_import(data=data, actor=None, ctx=TEST_JOB, organisation=organisation)
    assert [p.path for p in outcome.problems] == paths
    assert table_counts() == before


def test_a_failure_while_writing_leaves_nothing_behind(
    organisation: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = table_counts()

    def fail(*args: Any, **kwargs: Any) -> None:
        raise DatabaseError("disk full")

    # The framework, version and items are written before the associations: all must go.
    monkeypatch.setattr(Association.objects, "bulk_create", fail)
    outcome = case_import(
        data=testing.real_package("Ordering.json"), actor=None, ctx=TEST_JOB, organisation=organisation
    )

    # The database's own words stay in the log: the problem gives a reference to find them.
    assert not outcome.ok and "the database refused it (reference " in str(outcome.problems[0])
    assert "disk full" not in str(outcome.problems[0])
    assert outcome.framework is None
    assert table_counts() == before


def test_a_5000_item_package_imports_in_a_bounded_number_of_queries(organisation: Organisation) -> None:
    package = synthetic_package(5000)

    with CaptureQueriesContext(connection) as queries:
        outcome = case_import(
            data=json.dumps(package).encode(), actor=None, ctx=TEST_JOB, organisation=organisation
        )

    version = imported(outcome)
    assert outcome.items == 5000 == version.items.count()
    assert outcome.associations == len(package["CFAssociations"]) == version.associations.count()
    assert version.items.filter(parent=None).count() == 20
    assert version.items.filter(node_type=NodeType.DOMAIN).count() == 220
    # Inserts in batches (SQLite caps the parameters of one statement, so its batches are smaller than
    # PostgreSQL's): over 10,000 rows in a few hundred queries at most, not one or more per row.
    assert len(queries.captured_queries) < 250
    # The Care Certificate standards are in Cultivate (a reference framework): the crosswalks link to them.
    target = item_identifier(CARE_CERTIFICATE_KEY, 2)
    crosswalks = version.associations.filter(association_type="exactMatchOf")
    assert crosswalks.count() == 4780 // 10  # every tenth of the 4,780 competences
    assert crosswalks.filter(destination__isnull=True).count() == 0
    linked = crosswalks.filter(destination__identifier=target).first()
    assert linked is not None and linked.destination is not None
    assert linked.destination.framework.is_reference
    assert linked.destination_ref["identifier"] == str(target)
    leaf = version.items.get(code="D3.4.5")
    assert leaf.parent is not None and leaf.parent.code == "D3.4" and leaf.sequence == 5
    assert leaf.content_hash == leaf.compute_content_hash()


def test_lenient_reading_reaches_the_database(organisation: Organisation) -> None:
    package = load("SmartLevelFramework.json")
    package["CFDocument"]["identifier"] = "smartlevel-test"  # not a UUID
    package["CFDocument"]["officialSourceURL"] = None
    package["CFItems"][0]["conceptKeywords"] = "observation"
    package["CFItems"][0]["x-local-rating"] = {"stars": 4}
    for association in package["CFAssociations"]:
        association["destinationNodeURI"]["identifier"] = (
            "smartlevel-test"
            if association["destinationNodeURI"]["identifier"].startswith("d0")
            else association["destinationNodeURI"]["identifier"]
        )
    package["CFAssociations"][0]["sequenceNumber"] = "2"
    package["CFAssociations"][1]["sequenceNumber"] = "1"

    version = imported(case_import(data=package, actor=None, ctx=TEST_JOB, organisation=organisation))

    assert version.framework.identifier == uuid.uuid5(
        uuid.UUID("0b6c5b1e-7f0e-4f43-9d49-3c5b8a3f1c27"), "smartlevel-test"
    )
    assert version.case_document["sourceIdentifier"] == "smartlevel-test"
    assert "officialSourceURL" not in version.case_document
    first = version.items.get(title="Item 1")
    assert first.case_fields["conceptKeywords"] == ["observation"]
    assert first.case_fields["extensions"] == {"x-local-rating": {"stars": 4}}
    assert list(version.items.filter(parent=None).order_by("sequence").values_list("title", flat=True)) == [
        "Item 2",
        "Item 1",
    ]
    assert version.associations.filter(destination_is_document=True).count() == 2

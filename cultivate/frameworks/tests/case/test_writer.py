"""CASE export: every package validates against the official 1.1 schema, and export → import round-trips
identifiers, hierarchy order, associations, UTF-8 text and our own authored fields."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from pytest_django.fixtures import Settings

from cultivate.core.audit import AuditContext
from cultivate.core.models import AuditEvent
from cultivate.frameworks.audit_actions import FrameworksAction
from cultivate.frameworks.case import testing
from cultivate.frameworks.case.services import (
    CaseExportInvalid,
    ImportOutcome,
    case_export,
    case_import,
    package_json,
)
from cultivate.frameworks.case.writer import schema_problems
from cultivate.frameworks.models import (
    Association,
    AssociationType,
    Competence,
    CompetenceKind,
    EvidenceKind,
    Framework,
    FrameworkVersion,
    NodeType,
    VersionStatus,
)
from cultivate.frameworks.reference import CARE_CERTIFICATE, CARE_CERTIFICATE_KEY, item_identifier
from cultivate.organisations.models import Organisation
from cultivate.organisations.testing import make_organisation

# Changes made outside a request name a job: the audit log refuses a change nobody answers for.
TEST_JOB = AuditContext.system("test")

STANDARD_10 = (
    "Safeguarding adults"  # Care Certificate 2025, standard 10 (reference/care_certificate_2025.csv)
)

pytestmark = [
    pytest.mark.django_db,
]


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return testing.official_schema()


@pytest.fixture
def organisation() -> Organisation:
    return make_organisation("RX1")


def imported(outcome: ImportOutcome) -> FrameworkVersion:
    assert outcome.ok, [str(p) for p in outcome.problems]
    assert outcome.version is not None
    return outcome.version


def valid(package: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    problems = schema_problems(package, schema)
    assert not problems, [str(p) for p in problems[:10]]
    return package


def snapshot(version: FrameworkVersion) -> dict[str, Any]:
    """What must survive a round trip: identifiers, text, the hierarchy in order, every association."""
    items = {
        str(c.identifier): (
            str(c.parent.identifier) if c.parent else None,
            c.sequence,
            c.node_type,
            c.code,
            c.title,
            c.short_title,
            c.description,
            c.kind,
            c.levels,
            c.assessed_in_practice,
            c.evidence_kinds,
            c.reassess_months,
        )
        for c in version.items.select_related("parent")
    }
    associations = {
        str(a.identifier): (
            a.association_type,
            str(a.origin.identifier) if a.origin else a.origin_ref.get("identifier"),
            str(a.destination.identifier)
            if a.destination
            else ("document" if a.destination_is_document else a.destination_ref.get("identifier")),
            a.sequence_number if a.association_type != AssociationType.IS_CHILD_OF else None,
        )
        for a in version.associations.select_related("origin", "destination")
    }
    return {"title": version.framework.title, "items": items, "associations": associations}


def reimport(package: dict[str, Any], organisation: Organisation) -> FrameworkVersion:
    """Import an export on a database that no longer has the framework (as another installation would)."""
    Framework.objects.filter(identifier=package["CFDocument"]["identifier"]).delete()
    return imported(
        case_import(data=package_json(package), actor=None, ctx=TEST_JOB, organisation=organisation)
    )


@pytest.mark.parametrize("name", testing.REAL_PACKAGES)
def test_every_real_file_exports_valid_and_round_trips(
    name: str, organisation: Organisation, schema: dict[str, Any]
) -> None:
    version = imported(
        case_import(data=testing.real_package(name), actor=None, ctx=TEST_JOB, organisation=organisation)
    )
    before = snapshot(version)

    package = valid(case_export(ctx=TEST_JOB, version=version, schema=schema), schema)

    assert package["CFDocument"]["caseVersion"] == "1.1"
    assert len(package["CFItems"]) == len(before["items"])
    # Importing its own export again is "no change".
    again = case_import(data=package_json(package), actor=None, ctx=TEST_JOB, organisation=organisation)
    assert again.ok and again.unchanged, [str(p) for p in again.problems]
    assert snapshot(reimport(package, organisation)) == before


def test_utf8_text_round_trips_as_text(organisation: Organisation, schema: dict[str, Any]) -> None:
    version = imported(
        case_import(
            data=testing.real_package("Utf8TestFramework.json"),
            actor=None,
            ctx=TEST_JOB,
            organisation=organisation,
        )
    )
    raw = package_json(case_export(ctx=TEST_JOB, version=version))

    assert "UTF8 \U0001d451 Test".encode() in raw  # written as UTF-8, not \\u escapes
    package = json.loads(raw)
    assert package["CFItems"][0]["fullStatement"] == "Item \U0001d451 1"
    assert reimport(package, organisation).items.get().title == "Item \U0001d451 1"


def test_ordering_exports_the_hierarchy_as_is_child_of_with_integer_sequence_numbers(
    organisation: Organisation, schema: dict[str, Any]
) -> None:
    version = imported(
        case_import(
            data=testing.real_package("Ordering.json"), actor=None, ctx=TEST_JOB, organisation=organisation
        )
    )
    package = valid(case_export(ctx=TEST_JOB, version=version), schema)

    children = [a for a in package["CFAssociations"] if a["associationType"] == "isChildOf"]
    assert len(children) == len(package["CFItems"]) == 28
    assert all(isinstance(a["sequenceNumber"], int) for a in children)
    parent = version.items.get(code="H.A.MATH.GM.PF.2DFP.L1")
    under = sorted(
        (a["sequenceNumber"], a["originNodeURI"]["identifier"])
        for a in children
        if a["destinationNodeURI"]["identifier"] == str(parent.identifier)
    )
    codes = {str(c.identifier): c.code for c in version.items.all()}
    assert [codes[identifier] for _, identifier in under] == [f"{parent.code}.{n}" for n in range(1, 25)]
    # Items are listed parents first, in order.
    listed = [item["humanCodingScheme"] for item in package["CFItems"]]
    assert listed[:5] == [
        "H.A.MATH.GM",
        "H.A.MATH.GM.PF",
        "H.A.MATH.GM.PF.2DFP",
        parent.code,
        f"{parent.code}.1",
    ]
    # The source's own addresses and timestamps are kept; the document's timestamp carries a zone.
    assert package["CFItems"][0]["uri"].startswith("http://localhost:3000/ims/case/v1p0/CFItems/")
    assert package["CFItems"][0]["lastChangeDateTime"] == "2017-10-18T15:02:46+00:00"
    assert package["CFDocument"]["lastChangeDateTime"].endswith("+00:00")
    assert "CFPackageURI" not in package["CFDocument"]  # CASE 1.0 only: the 1.1 schema forbids it


def test_the_opensalt_file_keeps_its_extensions_definitions_and_outside_ends(
    organisation: Organisation, schema: dict[str, Any]
) -> None:
    name = "opensalt-framework-20c5134f-423d-4097-a971-3dd5152bf507.json"
    version = imported(
        case_import(data=testing.real_package(name), actor=None, ctx=TEST_JOB, organisation=organisation)
    )

    package = valid(case_export(ctx=TEST_JOB, version=version), schema)

    document = package["CFDocument"]
    assert document["adoptionStatus"] == "Draft"
    cluster = next(i for i in package["CFItems"] if i["humanCodingScheme"] == "CCSS.Math.Content.6.RP.A")
    assert cluster["CFItemType"] == "Cluster" and cluster["educationLevel"] == ["06"]
    assert cluster["extensions"]["CFItemAssociationURI"].endswith("/associations")
    assert cluster["extensions"]["ext:cultivate"] == {"nodeType": "domain"}
    outside = [a for a in package["CFAssociations"] if a["associationType"] == "exactMatchOf"]
    assert len(outside) == 16
    assert all(
        a["destinationNodeURI"]["uri"].startswith("http://opensalt-staging.opened.com/") for a in outside
    )
    types = package["CFDefinitions"]["CFItemTypes"]
    assert {t["title"] for t in types} == {"Cluster", "Standard", "Component"}
    assert all(t["description"] == "" for t in types)  # null in the source, required by 1.1


def make_authored(organisation: Organisation) -> FrameworkVersion:
    """A framework written in Cultivate, with our own fields and a crosswalk to the Care Certificate."""
    framework = Framework.objects.create(
        title="Harrowdale healthcare support worker framework",
        owner_organisation=organisation,
        levels=[
            {"code": "observed", "label": "Observed"},
            {"code": "supervised", "label": "Supervised"},
            {"code": "independent", "label": "Independent"},
        ],
    )
    version = FrameworkVersion.objects.create(
        framework=framework, number=1, label="2026.1", status=VersionStatus.PUBLISHED
    )
    domain = Competence.objects.create(
        version=version,
        framework=framework,
        node_type=NodeType.DOMAIN,
        code="PH",
        title="Physical health",
        sequence=1,
    )
    items = [
        Competence.objects.create(
            version=version,
            framework=framework,
            parent=domain,
            sequence=n,
            code=f"PH{n}",
            title=title,
            kind=CompetenceKind.SKILL,
            levels=["supervised", "independent"],
            assessed_in_practice=True,
            evidence_kinds=[EvidenceKind.OBSERVATION, EvidenceKind.WITNESS],
            reassess_months=12,
        )
        for n, title in [
            (2, "Record a NEWS2 score and escalate"),
            (1, "Take a manual blood pressure — «accurately»"),
        ]
    ]
    # The hierarchy as the authoring services keep it: an isChildOf per item, mirroring parent and sequence.
    for item in [domain, *items]:
        Association.objects.create(
            version=version,
            association_type=AssociationType.IS_CHILD_OF,
            origin=item,
            destination=item.parent,
            destination_is_document=item.parent is None,
            sequence_number=item.sequence,
        )
    standard = Competence.objects.get(
        framework__identifier=CARE_CERTIFICATE, identifier=item_identifier(CARE_CERTIFICATE_KEY, 10)
    )
    Association.objects.create(
        version=version,
        association_type=AssociationType.EXACT_MATCH_OF,
        origin=items[1],
        destination=standard,
    )
    return version


def test_an_authored_framework_exports_our_fields_as_extensions_and_round_trips(
    organisation: Organisation, schema: dict[str, Any], settings: Settings
) -> None:
    settings.SITE_URL = "https://cultivate.example.nhs.uk/"
    version = make_authored(organisation)
    before = snapshot(version)

    package = valid(case_export(ctx=TEST_JOB, version=version, schema=schema), schema)

    document = package["CFDocument"]
    assert document["identifier"] == str(version.framework.identifier)
    assert (
        document["uri"]
        == f"https://cultivate.example.nhs.uk/frameworks/case/CFDocuments/{document['identifier']}"
    )
    assert document["creator"] == organisation.name and document["version"] == "2026.1"
    assert document["adoptionStatus"] == "Adopted"
    assert document["extensions"]["ext:cultivate"]["levels"][0] == {"code": "observed", "label": "Observed"}
    blood_pressure = next(i for i in package["CFItems"] if i["humanCodingScheme"] == "PH1")
    assert blood_pressure["CFItemType"] == "Competence"
    assert blood_pressure["extensions"]["ext:cultivate"] == {
        "nodeType": "competence",
        "kind": "skill",
        "levels": ["supervised", "independent"],
        "assessedInPractice": True,
        "evidenceKinds": ["observation", "witness"],
        "reassessMonths": 12,
    }
    assert [i["humanCodingScheme"] for i in package["CFItems"]] == ["PH", "PH1", "PH2"]
    crosswalk = next(a for a in package["CFAssociations"] if a["associationType"] == "exactMatchOf")
    target = str(item_identifier(CARE_CERTIFICATE_KEY, 10))
    assert crosswalk["originNodeURI"]["identifier"] == blood_pressure["identifier"]
    assert crosswalk["destinationNodeURI"] == {
        "title": STANDARD_10,
        "identifier": target,
        "uri": f"https://cultivate.example.nhs.uk/frameworks/case/CFItems/{target}",
    }
    hierarchy = [a for a in package["CFAssociations"] if a["associationType"] == "isChildOf"]
    domain = str(version.items.get(code="PH").identifier)
    assert sorted((a["destinationNodeURI"]["identifier"], a["sequenceNumber"]) for a in hierarchy) == sorted(
        [(document["identifier"], 1), (domain, 1), (domain, 2)]
    )

    # The same export imported again here is no change; on another installation it is the same framework,
    # and the crosswalk links to that installation's Care Certificate again.
    assert case_import(data=package, actor=None, ctx=TEST_JOB, organisation=organisation).unchanged
    after = reimport(package, organisation)
    assert snapshot(after) == before
    assert after.framework.levels == version.framework.levels
    linked = after.associations.get(association_type="exactMatchOf")
    assert linked.destination is not None and linked.destination.framework.identifier == CARE_CERTIFICATE


def test_an_export_is_audited(organisation: Organisation) -> None:
    version = make_authored(organisation)

    case_export(ctx=TEST_JOB, version=version)

    event = AuditEvent.objects.get(action=FrameworksAction.FRAMEWORK_EXPORTED)
    assert event.detail == {
        "identifier": str(version.framework.identifier),
        "version": 1,
        "items": 3,
        "associations": 4,
        "system_job": "test",
    }
    assert event.organisation == organisation


def test_what_the_1_1_schema_has_no_room_for_is_made_valid(
    organisation: Organisation, schema: dict[str, Any]
) -> None:
    """Non-UUID identifiers, an association type CASE does not name, unusable dates, unknown keys in
    definitions, rubrics: all still export valid, and what was changed travels in extensions."""
    package = {
        "CFDocument": {"identifier": "doc-1", "title": "Odd package", "statusStartDate": "not a date"},
        "CFItems": [
            {"identifier": "item-1", "fullStatement": "First", "lastChangeDateTime": "yesterday"},
            {
                "identifier": "item-2",
                "fullStatement": "Second",
                "CFItemTypeURI": {"identifier": "t-1", "uri": "x"},
            },
        ],
        "CFAssociations": [
            {"associationType": "isChildOf", "originNodeURI": "item-2", "destinationNodeURI": "item-1"},
            {
                "identifier": "assoc-2",
                "associationType": "isTaughtWith",
                "originNodeURI": {"identifier": "item-1", "uri": "u1", "title": "First"},
                "destinationNodeURI": {"identifier": "elsewhere-9", "uri": "https://x/9", "title": "Nine"},
            },
        ],
        "CFDefinitions": {
            "CFItemTypes": [{"identifier": "t-1", "title": "Skill", "colour": "green"}],
            "CFLicenses": [{"identifier": str(uuid.uuid4()), "title": "OGL"}],
        },
        "CFRubrics": [
            {
                "identifier": "r-1",
                "title": "Observation rubric",
                "CFRubricCriteria": [
                    {
                        "identifier": "c-1",
                        "position": "1",
                        "weight": 0.5,
                        "CFRubricCriterionLevels": [{"identifier": "l-1", "score": 2, "note": "kept"}],
                    }
                ],
            }
        ],
    }
    version = imported(case_import(data=package, actor=None, ctx=TEST_JOB, organisation=organisation))

    out = valid(case_export(ctx=TEST_JOB, version=version), schema)

    assert out["CFDocument"]["extensions"]["ext:cultivate"]["sourceIdentifier"] == "doc-1"
    assert out["CFDocument"]["extensions"]["statusStartDate"] == "not a date"
    first = next(i for i in out["CFItems"] if i["fullStatement"] == "First")
    assert first["extensions"]["ext:cultivate"]["sourceIdentifier"] == "item-1"
    assert first["extensions"]["lastChangeDateTime"] == "yesterday"
    odd = next(a for a in out["CFAssociations"] if a["associationType"].startswith("ext:"))
    assert odd["associationType"] == "ext:isTaughtWith"
    assert odd["extensions"]["ext:cultivate"] == {
        "sourceIdentifier": "assoc-2",
        "associationType": "isTaughtWith",
    }
    assert odd["destinationNodeURI"] == {"title": "Nine", "identifier": "elsewhere-9", "uri": "https://x/9"}
    assert out["CFDefinitions"]["CFItemTypes"][0]["extensions"] == {"colour": "green"}
    level = out["CFRubrics"][0]["CFRubricCriteria"][0]["CFRubricCriterionLevels"][0]
    assert level["extensions"] == [{"note": "kept"}]
    assert out["CFRubrics"][0]["CFRubricCriteria"][0]["position"] == 1
    # And back: the original association type returns.
    again = reimport(out, organisation)
    assert again.associations.filter(association_type="isTaughtWith").count() == 1


def test_an_export_that_would_not_validate_is_refused(organisation: Organisation) -> None:
    version = make_authored(organisation)
    strict = {"type": "object", "required": ["CFRubrics"]}

    with pytest.raises(CaseExportInvalid) as refused:
        case_export(ctx=TEST_JOB, version=version, schema=strict)

    assert [str(p) for p in refused.value.problems] == ["$: 'CFRubrics' is a required property"]
    assert not AuditEvent.objects.filter(action=FrameworksAction.FRAMEWORK_EXPORTED).exists()


def test_the_shipped_reference_frameworks_export_valid(schema: dict[str, Any]) -> None:
    shipped = list(Framework.objects.filter(is_reference=True, owner_organisation=None, owner_alliance=None))
    assert CARE_CERTIFICATE in {f.identifier for f in shipped}
    for framework in shipped:
        version = framework.versions.get(status=VersionStatus.PUBLISHED)
        package = valid(case_export(ctx=TEST_JOB, version=version), schema)
        assert package["CFDocument"]["identifier"] == str(framework.identifier)
        assert len(package["CFItems"]) == version.items.count() > 0
        ours = package["CFItems"][0]["extensions"]["ext:cultivate"]
        assert ours["nodeType"] == "competence"

"""The lenient reader on its own (no database): what it accepts and how, and the paths of what it refuses."""

from __future__ import annotations

import json
import uuid
from typing import Any

from cultivate.frameworks.case.reader import CASE_NAMESPACE, read_package
from cultivate.frameworks.models import NodeType, VersionStatus

DOC = "3f2b8f4e-4d1c-4b6e-9a51-0c7d2e9b1a00"
A, B, C = (f"3f2b8f4e-4d1c-4b6e-9a51-0c7d2e9b1a0{n}" for n in (1, 2, 3))


def package(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "CFDocument": {"identifier": DOC, "title": "Test framework", "creator": "Tests"},
        "CFItems": [
            {"identifier": A, "fullStatement": "Domain A", "humanCodingScheme": "A"},
            {"identifier": B, "fullStatement": "Competence B", "humanCodingScheme": "A.2"},
            {"identifier": C, "fullStatement": "Competence C", "humanCodingScheme": "A.1"},
        ],
        "CFAssociations": [
            {
                "identifier": str(uuid.uuid4()),
                "associationType": "isChildOf",
                "originNodeURI": A,
                "destinationNodeURI": DOC,
            },
            {
                "identifier": str(uuid.uuid4()),
                "associationType": "isChildOf",
                "originNodeURI": B,
                "destinationNodeURI": A,
                "sequenceNumber": "2",
            },
            {
                "identifier": str(uuid.uuid4()),
                "associationType": "isChildOf",
                "originNodeURI": C,
                "destinationNodeURI": A,
                "sequenceNumber": 1.0,
            },
        ],
    }
    base.update(overrides)
    return base


def paths(data: Any) -> list[str]:
    result = read_package(data)
    assert not result.ok
    return [p.path for p in result.problems]


def test_references_as_strings_numeric_sequence_numbers_and_the_document_as_parent() -> None:
    result = read_package(json.dumps(package()).encode())

    assert result.ok, result.problems
    assert result.package is not None
    items = {item.code: item for item in result.package.items}
    assert [item.code for item in result.package.items] == ["A", "A.1", "A.2"]  # parents first, in order
    assert items["A"].parent is None and items["A"].node_type == NodeType.DOMAIN
    assert items["A.2"].parent == uuid.UUID(A) and items["A.2"].sequence == 2
    assert items["A.1"].sequence == 1 and items["A.1"].node_type == NodeType.COMPETENCE
    document_link = result.package.associations[0]
    assert document_link.destination_is_document and document_link.destination is None
    assert result.package.associations[1].sequence_number == 2


def test_references_by_uri_alone_are_resolved() -> None:
    data = package()
    for item in data["CFItems"]:
        item["uri"] = f"https://case.example/CFItems/{item['humanCodingScheme']}"
    data["CFAssociations"][1]["originNodeURI"] = {"uri": "https://case.example/CFItems/A.2", "title": "B"}
    data["CFAssociations"][1]["destinationNodeURI"] = {"uri": "https://case.example/CFItems/A", "title": ""}

    result = read_package(data)

    assert result.package is not None
    assert result.package.associations[1].origin == uuid.UUID(B)
    assert result.package.associations[1].destination == uuid.UUID(A)


def test_timestamps_without_a_zone_are_utc_and_nulls_are_absent() -> None:
    data = package()
    data["CFDocument"].update(
        {"lastChangeDateTime": "2024-02-29 13:45:00", "publisher": None, "adoptionStatus": "Private Draft"}
    )
    data["CFItems"][0].update({"lastChangeDateTime": "2024-03-01T09:00:00Z", "notes": None, "language": "en"})
    data["CFItems"][1]["statusStartDate"] = "2024-04-01T00:00:00"

    result = read_package(data)

    assert result.package is not None
    assert result.package.document["lastChangeDateTime"] == "2024-02-29T13:45:00+00:00"
    assert "publisher" not in result.package.document
    assert result.package.status == VersionStatus.DRAFT
    first = result.package.items[0]
    assert first.fields == {"lastChangeDateTime": "2024-03-01T09:00:00+00:00", "language": "en"}
    assert first.description == ""
    assert next(i for i in result.package.items if i.code == "A.2").fields["statusStartDate"] == "2024-04-01"


def test_unknown_keys_are_kept_as_extensions_and_case_1_0_spellings_are_understood() -> None:
    data = package(CFPackage_note="top-level note")
    data["CFItems"][1].update(
        {
            "educationLevel": "KS4, KS5",
            "CFDocumentURI": {"identifier": DOC, "uri": "x", "title": "t"},
            "localPriority": "high",
            "extensions": {"vendor": {"x": 1}},
        }
    )
    data["CFDefinitions"] = []  # CASE 1.0 allowed an empty list

    result = read_package(data)

    assert result.package is not None
    item = next(i for i in result.package.items if i.code == "A.2")
    assert item.fields["educationLevel"] == ["KS4", "KS5"]
    assert item.fields["extensions"] == {"vendor": {"x": 1}, "localPriority": "high"}
    assert "CFDocumentURI" not in item.fields
    assert result.package.document["packageExtensions"] == {"CFPackage_note": "top-level note"}
    assert [str(w) for w in result.warnings] == ["$.CFPackage_note: not a CASE key: kept as an extension"]


def test_identifiers_that_are_not_uuids_get_a_stable_uuid() -> None:
    data = package()
    data["CFItems"][0]["identifier"] = "LOCAL-A"
    data["CFAssociations"][0]["originNodeURI"] = "LOCAL-A"
    data["CFAssociations"][1]["destinationNodeURI"] = {"identifier": "LOCAL-A", "uri": "", "title": "A"}
    data["CFAssociations"][2]["destinationNodeURI"] = {"identifier": "LOCAL-A", "uri": "", "title": "A"}

    first, second = read_package(data), read_package(data)

    assert first.package is not None and second.package is not None
    made = uuid.uuid5(CASE_NAMESPACE, "LOCAL-A")
    assert first.package.items[0].identifier == made == second.package.items[0].identifier
    assert first.package.items[0].fields["sourceIdentifier"] == "LOCAL-A"
    assert {i.parent for i in first.package.items[1:]} == {made}


def test_associations_to_items_outside_the_package_are_kept_as_references() -> None:
    outside = {"identifier": "NOS-SFHCHS2", "uri": "https://nos.example/SFHCHS2", "title": "NOS CHS2"}
    data = package()
    data["CFAssociations"].append(
        {
            "identifier": str(uuid.uuid4()),
            "associationType": "exactMatchOf",
            "originNodeURI": B,
            "destinationNodeURI": outside,
        }
    )

    result = read_package(data)

    assert result.package is not None
    crosswalk = result.package.associations[-1]
    assert crosswalk.destination is None and not crosswalk.destination_is_document
    assert crosswalk.destination_ref == outside
    assert crosswalk.origin == uuid.UUID(B) and crosswalk.origin_ref == {}


def test_sequence_numbers_that_are_not_numbers_are_kept_aside_with_a_warning() -> None:
    data = package()
    data["CFAssociations"][1]["sequenceNumber"] = "second"

    result = read_package(data)

    assert result.ok
    assert result.package is not None
    assert result.package.associations[1].fields["extensions"] == {"sequenceNumber": "second"}
    assert [w.path for w in result.warnings] == ["$.CFAssociations[1].sequenceNumber"]


def test_every_problem_is_reported_with_its_path() -> None:
    data = package()
    data["CFDocument"]["title"] = "  "
    data["CFItems"][0]["fullStatement"] = None
    data["CFItems"][1]["identifier"] = C
    data["CFItems"][2]["abbreviatedStatement"] = ["not", "text"]
    data["CFAssociations"][0]["originNodeURI"] = {"title": "neither identifier nor uri"}
    data["CFAssociations"][1]["destinationNodeURI"] = 42

    assert paths(data) == [
        "$.CFDocument.title",
        "$.CFItems[0].fullStatement",
        "$.CFItems[2].abbreviatedStatement",
        "$.CFItems[2].identifier",
        "$.CFAssociations[0].originNodeURI",
        "$.CFAssociations[1].destinationNodeURI",
    ]


def test_cycles_are_refused() -> None:
    data = package()
    data["CFAssociations"].append(
        {
            "identifier": str(uuid.uuid4()),
            "associationType": "isChildOf",
            "originNodeURI": A,
            "destinationNodeURI": C,
        }
    )
    data["CFAssociations"].append(
        {
            "identifier": str(uuid.uuid4()),
            "associationType": "isChildOf",
            "originNodeURI": B,
            "destinationNodeURI": B,
        }
    )

    result = read_package(data)

    assert sorted(str(p) for p in result.problems) == [
        "$.CFAssociations[2].destinationNodeURI: isChildOf makes a cycle: A → A.1 → A",
        "$.CFAssociations[4].destinationNodeURI: isChildOf makes a cycle: A.2 → A.2",
    ]


def test_not_a_package() -> None:
    assert paths(b"") == ["$"]
    assert paths(b"\xef\xbb\xbf{") == ["$"]
    assert paths({"CFDocument": []}) == ["$.CFDocument"]
    assert paths({"CFDocument": {"title": "No identifier"}}) == ["$.CFDocument.identifier"]
    assert paths(package(CFItems=[1, {"identifier": A}], CFAssociations="none")) == [
        "$.CFItems[0]",
        "$.CFAssociations",
        "$.CFItems[1].fullStatement",
    ]


def test_a_wrapped_package_and_a_bom_are_accepted() -> None:
    raw = "\ufeff" + json.dumps({"CFPackage": package()})
    assert read_package(raw.encode("utf-8")).ok

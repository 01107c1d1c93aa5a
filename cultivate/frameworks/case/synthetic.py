"""A made-up CASE 1.1 package of any size, for the 5,000-item import test and the benchmark: domains, sub-domains
and competences joined by isChildOf with sequence numbers, and crosswalks (exactMatchOf, isRelatedTo) to the
Care Certificate and Code of Conduct reference identifiers, which lie outside the package. Deterministic: the same
arguments give the same package, identifiers included."""

from __future__ import annotations

import random
import uuid
from typing import Any

from cultivate.frameworks.reference import CARE_CERTIFICATE_KEY, CODE_OF_CONDUCT_KEY, item_identifier

NAMESPACE = uuid.UUID("6f1d2c3b-4a59-4e8f-9b7a-2c1d0e9f8a76")
VERBS = [
    "Recognise",
    "Explain",
    "Carry out",
    "Record",
    "Report",
    "Support",
    "Check",
    "Describe",
    "Follow",
    "Use",
]
OBJECTS = [
    "a person's baseline observations",
    "changes in a person's mental state",
    "safe moving and handling",
    "fluid balance",
    "skin integrity checks",
    "a safeguarding concern",
    "infection prevention measures",
    "a person's communication needs",
    "medication prompts within local policy",
    "de-escalation techniques",
]
DOMAIN_NAMES = [
    "Person-centred care",
    "Communication",
    "Safeguarding",
    "Physical health",
    "Mental health",
    "Infection prevention",
    "Nutrition and hydration",
    "Moving and handling",
    "Record keeping",
    "Duty of care",
]


def synthetic_package(
    items: int = 5000,
    *,
    domains: int = 20,
    subdomains: int = 10,
    seed: int = 2026,
    crosswalk_every: int = 10,
) -> dict[str, Any]:
    """A package with exactly `items` items (`domains` × (1 + `subdomains`) groupings, the rest competences)."""
    groupings = domains * (1 + subdomains)
    if items <= groupings:
        raise ValueError(f"{items} items cannot hold {groupings} domains and sub-domains.")
    rng = random.Random(seed)
    changed = "2026-03-31T09:00:00+01:00"
    base = "https://frameworks.example.nhs.uk/ims/case/v1p1"

    def ident(*parts: object) -> str:
        return str(uuid.uuid5(NAMESPACE, "/".join(str(p) for p in (seed, *parts))))

    document_id = ident("document")
    document = {
        "identifier": document_id,
        "uri": f"{base}/CFDocuments/{document_id}",
        "creator": "Synthetic Test Alliance",
        "title": f"Synthetic clinical support framework ({items:,} items)",
        "lastChangeDateTime": changed,
        "version": "1.0",
        "adoptionStatus": "Adopted",
        "language": "en-GB",
        "caseVersion": "1.1",
    }
    document_node = {"title": document["title"], "identifier": document_id, "uri": document["uri"]}
    cf_items: list[dict[str, Any]] = []
    associations: list[dict[str, Any]] = []

    def add_item(identifier: str, code: str, statement: str, item_type: str) -> dict[str, str]:
        cf_items.append(
            {
                "identifier": identifier,
                "uri": f"{base}/CFItems/{identifier}",
                "fullStatement": statement,
                "humanCodingScheme": code,
                "CFItemType": item_type,
                "language": "en-GB",
                "lastChangeDateTime": changed,
            }
        )
        return {"title": code, "identifier": identifier, "uri": f"{base}/CFItems/{identifier}"}

    def associate(
        kind: str, origin: dict[str, str], destination: dict[str, str], sequence: int | None
    ) -> None:
        identifier = ident("association", len(associations))
        association: dict[str, Any] = {
            "identifier": identifier,
            "uri": f"{base}/CFAssociations/{identifier}",
            "associationType": kind,
            "originNodeURI": origin,
            "destinationNodeURI": destination,
            "lastChangeDateTime": changed,
        }
        if sequence is not None:
            association["sequenceNumber"] = sequence
        associations.append(association)

    competences = items - groupings
    slots = domains * subdomains
    per_slot = [competences // slots + (1 if n < competences % slots else 0) for n in range(slots)]
    count = 0
    for d in range(1, domains + 1):
        name = DOMAIN_NAMES[(d - 1) % len(DOMAIN_NAMES)]
        domain = add_item(ident("domain", d), f"D{d}", f"{name} ({d})", "Domain")
        associate("isChildOf", domain, document_node, d)
        for s in range(1, subdomains + 1):
            sub = add_item(ident("sub", d, s), f"D{d}.{s}", f"{name}: area {s}", "Domain")
            associate("isChildOf", sub, domain, s)
            for c in range(1, per_slot[(d - 1) * subdomains + s - 1] + 1):
                count += 1
                statement = f"{rng.choice(VERBS)} {rng.choice(OBJECTS)} (competence {count})"
                item = add_item(ident("item", d, s, c), f"D{d}.{s}.{c}", statement, "Competence")
                associate("isChildOf", item, sub, c)
                if crosswalk_every and count % crosswalk_every == 0:
                    standard = (count // crosswalk_every) % 16 + 1
                    target = str(item_identifier(CARE_CERTIFICATE_KEY, standard))
                    associate(
                        "exactMatchOf",
                        item,
                        {
                            "title": f"Care Certificate standard {standard}",
                            "identifier": target,
                            "uri": f"urn:uuid:{target}",
                        },
                        None,
                    )
                if crosswalk_every and count % (crosswalk_every * 5) == 0:
                    principle = (count // (crosswalk_every * 5)) % 7 + 1
                    target = str(item_identifier(CODE_OF_CONDUCT_KEY, principle))
                    associate(
                        "isRelatedTo",
                        item,
                        {
                            "title": f"Code of Conduct {principle}",
                            "identifier": target,
                            "uri": f"urn:uuid:{target}",
                        },
                        None,
                    )
    return {
        "CFDocument": document,
        "CFItems": cf_items,
        "CFAssociations": associations,
        "CFDefinitions": {},
    }

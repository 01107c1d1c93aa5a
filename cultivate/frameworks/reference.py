"""Identifiers of the reference frameworks that ship with Cultivate as data (crosswalk targets).

Fixed UUIDs (version 5, in our own namespace) so that every installation, the demo and CASE exports name the
same standard the same way. The items themselves are loaded from `reference/*.csv` by a data migration
(`migrations/0002_reference_frameworks.py`); see `reference/README.md` for the sources."""

from __future__ import annotations

import csv
import uuid
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

NAMESPACE = uuid.UUID("5b0f4a62-2d0e-4c57-9a53-8e1f0c7d2a10")

CARE_CERTIFICATE_KEY = "care-certificate-2025"
CODE_OF_CONDUCT_KEY = "code-of-conduct-support-workers-2013"

CARE_CERTIFICATE = uuid.uuid5(NAMESPACE, CARE_CERTIFICATE_KEY)
CODE_OF_CONDUCT = uuid.uuid5(NAMESPACE, CODE_OF_CONDUCT_KEY)

REFERENCE_DIR = Path(__file__).parent / "reference"


def item_identifier(framework_key: str, number: int | str) -> uuid.UUID:
    """The identifier of standard or theme `number` of a reference framework, e.g. Care Certificate 3."""
    return uuid.uuid5(NAMESPACE, f"{framework_key}/{number}")


def child_association_identifier(framework_key: str, number: int | str) -> uuid.UUID:
    """The identifier of the isChildOf association from item `number` to its framework document, fixed for
    the same reason as the items' (a CASE export names it the same way everywhere)."""
    return uuid.uuid5(NAMESPACE, f"{framework_key}/{number}/isChildOf")


@dataclass(frozen=True)
class ReferenceFramework:
    """What the data migration needs beyond the CSV file: the framework's own fields."""

    key: str
    identifier: uuid.UUID
    title: str
    description: str
    version_label: str
    filename: str
    # One level: a reference standard is either met or not; organisations grade their own competences.
    levels: tuple[tuple[str, str], ...]
    kind: str
    assessed_in_practice: bool
    evidence_kinds: tuple[str, ...]
    publisher: str


CARE_CERTIFICATE_FRAMEWORK = ReferenceFramework(
    key=CARE_CERTIFICATE_KEY,
    identifier=CARE_CERTIFICATE,
    title="Care Certificate standards (2025)",
    description=(
        "The 16 standards new healthcare support workers and adult social care workers are expected to meet, "
        "usually within 12 weeks of starting. Published by Skills for Care and Health Education England."
    ),
    version_label="2025",
    filename="care_certificate_2025.csv",
    levels=(("met", "Standard met"),),
    kind="",
    assessed_in_practice=True,
    evidence_kinds=("observation", "question", "reflection", "witness"),
    publisher="Skills for Care; Health Education England",
)

CODE_OF_CONDUCT_FRAMEWORK = ReferenceFramework(
    key=CODE_OF_CONDUCT_KEY,
    identifier=CODE_OF_CONDUCT,
    title="Code of Conduct for Healthcare Support Workers and Adult Social Care Workers in England (2013)",
    description=(
        "The seven themes of the code of conduct for support workers. Published by Skills for Care and "
        "Skills for Health."
    ),
    version_label="2013",
    filename="code_of_conduct.csv",
    levels=(("met", "Meets the code"),),
    kind="behaviour",
    assessed_in_practice=False,
    evidence_kinds=("reflection", "witness", "observation"),
    publisher="Skills for Care; Skills for Health",
)

REFERENCE_FRAMEWORKS = (CARE_CERTIFICATE_FRAMEWORK, CODE_OF_CONDUCT_FRAMEWORK)


@cache
def reference_items(filename: str) -> tuple[tuple[int, str, str], ...]:
    """(number, code, title) for each row of a reference file, in file order."""
    with (REFERENCE_DIR / filename).open(encoding="utf-8", newline="") as handle:
        return tuple(
            (int(row["number"]), row["code"].strip(), row["title"].strip()) for row in csv.DictReader(handle)
        )


def install(apps: Any = None) -> None:
    """Create or update the reference frameworks from the files: each a framework with no owner, one
    published version, one competence per row and an isChildOf association from each to the document.

    Run by the data migration (with its historical `apps`); safe to run again, e.g. after a test flushed the
    database. Historical models have no `save()` logic, so the content hash is computed here."""
    from django.utils import timezone

    from .models import content_hash

    if apps is None:
        from django.apps import apps as current_apps

        apps = current_apps
    framework_model = apps.get_model("frameworks", "Framework")
    version_model = apps.get_model("frameworks", "FrameworkVersion")
    competence_model = apps.get_model("frameworks", "Competence")
    association_model = apps.get_model("frameworks", "Association")

    for spec in REFERENCE_FRAMEWORKS:
        framework, _ = framework_model.objects.update_or_create(
            identifier=spec.identifier,
            defaults={
                "title": spec.title,
                "description": spec.description,
                "source": "reference",
                "is_reference": True,
                "levels": [{"code": code, "label": label} for code, label in spec.levels],
                "owner_alliance": None,
                "owner_organisation": None,
            },
        )
        version, _ = version_model.objects.update_or_create(
            framework=framework,
            number=1,
            defaults={
                "label": spec.version_label,
                "status": "published",
                "case_document": {"publisher": spec.publisher, "language": "en"},
            },
        )
        if version.published_at is None:
            version.published_at = timezone.now()
            version.save(update_fields=["published_at"])
        levels = [code for code, _label in spec.levels]
        for number, code, title in reference_items(spec.filename):
            item, _ = competence_model.objects.update_or_create(
                version=version,
                identifier=item_identifier(spec.key, number),
                defaults={
                    "framework": framework,
                    "parent": None,
                    "sequence": number,
                    "node_type": "competence",
                    "code": code,
                    "title": title,
                    "kind": spec.kind,
                    "levels": levels,
                    "assessed_in_practice": spec.assessed_in_practice,
                    "evidence_kinds": list(spec.evidence_kinds),
                    "content_hash": content_hash(
                        title=title,
                        description="",
                        kind=spec.kind,
                        levels=levels,
                        in_practice=spec.assessed_in_practice,
                    ),
                },
            )
            association_model.objects.update_or_create(
                version=version,
                identifier=child_association_identifier(spec.key, number),
                defaults={
                    "association_type": "isChildOf",
                    "origin": item,
                    "destination": None,
                    "destination_is_document": True,
                    "sequence_number": number,
                },
            )

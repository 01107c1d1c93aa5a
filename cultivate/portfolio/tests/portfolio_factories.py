"""Factories for portfolio tests: frameworks with published versions, competences, role requirements and
assessments made directly (the services are what the tests test, so these stay beneath them)."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from typing import Any

from django.utils import timezone

from cultivate.accounts.models import User
from cultivate.frameworks.models import (
    Association,
    AssociationType,
    Competence,
    Framework,
    FrameworkVersion,
    NodeType,
    RoleRequirement,
    VersionStatus,
)
from cultivate.organisations.models import EmploymentSpell, Organisation, Person, SupportRole
from cultivate.portfolio.models import Assessment, AssessmentKind, Evidence, EvidenceLink

_seq = itertools.count(1)


def make_framework(
    title: str | None = None,
    *,
    owner_organisation: Organisation | None = None,
    is_reference: bool = False,
    levels: list[dict[str, str]] | None = None,
) -> Framework:
    framework = Framework.objects.create(
        title=title or f"Framework {next(_seq)}",
        owner_organisation=owner_organisation,
        is_reference=is_reference,
        levels=levels or [],
    )
    FrameworkVersion.objects.create(
        framework=framework, number=1, status=VersionStatus.PUBLISHED, published_at=timezone.now()
    )
    return framework


def published_version(framework: Framework) -> FrameworkVersion:
    return framework.versions.get(status=VersionStatus.PUBLISHED)


def make_domain(framework: Framework, title: str = "Domain", sequence: int = 0) -> Competence:
    return Competence.objects.create(
        version=published_version(framework),
        framework=framework,
        node_type=NodeType.DOMAIN,
        title=title,
        sequence=sequence,
    )


def make_competence(
    framework: Framework,
    title: str | None = None,
    *,
    code: str = "",
    parent: Competence | None = None,
    sequence: int = 0,
    assessed_in_practice: bool = False,
    reassess_months: int | None = None,
    **extra: Any,
) -> Competence:
    n = next(_seq)
    return Competence.objects.create(
        version=published_version(framework),
        framework=framework,
        parent=parent,
        code=code or f"C{n}",
        title=title or f"Competence {n}",
        sequence=sequence or n,
        assessed_in_practice=assessed_in_practice,
        reassess_months=reassess_months,
        **extra,
    )


def publish_new_version(framework: Framework, changes: dict[uuid.UUID, dict[str, Any]] | None = None) -> None:
    """Copy the published version's items into a new version with some fields changed, publish it and retire
    the old one (what the frameworks app does when a draft is published)."""
    changes = changes or {}
    old = published_version(framework)
    old.status = VersionStatus.RETIRED
    old.save()
    new = FrameworkVersion.objects.create(
        framework=framework,
        number=old.number + 1,
        status=VersionStatus.PUBLISHED,
        published_at=timezone.now(),
    )
    parents: dict[int, Competence] = {}
    # Parents before children (the tests' frameworks are two levels deep).
    for item in sorted(old.items.all(), key=lambda i: (i.parent_id is not None, i.pk)):
        copy = Competence(
            version=new,
            framework=framework,
            identifier=item.identifier,
            parent=parents.get(item.parent_id) if item.parent_id else None,
            sequence=item.sequence,
            node_type=item.node_type,
            code=item.code,
            title=item.title,
            short_title=item.short_title,
            description=item.description,
            kind=item.kind,
            levels=item.levels,
            assessed_in_practice=item.assessed_in_practice,
            evidence_kinds=item.evidence_kinds,
            reassess_months=item.reassess_months,
        )
        for field, value in changes.get(item.identifier, {}).items():
            setattr(copy, field, value)
        copy.save()
        parents[item.pk] = copy
    # Role requirements move along to the new rows, as the frameworks services do on publishing.
    for requirement in RoleRequirement.objects.filter(competence__version=old):
        requirement.competence = parents[requirement.competence_id]
        requirement.save()


def current_row(competence: Competence) -> Competence:
    return Competence.objects.get(
        framework=competence.framework, identifier=competence.identifier, version__status="published"
    )


def make_role(name: str | None = None) -> SupportRole:
    return SupportRole.objects.create(name=name or f"Role {next(_seq)}", category="HCA and similar")


def give_role(person: Person, role: SupportRole, *, start: dt.date | None = None) -> None:
    """Put every spell of the person in this role (and move their start date if given)."""
    spells = EmploymentSpell.objects.filter(person=person)
    for spell in spells:
        spell.role = role
        if start is not None:
            spell.start_date = start
        spell.save()


def require(
    organisation: Organisation,
    role: SupportRole,
    competence: Competence,
    min_level: str = "supervised",
    *,
    within_days: int | None = None,
    band: str = "",
) -> RoleRequirement:
    return RoleRequirement.objects.create(
        organisation=organisation,
        role=role,
        competence=competence,
        min_level=min_level,
        within_days=within_days,
        afc_band=band,
    )


def make_assessment(
    person: Person,
    competence: Competence,
    *,
    level: str = "independent",
    assessed_on: dt.date | None = None,
    expires_on: dt.date | None = None,
    assessor: User | None = None,
    kind: str = AssessmentKind.SIGN_OFF,
    supersedes: Assessment | None = None,
    reason: str = "",
) -> Assessment:
    return Assessment.objects.create(
        person=person,
        competence=competence,
        framework=competence.framework,
        competence_identifier=competence.identifier,
        content_hash=competence.content_hash,
        kind=kind,
        level=level if kind != AssessmentKind.WITHDRAWAL else "",
        level_rank=competence.framework.level_rank(level) if kind != AssessmentKind.WITHDRAWAL else 0,
        assessed_on=assessed_on or timezone.localdate(),
        expires_on=expires_on,
        assessor=assessor,
        assessor_name=assessor.full_name if assessor else "A Nurse",
        registration_body=assessor.registration_body if assessor else "NMC",
        registration_pin=assessor.registration_pin if assessor else "12A3456E",
        supersedes=supersedes,
        reason=reason,
    )


def make_evidence(
    person: Person, *competences: Competence, kind: str = "observation", title: str = "Observed practice"
) -> Evidence:
    evidence = Evidence.objects.create(
        person=person, kind=kind, title=title, text="What happened.", occurred_on=timezone.localdate()
    )
    for competence in competences:
        EvidenceLink.objects.create(evidence=evidence, competence=competence)
    return evidence


def crosswalk(origin: Competence, destination: Competence) -> Association:
    """origin exactMatchOf destination, recorded in the origin's version."""
    return Association.objects.create(
        version=origin.version,
        association_type=AssociationType.EXACT_MATCH_OF,
        origin=origin,
        destination=destination,
    )


def make_scene() -> dict[str, Any]:
    """A trust with a ward, a support worker (with an account), a line manager, an assessor for the ward, an
    assessor for another ward, an org admin and an analyst; a framework with two competences (one assessed in
    practice, reassessed yearly) that the worker's role requires; and a second trust with its own worker."""
    from cultivate.accounts import testing as t
    from cultivate.accounts.models import Role

    alliance = t.make_alliance()
    org = t.make_organisation(alliance=alliance)
    ward, other_ward = t.make_team(org, "Birch Ward"), t.make_team(org, "Oak Ward")
    manager_person = t.make_person(org, team=ward, given_name="Mo", family_name="Manager", band="6")
    worker_person = t.make_person(org, given_name="Wren", family_name="Worker")
    t.make_spell(worker_person, team=ward, line_manager=manager_person, start=dt.date(2025, 1, 6))
    hca = make_role("Healthcare assistant")
    give_role(worker_person, hca)
    framework = make_framework("Clinical skills", owner_organisation=org)
    domain = make_domain(framework, "Observations", sequence=1)
    obs = make_competence(
        framework,
        "Measure and record blood pressure",
        code="OBS1",
        parent=domain,
        sequence=1,
        assessed_in_practice=True,
        reassess_months=12,
    )
    comms = make_competence(framework, "Explain what you are doing", code="COM1", parent=domain, sequence=2)
    require(org, hca, obs, "supervised", within_days=84)
    require(org, hca, comms, "observed")
    other_org = t.make_organisation(alliance=t.make_alliance())
    other_team = t.make_team(other_org, "Elsewhere Ward")
    stranger_person = t.make_person(other_org, team=other_team, given_name="Sam", family_name="Stranger")
    return {
        "org": org,
        "ward": ward,
        "other_ward": other_ward,
        "hca": hca,
        "framework": framework,
        "domain": domain,
        "obs": obs,
        "comms": comms,
        "worker_person": worker_person,
        "worker": t.make_user(Role.SUPPORT_WORKER, organisation=org, person=worker_person),
        "manager_person": manager_person,
        "manager": t.make_user(Role.LINE_MANAGER, organisation=org, teams=[ward], person=manager_person),
        "assessor": t.make_user(Role.ASSESSOR, organisation=org, teams=[ward]),
        "other_assessor": t.make_user(Role.ASSESSOR, organisation=org, teams=[other_ward]),
        "org_admin": t.make_user(Role.ORG_ADMIN, organisation=org),
        "analyst": t.make_user(Role.ANALYST, organisation=org),
        "other_org": other_org,
        "stranger_person": stranger_person,
        "stranger": t.make_user(Role.SUPPORT_WORKER, organisation=other_org, person=stranger_person),
        "other_org_assessor": t.make_user(Role.ASSESSOR, organisation=other_org, teams=[other_team]),
    }


def membership(user: User) -> Any:
    """The user's one membership, loaded as the middleware loads it (teams prefetched)."""
    from cultivate.accounts.models import Membership

    return Membership.objects.select_related("organisation", "user").prefetch_related("teams").get(user=user)


# Small files of each allowed type, made of just enough bytes to pass the content checks.
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"


def docx_bytes() -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type=content_type)

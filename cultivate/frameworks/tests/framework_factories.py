"""Factories for the frameworks tests. Frameworks are built through the services under test (create, add
items, publish), so a factory that works is itself evidence that authoring works; assessments are made
directly, as the portfolio would record them."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from cultivate.accounts import testing as t
from cultivate.accounts.models import Role, User
from cultivate.core.audit import AuditContext
from cultivate.frameworks import reference, services
from cultivate.frameworks.models import Competence, Framework, FrameworkVersion, NodeType, VersionStatus
from cultivate.organisations.models import Alliance, Organisation, Person, SupportRole
from cultivate.portfolio.models import Assessment, AssessmentKind

# Changes made outside a request name a job: the audit log refuses a change nobody answers for.
TEST_JOB = AuditContext.system("test")

_seq = itertools.count(1)


@dataclass
class Built:
    framework: Framework
    version: FrameworkVersion
    items: dict[str, Competence] = field(default_factory=dict)  # code → row

    def refresh(self) -> None:
        self.version.refresh_from_db()
        self.framework.refresh_from_db()


def build_framework(
    owner: Organisation | Alliance,
    *,
    title: str = "Mental health support worker framework",
    publish: bool = True,
    author: User | None = None,
) -> Built:
    """Domain D1 (MH1, MH2, MH3) and domain D2 (MH4); MH1 maps exactly to Care Certificate standard 6."""
    framework = services.framework_create(title=title, owner=owner, created_by=author, ctx=TEST_JOB)
    version = framework.versions.get()
    d1 = services.domain_create(ctx=TEST_JOB, version=version, title="Communication", code="D1")
    d2 = services.domain_create(ctx=TEST_JOB, version=version, title="Safety", code="D2")
    items = {"D1": d1, "D2": d2}
    for code, title_, parent in [
        ("MH1", "Communicates with people who use services in a way they understand", d1),
        ("MH2", "Records observations accurately and on time", d1),
        ("MH3", "Uses de-escalation before restrictive practice", d1),
        ("MH4", "Carries out environmental safety checks", d2),
    ]:
        items[code] = services.competence_create(
            ctx=TEST_JOB,
            version=version,
            parent=parent,
            code=code,
            title=title_,
            kind="skill",
            assessed_in_practice=True,
            evidence_kinds=["observation"],
        )
    services.crosswalk_add(ctx=TEST_JOB, origin=items["MH1"], destination=care_certificate_item(6))
    if publish:
        services.version_publish(ctx=TEST_JOB, version=version)
    version.refresh_from_db()
    return Built(framework=framework, version=version, items=items)


def care_certificate_item(number: int) -> Competence:
    return Competence.objects.get(
        framework__identifier=reference.CARE_CERTIFICATE,
        identifier=reference.item_identifier(reference.CARE_CERTIFICATE_KEY, number),
        version__status=VersionStatus.PUBLISHED,
    )


def row(framework: Framework, version: FrameworkVersion, code: str) -> Competence:
    return Competence.objects.get(framework=framework, version=version, code=code)


def published_row(framework: Framework, code: str) -> Competence:
    return Competence.objects.get(framework=framework, version__status=VersionStatus.PUBLISHED, code=code)


def make_role(name: str | None = None) -> SupportRole:
    return SupportRole.objects.create(name=name or f"Test role {next(_seq)}", category="HCA and similar")


def make_assessment(
    person: Person, competence: Competence, *, level: str = "independent", **extra: Any
) -> Assessment:
    return Assessment.objects.create(
        person=person,
        competence=competence,
        framework=competence.framework,
        competence_identifier=competence.identifier,
        content_hash=competence.content_hash,
        kind=AssessmentKind.SIGN_OFF,
        level=level,
        level_rank=competence.framework.level_rank(level),
        assessed_on=extra.pop("assessed_on", timezone.localdate() - dt.timedelta(days=10)),
        assessor_name="A Nurse",
        registration_body="NMC",
        registration_pin="12A3456E",
        **extra,
    )


@dataclass
class World:
    """Organisations A and C in one alliance, B in another; users by role; a published alliance framework,
    a published framework of B and a draft-only framework of A."""

    alliance: Alliance
    other_alliance: Alliance
    org_a: Organisation
    org_b: Organisation
    org_c: Organisation
    users: dict[str, User]
    alliance_fw: Built
    org_b_fw: Built
    org_a_fw: Built
    person_a: Person


def make_world() -> World:
    alliance = t.make_alliance("North Alliance")
    other = t.make_alliance("South Alliance")
    org_a = t.make_organisation("RAA", alliance=alliance)
    org_b = t.make_organisation("RBB", alliance=other)
    org_c = t.make_organisation("RCC", alliance=alliance)
    team_a = t.make_team(org_a, "A ward")
    person_a = t.make_person(org_a, team=team_a, given_name="Ada")
    users = {
        "support_worker": t.make_user(Role.SUPPORT_WORKER, organisation=org_a, person=person_a),
        "assessor": t.make_user(Role.ASSESSOR, organisation=org_a, teams=[team_a]),
        "line_manager": t.make_user(Role.LINE_MANAGER, organisation=org_a, teams=[team_a]),
        "educator": t.make_user(Role.EDUCATOR, organisation=org_a),
        "analyst": t.make_user(Role.ANALYST, organisation=org_a),
        "org_admin": t.make_user(Role.ORG_ADMIN, organisation=org_a),
        "alliance_admin": t.make_user(Role.ALLIANCE_ADMIN, alliance=alliance),
        "educator_b": t.make_user(Role.EDUCATOR, organisation=org_b),
        "educator_c": t.make_user(Role.EDUCATOR, organisation=org_c),
        "alliance_admin_b": t.make_user(Role.ALLIANCE_ADMIN, alliance=other),
    }
    return World(
        alliance=alliance,
        other_alliance=other,
        org_a=org_a,
        org_b=org_b,
        org_c=org_c,
        users=users,
        alliance_fw=build_framework(alliance, title="North Alliance support worker framework"),
        org_b_fw=build_framework(org_b, title="South trust framework"),
        org_a_fw=build_framework(org_a, title="A trust draft framework", publish=False),
        person_a=person_a,
    )


def membership(user: User) -> Any:
    return user.memberships.select_related("organisation", "alliance", "organisation__alliance").get()


def draft_of(built: Built) -> FrameworkVersion:
    return services.version_draft_create(ctx=TEST_JOB, framework=built.framework)


def items_of(version: FrameworkVersion) -> dict[str, Competence]:
    return {c.code: c for c in Competence.objects.filter(version=version)}


def domain_count(version: FrameworkVersion) -> int:
    return Competence.objects.filter(version=version, node_type=NodeType.DOMAIN).count()

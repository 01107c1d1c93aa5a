"""The portfolio's answers to frameworks (`framework_dependents`): registered at start-up, the levels its
sign-offs and protocols use, standing sign-offs by identifier and hash, and protocol requirements following a
published version without duplicates."""

from __future__ import annotations

import html

import pytest
from django.test import Client

from cultivate.accounts import testing as t
from cultivate.accounts.models import Role
from cultivate.core.audit import AuditContext
from cultivate.frameworks import dependents, services
from cultivate.frameworks.dependents import StandingSignOffs
from cultivate.frameworks.models import Competence, FrameworkVersion, VersionStatus
from cultivate.frameworks.tests.framework_factories import build_framework, items_of, published_row
from cultivate.portfolio.framework_dependents import PortfolioDependents
from cultivate.portfolio.models import AssessmentKind, DelegationProtocol, ProtocolRequirement

from . import portfolio_factories as f

# Changes made outside a request name a job: the audit log refuses a change nobody answers for.
TEST_JOB = AuditContext.system("test")

pytestmark = pytest.mark.django_db


def test_the_portfolio_registers_its_dependents_at_start_up() -> None:
    assert isinstance(dependents.registered(), PortfolioDependents)


def test_levels_sign_offs_and_protocol_requirements() -> None:
    org = t.make_organisation("RAA")
    framework = f.make_framework(owner_organisation=org)
    first, second = f.make_competence(framework), f.make_competence(framework)
    person, other = t.make_person(org), t.make_person(org)
    answers = PortfolioDependents()
    assert answers.levels_in_use(framework) == {} and not answers.has_sign_offs(framework)

    signed = f.make_assessment(person, first, level="supervised")
    f.make_assessment(person, first, kind=AssessmentKind.CORRECTION, supersedes=signed, reason="Wrong level")
    f.make_assessment(other, first, level="supervised")
    withdrawn = f.make_assessment(other, second, level="supervised")
    f.make_assessment(other, second, kind=AssessmentKind.WITHDRAWAL, supersedes=withdrawn, reason="In error")
    protocol = DelegationProtocol.objects.create(
        organisation=org, code="cbg", activity="Blood glucose", delegating_role="Nurse"
    )
    ProtocolRequirement.objects.create(protocol=protocol, competence=second, min_level="observed")

    assert answers.has_sign_offs(framework)
    assert answers.levels_in_use(framework) == {
        "observed": "a delegation protocol",
        "supervised": "a sign-off",
        "independent": "a sign-off",
    }
    # Superseded sign-offs and the withdrawal do not stand.
    assert answers.standing_sign_offs(framework) == [
        StandingSignOffs(identifier=first.identifier, content_hash=first.content_hash, people=2)
    ]
    version = f.published_version(framework)
    assert answers.protocol_requirements_elsewhere(framework, version) == []
    draft = FrameworkVersion.objects.create(framework=framework, number=2, status=VersionStatus.DRAFT)
    [ref] = answers.protocol_requirements_elsewhere(framework, draft)
    assert (ref.activity, ref.organisation_code, ref.competence_identifier) == (
        "Blood glucose",
        "RAA",
        second.identifier,
    )


def test_protocol_requirements_follow_the_new_rows_once() -> None:
    org = t.make_organisation("RAA")
    framework = f.make_framework(owner_organisation=org)
    competence = f.make_competence(framework)
    protocol = DelegationProtocol.objects.create(
        organisation=org, code="cbg", activity="Blood glucose", delegating_role="Nurse"
    )
    old = ProtocolRequirement.objects.create(protocol=protocol, competence=competence, min_level="observed")
    draft = FrameworkVersion.objects.create(framework=framework, number=2, status=VersionStatus.DRAFT)
    copy = Competence.objects.create(
        version=draft, framework=framework, identifier=competence.identifier, title=competence.title
    )
    assert PortfolioDependents().protocol_requirements_follow(draft, {copy.identifier: copy}) == 1
    old.refresh_from_db()
    assert old.competence == copy

    # A requirement already on the new row makes an older copy redundant: it goes, nothing moves.
    again = ProtocolRequirement.objects.create(protocol=protocol, competence=competence, min_level="observed")
    assert PortfolioDependents().protocol_requirements_follow(draft, {copy.identifier: copy}) == 0
    assert not ProtocolRequirement.objects.filter(pk=again.pk).exists()


def test_the_publish_page_lists_protocols_naming_a_removed_competence() -> None:
    org = t.make_organisation("RAA", alliance=t.make_alliance())
    built = build_framework(org)
    protocol = DelegationProtocol.objects.create(
        organisation=org, code="cbg", activity="Blood glucose", delegating_role="Nurse"
    )
    removed = published_row(built.framework, "MH4")
    ProtocolRequirement.objects.create(protocol=protocol, competence=removed, min_level="independent")
    ProtocolRequirement.objects.create(
        protocol=protocol, competence=published_row(built.framework, "MH2"), min_level="independent"
    )
    draft = services.version_draft_create(ctx=TEST_JOB, framework=built.framework)
    services.competence_delete(ctx=TEST_JOB, competence=items_of(draft)["MH4"])
    client = Client()
    client.force_login(t.make_user(Role.EDUCATOR, organisation=org))

    response = client.get(f"/frameworks/{built.framework.identifier}/versions/{draft.number}/publish/")
    page = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert "1 delegation protocol requirement will move to this version." in page
    assert f"<li>Blood glucose ({org.name}): MH4 {removed.label}</li>" in page

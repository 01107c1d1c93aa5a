import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cultivate.accounts import testing as t
from cultivate.accounts.models import Role
from cultivate.core.audit import AuditContext
from cultivate.core.models import AuditEvent
from cultivate.pathways import services
from cultivate.pathways import testing as pt
from cultivate.pathways.audit_actions import PathwaysAction
from cultivate.pathways.models import (
    OffTheJobEntry,
    Pathway,
    Qualification,
    QualificationKind,
    QualificationStatus,
    Step,
)

pytestmark = pytest.mark.django_db
CTX = AuditContext.system("tests")


@pytest.fixture
def org():
    return t.make_organisation("RAA", alliance=t.make_alliance())


def _membership(role, org, **extra):
    return t.make_user(role, organisation=org, **extra).memberships.get()


def test_reference_load_is_idempotent_and_names_its_sources():
    first = services.reference_load()
    second = services.reference_load()
    assert first == second
    assert Pathway.objects.count() == 3
    assert all(p.source for p in Pathway.objects.all())
    assert pt.standard("ST0827").code == "ST0827"
    assert pt.step("nursing-associate").previous == pt.step("trainee-nursing-associate")


def test_an_organisation_copies_a_reference_pathway_to_edit_it(org):
    services.reference_load()
    educator = _membership(Role.EDUCATOR, org)
    nursing = Pathway.objects.get(code="nursing")
    copy = services.pathway_create(
        ctx=CTX, membership=educator, code="our-nursing", title="Our nursing route", copy_of=nursing
    )
    assert copy.owner_organisation == org
    assert copy.steps.count() == nursing.steps.count()
    tna = copy.steps.get(code="trainee-nursing-associate")
    assert tna.previous is not None and tna.previous.pathway == copy
    assert tna.requirements.count() == pt.step("trainee-nursing-associate").requirements.count()


def test_a_circular_pathway_is_refused_and_nothing_saved(org):
    educator = _membership(Role.EDUCATOR, org)
    pathway = pt.make_pathway(owner_organisation=org)
    first = services.step_save(ctx=CTX, membership=educator, pathway=pathway, code="a", title="A")
    second = services.step_save(
        ctx=CTX, membership=educator, pathway=pathway, code="b", title="B", previous=first
    )
    with pytest.raises(ValidationError) as error:
        services.step_save(
            ctx=CTX, membership=educator, pathway=pathway, code="a", title="A", previous=second, step=first
        )
    assert "circle" in str(error.value)
    first.refresh_from_db()
    assert first.previous is None


def test_reference_pathways_are_not_edited_in_place(org):
    services.reference_load()
    with pytest.raises(PermissionDenied):
        services.step_save(
            ctx=CTX,
            membership=_membership(Role.EDUCATOR, org),
            pathway=Pathway.objects.get(code="nursing"),
            code="x",
            title="X",
        )


def test_a_qualification_dated_in_the_future_is_refused(org):
    person = t.make_person(org)
    worker = _membership(Role.SUPPORT_WORKER, org, person=person)
    with pytest.raises(ValidationError) as error:
        services.qualification_record(
            ctx=CTX,
            membership=worker,
            person=person,
            kind=QualificationKind.CARE_CERTIFICATE,
            awarded_on=timezone.localdate() + dt.timedelta(days=3),
            evidence="Certificate 1",
        )
    assert error.value.message_dict["awarded_on"] == ["The date awarded must be today or in the past"]
    assert not Qualification.objects.exists()


def test_confirming_is_audited_and_a_confirmed_qualification_is_only_superseded(org):
    person = t.make_person(org)
    worker = _membership(Role.SUPPORT_WORKER, org, person=person)
    admin = _membership(Role.ORG_ADMIN, org)
    recorded = services.qualification_record(
        ctx=CTX,
        membership=worker,
        person=person,
        kind=QualificationKind.FS_MATHS_L2,
        awarded_on=dt.date(2025, 5, 1),
        evidence="Cert 9",
    )
    with pytest.raises(PermissionDenied):
        services.qualification_confirm(ctx=CTX, membership=worker, qualification=recorded)
    services.qualification_confirm(ctx=CTX, membership=admin, qualification=recorded)
    assert AuditEvent.objects.filter(action=PathwaysAction.QUALIFICATION_CONFIRMED).count() == 1
    with pytest.raises(ValidationError):
        services.qualification_update(
            ctx=CTX,
            membership=worker,
            qualification=recorded,
            awarded_on=dt.date(2025, 5, 2),
            evidence="Cert 10",
        )
    replacement = services.qualification_record(
        ctx=CTX,
        membership=worker,
        person=person,
        kind=QualificationKind.FS_MATHS_L2,
        awarded_on=dt.date(2025, 5, 2),
        evidence="Cert 10",
        supersedes=recorded,
    )
    recorded.refresh_from_db()
    assert recorded.status == QualificationStatus.SUPERSEDED
    assert replacement.status == QualificationStatus.RECORDED


def test_only_educators_enter_assessment_results_and_a_reassessment_date_follows(org):
    person = t.make_person(org)
    with pytest.raises(PermissionDenied):
        services.skills_result_record(
            ctx=CTX,
            membership=_membership(Role.LINE_MANAGER, org),
            person=person,
            subject="maths",
            level="E3",
            assessed_on=dt.date(2026, 1, 5),
        )
    result = services.skills_result_record(
        ctx=CTX,
        membership=_membership(Role.EDUCATOR, org),
        person=person,
        subject="maths",
        level="E3",
        assessed_on=dt.date(2026, 1, 5),
    )
    assert result.reassess_on == dt.date(2026, 7, 6)
    imported = services.skills_result_record(
        ctx=AuditContext.system("skills import"),
        membership=None,
        person=person,
        subject="english",
        level="L1",
        assessed_on=dt.date(2026, 1, 5),
        source="import",
    )
    assert imported.entered_by is None


def test_an_apprenticeship_ending_before_it_starts_is_refused(org):
    services.reference_load()
    person = t.make_person(org)
    educator = _membership(Role.EDUCATOR, org)
    standard = pt.standard("ST0827")
    with pytest.raises(ValidationError) as error:
        services.apprenticeship_create(
            ctx=CTX,
            membership=educator,
            person=person,
            standard=standard,
            provider="University",
            start_date=dt.date(2026, 9, 1),
            planned_end_date=dt.date(2026, 8, 1),
            contracted_hours=Decimal("37.5"),
        )
    assert "after the start date" in str(error.value)
    with pytest.raises(ValidationError) as error:
        services.apprenticeship_create(
            ctx=CTX,
            membership=educator,
            person=person,
            standard=standard,
            provider="University",
            start_date=dt.date(2025, 9, 1),
            planned_end_date=dt.date(2026, 3, 1),
            contracted_hours=Decimal("37.5"),
        )
    assert "at least 8 months" in str(error.value)


def test_off_the_job_hours_over_the_days_contracted_hours_are_refused(org):
    services.reference_load()
    person = t.make_person(org)
    apprentice = _membership(Role.SUPPORT_WORKER, org, person=person)
    apprenticeship = pt.make_apprenticeship(person, start=dt.date(2026, 1, 5), end=dt.date(2027, 7, 5))
    services.off_the_job_log(
        ctx=CTX,
        membership=apprentice,
        apprenticeship=apprenticeship,
        on=dt.date(2026, 2, 2),
        hours=Decimal(5),
        activity="University day",
    )
    with pytest.raises(ValidationError) as error:
        services.off_the_job_log(
            ctx=CTX,
            membership=apprentice,
            apprenticeship=apprenticeship,
            on=dt.date(2026, 2, 2),
            hours=Decimal(3),
            activity="Reading",
        )
    assert "more than the 7.5 hours contracted that day (5 already logged)" in str(error.value)
    apprenticeship.gateway_on = dt.date(2026, 6, 1)
    apprenticeship.save()
    with pytest.raises(ValidationError) as error:
        services.off_the_job_log(
            ctx=CTX,
            membership=apprentice,
            apprenticeship=apprenticeship,
            on=dt.date(2026, 6, 2),
            hours=Decimal(1),
            activity="Reading",
        )
    assert "after gateway" in str(error.value)
    assert OffTheJobEntry.objects.count() == 1


def test_outcome_needs_its_date(org):
    person = t.make_person(org)
    apprenticeship = pt.make_apprenticeship(person)
    with pytest.raises(ValidationError) as error:
        services.apprenticeship_epa_record(
            ctx=CTX,
            membership=_membership(Role.EDUCATOR, org),
            apprenticeship=apprenticeship,
            gateway_on=None,
            epa_on=None,
            epa_grade="",
            outcome="kept_on",
            outcome_on=None,
        )
    assert error.value.message_dict == {"outcome_on": ["Enter the date of the outcome"]}


def test_only_the_line_manager_gives_support(org):
    services.reference_load()
    team = t.make_team(org)
    person = t.make_person(org, team=team)
    with pytest.raises(PermissionDenied):
        services.support_give(
            ctx=CTX, membership=_membership(Role.EDUCATOR, org), person=person, step=Step.objects.all()[0]
        )
    manager = _membership(Role.LINE_MANAGER, org, teams=[team])
    support = services.support_give(ctx=CTX, membership=manager, person=person, step=Step.objects.all()[0])
    assert support.given_by == manager.user

"""Changing a qualification still waiting for confirmation (the worker, their educators and admins; a
confirmed one is only ever superseded) and a step's entry requirements (the owning organisation's educators and
admins)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from cultivate.accounts import testing as t
from cultivate.accounts.models import Role
from cultivate.core.audit import AuditContext
from cultivate.core.models import AuditEvent
from cultivate.pathways import services
from cultivate.pathways import testing as pt
from cultivate.pathways.audit_actions import PathwaysAction
from cultivate.pathways.models import QualificationKind, RequirementKind, Step, StepRequirement

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene():
    org = t.make_organisation("RAA")
    team = t.make_team(org)
    person = t.make_person(org, given_name="Priya", family_name="Shah")
    t.make_spell(person, team=team, band="3", start=dt.date(2024, 1, 1))
    pathway = pt.make_pathway(owner_organisation=org)
    step = Step.objects.create(pathway=pathway, code="senior", title="Senior healthcare assistant")
    requirement = StepRequirement.objects.create(
        step=step, kind=RequirementKind.EXPERIENCE, months=12, evidenced_by="Staff record"
    )
    return {
        "org": org,
        "person": person,
        "pathway": pathway,
        "step": step,
        "requirement": requirement,
        "worker": t.make_user(Role.SUPPORT_WORKER, organisation=org, person=person),
        "educator": t.make_user(Role.EDUCATOR, organisation=org),
        "admin": t.make_user(Role.ORG_ADMIN, organisation=org),
    }


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:
    return " ".join(response.content.decode().split())


def _form(day: dt.date, **extra):
    return {
        "kind": extra.pop("kind", "care_certificate"),
        "awarded_on_day": day.day,
        "awarded_on_month": day.month,
        "awarded_on_year": day.year,
        "evidence": extra.pop("evidence", "Cert 2"),
        **extra,
    }


def test_the_worker_changes_a_qualification_waiting_for_confirmation(scene):
    qualification = pt.make_qualification(
        scene["person"], QualificationKind.CARE_CERTIFICATE, confirmed=False
    )
    worker = client_for(scene["worker"])
    assert "Change this record" in text(worker.get("/pathways/me/"))
    page = worker.get(f"/pathways/qualifications/{qualification.pk}/edit/")
    assert page.status_code == 200 and "Cert" in text(page)
    response = worker.post(
        f"/pathways/qualifications/{qualification.pk}/edit/",
        _form(dt.date(2025, 3, 3), kind="diploma_l3", evidence="Diploma 9"),
    )
    assert response.status_code == 302
    qualification.refresh_from_db()
    assert (qualification.kind, qualification.evidence, qualification.awarded_on) == (
        "diploma_l3",
        "Diploma 9",
        dt.date(2025, 3, 3),
    )
    assert qualification.status == "recorded"
    assert AuditEvent.objects.filter(action=PathwaysAction.QUALIFICATION_RECORDED).exists()


def test_an_educator_changes_a_workers_qualification(scene):
    qualification = pt.make_qualification(
        scene["person"], QualificationKind.CARE_CERTIFICATE, confirmed=False
    )
    response = client_for(scene["educator"]).post(
        f"/pathways/qualifications/{qualification.pk}/edit/", _form(dt.date(2025, 3, 3), evidence="Seen")
    )
    assert response.status_code == 302
    qualification.refresh_from_db()
    assert qualification.evidence == "Seen"


def test_bad_input_is_refused_with_a_message_and_nothing_saved(scene):
    qualification = pt.make_qualification(
        scene["person"], QualificationKind.CARE_CERTIFICATE, confirmed=False
    )
    future = timezone.localdate() + dt.timedelta(days=5)
    worker = client_for(scene["worker"])
    response = worker.post(f"/pathways/qualifications/{qualification.pk}/edit/", _form(future))
    assert response.status_code == 200
    assert "There is a problem" in text(response)
    other = worker.post(
        f"/pathways/qualifications/{qualification.pk}/edit/", _form(dt.date(2025, 1, 1), kind="other")
    )
    assert "Enter the name of the qualification" in text(other)
    qualification.refresh_from_db()
    assert qualification.evidence == "Certificate 123" and qualification.kind == "care_certificate"


def test_a_confirmed_qualification_is_never_changed_only_superseded(scene):
    qualification = pt.make_qualification(scene["person"], QualificationKind.CARE_CERTIFICATE)
    worker = client_for(scene["worker"])
    assert "Change this record" not in text(worker.get("/pathways/me/"))
    response = worker.post(f"/pathways/qualifications/{qualification.pk}/edit/", _form(dt.date(2025, 1, 1)))
    assert response.status_code == 302
    assert response["Location"] == f"/pathways/qualifications/{qualification.pk}/supersede/"
    assert "record a correction that supersedes it" in text(worker.get(response["Location"]))
    qualification.refresh_from_db()
    assert qualification.evidence == "Certificate 123"
    with pytest.raises(ValidationError, match="supersedes it"):
        services.qualification_update(
            ctx=AuditContext.system("test"),
            membership=scene["admin"].memberships.get(),
            qualification=qualification,
            awarded_on=dt.date(2025, 1, 1),
            evidence="Changed",
        )


def test_no_one_else_changes_a_qualification(scene):
    qualification = pt.make_qualification(
        scene["person"], QualificationKind.CARE_CERTIFICATE, confirmed=False
    )
    other_org = t.make_organisation("RBB")
    for user in (
        t.make_user(Role.EDUCATOR, organisation=other_org),
        t.make_user(Role.ASSESSOR, organisation=scene["org"]),
        t.make_user(Role.ANALYST, organisation=scene["org"]),
    ):
        response = client_for(user).post(
            f"/pathways/qualifications/{qualification.pk}/edit/", _form(dt.date(2025, 1, 1), evidence="X")
        )
        assert response.status_code in (403, 404)
    qualification.refresh_from_db()
    assert qualification.evidence == "Certificate 123"


def _requirement_url(scene):
    return (
        f"/pathways/{scene['pathway'].pk}/steps/{scene['step'].pk}/requirements/"
        f"{scene['requirement'].pk}/edit/"
    )


def test_an_educator_changes_a_steps_entry_requirement(scene):
    educator = client_for(scene["educator"])
    assert _requirement_url(scene) in educator.get(f"/pathways/{scene['pathway'].pk}/").content.decode()
    response = educator.post(
        _requirement_url(scene),
        {
            "kind": "qualification",
            "qualifications": ["care_certificate"],
            "months": "12",
            "evidenced_by": "Cert",
        },
    )
    assert response.status_code == 302
    scene["requirement"].refresh_from_db()
    assert scene["requirement"].kind == "qualification"
    assert scene["requirement"].qualifications == ["care_certificate"]
    assert scene["requirement"].months is None  # another kind's figure is cleared
    assert AuditEvent.objects.filter(action=PathwaysAction.PATHWAY_CHANGED).exists()


def test_a_requirement_without_what_its_kind_needs_is_refused(scene):
    response = client_for(scene["admin"]).post(
        _requirement_url(scene), {"kind": "experience", "months": "", "evidenced_by": "Record"}
    )
    assert response.status_code == 200
    assert "Enter how many months of experience the step needs" in text(response)
    scene["requirement"].refresh_from_db()
    assert scene["requirement"].months == 12


def test_reference_and_other_organisations_requirements_are_not_changed(scene):
    pt.load_reference()
    reference_step = pt.step("trainee-nursing-associate")
    reference_requirement = reference_step.requirements.all()[0]
    educator = client_for(scene["educator"])
    url = (
        f"/pathways/{reference_step.pathway_id}/steps/{reference_step.pk}/requirements/"
        f"{reference_requirement.pk}/edit/"
    )
    assert educator.get(url).status_code == 403
    other = client_for(t.make_user(Role.EDUCATOR, organisation=t.make_organisation("RBB")))
    assert other.post(
        _requirement_url(scene), {"kind": "band", "band": "4", "evidenced_by": "X"}
    ).status_code in (
        403,
        404,
    )
    assert client_for(scene["worker"]).get(_requirement_url(scene)).status_code == 403
    scene["requirement"].refresh_from_db()
    assert scene["requirement"].kind == "experience"

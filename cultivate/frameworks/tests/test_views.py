"""Framework pages: each renders for the role that uses it, forms show an error summary and per-field errors,
and the authoring journey (create, add items, move, crosswalk, publish with the diff, retire, adopt,
require) works through the pages alone."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.test import Client

from cultivate.accounts import testing as t
from cultivate.accounts.models import Role
from cultivate.frameworks import reference
from cultivate.frameworks.models import (
    Adoption,
    Association,
    Competence,
    Framework,
    FrameworkVersion,
    RoleRequirement,
    VersionStatus,
)

from .framework_factories import (
    build_framework,
    care_certificate_item,
    items_of,
    make_assessment,
    make_role,
    published_row,
)

pytestmark = pytest.mark.django_db

ERROR = "There is a problem"


@pytest.fixture
def org():
    return t.make_organisation("RAA", alliance=t.make_alliance("North"))


@pytest.fixture
def educator(org):
    client = Client()
    client.force_login(t.make_user(Role.EDUCATOR, organisation=org))
    return client


@pytest.fixture
def built(org):
    return build_framework(org)


def ok(response) -> str:
    assert response.status_code == 200, response.status_code
    return html.unescape(response.content.decode())


def follow(client: Client, response) -> str:
    assert response.status_code == 302, response.content.decode()[:500]
    return ok(client.get(response["Location"]))


def test_list_shows_sections_and_adopted_flag(org, educator, built):
    care_certificate = Framework.objects.get(identifier=reference.CARE_CERTIFICATE)
    Adoption.objects.create(framework=care_certificate, organisation=org)
    page = ok(educator.get("/frameworks/"))
    assert (
        "Trust RAA’s frameworks" in page
        and "Reference frameworks" in page
        and "North’s shared frameworks" in page
    )
    assert built.framework.title in page
    assert "Care Certificate standards (2025)" in page
    assert "Adopted" in page and "Not adopted" in page
    assert "Create a framework" in page


def test_create_framework_form(educator):
    page = ok(educator.post("/frameworks/new/", {"title": "", "description": ""}))
    assert ERROR in page and 'href="#id_title"' in page
    response = educator.post("/frameworks/new/", {"title": "Ward skills", "description": "For the wards"})
    page = follow(educator, response)
    assert "Ward skills" in page and "Add a domain" in page
    assert Framework.objects.get(title="Ward skills").versions.get().status == VersionStatus.DRAFT


def test_detail_shows_tree_crosswalks_levels_and_versions(educator, built):
    page = ok(educator.get(f"/frameworks/{built.framework.identifier}/"))
    assert "Communication" in page and "MH1" in page
    assert "Exact match" in page and "CC6 Communication" in page
    assert "Observed" in page and "Independent" in page
    assert "Version 1" in page and "Published" in page
    assert "Start a new draft" in page


def test_authoring_journey_through_the_pages(org, educator, built):
    person = t.make_person(org)
    make_assessment(person, published_row(built.framework, "MH1"))
    make_assessment(person, published_row(built.framework, "MH2"))
    base = f"/frameworks/{built.framework.identifier}"
    page = follow(educator, educator.post(f"{base}/versions/new/"))
    assert "Draft" in page and "Move up" in page
    draft = FrameworkVersion.objects.get(framework=built.framework, number=2)
    items = items_of(draft)

    # Add a competence, with an error first.
    url = f"{base}/versions/2/items/new/?parent={items['D2'].pk}"
    page = ok(educator.get(url))
    assert "Statement" in page and "Evidence that counts" in page
    page = ok(educator.post(url, {"parent": items["D2"].pk, "title": "", "reassess_months": "500"}))
    assert ERROR in page and 'href="#id_title"' in page and 'href="#id_reassess_months"' in page
    response = educator.post(
        url,
        {
            "parent": items["D2"].pk,
            "code": "MH5",
            "title": "Supports people to take their medicines",
            "kind": "skill",
            "levels": ["supervised", "independent"],
            "assessed_in_practice": "on",
            "evidence_kinds": ["observation", "witness"],
            "reassess_months": "12",
        },
    )
    assert response.status_code == 302
    added = Competence.objects.get(version=draft, code="MH5")
    assert (
        added.parent == items["D2"]
        and added.reassess_months == 12
        and added.levels == ["supervised", "independent"]
    )

    # Add a domain.
    response = educator.post(
        f"{base}/versions/2/items/new/?type=domain", {"parent": "", "title": "Recovery", "code": "D3"}
    )
    assert response.status_code == 302

    # Change MH1's statement (needs reassessment) and MH2's code only (carries over).
    edit = f"{base}/versions/2/items/{items['MH1'].pk}/"
    page = ok(educator.get(edit))
    assert items["MH1"].title in page
    page = ok(educator.post(edit, {"title": "", "code": "MH1"}))
    assert ERROR in page
    educator.post(
        edit,
        {
            "title": "Communicates and checks understanding",
            "code": "MH1",
            "kind": "skill",
            "assessed_in_practice": "on",
            "evidence_kinds": ["observation"],
        },
    )
    educator.post(
        f"{base}/versions/2/items/{items['MH2'].pk}/",
        {
            "title": items["MH2"].title,
            "code": "MH2b",
            "kind": "skill",
            "assessed_in_practice": "on",
            "evidence_kinds": ["observation"],
        },
    )

    # Move by buttons and by the form.
    response = educator.post(f"{base}/versions/2/items/{items['MH3'].pk}/move/", {"direction": "up"})
    assert response.status_code == 302
    page = ok(educator.get(f"{base}/versions/2/items/{items['MH4'].pk}/move/"))
    assert "Move to" in page
    response = educator.post(
        f"{base}/versions/2/items/{items['MH4'].pk}/move/", {"parent": items["D1"].pk, "position": "1"}
    )
    assert response.status_code == 302
    assert Competence.objects.get(pk=items["MH4"].pk).parent_id == items["D1"].pk

    # Crosswalk: choose a framework, then an item.
    cross = f"{base}/versions/2/items/{items['MH2'].pk}/crosswalks/"
    page = ok(educator.get(cross))
    assert "Framework to map to" in page and "Care Certificate" in page
    target = f"{cross}?target={reference.CARE_CERTIFICATE}"
    page = ok(educator.get(target))
    assert "CC14 Handling information" in page
    page = ok(educator.post(target, {"destination": "", "association_type": "exactMatchOf"}))
    assert ERROR in page
    response = educator.post(
        target, {"destination": care_certificate_item(14).pk, "association_type": "exactMatchOf"}
    )
    page = follow(educator, response)
    assert "CC14 Handling information" in page and "Remove" in page
    link = Association.objects.get(version=draft, origin=items["MH2"], association_type="exactMatchOf")
    response = educator.post(f"{base}/versions/2/crosswalks/{link.pk}/remove/")
    assert response.status_code == 302 and not Association.objects.filter(pk=link.pk).exists()

    # Delete one, after the confirmation page.
    delete = f"{base}/versions/2/items/{items['MH3'].pk}/delete/"
    assert "Delete" in ok(educator.get(delete))
    assert educator.post(delete).status_code == 302

    # The publish page shows the diff and who needs reassessing before confirming.
    page = ok(educator.get(f"{base}/versions/2/publish/"))
    assert "Changed in content (needs reassessment)" in page
    assert "Communicates and checks understanding" in page
    assert re.search(r"1 person's sign-off will need reassessment", page)
    assert re.search(r"1 person's sign-off carries", page)
    assert "MH5" in page and "MH3" in page and "MH2b" in page
    assert FrameworkVersion.objects.get(pk=draft.pk).status == VersionStatus.DRAFT
    page = follow(educator, educator.post(f"{base}/versions/2/publish/"))
    assert "1 sign-offs carried over, 1 need reassessment" in page
    draft.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED

    # The old version stays readable and says what it was; the new one says what changed.
    page = ok(educator.get(f"{base}/versions/1/"))
    assert "retired version" in page and "Uses de-escalation before restrictive practice" in page
    page = ok(educator.get(f"{base}/versions/2/"))
    assert "What changed in this version" in page

    # Editing a published version redirects with a message, changing nothing.
    response = educator.post(f"{base}/versions/2/items/{items_of(draft)['MH1'].pk}/", {"title": "Sneaky"})
    page = follow(educator, response)
    assert "cannot change" in page
    assert not Competence.objects.filter(title="Sneaky").exists()

    # Retire after confirming.
    assert "Retire" in ok(educator.get(f"{base}/versions/2/retire/"))
    follow(educator, educator.post(f"{base}/versions/2/retire/"))
    assert not FrameworkVersion.objects.filter(
        framework=built.framework, status=VersionStatus.PUBLISHED
    ).exists()


def test_levels_page(educator, built):
    url = f"/frameworks/{built.framework.identifier}/levels/"
    page = ok(educator.get(url))
    assert 'value="supervised"' in page
    page = ok(educator.post(url, {"code_1": "observed", "label_1": "", "code_2": "Bad code", "label_2": "x"}))
    assert ERROR in page and 'href="#id_label_1"' in page
    page = ok(educator.post(url, {"code_1": "Bad code", "label_1": "x"}))
    assert ERROR in page and "lower-case" in page
    response = educator.post(
        url,
        {
            "code_1": "observed",
            "label_1": "Observed",
            "code_2": "supervised",
            "label_2": "Supervised",
            "code_3": "independent",
            "label_3": "Independent",
            "code_4": "expert",
            "label_4": "Teaches others",
        },
    )
    assert response.status_code == 302
    built.framework.refresh_from_db()
    assert built.framework.level_label("expert") == "Teaches others"


def test_edit_and_discard_draft(educator, built):
    base = f"/frameworks/{built.framework.identifier}"
    page = ok(educator.post(f"{base}/edit/", {"title": ""}))
    assert ERROR in page
    educator.post(f"{base}/edit/", {"title": "Renamed", "description": "New words"})
    built.framework.refresh_from_db()
    assert built.framework.title == "Renamed"
    educator.post(f"{base}/versions/new/")
    assert "Discard" in ok(educator.get(f"{base}/versions/2/discard/"))
    follow(educator, educator.post(f"{base}/versions/2/discard/"))
    assert not FrameworkVersion.objects.filter(framework=built.framework, number=2).exists()


def test_adopt_extend_and_requirements(org, educator):
    alliance_fw = build_framework(org.alliance, title="Alliance framework")
    base = f"/frameworks/{alliance_fw.framework.identifier}"
    page = ok(educator.get(base + "/"))
    assert "Use this framework in Trust RAA" in page and "Add local competences" in page
    follow(educator, educator.post(f"{base}/adopt/"))
    assert Adoption.objects.filter(framework=alliance_fw.framework, organisation=org).exists()
    assert "Stop using this framework" in ok(educator.get(base + "/"))

    page = follow(educator, educator.post(f"{base}/local/"))
    extension = Framework.objects.get(extends=alliance_fw.framework, owner_organisation=org)
    assert "local competences" in page.lower()
    # A second press goes to the same extension.
    response = educator.post(f"{base}/local/")
    assert response["Location"] == f"/frameworks/{extension.identifier}/"

    role = make_role("Mental health support worker (test)")
    requirements = f"/frameworks/organisations/{org.ods_code}/requirements/"
    assert "No role requirements yet" in ok(educator.get(requirements))
    new = requirements + "new/"
    page = ok(educator.get(new))
    assert "Choose framework" in page and "Alliance framework" in page
    page = ok(educator.get(new + "?framework=not-a-framework"))
    assert ERROR in page
    step = f"{new}?framework={alliance_fw.framework.identifier}"
    page = ok(educator.get(step))
    assert "All competences in D1 Communication" in page
    page = ok(educator.post(step, {"competence": "", "min_level": "supervised", "within_days": "0"}))
    assert ERROR in page and 'href="#id_roles' in page and 'href="#id_within_days"' in page
    domain = published_row(alliance_fw.framework, "D1")
    follow(
        educator,
        educator.post(
            step,
            {
                "roles": [role.pk],
                "competence": f"d:{domain.pk}",
                "min_level": "independent",
                "within_days": "84",
            },
        ),
    )
    assert RoleRequirement.objects.filter(organisation=org, role=role).count() == 3
    single = published_row(alliance_fw.framework, "MH4")
    page = follow(
        educator,
        educator.post(
            step,
            {"roles": [role.pk], "afc_band": "3", "competence": f"c:{single.pk}", "min_level": "supervised"},
        ),
    )
    assert "Band 3" in page and "84 days" in page and "Environmental" not in page  # label is the statement
    assert "Carries out environmental safety checks" in page

    requirement = RoleRequirement.objects.get(organisation=org, competence=single)
    edit = f"{requirements}{requirement.pk}/"
    page = ok(educator.post(edit, {"min_level": "nonsense"}))
    assert ERROR in page
    follow(educator, educator.post(edit, {"min_level": "independent", "within_days": "30"}))
    requirement.refresh_from_db()
    assert (requirement.min_level, requirement.within_days) == ("independent", 30)
    assert (requirement.starts_on, requirement.grace_days) == (None, None)
    # A grace period for people already in post, from the day the requirement began (the NHS.UK date input).
    follow(
        educator,
        educator.post(
            edit,
            {
                "min_level": "independent",
                "within_days": "30",
                "starts_on_day": "1",
                "starts_on_month": "4",
                "starts_on_year": "2026",
                "grace_days": "180",
            },
        ),
    )
    requirement.refresh_from_db()
    assert (requirement.starts_on, requirement.grace_days) == (dt.date(2026, 4, 1), 180)
    assert "180 days' grace" in ok(educator.get(requirements))
    page = ok(educator.post(edit, {"min_level": "independent", "grace_days": "0"}))
    assert "Enter a grace period of at least 1 day" in page
    assert "Remove requirement" in ok(educator.get(f"{edit}delete/"))
    follow(educator, educator.post(f"{edit}delete/"))
    assert not RoleRequirement.objects.filter(pk=requirement.pk).exists()

    # Adoption cannot be removed while requirements use it; the message says why.
    page = follow(educator, educator.post(f"{base}/stop-using/"))
    assert "role requirements use this framework" in page


def test_requirement_page_for_other_roles(org, built):
    support = Client()
    support.force_login(t.make_user(Role.SUPPORT_WORKER, organisation=org))
    page = ok(support.get(f"/frameworks/organisations/{org.ods_code}/requirements/"))
    assert "Add a requirement" not in page
    assert support.get(f"/frameworks/organisations/{org.ods_code}/requirements/new/").status_code == 403
    page = ok(support.get("/frameworks/"))
    assert "Create a framework" not in page


def test_alliance_admin_creates_alliance_framework(org):
    client = Client()
    client.force_login(t.make_user(Role.ALLIANCE_ADMIN, alliance=org.alliance))
    page = ok(client.get("/frameworks/new/"))
    assert "Owned by North" in page
    follow(client, client.post("/frameworks/new/", {"title": "Shared values framework"}))
    assert Framework.objects.get(title="Shared values framework").owner_alliance == org.alliance


def test_require_a_whole_reference_framework(org, educator):
    care_certificate = Framework.objects.get(identifier=reference.CARE_CERTIFICATE)
    Adoption.objects.create(framework=care_certificate, organisation=org)
    role = make_role("Healthcare support worker (pages)")
    step = (
        f"/frameworks/organisations/{org.ods_code}/requirements/new/?framework={care_certificate.identifier}"
    )
    page = ok(educator.get(step))
    assert "All competences in Care Certificate standards (2025)" in page and "Standard met" in page
    page = follow(
        educator,
        educator.post(
            step, {"roles": [role.pk], "competence": "all:0", "min_level": "met", "within_days": "84"}
        ),
    )
    assert (
        "Care Certificate standards (2025) is now required of Healthcare support worker (pages): 16" in page
    )
    assert RoleRequirement.objects.filter(organisation=org, role=role, within_days=84).count() == 16

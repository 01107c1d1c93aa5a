"""Evidence pages: adding with files (limits and type checks as the person sees them), downloading (headers,
who may, audit), changing, locking and linking."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from cultivate.core.audit_actions import CoreAction
from cultivate.core.models import AuditEvent
from cultivate.portfolio import services
from cultivate.portfolio.audit_actions import PortfolioAction
from cultivate.portfolio.models import Evidence, EvidenceFile, SignOffRequest

from . import portfolio_factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene():  # type: ignore[no-untyped-def]
    return f.make_scene()


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(response.content.decode().split())


def form_data(**extra):  # type: ignore[no-untyped-def]
    data = {
        "kind": "observation",
        "title": "Observed on the early shift",
        "occurred_on": timezone.localdate().isoformat(),
        "text": "Took and recorded blood pressure for four patients.",
        "witness_name": "Jo Jones",
        "witness_role": "Ward sister",
    }
    data.update(extra)
    return data


def with_file(scene):  # type: ignore[no-untyped-def]
    return services.evidence_create(
        membership=f.membership(scene["worker"]),
        person=scene["worker_person"],
        kind="certificate",
        title="Moving and handling certificate",
        occurred_on=timezone.localdate(),
        competences=[scene["obs"]],
        files=[f.upload("certificate.pdf", f.PDF)],
    )


def test_add_evidence_page(scene) -> None:  # type: ignore[no-untyped-def]
    client = client_for(scene["worker"])
    page = text(client.get(f"/portfolio/evidence/new/?competence={scene['obs'].pk}"))
    assert "Add evidence" in page and 'enctype="multipart/form-data"' in page
    assert 'type="file"' in page and "multiple" in page
    # The competence it came from is ticked; every required one is offered.
    assert f'value="{scene["obs"].pk}" checked' in page and f'value="{scene["comms"].pk}"' in page
    response = client.post(
        "/portfolio/evidence/new/",
        {
            **form_data(),
            "competences": [scene["obs"].pk, scene["comms"].pk],
            "attachments": [f.upload("bp.pdf", f.PDF), f.upload("photo.jpg", f.JPEG)],
        },
    )
    evidence = Evidence.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/portfolio/evidence/{evidence.pk}/?added=1"
    assert evidence.files.count() == 2 and evidence.links.count() == 2
    page = text(client.get(response["Location"]))
    assert "Observed on the early shift" in page and "bp.pdf" in page and "photo.jpg" in page
    assert "Jo Jones, Ward sister" in page
    # The next step: ask for sign-off of each competence it shows.
    assert "Next: ask for sign-off" in page
    assert f'/portfolio/requests/new/?competence={scene["obs"].pk}"' in page
    assert f'/portfolio/requests/new/?competence={scene["comms"].pk}"' in page


def test_add_evidence_groups_competences_by_domain_with_a_search(scene) -> None:  # type: ignore[no-untyped-def]
    client = client_for(scene["worker"])
    page = text(client.get("/portfolio/evidence/new/"))
    # The framework is named once, as a heading; each domain is a group of checkboxes.
    assert page.count("Clinical skills") == 1
    assert "<legend" in page and "Observations" in page
    found = text(client.get("/portfolio/evidence/new/", {"find": "blood"}))
    assert f'value="{scene["obs"].pk}"' in found and f'value="{scene["comms"].pk}"' not in found
    # What was ticked stays, whatever the search.
    kept = text(client.get("/portfolio/evidence/new/", {"find": "blood", "competence": scene["comms"].pk}))
    assert f'value="{scene["comms"].pk}" checked' in kept
    none = text(client.get("/portfolio/evidence/new/", {"find": "zzzz"}))
    assert 'No competence matches "zzzz"' in none


def test_add_evidence_errors_are_shown(scene) -> None:  # type: ignore[no-untyped-def]
    client = client_for(scene["worker"])
    response = client.post(
        "/portfolio/evidence/new/",
        {
            **form_data(kind="witness", witness_name="", title=""),
            "attachments": [f.upload("virus.exe", b"MZ"), f.upload("fake.pdf", b"<html>")],
        },
    )
    assert response.status_code == 200
    page = text(response)
    assert "There is a problem" in page and "<title>Error:" in response.content.decode()
    assert "Enter a title" in page
    assert "Enter the name of the witness" in page
    assert "virus.exe must be a PDF, JPG, PNG, HEIC, DOCX or TXT file" in page
    assert "fake.pdf is not a PDF: its contents do not match its name" in page
    assert 'href="#id_attachments"' in page
    assert not Evidence.objects.exists()


def test_oversized_upload_is_refused(scene, settings) -> None:  # type: ignore[no-untyped-def]
    settings.EVIDENCE_MAX_UPLOAD_MB = 1
    big = f.upload("scan.pdf", f.PDF + b"0" * (1024 * 1024))
    response = client_for(scene["worker"]).post(
        "/portfolio/evidence/new/", {**form_data(), "attachments": [big]}
    )
    assert "scan.pdf must be smaller than 1 MB" in text(response)
    assert not EvidenceFile.objects.exists()


@pytest.mark.parametrize("who", ["manager", "assessor", "org_admin"])
def test_others_cannot_add_evidence_for_the_worker(scene, who) -> None:  # type: ignore[no-untyped-def]
    # The page adds to the user's own portfolio: the manager's own, and none for users with no staff record.
    client = client_for(scene[who])
    response = client.post("/portfolio/evidence/new/", form_data())
    assert not Evidence.objects.filter(person=scene["worker_person"]).exists()
    if who == "manager":
        assert response.status_code == 302
        assert Evidence.objects.get().person == scene["manager_person"]
    else:
        assert response.status_code == 200 and "not linked to a staff record" in text(response)
        assert not Evidence.objects.exists()


def test_download_by_the_worker(scene) -> None:  # type: ignore[no-untyped-def]
    evidence = with_file(scene)
    record = evidence.files.get()
    response = client_for(scene["worker"]).get(f"/portfolio/evidence/{evidence.pk}/files/{record.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == f.PDF  # type: ignore[attr-defined]
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="certificate.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert not AuditEvent.objects.filter(action=PortfolioAction.EVIDENCE_FILE_VIEWED).exists()


@pytest.mark.parametrize("who", ["assessor", "manager", "org_admin"])
def test_download_by_others_is_audited(scene, who) -> None:  # type: ignore[no-untyped-def]
    evidence = with_file(scene)
    record = evidence.files.get()
    response = client_for(scene[who]).get(f"/portfolio/evidence/{evidence.pk}/files/{record.pk}/")
    assert response.status_code == 200
    event = AuditEvent.objects.get(action=PortfolioAction.EVIDENCE_FILE_VIEWED)
    assert event.actor == scene[who] and event.organisation == scene["org"]


@pytest.mark.parametrize("who", ["stranger", "other_org_assessor", "analyst", "other_assessor"])
def test_download_refused_as_not_found(scene, who) -> None:  # type: ignore[no-untyped-def]
    evidence = with_file(scene)
    record = evidence.files.get()
    client = client_for(scene[who])
    assert client.get(f"/portfolio/evidence/{evidence.pk}/files/{record.pk}/").status_code == 404
    assert client.get(f"/portfolio/evidence/{evidence.pk}/").status_code == 404
    assert AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED, actor=scene[who]).count() == 2
    assert not AuditEvent.objects.filter(action=PortfolioAction.EVIDENCE_FILE_VIEWED).exists()


def test_file_of_other_evidence_is_not_found(scene) -> None:  # type: ignore[no-untyped-def]
    evidence = with_file(scene)
    other = f.make_evidence(scene["worker_person"])
    record = evidence.files.get()
    response = client_for(scene["worker"]).get(f"/portfolio/evidence/{other.pk}/files/{record.pk}/")
    assert response.status_code == 404


def test_edit_evidence(scene) -> None:  # type: ignore[no-untyped-def]
    evidence = with_file(scene)
    record = evidence.files.get()
    client = client_for(scene["worker"])
    page = text(client.get(f"/portfolio/evidence/{evidence.pk}/edit/"))
    assert "Moving and handling certificate" in page and "Remove files" in page
    response = client.post(
        f"/portfolio/evidence/{evidence.pk}/edit/",
        {
            **form_data(kind="certificate", title="Moving and handling (2026)"),
            "remove_files": [record.pk],
            "attachments": [f.upload("new.png", f.PNG)],
        },
    )
    assert response.status_code == 302
    evidence.refresh_from_db()
    assert evidence.title == "Moving and handling (2026)"
    assert [x.original_name for x in evidence.files.all()] == ["new.png"]
    # Nobody else may change it.
    assert client_for(scene["assessor"]).get(f"/portfolio/evidence/{evidence.pk}/edit/").status_code == 403
    assert client_for(scene["stranger"]).get(f"/portfolio/evidence/{evidence.pk}/edit/").status_code == 404


def test_locked_evidence_shows_why(scene) -> None:  # type: ignore[no-untyped-def]
    evidence = with_file(scene)
    assessment = f.make_assessment(scene["worker_person"], scene["obs"], assessor=scene["assessor"])
    assessment.evidence.add(evidence)
    client = client_for(scene["worker"])
    page = text(client.get(f"/portfolio/evidence/{evidence.pk}/edit/"))
    assert "This evidence cannot be changed" in page and "kept exactly as it was" in page
    assert 'name="title"' not in page
    response = client.post(f"/portfolio/evidence/{evidence.pk}/edit/", form_data(title="Sneaky change"))
    assert response.status_code == 200
    evidence.refresh_from_db()
    assert evidence.title == "Moving and handling certificate"
    detail = text(client.get(f"/portfolio/evidence/{evidence.pk}/"))
    assert "can no longer be changed" in detail


def test_link_page_and_mapped_competences(scene) -> None:  # type: ignore[no-untyped-def]
    reference = f.make_framework("Care standards", is_reference=True)
    standard = f.make_competence(reference, "Communicate effectively", code="S6")
    f.crosswalk(scene["comms"], standard)
    evidence = f.make_evidence(scene["worker_person"], scene["obs"])
    request = SignOffRequest.objects.create(person=scene["worker_person"], competence=scene["obs"])
    request.evidence.add(evidence)
    client = client_for(scene["worker"])
    page = text(client.get(f"/portfolio/evidence/{evidence.pk}/competences/"))
    assert "Used for a sign-off or a request, so it stays" in page
    response = client.post(
        f"/portfolio/evidence/{evidence.pk}/competences/", {"competences": [scene["comms"].pk]}
    )
    assert response.status_code == 302
    detail = text(client.get(f"/portfolio/evidence/{evidence.pk}/"))
    assert "Counts for 1 mapped competence" in detail and "S6 Communicate effectively" in detail
    # Removing a relied-on link is refused with the reason; removing another works.
    client.post(f"/portfolio/evidence/{evidence.pk}/competences/", {"unlink": scene["obs"].pk})
    assert evidence.links.filter(competence=scene["obs"]).exists()
    client.post(f"/portfolio/evidence/{evidence.pk}/competences/", {"unlink": scene["comms"].pk})
    assert not evidence.links.filter(competence__in=[scene["comms"], standard]).exists()


def test_evidence_list(scene) -> None:  # type: ignore[no-untyped-def]
    with_file(scene)
    page = text(client_for(scene["worker"]).get("/portfolio/evidence/"))
    assert "Moving and handling certificate" in page and "Certificate" in page

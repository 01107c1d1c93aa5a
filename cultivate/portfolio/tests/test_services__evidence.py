"""Evidence services: adding and changing evidence, file checks and storage, links and crosswalks, locking."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cultivate.core.models import AuditEvent
from cultivate.portfolio import services
from cultivate.portfolio.audit_actions import PortfolioAction
from cultivate.portfolio.models import Evidence, EvidenceFile, EvidenceLink, SignOffRequest

from . import portfolio_factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene():  # type: ignore[no-untyped-def]
    return f.make_scene()


def add(scene, **extra):  # type: ignore[no-untyped-def]
    values = {
        "membership": f.membership(scene["worker"]),
        "person": scene["worker_person"],
        "kind": "observation",
        "title": "Observed taking blood pressure",
        "occurred_on": timezone.localdate(),
        "text": "Sister Jones watched me on the early shift.",
        "witness_name": "Jo Jones",
        "witness_role": "Ward sister",
    }
    values.update(extra)
    return services.evidence_create(**values)


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "evidence"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_add_evidence_with_files_and_links(scene) -> None:  # type: ignore[no-untyped-def]
    evidence = add(
        scene,
        competences=[scene["obs"], scene["comms"]],
        files=[f.upload("bp chart.pdf", f.PDF), f.upload("IMG_0001.HEIC", f.HEIC)],
    )
    assert evidence.created_by == scene["worker"]
    assert {link.competence_id for link in evidence.links.all()} == {scene["obs"].pk, scene["comms"].pk}
    files = list(evidence.files.order_by("pk"))
    assert [(x.original_name, x.content_type, x.size) for x in files] == [
        ("bp chart.pdf", "application/pdf", len(f.PDF)),
        ("IMG_0001.HEIC", "image/heic", len(f.HEIC)),
    ]
    assert files[0].sha256 == hashlib.sha256(f.PDF).hexdigest()
    # Stored under MEDIA_ROOT/evidence/<person>/ with a random name, never the uploaded one.
    path = Path(files[0].file.path)
    assert path.read_bytes() == f.PDF
    assert path.parent == Path(settings.MEDIA_ROOT) / "evidence" / str(scene["worker_person"].pk)
    assert "bp" not in path.name and len(path.name) == 32
    event = AuditEvent.objects.get(action=PortfolioAction.EVIDENCE_ADDED)
    assert event.detail["files"] == 2 and event.organisation == scene["org"]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("cert.pdf", f.PDF),
        ("photo.jpg", f.JPEG),
        ("photo.JPEG", f.JPEG),
        ("chart.png", f.PNG),
        ("phone.heic", f.HEIC),
        ("reflection.docx", f.docx_bytes()),
        ("notes.txt", "Café shift: I checked the obs.\n".encode()),
    ],
)
def test_allowed_types(name, content) -> None:  # type: ignore[no-untyped-def]
    assert services.check_upload(f.upload(name, content))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("script.exe", b"MZ\x90\x00", "must be a PDF, JPG, PNG, HEIC, DOCX or TXT file"),
        ("page.html", b"<html><script>alert(1)</script>", "must be a PDF"),
        ("image.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "must be a PDF"),
        ("fake.pdf", b"<html><script>alert(1)</script>", "is not a PDF"),
        ("renamed.png", f.JPEG, "is not a PNG image"),
        ("renamed.jpg", f.PDF, "is not a JPEG image"),
        ("zip.docx", b"PK\x03\x04" + b"\x00" * 40, "is not a Word document"),
        ("binary.txt", b"abc\x00def", "is not a text file"),
        ("latin1.txt", "Café".encode("latin-1"), "is not a text file"),
        ("empty.pdf", b"", "is empty"),
        ("noextension", f.PDF, "must be a PDF"),
    ],
)
def test_refused_files(name, content, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as caught:
        services.check_upload(f.upload(name, content))
    assert message in " ".join(caught.value.messages)


def test_a_zip_that_is_not_a_word_document_is_refused() -> None:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.js", "alert(1)")
    with pytest.raises(ValidationError, match="not a Word document"):
        services.check_upload(f.upload("report.docx", buffer.getvalue()))


def test_size_limit(settings) -> None:  # type: ignore[no-untyped-def]
    limit = services.MAX_FILE_MB * 1024 * 1024
    assert services.check_upload(f.upload("big.pdf", f.PDF + b"0" * (limit - len(f.PDF))))
    with pytest.raises(ValidationError, match="must be smaller than 10 MB"):
        services.check_upload(f.upload("too-big.pdf", f.PDF + b"0" * (limit - len(f.PDF) + 1)))
    settings.EVIDENCE_MAX_UPLOAD_MB = 1
    with pytest.raises(ValidationError, match="smaller than 1 MB"):
        services.check_upload(f.upload("big.pdf", f.PDF + b"0" * (1024 * 1024)))


def test_a_bad_file_saves_nothing(scene) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError):
        add(scene, files=[f.upload("ok.pdf", f.PDF), f.upload("bad.png", f.PDF)])
    assert not Evidence.objects.exists()
    assert not EvidenceFile.objects.exists()
    # The good file stored before the bad one was refused is removed again.
    assert stored_files() == []


def test_only_the_worker_adds_evidence(scene) -> None:  # type: ignore[no-untyped-def]
    for user in ("manager", "assessor", "org_admin", "stranger"):
        with pytest.raises(PermissionDenied):
            add(scene, membership=f.membership(scene[user]))
    assert not Evidence.objects.exists()


def test_field_rules(scene) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as caught:
        add(
            scene,
            kind="witness",
            witness_name="",
            title=" ",
            occurred_on=timezone.localdate() + dt.timedelta(1),
        )
    assert set(caught.value.error_dict) == {"witness_name", "title", "occurred_on"}


def test_linking_follows_crosswalks(scene) -> None:  # type: ignore[no-untyped-def]
    # The trust's competence and the alliance's both match Care Certificate-like standard R; the trust's also
    # matches a competence of another trust's private framework, which this worker never sees.
    reference = f.make_framework("Reference standard", is_reference=True)
    standard = f.make_competence(reference, "Standard 1")
    alliance_fw = f.make_framework("Alliance framework")
    alliance_fw.owner_alliance = scene["org"].alliance
    alliance_fw.save()
    alliance_item = f.make_competence(alliance_fw, "Alliance item")
    private = f.make_competence(f.make_framework(owner_organisation=scene["other_org"]), "Private")
    f.crosswalk(scene["obs"], standard)
    f.crosswalk(alliance_item, standard)
    f.crosswalk(private, standard)
    evidence = add(scene, competences=[scene["obs"]])
    links = {link.competence_id: link.via_id for link in evidence.links.all()}
    assert links == {scene["obs"].pk: None, standard.pk: scene["obs"].pk, alliance_item.pk: scene["obs"].pk}


def test_update_and_remove_files(scene, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    evidence = add(scene, files=[f.upload("a.pdf", f.PDF)])
    old = evidence.files.get()
    old_path = Path(old.file.path)
    with django_capture_on_commit_callbacks(execute=True):
        services.evidence_update(
            membership=f.membership(scene["worker"]),
            evidence=evidence,
            kind="reflection",
            title="Reflection on blood pressure",
            occurred_on=evidence.occurred_on,
            text="What I learned.",
            add_files=[f.upload("b.png", f.PNG)],
            remove_file_ids=[old.pk],
        )
    evidence.refresh_from_db()
    assert (evidence.kind, evidence.title) == ("reflection", "Reflection on blood pressure")
    assert [x.original_name for x in evidence.files.all()] == ["b.png"]
    assert not old_path.exists()
    event = AuditEvent.objects.get(action=PortfolioAction.EVIDENCE_CHANGED)
    assert event.detail["fields"] == ["kind", "text", "title", "witness_name", "witness_role"]


def test_evidence_in_an_open_request_or_a_sign_off_is_locked(scene) -> None:  # type: ignore[no-untyped-def]
    evidence = add(scene, competences=[scene["obs"]])
    assert services.evidence_lock_reason(evidence) == ""
    request = SignOffRequest.objects.create(person=scene["worker_person"], competence=scene["obs"])
    request.evidence.add(evidence)
    assert "Cancel the request" in services.evidence_lock_reason(evidence)
    with pytest.raises(ValidationError, match="cannot be changed"):
        services.evidence_update(
            membership=f.membership(scene["worker"]),
            evidence=evidence,
            kind="observation",
            title="Changed",
            occurred_on=evidence.occurred_on,
            witness_name="Jo Jones",
        )
    request.status = "cancelled"
    request.save()
    assert services.evidence_lock_reason(evidence) == ""
    assessment = f.make_assessment(scene["worker_person"], scene["obs"], assessor=scene["assessor"])
    assessment.evidence.add(evidence)
    reason = services.evidence_lock_reason(evidence)
    assert scene["assessor"].full_name in reason and "kept exactly as it was" in reason


def test_links_can_grow_but_relied_on_links_stay(scene) -> None:  # type: ignore[no-untyped-def]
    reference = f.make_framework("Reference", is_reference=True)
    standard = f.make_competence(reference, "Standard")
    f.crosswalk(scene["comms"], standard)
    membership = f.membership(scene["worker"])
    evidence = add(scene, competences=[scene["obs"]])
    assessment = f.make_assessment(scene["worker_person"], scene["obs"], assessor=scene["assessor"])
    assessment.evidence.add(evidence)
    # Linking more is allowed after the sign-off (the evidence itself does not change).
    made = services.evidence_link(membership=membership, evidence=evidence, competences=[scene["comms"]])
    assert {link.competence_id for link in made} == {scene["comms"].pk, standard.pk}
    with pytest.raises(ValidationError, match="the link stays"):
        services.evidence_unlink(membership=membership, evidence=evidence, competences=[scene["obs"]])
    # Unlinking comms takes the crosswalk link made through it too.
    assert (
        services.evidence_unlink(membership=membership, evidence=evidence, competences=[scene["comms"]]) == 2
    )
    assert list(EvidenceLink.objects.filter(evidence=evidence).values_list("competence_id", flat=True)) == [
        scene["obs"].pk
    ]
    with pytest.raises(PermissionDenied):
        services.evidence_link(
            membership=f.membership(scene["manager"]), evidence=evidence, competences=[scene["comms"]]
        )


def test_opening_a_file_is_audited_for_others_only(scene) -> None:  # type: ignore[no-untyped-def]
    evidence = add(scene, files=[f.upload("a.pdf", f.PDF)])
    record = evidence.files.get()
    with services.evidence_file_open(
        membership=f.membership(scene["worker"]), evidence_file=record
    ) as handle:
        assert handle.read() == f.PDF
    assert not AuditEvent.objects.filter(action=PortfolioAction.EVIDENCE_FILE_VIEWED).exists()
    with services.evidence_file_open(membership=f.membership(scene["assessor"]), evidence_file=record):
        pass
    event = AuditEvent.objects.get(action=PortfolioAction.EVIDENCE_FILE_VIEWED)
    assert event.actor == scene["assessor"] and event.detail["name"] == "a.pdf"
    for user in ("stranger", "analyst", "other_assessor"):
        with pytest.raises(PermissionDenied):
            services.evidence_file_open(membership=f.membership(scene[user]), evidence_file=record)

"""Writes for portfolios: evidence and its files, links to competences, sign-off requests, sign-offs, returns,
corrections, withdrawals, and expiry and due-date reminders.

Every service takes the acting membership and checks access itself (the views check first, to audit a refusal
and answer 403 or 404; a service refusing is a programming error or a race, answered with PermissionDenied).
Multi-step writes are atomic. An assessment is never edited: corrections and withdrawals are new records."""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import logging
import uuid
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from cultivate.accounts.models import Membership, User
from cultivate.core import rows
from cultivate.core.audit import AuditContext, audit
from cultivate.core.formatting import uk_date
from cultivate.core.notify import Subject, notifications_mark_read_about, notify
from cultivate.frameworks import selectors as framework_selectors
from cultivate.frameworks.models import Competence, EvidenceKind, Framework
from cultivate.organisations.models import Organisation, Person
from cultivate.portfolio.audit_actions import PortfolioAction

from . import access, selectors, status
from .models import (
    Assessment,
    AssessmentKind,
    Evidence,
    EvidenceFile,
    EvidenceLink,
    ReminderKind,
    ReminderSent,
    RequestStatus,
    SignOffRequest,
)

logger = logging.getLogger(__name__)

# --- Files -------------------------------------------------------------------------------------------

MAX_FILE_MB = 10
MAX_FILES_PER_EVIDENCE = 10

# Extension -> (content type served back, what the person would call it).
ALLOWED_TYPES: dict[str, tuple[str, str]] = {
    ".pdf": ("application/pdf", "PDF"),
    ".jpg": ("image/jpeg", "JPEG image"),
    ".jpeg": ("image/jpeg", "JPEG image"),
    ".png": ("image/png", "PNG image"),
    ".heic": ("image/heic", "HEIC photo"),
    ".heif": ("image/heif", "HEIF photo"),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word document"),
    ".txt": ("text/plain; charset=utf-8", "text file"),
}
ALLOWED_DESCRIPTION = "PDF, JPG, PNG, HEIC, DOCX or TXT"
# Brands of the ISO base media file format that HEIC/HEIF photos (iPhones and most Android phones) use.
HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif"}

# Evidence kinds that show practice seen by someone else: a competence assessed in practice needs one.
PRACTICE_EVIDENCE_KINDS = frozenset({EvidenceKind.OBSERVATION, EvidenceKind.WITNESS})


def max_file_bytes() -> int:
    return int(getattr(settings, "EVIDENCE_MAX_UPLOAD_MB", MAX_FILE_MB)) * 1024 * 1024


def _extension(name: str) -> str:
    return PurePath(name).suffix.lower()


def _content_matches(extension: str, handle: IO[bytes]) -> bool:
    """Whether the file's bytes are what its extension says (magic numbers; a Word document is a zip holding
    word/document.xml; a text file is UTF-8 without NUL bytes)."""
    handle.seek(0)
    head = handle.read(16)
    handle.seek(0)
    if extension == ".pdf":
        return head.startswith(b"%PDF-")
    if extension in {".jpg", ".jpeg"}:
        return head.startswith(b"\xff\xd8\xff")
    if extension == ".png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if extension in {".heic", ".heif"}:
        return head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS
    if extension == ".docx":
        if not head.startswith(b"PK\x03\x04"):
            return False
        try:
            with zipfile.ZipFile(handle) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return False
        finally:
            handle.seek(0)
        return "word/document.xml" in names and "[Content_Types].xml" in names
    if extension == ".txt":
        data = handle.read()
        handle.seek(0)
        if b"\x00" in data:
            return False
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return False
        return True
    return False


def check_upload(upload: UploadedFile) -> str:
    """The content type to store for an uploaded file, or a ValidationError saying what is wrong with it.
    Checked by size, by extension and by its content, so a renamed file of another kind is refused."""
    name = PurePath(upload.name or "").name
    limit = max_file_bytes()
    if not name:
        raise ValidationError("The selected file has no name")
    if (upload.size or 0) == 0:
        raise ValidationError(f"{name} is empty")
    if (upload.size or 0) > limit:
        raise ValidationError(f"{name} must be smaller than {limit // (1024 * 1024)} MB")
    extension = _extension(name)
    if extension not in ALLOWED_TYPES:
        raise ValidationError(f"{name} must be a {ALLOWED_DESCRIPTION} file")
    content_type, label = ALLOWED_TYPES[extension]
    if upload.file is None or not _content_matches(extension, upload.file):
        raise ValidationError(f"{name} is not a {label}: its contents do not match its name")
    return content_type


def _clean_name(name: str) -> str:
    base = PurePath(name.replace("\\", "/")).name.strip() or "file"
    if len(base) > 200:
        extension = _extension(base)
        base = base[: 200 - len(extension)] + extension
    return base


def _store_file(evidence: Evidence, upload: UploadedFile, stored: list[str]) -> EvidenceFile:
    """Check and store one upload under a random name; `stored` collects the names so that the caller can
    delete them if its transaction fails (Django has no rollback hook)."""
    content_type = check_upload(upload)
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    record = EvidenceFile(
        evidence=evidence,
        original_name=_clean_name(upload.name or ""),
        content_type=content_type,
        size=upload.size or 0,
        sha256=digest.hexdigest(),
    )
    record.file.save(uuid.uuid4().hex, upload, save=False)
    stored.append(record.file.name)
    record.full_clean()
    record.save()
    return record


def _delete_stored(names: Iterable[str]) -> None:
    storage = EvidenceFile._meta.get_field("file").storage
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            logger.exception("Could not delete evidence file %s", name)


# --- Access ------------------------------------------------------------------------------------------


def _require(membership: Membership | None, action: str, obj: Any) -> Membership:
    if membership is None or not access.may(membership, action, obj):
        raise PermissionDenied(f"May not {action.replace('_', ' ')}.")
    return membership


def user_of(person: Person) -> User | None:
    return User.objects.filter(person=person, is_active=True).first()


# --- Evidence ----------------------------------------------------------------------------------------


def evidence_lock_reason(evidence: Evidence) -> str:
    """Why this evidence can no longer be changed, or "" if it can."""
    assessments, requests = selectors.evidence_use(evidence)
    if assessments:
        first = assessments[0]
        return (
            f"It was used when {first.assessor_name} signed off {first.competence.label} on "
            f"{uk_date(first.assessed_on)}. Evidence relied on for a sign-off is kept exactly as it was."
        )
    if requests:
        return (
            f"It is part of your request for sign-off of {requests[0].competence.label}, which an assessor "
            "may be reviewing. Cancel the request to change it."
        )
    return ""


def _check_evidence_fields(kind: str, title: str, occurred_on: dt.date, witness_name: str) -> None:
    errors: dict[str, str] = {}
    if kind not in EvidenceKind.values:
        errors["kind"] = "Select the type of evidence"
    if not title.strip():
        errors["title"] = "Enter a title"
    if occurred_on > timezone.localdate():
        errors["occurred_on"] = "The date must be today or in the past"
    if kind == EvidenceKind.WITNESS and not witness_name.strip():
        errors["witness_name"] = "Enter the name of the witness"
    if errors:
        raise ValidationError(errors)


def evidence_create(
    *,
    membership: Membership | None,
    person: Person,
    kind: str,
    title: str,
    occurred_on: dt.date,
    text: str = "",
    witness_name: str = "",
    witness_role: str = "",
    competences: Sequence[Competence] = (),
    files: Sequence[UploadedFile] = (),
    ctx: AuditContext | None = None,
) -> Evidence:
    membership = _require(membership, "edit_portfolio", person)
    _check_evidence_fields(kind, title, occurred_on, witness_name)
    if len(files) > MAX_FILES_PER_EVIDENCE:
        raise ValidationError({"attachments": f"Attach up to {MAX_FILES_PER_EVIDENCE} files"})
    stored: list[str] = []
    try:
        with transaction.atomic():
            evidence = Evidence(
                person=person,
                kind=kind,
                title=title.strip(),
                text=text.strip(),
                occurred_on=occurred_on,
                witness_name=witness_name.strip(),
                witness_role=witness_role.strip(),
                created_by=membership.user,
            )
            evidence.full_clean()
            evidence.save()
            for upload in files:
                _store_file(evidence, upload, stored)
            links = _link(evidence, competences)
            audit(
                PortfolioAction.EVIDENCE_ADDED,
                ctx=ctx,
                actor=membership.user,
                obj=evidence,
                organisation=person.organisation,
                kind=kind,
                files=len(files),
                competences=sorted(link.competence_id for link in links),
            )
    except Exception:
        _delete_stored(stored)
        raise
    return evidence


def evidence_update(
    *,
    membership: Membership | None,
    evidence: Evidence,
    kind: str,
    title: str,
    occurred_on: dt.date,
    text: str = "",
    witness_name: str = "",
    witness_role: str = "",
    add_files: Sequence[UploadedFile] = (),
    remove_file_ids: Iterable[int] = (),
    ctx: AuditContext | None = None,
) -> Evidence:
    """Change evidence that no sign-off has relied on and no open request includes."""
    membership = _require(membership, "edit_portfolio", evidence.person)
    reason = evidence_lock_reason(evidence)
    if reason:
        raise ValidationError(f"This evidence cannot be changed. {reason}")
    _check_evidence_fields(kind, title, occurred_on, witness_name)
    remove = set(remove_file_ids)
    kept = [f for f in evidence.files.all() if f.pk not in remove]
    if len(kept) + len(add_files) > MAX_FILES_PER_EVIDENCE:
        raise ValidationError({"attachments": f"Evidence can have up to {MAX_FILES_PER_EVIDENCE} files"})
    new_values = {
        "kind": kind,
        "title": title.strip(),
        "text": text.strip(),
        "occurred_on": occurred_on,
        "witness_name": witness_name.strip(),
        "witness_role": witness_role.strip(),
    }
    changed = sorted(name for name, value in new_values.items() if getattr(evidence, name) != value)
    stored: list[str] = []
    try:
        with transaction.atomic():
            for name, value in new_values.items():
                setattr(evidence, name, value)
            evidence.full_clean()
            evidence.save()
            removed = list(evidence.files.filter(pk__in=remove))
            if removed:
                EvidenceFile.objects.filter(pk__in=[f.pk for f in removed]).delete()
                names = [f.file.name for f in removed]
                transaction.on_commit(lambda: _delete_stored(names))
            for upload in add_files:
                _store_file(evidence, upload, stored)
            audit(
                PortfolioAction.EVIDENCE_CHANGED,
                ctx=ctx,
                actor=membership.user,
                obj=evidence,
                organisation=evidence.person.organisation,
                fields=changed,
                files_added=len(add_files),
                files_removed=len(removed),
            )
    except Exception:
        _delete_stored(stored)
        raise
    return evidence


def _link(evidence: Evidence, competences: Sequence[Competence]) -> list[EvidenceLink]:
    """Link the evidence to each competence (its published row) and to the competences that map to it, in the
    frameworks the person's organisation uses. Returns the links made."""
    if not competences:
        return []
    current = status.published_rows(competences)
    chosen = [current.get((c.framework_id, c.identifier), c) for c in competences]
    existing = set(EvidenceLink.objects.filter(evidence=evidence).values_list("competence_id", flat=True))
    existing_keys = set(
        EvidenceLink.objects.filter(evidence=evidence).values_list(
            "competence__framework_id", "competence__identifier"
        )
    )
    made: list[EvidenceLink] = []
    for competence in chosen:
        if competence.pk in existing or (competence.framework_id, competence.identifier) in existing_keys:
            continue
        made.append(EvidenceLink(evidence=evidence, competence=competence))
        existing.add(competence.pk)
        existing_keys.add((competence.framework_id, competence.identifier))
    equivalents = framework_selectors.crosswalk_equivalents([c.pk for c in chosen])
    usable = set(
        Competence.objects.filter(
            pk__in={pk for pks in equivalents.values() for pk in pks},
            framework__in=Framework.objects.filter(selectors.frameworks_for(evidence.person.organisation)),
        ).values_list("pk", flat=True)
    )
    for competence in chosen:
        for pk in sorted(equivalents.get(competence.pk, set()) & usable):
            if pk in existing:
                continue
            made.append(EvidenceLink(evidence=evidence, competence_id=pk, via=competence))
            existing.add(pk)
    for link in made:
        link.full_clean(validate_constraints=False)
    EvidenceLink.objects.bulk_create(made)
    return made


def evidence_link(
    *,
    membership: Membership | None,
    evidence: Evidence,
    competences: Sequence[Competence],
    ctx: AuditContext | None = None,
) -> list[EvidenceLink]:
    """Link evidence to more competences (allowed even after it was used in a sign-off: the evidence itself
    does not change)."""
    membership = _require(membership, "edit_portfolio", evidence.person)
    with transaction.atomic():
        made = _link(evidence, competences)
        if made:
            audit(
                PortfolioAction.EVIDENCE_CHANGED,
                ctx=ctx,
                actor=membership.user,
                obj=evidence,
                organisation=evidence.person.organisation,
                linked=sorted(link.competence_id for link in made),
            )
    return made


def evidence_unlink(
    *,
    membership: Membership | None,
    evidence: Evidence,
    competences: Sequence[Competence],
    ctx: AuditContext | None = None,
) -> int:
    """Remove links, except those the evidence was relied on for (or is before an assessor for); links made
    through a crosswalk from a removed link go with it."""
    membership = _require(membership, "edit_portfolio", evidence.person)
    locked = selectors.locked_competence_keys(evidence)
    refused = [c for c in competences if (c.framework_id, c.identifier) in locked]
    if refused:
        raise ValidationError(
            f"{refused[0].label}: this evidence was used for a sign-off request or sign-off of it, so the link stays"
        )
    with transaction.atomic():
        ids = [c.pk for c in competences]
        links = EvidenceLink.objects.filter(evidence=evidence).filter(
            status.key_filter("competence__", {(c.framework_id, c.identifier) for c in competences})
        )
        via_links = EvidenceLink.objects.filter(evidence=evidence, via_id__in=ids).exclude(
            status.key_filter("competence__", locked)
        )
        removed = sorted(
            set(links.values_list("competence_id", flat=True))
            | set(via_links.values_list("competence_id", flat=True))
        )
        EvidenceLink.objects.filter(evidence=evidence, competence_id__in=removed).delete()
        if removed:
            audit(
                PortfolioAction.EVIDENCE_CHANGED,
                ctx=ctx,
                actor=membership.user,
                obj=evidence,
                organisation=evidence.person.organisation,
                unlinked=removed,
            )
    return len(removed)


def evidence_from_training(
    *,
    ctx: AuditContext,
    person: Person,
    title: str,
    occurred_on: dt.date,
    competences: Sequence[Competence],
    text: str = "",
    created_by: User | None = None,
) -> Evidence:
    """Evidence a completed course stands as, linked to the competences the course develops. Written by the
    app that records training (whose own access rules decided the completion may be recorded), for whoever
    recorded it: the worker, an educator or an import. A certificate is knowledge, never practice: an assessor
    still signs off practice (`practice_evidence_missing`)."""
    with transaction.atomic():
        evidence = Evidence(
            person=person,
            kind=EvidenceKind.CERTIFICATE,
            title=title.strip()[:200],
            text=text.strip(),
            occurred_on=occurred_on,
            created_by=created_by,
        )
        evidence.full_clean()
        evidence.save()
        links = _link(evidence, competences)
        audit(
            PortfolioAction.EVIDENCE_ADDED,
            ctx=ctx,
            obj=evidence,
            organisation=person.organisation,
            kind=EvidenceKind.CERTIFICATE,
            files=0,
            competences=sorted(link.competence_id for link in links),
            source="training",
        )
    return evidence


@dataclass(frozen=True)
class TrainingEvidence:
    """One completed course to stand as evidence (for `evidence_from_training_many`)."""

    person_id: int
    title: str
    occurred_on: dt.date
    competences: tuple[Competence, ...]
    text: str = ""


def _links_for(organisation: Organisation, competences: Sequence[Competence]) -> list[tuple[int, int | None]]:
    """(competence, via) pairs `_link` would make for new evidence of someone of the organisation: each
    competence's published row, and the competences that map to it in the frameworks the organisation uses."""
    current = status.published_rows(competences)
    chosen = list(
        {c.pk: c for c in (current.get((c.framework_id, c.identifier), c) for c in competences)}.values()
    )
    made: list[tuple[int, int | None]] = [(c.pk, None) for c in chosen]
    seen = {c.pk for c in chosen}
    equivalents = framework_selectors.crosswalk_equivalents([c.pk for c in chosen])
    usable = set(
        Competence.objects.filter(
            pk__in={pk for pks in equivalents.values() for pk in pks},
            framework__in=Framework.objects.filter(selectors.frameworks_for(organisation)),
        ).values_list("pk", flat=True)
    )
    for competence in chosen:
        for pk in sorted(equivalents.get(competence.pk, set()) & usable):
            if pk not in seen:
                made.append((pk, competence.pk))
                seen.add(pk)
    return made


def _link_columns() -> str:
    names = [
        getattr(EvidenceLink._meta.get_field(name), "column", None)
        for name in ("evidence", "competence", "via")
    ]
    assert all(isinstance(name, str) for name in names)
    return ", ".join(rows.quote(str(name)) for name in names)


def evidence_from_training_many(
    *,
    ctx: AuditContext,
    organisation: Organisation,
    items: Sequence[TrainingEvidence],
    created_by: User | None = None,
    source: str = "training import",
) -> list[int]:
    """`evidence_from_training` for many completions at once (an import of a learning system's records): the
    same evidence and links, written in batches, with the links worked out once per course rather than once per
    person, and one audit record for the lot. Returns the new evidence ids, in the order of `items`."""
    if not items:
        return []
    links: dict[tuple[int, ...], list[tuple[int, int | None]]] = {}
    for item in items:
        key = tuple(c.pk for c in item.competences)
        if key not in links:
            links[key] = _links_for(organisation, item.competences)
    with transaction.atomic():
        made = Evidence.objects.bulk_create(
            [
                Evidence(
                    person_id=item.person_id,
                    kind=EvidenceKind.CERTIFICATE,
                    title=item.title.strip()[:200],
                    text=item.text.strip(),
                    occurred_on=item.occurred_on,
                    created_by=created_by,
                )
                for item in items
            ],
            batch_size=2000,
        )
        # The links need no ids back: one hand-written INSERT run in batches (ADR 0025), far cheaper than a model
        # instance per link for an import of 100,000 completions.
        sql = rows.statement(
            "portfolio_training_evidence_links",
            lambda: (
                f"INSERT INTO {rows.table(EvidenceLink)} ({_link_columns()}) VALUES (%s, %s, %s)"  # noqa: S608 (names from the model's metadata)
            ),
        )
        values = [
            (evidence.pk, competence_id, via_id)
            for evidence, item in zip(made, items, strict=True)
            for competence_id, via_id in links[tuple(c.pk for c in item.competences)]
        ]
        with connection.cursor() as cursor:
            for start in range(0, len(values), 5000):
                cursor.executemany(sql, values[start : start + 5000])
        audit(
            PortfolioAction.EVIDENCE_ADDED,
            ctx=ctx,
            organisation=organisation,
            kind=EvidenceKind.CERTIFICATE,
            evidence=len(made),
            source=source,
        )
    return [evidence.pk for evidence in made]


def evidence_file_open(
    *, membership: Membership | None, evidence_file: EvidenceFile, ctx: AuditContext | None = None
) -> IO[bytes]:
    """Open a stored file for someone allowed to see the portfolio; audited when it is not the person's own."""
    person = evidence_file.evidence.person
    membership = _require(membership, "view_portfolio", person)
    handle: IO[bytes] = evidence_file.file.open("rb")
    if not access.is_self(membership, person):
        audit(
            PortfolioAction.EVIDENCE_FILE_VIEWED,
            ctx=ctx,
            actor=membership.user,
            obj=evidence_file.evidence,
            organisation=person.organisation,
            file=evidence_file.pk,
            name=evidence_file.original_name,
        )
    return handle


# --- Sign-off requests -------------------------------------------------------------------------------


def level_choices(competence: Competence) -> list[tuple[str, str]]:
    """The levels this competence can be signed off at, lowest first."""
    levels = competence.framework.level_list
    allowed = set(competence.levels or [])
    return [(lv["code"], lv["label"]) for lv in levels if not allowed or lv["code"] in allowed]


def practice_evidence_missing(competence: Competence, evidence: Iterable[Evidence]) -> bool:
    """A competence assessed in practice needs at least one observation or witness testimony."""
    return competence.assessed_in_practice and not any(e.kind in PRACTICE_EVIDENCE_KINDS for e in evidence)


PRACTICE_MESSAGE = (
    "This competence is assessed in practice: include at least one observation or witness testimony"
)


def _worker_url(competence: Competence) -> str:
    return reverse("portfolio:competence", args=[competence.pk])


def _review_url(signoff_request: SignOffRequest) -> str:
    return reverse("portfolio:review", args=[signoff_request.pk])


def signoff_request_create(
    *,
    membership: Membership | None,
    person: Person,
    competence: Competence,
    level_sought: str = "",
    evidence: Sequence[Evidence] = (),
    message: str = "",
    assessor: User | None = None,
    ctx: AuditContext | None = None,
) -> SignOffRequest:
    """The worker asks for sign-off. The chosen assessor (or, if none is chosen, every assessor who may sign off
    for them) is told in the service and by email."""
    membership = _require(membership, "edit_portfolio", person)
    row = selectors.published_competence(competence)
    if row is None:
        raise ValidationError("This competence is not in a published framework, so it cannot be signed off")
    errors: dict[str, str] = {}
    if level_sought and level_sought not in dict(level_choices(row)):
        errors["level_sought"] = "Select a level this competence can be signed off at"
    if any(e.person_id != person.pk for e in evidence):
        errors["evidence"] = "Select your own evidence"
    elif practice_evidence_missing(row, evidence):
        errors["evidence"] = PRACTICE_MESSAGE
    candidates = selectors.assessors_for(person)
    if not candidates:
        errors["assessor"] = "Nobody can sign off for your team yet: ask your line manager"
    elif assessor is not None and assessor not in candidates:
        errors["assessor"] = "Select an assessor for your team"
    if errors:
        raise ValidationError(errors)
    if selectors.open_request(person, row) is not None:
        raise ValidationError("You have already asked for sign-off of this competence")
    teams = selectors.current_teams(person)
    with transaction.atomic():
        signoff_request = SignOffRequest(
            person=person,
            competence=row,
            team_id=teams[0] if teams else None,
            requested_by=membership.user,
            assessor=assessor,
            level_sought=level_sought,
            message=message.strip(),
        )
        signoff_request.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                signoff_request.save()
        except IntegrityError as error:
            raise ValidationError("You have already asked for sign-off of this competence") from error
        signoff_request.evidence.set(evidence)
        _link_to(list(evidence), row)
        audit(
            PortfolioAction.SIGNOFF_REQUESTED,
            ctx=ctx,
            actor=membership.user,
            obj=signoff_request,
            organisation=person.organisation,
            competence=row.pk,
            level_sought=level_sought,
            assessor=assessor.pk if assessor else None,
            evidence=sorted(e.pk for e in evidence),
        )
        # Asking again answers the feedback on an earlier request that was returned.
        _acted_on(*[r for r in selectors.requests_for(person, row) if r.status == RequestStatus.RETURNED])
        recipients = [assessor] if assessor is not None else candidates
        for user in recipients:
            _notify_after_commit(
                user,
                title=f"{person.display_name} asks you to sign off {row.label}",
                body=(
                    f"{person.display_name} has asked for sign-off of {row.code} {row.label}".strip()
                    + (f" at {row.framework.level_label(level_sought)}" if level_sought else "")
                    + ". Review their evidence and sign it off or return it with feedback."
                ),
                url=_review_url(signoff_request),
                about=signoff_request,
            )
    return signoff_request


def _link_to(evidence: list[Evidence], competence: Competence) -> None:
    """Evidence included in a request counts for its competence; link it if the worker had not."""
    for item in evidence:
        if not EvidenceLink.objects.filter(
            evidence=item,
            competence__framework_id=competence.framework_id,
            competence__identifier=competence.identifier,
        ).exists():
            _link(item, [competence])


def _notify_after_commit(
    user: User, *, title: str, body: str, url: str, about: SignOffRequest | None = None
) -> None:
    # Emails go once the decision is saved, so nobody is told of something that was rolled back.
    subject = Subject.of(about) if about is not None else None
    transaction.on_commit(lambda: notify(user=user, title=title, body=body, url=url, subject=subject))


def _acted_on(*requests: SignOffRequest) -> None:
    """Whoever was told of these requests (assessors asked, a worker whose request was returned) need not be
    any more: their notifications about them are marked read."""
    notifications_mark_read_about(subjects=[Subject.of(r) for r in requests])


def signoff_request_cancel(
    *, membership: Membership | None, signoff_request: SignOffRequest, ctx: AuditContext | None = None
) -> SignOffRequest:
    membership = _require(membership, "edit_portfolio", signoff_request.person)
    if signoff_request.status != RequestStatus.OPEN:
        raise ValidationError("Only a request awaiting a decision can be cancelled")
    signoff_request.status = RequestStatus.CANCELLED
    signoff_request.decided_at = timezone.now()
    signoff_request.decided_by = membership.user
    signoff_request.full_clean(validate_constraints=False)
    signoff_request.save(update_fields=["status", "decided_at", "decided_by", "updated_at"])
    _acted_on(signoff_request)
    return signoff_request


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day when it is shorter (31 January + 1 = 28 February)."""
    years, month_index = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month_index + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def _check_assessed_on(assessed_on: dt.date) -> None:
    if assessed_on > timezone.localdate():
        raise ValidationError({"assessed_on": "The date assessed must be today or in the past"})


def _assessor_copy(user: User) -> dict[str, Any]:
    return {
        "assessor": user,
        "assessor_name": user.full_name or user.email,
        "registration_body": user.registration_body,
        "registration_pin": user.registration_pin,
    }


def signoff_sign_off(
    *,
    membership: Membership | None,
    signoff_request: SignOffRequest,
    level: str,
    assessed_on: dt.date,
    comments: str = "",
    ctx: AuditContext | None = None,
) -> Assessment:
    """An assessor signs off a requested competence at a level. The record is made against the competence as
    now published; it expires after the competence's reassessment interval."""
    person = signoff_request.person
    membership = _require(membership, "sign_off", person)
    if signoff_request.status != RequestStatus.OPEN:
        raise ValidationError("This request has already been decided or cancelled")
    row = selectors.published_competence(signoff_request.competence)
    if row is None:
        raise ValidationError(
            "This competence is no longer in a published framework, so it cannot be signed off"
        )
    if level not in dict(level_choices(row)):
        raise ValidationError({"level": "Select the level you are signing off"})
    _check_assessed_on(assessed_on)
    evidence = list(signoff_request.evidence.all())
    if practice_evidence_missing(row, evidence):
        raise ValidationError(
            "This competence is assessed in practice and the request has no observation or witness testimony: "
            "return it with feedback asking for one"
        )
    with transaction.atomic():
        assessment = Assessment(
            person=person,
            competence=row,
            framework=row.framework,
            competence_identifier=row.identifier,
            content_hash=row.content_hash,
            kind=AssessmentKind.SIGN_OFF,
            level=level,
            level_rank=row.framework.level_rank(level),
            assessed_on=assessed_on,
            expires_on=add_months(assessed_on, row.reassess_months) if row.reassess_months else None,
            request=signoff_request,
            comments=comments.strip(),
            **_assessor_copy(membership.user),
        )
        assessment.full_clean()
        assessment.save()
        assessment.evidence.set(evidence)
        signoff_request.status = RequestStatus.SIGNED_OFF
        signoff_request.decided_at = timezone.now()
        signoff_request.decided_by = membership.user
        signoff_request.save(update_fields=["status", "decided_at", "decided_by", "updated_at"])
        _acted_on(signoff_request)
        audit(
            PortfolioAction.SIGNED_OFF,
            ctx=ctx,
            actor=membership.user,
            obj=assessment,
            organisation=person.organisation,
            request_id=signoff_request.pk,
            competence=row.pk,
            level=level,
            assessed_on=assessed_on.isoformat(),
        )
        worker = user_of(person)
        if worker is not None:
            _notify_after_commit(
                worker,
                title=f"{row.label} signed off",
                body=(
                    f"{assessment.assessor_name} signed off {row.label} at "
                    f"{row.framework.level_label(level)} on {uk_date(assessed_on)}."
                    + (
                        f" It needs reassessing by {uk_date(assessment.expires_on)}."
                        if assessment.expires_on
                        else ""
                    )
                ),
                url=_worker_url(row),
                about=signoff_request,
            )
    return assessment


def signoff_return(
    *,
    membership: Membership | None,
    signoff_request: SignOffRequest,
    feedback: str,
    ctx: AuditContext | None = None,
) -> SignOffRequest:
    person = signoff_request.person
    membership = _require(membership, "sign_off", person)
    if signoff_request.status != RequestStatus.OPEN:
        raise ValidationError("This request has already been decided or cancelled")
    if not feedback.strip():
        raise ValidationError({"feedback": "Enter feedback saying what is needed before you can sign it off"})
    with transaction.atomic():
        signoff_request.status = RequestStatus.RETURNED
        signoff_request.feedback = feedback.strip()
        signoff_request.decided_at = timezone.now()
        signoff_request.decided_by = membership.user
        signoff_request.full_clean(validate_constraints=False)
        signoff_request.save(update_fields=["status", "feedback", "decided_at", "decided_by", "updated_at"])
        _acted_on(signoff_request)
        audit(
            PortfolioAction.SIGNOFF_RETURNED,
            ctx=ctx,
            actor=membership.user,
            obj=signoff_request,
            organisation=person.organisation,
            competence=signoff_request.competence_id,
        )
        worker = user_of(person)
        if worker is not None:
            _notify_after_commit(
                worker,
                title=f"Your request for sign-off of {signoff_request.competence.label} was returned",
                body=f"{membership.user.full_name} returned it with feedback: {signoff_request.feedback}",
                url=_worker_url(signoff_request.competence),
                about=signoff_request,
            )
    return signoff_request


def _check_supersedable(assessment: Assessment) -> None:
    if assessment.kind == AssessmentKind.WITHDRAWAL:
        raise ValidationError("A withdrawal cannot be corrected or withdrawn")
    if not selectors.is_standing(assessment):
        raise ValidationError("This record has already been corrected or withdrawn: change the latest one")


def assessment_correct(
    *,
    membership: Membership | None,
    assessment: Assessment,
    level: str,
    assessed_on: dt.date,
    reason: str,
    ctx: AuditContext | None = None,
) -> Assessment:
    """Correct the level or the date of a sign-off: a new record that supersedes it, with the reason. It keeps
    what was assessed (competence, content) and is recorded in the correcting assessor's name."""
    person = assessment.person
    membership = _require(membership, "sign_off", person)
    _check_supersedable(assessment)
    competence = assessment.competence
    errors: dict[str, str] = {}
    if level not in dict(level_choices(competence)):
        errors["level"] = "Select the correct level"
    if not reason.strip():
        errors["reason"] = "Enter the reason for the correction"
    if assessed_on > timezone.localdate():
        errors["assessed_on"] = "The date assessed must be today or in the past"
    if not errors and level == assessment.level and assessed_on == assessment.assessed_on:
        errors["level"] = "Change the level or the date: a correction must correct something"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        correction = Assessment(
            person=person,
            competence=competence,
            framework_id=assessment.framework_id,
            competence_identifier=assessment.competence_identifier,
            content_hash=assessment.content_hash,
            kind=AssessmentKind.CORRECTION,
            level=level,
            level_rank=competence.framework.level_rank(level),
            assessed_on=assessed_on,
            expires_on=add_months(assessed_on, competence.reassess_months)
            if competence.reassess_months
            else None,
            request=assessment.request,
            comments=assessment.comments,
            supersedes=assessment,
            reason=reason.strip(),
            **_assessor_copy(membership.user),
        )
        correction.full_clean()
        correction.save()
        correction.evidence.set(assessment.evidence.all())
        audit(
            PortfolioAction.ASSESSMENT_CORRECTED,
            ctx=ctx,
            actor=membership.user,
            obj=correction,
            organisation=person.organisation,
            supersedes=assessment.pk,
            level=level,
            previous_level=assessment.level,
            assessed_on=assessed_on.isoformat(),
            previous_assessed_on=assessment.assessed_on.isoformat(),
        )
        worker = user_of(person)
        if worker is not None:
            _notify_after_commit(
                worker,
                title=f"Your sign-off of {competence.label} was corrected",
                body=f"{correction.assessor_name} corrected it: {correction.reason}",
                url=_worker_url(competence),
            )
    return correction


def assessment_withdraw(
    *,
    membership: Membership | None,
    assessment: Assessment,
    reason: str,
    ctx: AuditContext | None = None,
) -> Assessment:
    """Withdraw a sign-off from today: a new record that supersedes it, with the reason."""
    person = assessment.person
    membership = _require(membership, "sign_off", person)
    _check_supersedable(assessment)
    if not reason.strip():
        raise ValidationError({"reason": "Enter the reason for withdrawing the sign-off"})
    today = timezone.localdate()
    with transaction.atomic():
        withdrawal = Assessment(
            person=person,
            competence=assessment.competence,
            framework_id=assessment.framework_id,
            competence_identifier=assessment.competence_identifier,
            content_hash=assessment.content_hash,
            kind=AssessmentKind.WITHDRAWAL,
            level="",
            level_rank=0,
            assessed_on=max(today, assessment.assessed_on),
            expires_on=None,
            supersedes=assessment,
            reason=reason.strip(),
            **_assessor_copy(membership.user),
        )
        withdrawal.full_clean()
        withdrawal.save()
        audit(
            PortfolioAction.ASSESSMENT_WITHDRAWN,
            ctx=ctx,
            actor=membership.user,
            obj=withdrawal,
            organisation=person.organisation,
            supersedes=assessment.pk,
        )
        worker = user_of(person)
        if worker is not None:
            _notify_after_commit(
                worker,
                title=f"Your sign-off of {assessment.competence.label} was withdrawn",
                body=f"{withdrawal.assessor_name} withdrew it: {withdrawal.reason}",
                url=_worker_url(assessment.competence),
            )
    return withdrawal


# --- Reminders ---------------------------------------------------------------------------------------

REMIND_BEFORE_DAYS = status.EXPIRING_SOON_DAYS
# Sign-offs that expired longer ago than this get no reminder: the first run on old data must not flood people.
EXPIRED_LOOKBACK_DAYS = 90
BATCH = 300


@dataclass
class ReminderReport:
    expiring: int = 0
    expired: int = 0
    reassess: int = 0
    due: int = 0
    notifications: int = 0
    people: set[int] = field(default_factory=set)

    def as_dict(self) -> dict[str, int]:
        return {
            "expiring": self.expiring,
            "expired": self.expired,
            "reassess": self.reassess,
            "due": self.due,
            "notifications": self.notifications,
            "people": len(self.people),
        }


def _chunks(items: Sequence[int], size: int) -> Iterable[Sequence[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass(frozen=True)
class _Reminder:
    person_id: int
    competence: Competence
    kind: str
    assessment_id: int | None = None
    expires_on: dt.date | None = None
    due_on: dt.date | None = None
    # A required competence signed off below the level the role needs: "below the level needed", never
    # "not signed off".
    below_level: bool = False
    required_level: str = ""


def reminders_send(*, on: dt.date | None = None) -> ReminderReport:
    """Remind workers and their line managers, once each, of sign-offs expiring within 30 days or expired
    (in the last 90 days), of required competences needing reassessment after a change, and of required
    competences past their due date. Safe to run as often as you like: what was sent is recorded."""
    on = on or timezone.localdate()
    found = [*_expiry_reminders(on), *_requirement_reminders(on)]
    report = ReminderReport()
    _deliver(found, report, on)
    return report


def _expiry_reminders(on: dt.date) -> list[_Reminder]:
    """Sign-offs expiring soon or lately expired that still count (no newer sign-off replaced them), whether or
    not the competence is required."""
    by_person: dict[int, list[Assessment]] = {}
    for assessment in selectors.assessments_due_for_reminder(on, REMIND_BEFORE_DAYS):
        by_person.setdefault(assessment.person_id, []).append(assessment)
    found: list[_Reminder] = []
    for chunk in _chunks(sorted(by_person), BATCH):
        competences = list({a.competence_id: a.competence for pid in chunk for a in by_person[pid]}.values())
        states = status.statuses(list(chunk), competences, on=on)
        sent = selectors.reminders_already_sent(chunk)
        for person_id in chunk:
            for assessment in by_person[person_id]:
                current = states[(person_id, assessment.competence_id)]
                if current.assessment_id != assessment.pk or assessment.expires_on is None:
                    continue
                if current.state == status.State.EXPIRING:
                    kind = ReminderKind.EXPIRING
                elif (
                    current.state == status.State.EXPIRED
                    and (on - assessment.expires_on).days <= EXPIRED_LOOKBACK_DAYS
                ):
                    kind = ReminderKind.EXPIRED
                else:
                    continue
                if (person_id, assessment.competence_id, assessment.pk, kind) not in sent:
                    found.append(
                        _Reminder(
                            person_id,
                            assessment.competence,
                            kind,
                            assessment_id=assessment.pk,
                            expires_on=assessment.expires_on,
                        )
                    )
    return found


def _requirement_reminders(on: dt.date) -> list[_Reminder]:
    """Required competences that need reassessing after they changed, or are past due and neither met nor
    awaiting a decision."""
    found: list[_Reminder] = []
    for chunk in _chunks(selectors.people_in_post_with_roles(on), BATCH):
        requirements = status.requirements_for(list(chunk), on=on)
        competences = list(
            {r.competence.pk: r.competence for rs in requirements.values() for r in rs}.values()
        )
        states = status.statuses(list(chunk), competences, on=on)
        sent = selectors.reminders_already_sent(chunk)
        for person_id in chunk:
            for requirement in requirements.get(person_id, []):
                competence = requirement.competence
                current = states[(person_id, competence.pk)]
                if current.state == status.State.REASSESS and current.assessment_id:
                    if (person_id, competence.pk, current.assessment_id, ReminderKind.REASSESS) not in sent:
                        found.append(
                            _Reminder(
                                person_id,
                                competence,
                                ReminderKind.REASSESS,
                                assessment_id=current.assessment_id,
                            )
                        )
                    continue
                shown = status.against(current, requirement)
                overdue = requirement.due_on is not None and requirement.due_on < on
                if (
                    overdue
                    and shown not in status.MET_STATES
                    and shown != status.State.AWAITING
                    and (person_id, competence.pk, None, "due") not in sent
                ):
                    below = shown == status.State.BELOW_LEVEL
                    found.append(
                        _Reminder(
                            person_id,
                            competence,
                            ReminderKind.DUE,
                            due_on=requirement.due_on,
                            below_level=below,
                            required_level=competence.framework.level_label(requirement.min_level)
                            if below
                            else "",
                        )
                    )
    return found


# How many items a summary names; the rest are counted and found on the page it links to.
DIGEST_ITEMS = 5


def _deliver(found: list[_Reminder], report: ReminderReport, on: dt.date) -> None:
    """Record each reminder once (ReminderSent), then tell each recipient once: one summary notification (and
    so one email) per worker and per line manager for the whole run, with counts and the most urgent few,
    linking to the page that lists them all."""
    if not found:
        return
    person_ids = sorted({r.person_id for r in found})
    people = selectors.people_with_user(person_ids)
    managers = selectors.line_manager_users(person_ids, on)
    own: dict[int, list[_Reminder]] = {}
    theirs: dict[int, list[_Reminder]] = {}
    users: dict[int, User] = {}
    for reminder in found:
        person = people[reminder.person_id]
        try:
            with transaction.atomic():
                ReminderSent.objects.create(
                    person_id=reminder.person_id,
                    competence=reminder.competence,
                    assessment_id=reminder.assessment_id,
                    kind=reminder.kind,
                )
        except IntegrityError:
            continue  # another run sent it in the meantime
        setattr(report, reminder.kind, getattr(report, reminder.kind) + 1)
        report.people.add(reminder.person_id)
        worker = user_of(person)
        if worker is not None:
            users[worker.pk] = worker
            own.setdefault(worker.pk, []).append(reminder)
        for manager in managers.get(reminder.person_id, []):
            users[manager.pk] = manager
            theirs.setdefault(manager.pk, []).append(reminder)
    teams = selectors.current_team_of(sorted({r.person_id for items in theirs.values() for r in items}), on)
    for user_pk, items in own.items():
        title, body = _digest_text(items, people, on, manager=False)
        notify(user=users[user_pk], title=title, body=body, url=reverse("portfolio:mine"))
        report.notifications += 1
    for user_pk, items in theirs.items():
        title, body = _digest_text(items, people, on, manager=True)
        team_ids = {teams[r.person_id] for r in items if r.person_id in teams}
        url = (
            reverse("portfolio:team_competence", args=[team_ids.pop()]) + "?status=unmet"
            if len(team_ids) == 1
            else reverse("portfolio:team_list")
        )
        notify(user=users[user_pk], title=title, body=body, url=url)
        report.notifications += 1


def _urgency(reminder: _Reminder) -> tuple[int, dt.date]:
    """Lapsed first (longest ago first), then past due (longest overdue first), reassessment, then expiring
    (soonest first)."""
    order = {ReminderKind.EXPIRED: 0, ReminderKind.DUE: 1, ReminderKind.REASSESS: 2, ReminderKind.EXPIRING: 3}
    return (order[ReminderKind(reminder.kind)], reminder.expires_on or reminder.due_on or dt.date.max)


def _counts_text(items: list[_Reminder]) -> str:
    counted = {kind: sum(1 for r in items if r.kind == kind) for kind in ReminderKind}
    below = sum(1 for r in items if r.below_level)
    parts = []
    if counted[ReminderKind.EXPIRED]:
        parts.append(f"{counted[ReminderKind.EXPIRED]} expired")
    if counted[ReminderKind.DUE]:
        detail = f" ({below} below the level needed)" if below else ""
        parts.append(f"{counted[ReminderKind.DUE]} past due{detail}")
    if counted[ReminderKind.REASSESS]:
        parts.append(f"{counted[ReminderKind.REASSESS]} to reassess after a change")
    if counted[ReminderKind.EXPIRING]:
        parts.append(f"{counted[ReminderKind.EXPIRING]} expiring within {REMIND_BEFORE_DAYS} days")
    return ", ".join(parts)


def _item_text(reminder: _Reminder) -> str:
    label = reminder.competence.label
    if reminder.kind == ReminderKind.EXPIRING:
        return f"{label}: sign-off expires on {uk_date(reminder.expires_on)}"
    if reminder.kind == ReminderKind.EXPIRED:
        return f"{label}: sign-off expired on {uk_date(reminder.expires_on)}"
    if reminder.kind == ReminderKind.REASSESS:
        return f"{label}: changed since the sign-off, needs reassessing"
    if reminder.below_level:
        return (
            f"{label}: below the level needed ({reminder.required_level} needed), "
            f"was due by {uk_date(reminder.due_on)}"
        )
    return f"{label}: not signed off, was due by {uk_date(reminder.due_on)}"


def _digest_text(
    items: list[_Reminder], people: dict[int, Person], on: dt.date, *, manager: bool
) -> tuple[str, str]:
    """One summary for one recipient: (title, body)."""
    count = len(items)
    things = f"{count} portfolio reminder{'s' if count != 1 else ''}"
    urgent = sorted(items, key=_urgency)[:DIGEST_ITEMS]
    if manager:
        about = len({r.person_id for r in items})
        title = f"{things} about {about} {'person' if about == 1 else 'people'} in your team"
        lines = [f"- {people[r.person_id].display_name}: {_item_text(r)}" for r in urgent]
        action = "Open the team's competence to see them all."
    else:
        title = f"Your portfolio: {things}"
        lines = [f"- {_item_text(r)}" for r in urgent]
        action = "Open your portfolio to see them all and what to do next."
    more = f"\n…and {count - len(urgent)} more." if count > len(urgent) else ""
    heading = "Most urgent:" if count > len(urgent) else "In order of urgency:"
    return title, f"As of {uk_date(on)}: {_counts_text(items)}.\n\n{heading}\n" + "\n".join(
        lines
    ) + f"{more}\n\n{action}"

"""Credentials pages: the holder's certificates and competence records, the public verification pages and status
lists, checking a file, bringing a record from another employer, the assessor's recognition of prior assessment,
and the issuer admin's credentials and key."""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cultivate.accounts.access import acting_membership as _membership
from cultivate.core.access import deny
from cultivate.core.audit import AuditContext
from cultivate.core.forms import add_service_errors

from . import access, documents, forms, guards, presenters, selectors, services, verification
from .models import IssuedCredential

JSON_LD = "application/vc+ld+json"


def _json(document: Any, *, filename: str = "", content_type: str = "application/json") -> HttpResponse:
    response = HttpResponse(json.dumps(document, indent=2, ensure_ascii=False), content_type=content_type)
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _check(credential: IssuedCredential) -> verification.Verification:
    return verification.verify(
        credential.document, now=timezone.now(), revoked_reason=credential.revoked_reason
    )


# --- The holder ----------------------------------------------------------------------------------------


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    if not access.may(membership, "view_own_credentials"):
        deny(request, reason="Certificates belong to a staff record, and this account has none.")
    return render(
        request,
        "credentials/mine.jinja",
        {
            "page_title": "Your certificates and competence record",
            "credentials": list(selectors.own_credentials(membership)),
            "records": list(selectors.records_visible_to(membership)[:10]),
            "imported": list(selectors.imported_visible_to(membership)[:10]),
        },
    )


@login_required
def credential_detail(request: HttpRequest, identifier: uuid.UUID) -> HttpResponse:
    credential = guards.credential_or_deny(request, identifier)
    membership = _membership(request)
    return render(
        request,
        "credentials/credential.jinja",
        {
            "page_title": credential.title,
            "credential": credential,
            "result": presenters.verification_view(_check(credential)),
            "alignments": presenters.alignments(credential),
            "is_holder": access.may(membership, "share_credential", credential),
            "may_revoke": access.may(membership, "revoke_credential", credential),
            "verification_url": documents.verification_url(credential.identifier),
        },
    )


@login_required
@require_POST
def credential_share(request: HttpRequest, identifier: uuid.UUID) -> HttpResponseBase:
    credential = guards.credential_or_deny(request, identifier, "share_credential")
    shared = request.POST.get("shared") == "yes"
    services.credential_share(
        ctx=AuditContext.from_request(request),
        membership=_membership(request),
        credential=credential,
        shared=shared,
    )
    messages.success(
        request,
        "Anyone with the link can now check this certificate." if shared else "The link no longer shows it.",
    )
    return redirect("credentials:credential", identifier=identifier)


@login_required
def credential_download(request: HttpRequest, identifier: uuid.UUID) -> HttpResponse:
    credential = guards.credential_or_deny(request, identifier)
    services.credential_download_record(
        ctx=AuditContext.from_request(request),
        membership=_membership(request),
        credential=credential,
        what="json",
    )
    return _json(
        credential.document, filename=f"credential-{credential.identifier}.json", content_type=JSON_LD
    )


@login_required
def credential_pdf(request: HttpRequest, identifier: uuid.UUID) -> HttpResponse:
    credential = guards.credential_or_deny(request, identifier)
    services.credential_download_record(
        ctx=AuditContext.from_request(request),
        membership=_membership(request),
        credential=credential,
        what="pdf",
    )
    from .certificate import certificate_pdf

    response = HttpResponse(certificate_pdf(credential), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{credential.identifier}.pdf"'
    return response


@login_required
@require_POST
def record_new(request: HttpRequest) -> HttpResponseBase:
    membership = _membership(request)
    person = membership.user.person if membership is not None else None
    if person is None or not access.may(membership, "bring_record", person):
        deny(request, reason="A competence record is made from your own portfolio.")
    try:
        record = services.competence_record_create(
            ctx=AuditContext.from_request(request), membership=membership, person=person
        )
    except ValidationError as error:
        messages.warning(request, " ".join(error.messages))
        return redirect("credentials:mine")
    messages.success(
        request, f"Your competence record holds {record.credentials.count()} signed-off competences."
    )
    return redirect("credentials:mine")


@login_required
@require_POST
def care_certificate(request: HttpRequest) -> HttpResponseBase:
    membership = _membership(request)
    person = membership.user.person if membership is not None else None
    if person is None or not access.may(membership, "bring_record", person):
        deny(request, reason="The Care Certificate is issued from your own portfolio.")
    try:
        credential = services.care_certificate_issue(
            ctx=AuditContext.from_request(request), membership=membership, person=person
        )
    except ValidationError as error:
        messages.warning(request, " ".join(error.messages))
        return redirect("credentials:mine")
    messages.success(request, "Your Care Certificate is issued.")
    return redirect("credentials:credential", identifier=credential.identifier)


@login_required
@require_POST
def record_share(request: HttpRequest, token: uuid.UUID) -> HttpResponseBase:
    record = guards.record_or_deny(request, token)
    shared = request.POST.get("shared") == "yes"
    services.competence_record_share(
        ctx=AuditContext.from_request(request), membership=_membership(request), record=record, shared=shared
    )
    messages.success(request, "Your record's link is on." if shared else "Your record's link is off.")
    return redirect("credentials:mine")


@login_required
def record_download(request: HttpRequest, token: uuid.UUID) -> HttpResponse:
    record = guards.record_or_deny(request, token)
    documents_ = [c.document for c in selectors.record_credentials(record)]
    return _json(documents.presentation(documents_), filename=f"competence-record-{record.token}.json")


@login_required
def record_bring(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    person = membership.user.person if membership is not None else None
    if person is None or not access.may(membership, "bring_record", person):
        deny(request, reason="A record from another employer is brought into your own portfolio.")
    form = forms.CredentialFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            imported = services.record_import(
                ctx=AuditContext.from_request(request),
                membership=membership,
                person=person,
                document=form.cleaned_data["document"],
            )
        except services.RecordRefused as error:
            form.add_error(None, "This record was refused: " + "; ".join(error.messages))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Your record was checked and brought in.")
            return redirect("credentials:brought", pk=imported.pk)
    return render(
        request, "credentials/bring.jinja", {"page_title": "Bring your competence record", "form": form}
    )


@login_required
def brought(request: HttpRequest, pk: int) -> HttpResponse:
    imported = guards.imported_or_deny(request, pk)
    return render(
        request,
        "credentials/brought.jinja",
        {
            "page_title": "Your record from another employer",
            "record": imported,
            "items": list(selectors.items_of(imported)),
        },
    )


# --- Public: verification, status lists, checking a file ------------------------------------------------------


def verify(request: HttpRequest, identifier: uuid.UUID) -> HttpResponse:
    credential = selectors.shared_credential(identifier)
    if credential is None:
        raise Http404("This credential is not shared.")
    result = _check(credential)
    return render(
        request,
        "credentials/verify.jinja",
        {
            "page_title": "Check a certificate",
            "credential": credential,
            "result": presenters.verification_view(result),
            "alignments": presenters.alignments(credential),
        },
    )


def verify_json(request: HttpRequest, identifier: uuid.UUID) -> HttpResponse:
    credential = selectors.shared_credential(identifier)
    if credential is None:
        raise Http404("This credential is not shared.")
    return _json(credential.document, content_type=JSON_LD)


def status_list(request: HttpRequest, public_key: str) -> HttpResponse:
    document = selectors.status_list_of(public_key)
    if not document:
        raise Http404("No such status list.")
    response = _json(document, content_type=JSON_LD)
    response["Cache-Control"] = "public, max-age=300"
    return response


def shared_record(request: HttpRequest, token: uuid.UUID) -> HttpResponse:
    record = selectors.shared_record(token)
    if record is None:
        raise Http404("This record is not shared.")
    rows = [(c, presenters.verification_view(_check(c))) for c in selectors.record_credentials(record)]
    return render(
        request,
        "credentials/shared_record.jinja",
        {"page_title": "Check a competence record", "record": record, "rows": rows},
    )


def shared_record_json(request: HttpRequest, token: uuid.UUID) -> HttpResponse:
    record = selectors.shared_record(token)
    if record is None:
        raise Http404("This record is not shared.")
    return _json(documents.presentation([c.document for c in selectors.record_credentials(record)]))


def check(request: HttpRequest) -> HttpResponse:
    """Check any credential file: nothing is stored."""
    form = forms.CredentialFileForm(request.POST or None, request.FILES or None)
    results: list[presenters.VerificationView] = []
    if request.method == "POST" and form.is_valid():
        document = form.cleaned_data["document"]
        now = timezone.now()
        candidates = services._credentials_of(document)[: services.MAX_RECORD_CREDENTIALS]
        results = [presenters.verification_view(verification.verify(c, now=now)) for c in candidates]
    return render(
        request,
        "credentials/check.jinja",
        {"page_title": "Check a credential", "form": form, "results": results},
    )


# --- Assessors: recognition of prior assessment ----------------------------------------------------------------


@login_required
def recognitions(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    if not access.may(membership, "review_recognitions"):
        deny(request, reason="Only assessors recognise prior assessment.")
    items = [
        i
        for i in selectors.recognitions_waiting(membership)
        if access.may(membership, "confirm_recognition", i)
    ]
    return render(
        request,
        "credentials/recognitions.jinja",
        {"page_title": "Recognise prior assessment", "items": items},
    )


@login_required
@require_POST
def recognition_confirm(request: HttpRequest, pk: int) -> HttpResponseBase:
    item = guards.recognition_or_deny(request, pk)
    try:
        services.recognition_confirm(
            ctx=AuditContext.from_request(request), membership=_membership(request), item=item
        )
    except ValidationError as error:
        messages.warning(request, " ".join(error.messages))
    else:
        messages.success(request, f"{item.competence_name} is signed off for {item.person.display_name}.")
    return redirect("credentials:recognitions")


# --- Issuer admins ----------------------------------------------------------------------------------------


@login_required
def issued(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    if not access.may(membership, "work_with_issuing"):
        deny(request, reason="Only organisation and alliance admins manage what their organisation issues.")
    return render(
        request,
        "credentials/issued.jinja",
        {
            "page_title": "Credentials issued",
            "credentials": list(selectors.issued_by_admin(membership)[:200]),
            "keys": list(selectors.issuer_keys_of(membership)),
        },
    )


@login_required
@require_POST
def rotate(request: HttpRequest) -> HttpResponseBase:
    membership = _membership(request)
    if membership is None or not access.may(membership, "work_with_issuing"):
        deny(request, reason="Only organisation and alliance admins rotate their issuer's key.")
    organisation = membership.organisation if membership.organisation_id else None
    alliance = membership.alliance if organisation is None else None
    key = services.issuer_key_rotate(
        ctx=AuditContext.from_request(request),
        membership=membership,
        organisation=organisation,
        alliance=alliance,
    )
    messages.success(
        request, f"New credentials are signed with a new key. Earlier ones still verify. ({key.did})"
    )
    return redirect("credentials:issued")


@login_required
def revoke(request: HttpRequest, identifier: uuid.UUID) -> HttpResponse | HttpResponseBase:
    credential = guards.credential_or_deny(request, identifier, "revoke_credential")
    form = forms.RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.credential_revoke(
                ctx=AuditContext.from_request(request),
                membership=_membership(request),
                credential=credential,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The credential is revoked: anyone who checks it now sees why.")
            return redirect("credentials:credential", identifier=identifier)
    return render(
        request,
        "credentials/revoke.jinja",
        {"page_title": "Revoke a credential", "credential": credential, "form": form},
    )

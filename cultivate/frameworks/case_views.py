"""CASE pages: importing a package (educators and organisation admins into their organisation, alliance admins into
their alliance) and downloading a framework version as a CASE 1.1 package (anyone who may see the framework)."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify

from cultivate.accounts.access import acting_membership
from cultivate.accounts.models import Membership, Role, User
from cultivate.core.access import deny
from cultivate.core.audit import AuditContext
from cultivate.organisations.models import Alliance, Organisation

from . import access, guards
from .case import presenters, selectors, services
from .case.forms import CaseImportForm, max_upload_mb
from .models import Framework


def _import_owner(membership: Membership | None) -> Organisation | Alliance | None:
    """Who a package imported by this role belongs to (its alliance for an alliance admin, else its
    organisation), or None when the role may not import there (access rule "import_framework")."""
    if membership is None:
        return None
    owner: Organisation | Alliance | None = (
        membership.alliance if membership.role == Role.ALLIANCE_ADMIN else membership.organisation
    )
    return owner if access.may(membership, "import_framework", owner) else None


def _may_import(membership: Membership | None) -> bool:
    return _import_owner(membership) is not None


def _may_export_drafts(membership: Membership | None, framework: Framework) -> bool:
    """Drafts are work in progress: only those who write the framework (or imported it for its owner)."""
    if access.may(membership, "author_framework", framework):
        return True
    owner = _import_owner(membership)
    return owner is not None and owner in (framework.owner_organisation, framework.owner_alliance)


@login_required
def case_import(request: HttpRequest) -> HttpResponse:
    membership = acting_membership(request)
    owner = _import_owner(membership)
    if owner is None:
        deny(request, reason="Only educators and admins may import frameworks.")
    user = request.user
    assert isinstance(user, User)
    form = CaseImportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["package"]
        outcome = services.case_import(
            data=upload.read(),
            actor=user,
            organisation=owner if isinstance(owner, Organisation) else None,
            alliance=owner if isinstance(owner, Alliance) else None,
            ctx=AuditContext.from_request(request),
            filename=upload.name or "",
        )
        report = presenters.import_report(outcome)
    return render(
        request,
        "frameworks/case_import.jinja",
        {
            "page_title": "Import a framework (CASE)",
            "form": form,
            "form_has_errors": bool(form.errors) or (report is not None and report.state == "rejected"),
            "owner": owner,
            "report": report,
            "max_upload_mb": max_upload_mb(),
            "exports": presenters.export_rows(list(selectors.visible_frameworks(membership))),
            "breadcrumbs": [{"text": "Home", "href": "/"}, {"text": "Frameworks", "href": "/frameworks/"}],
        },
    )


@login_required
def case_export(request: HttpRequest, identifier: uuid.UUID) -> HttpResponse:
    framework = guards.framework_or_deny(request, identifier, "view_framework")
    membership = acting_membership(request)
    requested = request.GET.get("version", "")
    if requested and not requested.isdigit():
        raise Http404("No such version.")
    version = selectors.version_to_export(
        framework,
        int(requested) if requested else None,
        include_drafts=_may_export_drafts(membership, framework),
    )
    if version is None:
        raise Http404("No version of this framework to export.")
    user = request.user
    package = services.case_export(
        version=version,
        actor=user if isinstance(user, User) else None,
        ctx=AuditContext.from_request(request),
    )
    response = HttpResponse(services.package_json(package), content_type="application/json; charset=utf-8")
    filename = f"{slugify(framework.title)[:80] or 'framework'}-v{version.number}.case.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

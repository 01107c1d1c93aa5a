"""CASE pages: importing a package (educators and organisation admins into their organisation, alliance admins into
their alliance) and downloading a framework version as a CASE 1.1 package (anyone who may see the framework)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify

from cultivate.accounts.access import acting_membership
from cultivate.accounts.models import Membership, Role, User
from cultivate.core.access import deny
from cultivate.core.audit import AuditContext
from cultivate.organisations.models import Alliance, Organisation

from . import access, guards
from . import presenters as framework_presenters
from . import selectors as framework_selectors
from . import services as framework_services
from .case import presenters, selectors, services
from .case.forms import CaseImportForm, max_upload_mb
from .models import Framework

# The import's warnings, kept in the session from the upload to the page that checks the draft.
WARNINGS_KEY = "frameworks-case-import-warnings"


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
        if outcome.version is not None and not outcome.unchanged and outcome.version.is_editable:
            # The draft is checked on a page of its own: what it holds, and what it changes.
            request.session[WARNINGS_KEY] = {"version": outcome.version.pk, "warnings": report.warnings}
            return redirect(
                "frameworks:import_review", outcome.version.framework.identifier, outcome.version.number
            )
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
def import_review(request: HttpRequest, identifier: uuid.UUID, number: int) -> HttpResponse:
    """An imported draft: its counts (new, changed, removed items and associations) and, for a new version of a
    framework already here, a table of the changes by CASE identifier; then one primary action, publish, and a
    secondary one, discard (which removes a new framework altogether)."""
    framework = guards.framework_or_deny(request, identifier, "settle_import")
    version = guards.version_or_deny(request, framework, number)
    version_href = reverse("frameworks:version", args=[framework.identifier, version.number])
    if not version.is_editable:
        messages.success(request, f"Version {version.number} is {version.get_status_display().lower()}.")
        return redirect(version_href)
    user = request.user
    assert isinstance(user, User)
    errors: list[str] = []
    if request.method == "POST":
        action = request.POST.get("action", "")
        ctx = AuditContext.from_request(request)
        try:
            if action == "publish":
                result = framework_services.version_publish(version=version, published_by=user, ctx=ctx)
                messages.success(
                    request,
                    f"{framework.title} version {version.number} is published. {result.carried_over} sign-offs "
                    f"carried over, {result.reassess} need reassessment.",
                )
                return redirect("frameworks:detail", framework.identifier)
            if action == "discard":
                if framework_services.import_discard(version=version, discarded_by=user, ctx=ctx):
                    messages.success(request, f"Import discarded: {framework.title} was removed.")
                    return redirect("frameworks:case_import")
                messages.success(
                    request,
                    f"Import discarded: draft version {version.number} was removed. "
                    "The published version is unchanged.",
                )
                return redirect("frameworks:detail", framework.identifier)
            errors = ["Choose to publish the import or to discard it"]
        except ValidationError as error:
            errors = error.messages
    kept = request.session.get(WARNINGS_KEY) or {}
    warnings = kept.get("warnings", []) if kept.get("version") == version.pk else []
    preview = framework_selectors.version_publish_preview(version=version)
    changes = framework_presenters.import_changes(preview, framework_selectors.association_count(version))
    return render(
        request,
        "frameworks/import_review.jinja",
        {
            "page_title": "Check the imported framework",
            "framework": framework,
            "version": version,
            "preview": preview,
            "previous_name": framework_presenters.version_name(preview.previous, in_sentence=True)
            if preview.previous
            else "",
            "changes": changes,
            "counts": framework_presenters.count_items(framework_selectors.version_items(version)),
            "warnings": warnings,
            "version_href": version_href,
            "errors": errors,
            "form_has_errors": bool(errors),
            "breadcrumbs": [
                {"text": "Home", "href": "/"},
                {"text": "Frameworks", "href": reverse("frameworks:list")},
                {"text": "Import a framework (CASE)", "href": reverse("frameworks:case_import")},
            ],
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

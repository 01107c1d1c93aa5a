"""Framework pages: the list, a framework and its versions, draft editing, publishing with the diff, retiring,
adoption, local competences, crosswalks, and an organisation's role requirements.

Every view checks `access` first; writes go through `services`, whose ValidationErrors are shown on the form."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cultivate.accounts.access import acting_membership as _membership
from cultivate.accounts.models import Membership, Role, User
from cultivate.core.access import deny
from cultivate.core.audit import AuditContext
from cultivate.core.forms import add_service_errors
from cultivate.organisations import selectors as org_selectors
from cultivate.organisations.models import Alliance, Organisation

from . import access, forms, guards, presenters, selectors, services
from .models import Competence, Framework, FrameworkSource, FrameworkVersion, NodeType, VersionStatus
from .selectors.references import framework_references

# The role requirements list shows this many rows a page (grouped by role and band within the page).
REQUIREMENTS_PAGE_SIZE = 50


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _has_errors(*forms_: Any) -> bool:
    return any(form is not None and bool(form.errors) for form in forms_)


def _breadcrumbs(
    framework: Framework | None = None, version: FrameworkVersion | None = None
) -> list[dict[str, str]]:
    crumbs = [{"text": "Home", "href": "/"}, {"text": "Frameworks", "href": reverse("frameworks:list")}]
    if framework is not None:
        crumbs.append(
            {"text": framework.title, "href": reverse("frameworks:detail", args=[framework.identifier])}
        )
    if framework is not None and version is not None:
        crumbs.append(
            {
                "text": presenters.version_name(version),
                "href": reverse("frameworks:version", args=[framework.identifier, version.number]),
            }
        )
    return crumbs


def _version_url(version: FrameworkVersion) -> str:
    return reverse("frameworks:version", args=[version.framework.identifier, version.number])


def _draft(
    request: HttpRequest, identifier: uuid.UUID, number: int
) -> tuple[Framework, FrameworkVersion] | HttpResponse:
    """The framework and its draft for an editing page, or a redirect to the version when it is not a draft
    (a published or retired version never changes)."""
    framework = guards.framework_or_deny(request, identifier, "author_framework")
    version = guards.version_or_deny(request, framework, number)
    if not version.is_editable:
        messages.success(
            request,
            f"{presenters.version_name(version)} is {version.get_status_display().lower()} and cannot change. "
            "Start a new draft to make changes.",
        )
        return redirect(_version_url(version))
    return framework, version


def _level_choices(framework: Framework) -> list[tuple[str, str]]:
    return [(level["code"], level["label"]) for level in framework.level_list]


# --- the list and a framework ---------------------------------------------------------------------------


def _new_framework_owner(membership: Membership | None) -> Organisation | Alliance | None:
    if membership is None:
        return None
    owner: Organisation | Alliance | None = (
        membership.alliance if membership.role == Role.ALLIANCE_ADMIN else membership.organisation
    )
    return owner if access.may(membership, "create_framework", owner) else None


@login_required
def framework_list(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    organisation = membership.organisation if membership is not None else None
    frameworks = list(selectors.frameworks_visible_to(membership))
    adopted = selectors.adopted_framework_ids(organisation)
    return render(
        request,
        "frameworks/list.jinja",
        {
            "page_title": "Competency frameworks",
            "sections": presenters.framework_sections(membership, frameworks, adopted),
            "may_create": _new_framework_owner(membership) is not None,
            "may_import": access.may(
                membership,
                "import_framework",
                membership.alliance
                if membership and membership.role == Role.ALLIANCE_ADMIN
                else organisation,
            ),
            "requirements_organisation": organisation
            if access.may(membership, "view_requirements", organisation)
            else None,
            "breadcrumbs": [{"text": "Home", "href": "/"}],
        },
    )


@login_required
def framework_create(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    owner = _new_framework_owner(membership)
    if owner is None:
        deny(request, reason="Only educators (for their organisation) and alliance admins create frameworks.")
    form = forms.FrameworkForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            framework = services.framework_create(
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                owner=owner,
                created_by=_user(request),
                ctx=AuditContext.from_request(request),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Framework created. Add domains and competences to its first draft.")
            return redirect("frameworks:version", framework.identifier, 1)
    return render(
        request,
        "frameworks/framework_form.jinja",
        {
            "page_title": "Create a framework",
            "form": form,
            "owner": owner,
            "form_has_errors": _has_errors(form),
            "cancel": reverse("frameworks:list"),
            "breadcrumbs": _breadcrumbs(),
        },
    )


@login_required
def framework_detail(request: HttpRequest, identifier: uuid.UUID) -> HttpResponse:
    framework = guards.framework_or_deny(request, identifier)
    membership = _membership(request)
    organisation = membership.organisation if membership is not None else None
    may_author = access.may(membership, "author_framework", framework)
    may_publish = access.may(membership, "publish_framework", framework)
    versions = selectors.versions_of(framework)
    shown_versions = [v for v in versions if v.status != VersionStatus.DRAFT or may_author or may_publish]
    published = next((v for v in versions if v.status == VersionStatus.PUBLISHED), None)
    draft = next((v for v in versions if v.status == VersionStatus.DRAFT), None)
    items = selectors.version_items(published) if published else []
    return render(
        request,
        "frameworks/detail.jinja",
        {
            "page_title": framework.title,
            "framework": framework,
            "owner": presenters.owner_label(framework),
            "kind": presenters.framework_kind(framework),
            "versions": [
                {"version": v, "name": presenters.version_name(v), "tag": presenters.version_tag(v)}
                for v in shown_versions
            ],
            "published": published,
            "draft": draft,
            "tree": presenters.tree(
                items, framework, selectors.crosswalks_of(published) if published else None
            ),
            "counts": presenters.count_items(items),
            "may_author": may_author,
            "may_publish": may_publish,
            "may_delete": access.may(membership, "delete_framework", framework),
            "may_adopt": access.may(membership, "adopt_framework", framework),
            "adoption": selectors.adoption_of(framework, organisation),
            "may_extend": access.may(membership, "extend_framework", framework),
            "extension": selectors.extension_of(framework, organisation),
            "extensions": selectors.extensions_visible_to(membership, framework),
            "organisation": organisation,
            "breadcrumbs": _breadcrumbs(),
        },
    )


@login_required
def framework_edit(request: HttpRequest, identifier: uuid.UUID) -> HttpResponse:
    framework = guards.framework_or_deny(request, identifier, "author_framework")
    form = forms.FrameworkForm(
        request.POST if request.method == "POST" else None,
        initial={"title": framework.title, "description": framework.description},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.framework_update(
                framework=framework,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                changed_by=_user(request),
                ctx=AuditContext.from_request(request),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Changes saved.")
            return redirect("frameworks:detail", framework.identifier)
    return render(
        request,
        "frameworks/framework_form.jinja",
        {
            "page_title": f"Change {framework.title}",
            "form": form,
            "framework": framework,
            "form_has_errors": _has_errors(form),
            "cancel": reverse("frameworks:detail", args=[framework.identifier]),
            "breadcrumbs": _breadcrumbs(framework),
        },
    )


@login_required
def framework_delete(request: HttpRequest, identifier: uuid.UUID) -> HttpResponse:
    """Delete a framework imported (or started) by mistake, while nothing refers to it; otherwise say what
    does."""
    framework = guards.framework_or_deny(request, identifier, "delete_framework")
    errors: list[str] = []
    if request.method == "POST":
        try:
            services.framework_delete(
                framework=framework, deleted_by=_user(request), ctx=AuditContext.from_request(request)
            )
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, f"{framework.title} was deleted.")
            return redirect("frameworks:list")
    references = framework_references(framework)
    return render(
        request,
        "frameworks/framework_delete.jinja",
        {
            "page_title": f"Delete {framework.title}",
            "framework": framework,
            "references": [reference.words for reference in references],
            "versions": selectors.versions_of(framework),
            "errors": errors,
            "form_has_errors": bool(errors),
            "cancel": reverse("frameworks:detail", args=[framework.identifier]),
            "breadcrumbs": _breadcrumbs(framework),
        },
    )


@login_required
def framework_levels(request: HttpRequest, identifier: uuid.UUID) -> HttpResponse:
    framework = guards.framework_or_deny(request, identifier, "author_framework")
    form = forms.LevelsForm(request.POST if request.method == "POST" else None, levels=framework.level_list)
    if request.method == "POST" and form.is_valid():
        try:
            services.framework_levels_set(
                framework=framework,
                levels=form.levels(),
                changed_by=_user(request),
                ctx=AuditContext.from_request(request),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Levels saved.")
            return redirect("frameworks:detail", framework.identifier)
    return render(
        request,
        "frameworks/levels_form.jinja",
        {
            "page_title": f"Levels of {framework.title}",
            "form": form,
            "framework": framework,
            "form_has_errors": _has_errors(form),
            "breadcrumbs": _breadcrumbs(framework),
        },
    )


# --- adoption and local competences ----------------------------------------------------------------------


@login_required
@require_POST
def adopt(request: HttpRequest, identifier: uuid.UUID) -> HttpResponse:
    framework = guards.framework_or_deny(request, identifier, "adopt_framework")
    membership = _membership(request)
    assert membership is not None and membership.organisation is not None
    try:
        services.adoption_create(
            framework=framework,
            organisation=membership.organisation,
            adopted_by=_user(request),
            ctx=AuditContext.from_request(request),
        )
    except ValidationError as error:
        messages.warning(request, " ".join(error.messages))
    else:
        messages.success(request, f"{membership.organisation.name} now uses {framework.title}.")
    return redirect("frameworks:detail", framework.identifier)


@login_required
@require_POST
def adoption_remove(request: HttpRequest, identifier: uuid.UUID) -> HttpResponse:
    framework = guards.framework_or_deny(request, identifier, "adopt_framework")
    membership = _membership(request)
    assert membership is not None
    adoption = selectors.adoption_of(framework, membership.organisation)
    if adoption is None:
        messages.success(request, "Your organisation does not use this framework.")
        return redirect("frameworks:detail", framework.identifier)
    try:
        services.adoption_remove(
            adoption=adoption, removed_by=_user(request), ctx=AuditContext.from_request(request)
        )
    except ValidationError as error:
        messages.warning(request, " ".join(error.messages))
    else:
        messages.success(request, f"{adoption.organisation.name} no longer uses {framework.title}.")
    return redirect("frameworks:detail", framework.identifier)


@login_required
@require_POST
def extend(request: HttpRequest, identifier: uuid.UUID) -> HttpResponse:
    framework = guards.framework_or_deny(request, identifier, "extend_framework")
    membership = _membership(request)
    assert membership is not None and membership.organisation is not None
    existing = selectors.extension_of(framework, membership.organisation)
    if existing is not None:
        return redirect("frameworks:detail", existing.identifier)
    try:
        extension = services.extension_create(
            framework=framework,
            organisation=membership.organisation,
            created_by=_user(request),
            ctx=AuditContext.from_request(request),
        )
    except ValidationError as error:
        messages.warning(request, " ".join(error.messages))
        return redirect("frameworks:detail", framework.identifier)
    messages.success(request, "Add your organisation's own competences to this draft, then publish it.")
    return redirect("frameworks:version", extension.identifier, 1)


# --- versions ---------------------------------------------------------------------------------------------


@login_required
@require_POST
def draft_create(request: HttpRequest, identifier: uuid.UUID) -> HttpResponse:
    framework = guards.framework_or_deny(request, identifier, "author_framework")
    try:
        draft = services.version_draft_create(
            framework=framework, created_by=_user(request), ctx=AuditContext.from_request(request)
        )
    except ValidationError as error:
        messages.warning(request, " ".join(error.messages))
        existing = selectors.draft_version(framework)
        if existing is not None:
            return redirect(_version_url(existing))
        return redirect("frameworks:detail", framework.identifier)
    messages.success(request, f"Draft version {draft.number} started as a copy of the current version.")
    return redirect(_version_url(draft))


@login_required
def version_detail(request: HttpRequest, identifier: uuid.UUID, number: int) -> HttpResponse:
    framework = guards.framework_or_deny(request, identifier)
    version = guards.version_or_deny(request, framework, number)
    membership = _membership(request)
    items = selectors.version_items(version)
    editing = version.is_editable and access.may(membership, "author_framework", framework)
    return render(
        request,
        "frameworks/version.jinja",
        {
            "page_title": f"{framework.title}: {presenters.version_name(version)}",
            "framework": framework,
            "version": version,
            "name": presenters.version_name(version),
            "tag": presenters.version_tag(version),
            "tree": presenters.tree(items, framework, selectors.crosswalks_of(version)),
            "counts": presenters.count_items(items),
            "editing": editing,
            "may_publish": version.is_editable and access.may(membership, "publish_framework", framework),
            "may_retire": version.status == VersionStatus.PUBLISHED
            and access.may(membership, "publish_framework", framework),
            "summary": version.change_summary or None,
            "breadcrumbs": _breadcrumbs(framework),
        },
    )


@login_required
def version_publish(request: HttpRequest, identifier: uuid.UUID, number: int) -> HttpResponse:
    framework = guards.framework_or_deny(request, identifier, "publish_framework")
    version = guards.version_or_deny(request, framework, number)
    if not version.is_editable:
        messages.success(request, f"{presenters.version_name(version)} is not a draft.")
        return redirect(_version_url(version))
    errors: list[str] = []
    if request.method == "POST":
        try:
            result = services.version_publish(
                version=version, published_by=_user(request), ctx=AuditContext.from_request(request)
            )
        except ValidationError as error:
            errors = error.messages
        else:
            moved = result.requirements_moving
            messages.success(
                request,
                f"{presenters.version_name(version)} is published. {result.carried_over} sign-offs carried over, "
                f"{result.reassess} need reassessment; {moved} role requirements now point at it.",
            )
            return redirect("frameworks:detail", framework.identifier)
    preview = selectors.version_publish_preview(version=version)
    return render(
        request,
        "frameworks/publish.jinja",
        {
            "page_title": f"Publish {presenters.version_name(version, in_sentence=True)}",
            "framework": framework,
            "version": version,
            "preview": preview,
            "previous_name": presenters.version_name(preview.previous, in_sentence=True)
            if preview.previous
            else "",
            "errors": errors,
            "form_has_errors": bool(errors),
            "breadcrumbs": _breadcrumbs(framework, version),
        },
    )


@login_required
def version_retire(request: HttpRequest, identifier: uuid.UUID, number: int) -> HttpResponse:
    framework = guards.framework_or_deny(request, identifier, "publish_framework")
    version = guards.version_or_deny(request, framework, number)
    errors: list[str] = []
    if request.method == "POST":
        try:
            services.version_retire(
                version=version, retired_by=_user(request), ctx=AuditContext.from_request(request)
            )
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, f"{presenters.version_name(version)} is retired.")
            return redirect("frameworks:detail", framework.identifier)
    return render(
        request,
        "frameworks/confirm.jinja",
        {
            "page_title": f"Retire {presenters.version_name(version, in_sentence=True)}",
            "lead": (
                f"{framework.title} will have no published version. Its competences drop out of role "
                "requirements and competence status until you publish a new version. Past sign-offs are kept."
            ),
            "button_text": "Retire this version",
            "warning": True,
            "errors": errors,
            "form_has_errors": bool(errors),
            "cancel": _version_url(version),
            "breadcrumbs": _breadcrumbs(framework, version),
        },
    )


@login_required
def draft_discard(request: HttpRequest, identifier: uuid.UUID, number: int) -> HttpResponse:
    found = _draft(request, identifier, number)
    if isinstance(found, HttpResponse):
        return found
    framework, version = found
    errors: list[str] = []
    if request.method == "POST":
        try:
            if framework.source == FrameworkSource.CASE:
                # An imported framework whose only version this is goes with it (nothing else was kept).
                removed = services.import_discard(
                    version=version, discarded_by=_user(request), ctx=AuditContext.from_request(request)
                )
            else:
                services.version_draft_delete(
                    version=version, deleted_by=_user(request), ctx=AuditContext.from_request(request)
                )
                removed = False
        except ValidationError as error:
            errors = error.messages
        else:
            if removed:
                messages.success(request, f"Draft discarded: {framework.title} was removed.")
                return redirect("frameworks:list")
            messages.success(request, f"Draft version {version.number} discarded.")
            return redirect("frameworks:detail", framework.identifier)
    return render(
        request,
        "frameworks/confirm.jinja",
        {
            "page_title": f"Discard draft version {version.number}",
            "lead": "Every change made in this draft will be lost. Published versions are not affected.",
            "button_text": "Discard the draft",
            "warning": True,
            "errors": errors,
            "form_has_errors": bool(errors),
            "cancel": _version_url(version),
            "breadcrumbs": _breadcrumbs(framework, version),
        },
    )


# --- items of a draft ----------------------------------------------------------------------------------


@login_required
def item_create(request: HttpRequest, identifier: uuid.UUID, number: int) -> HttpResponse:
    found = _draft(request, identifier, number)
    if isinstance(found, HttpResponse):
        return found
    framework, version = found
    is_domain = request.GET.get("type") == NodeType.DOMAIN
    domains = selectors.domains_of(version)
    form = forms.ItemForm(
        request.POST if request.method == "POST" else None,
        is_domain=is_domain,
        levels=_level_choices(framework),
        parents=presenters.parent_choices(domains),
        initial={"parent": request.GET.get("parent", "")},
    )
    if request.method == "POST" and form.is_valid():
        parent_pk = form.cleaned_data.get("parent")
        parent = next((d for d, _ in domains if str(d.pk) == parent_pk), None) if parent_pk else None
        try:
            item = services.competence_create(
                version=version,
                parent=parent,
                node_type=NodeType.DOMAIN if is_domain else NodeType.COMPETENCE,
                created_by=_user(request),
                ctx=AuditContext.from_request(request),
                **form.item_fields(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{'Domain' if is_domain else 'Competence'} added: {item.label}.")
            return redirect(_version_url(version) + f"#item-{item.identifier}")
    noun = "domain" if is_domain else "competence"
    return render(
        request,
        "frameworks/item_form.jinja",
        {
            "page_title": f"Add a {noun}",
            "form": form,
            "framework": framework,
            "version": version,
            "is_domain": is_domain,
            "button_text": f"Add {noun}",
            "form_has_errors": _has_errors(form),
            "breadcrumbs": _breadcrumbs(framework, version),
        },
    )


@login_required
def item_edit(request: HttpRequest, identifier: uuid.UUID, number: int, pk: int) -> HttpResponse:
    found = _draft(request, identifier, number)
    if isinstance(found, HttpResponse):
        return found
    framework, version = found
    item = guards.item_or_deny(request, version, pk)
    is_domain = item.node_type == NodeType.DOMAIN
    form = forms.ItemForm(
        request.POST if request.method == "POST" else None,
        is_domain=is_domain,
        levels=_level_choices(framework),
        initial={
            "code": item.code,
            "title": item.title,
            "short_title": item.short_title,
            "description": item.description,
            "kind": item.kind,
            "levels": item.levels,
            "assessed_in_practice": item.assessed_in_practice,
            "evidence_kinds": item.evidence_kinds,
            "reassess_months": item.reassess_months,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.competence_update(
                competence=item,
                changed_by=_user(request),
                ctx=AuditContext.from_request(request),
                **form.item_fields(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Changes saved.")
            return redirect(_version_url(version) + f"#item-{item.identifier}")
    return render(
        request,
        "frameworks/item_form.jinja",
        {
            "page_title": f"Change {'domain' if is_domain else 'competence'} {item.code}".strip(),
            "form": form,
            "framework": framework,
            "version": version,
            "item": item,
            "is_domain": is_domain,
            "button_text": "Save changes",
            "form_has_errors": _has_errors(form),
            "breadcrumbs": _breadcrumbs(framework, version),
        },
    )


@login_required
def item_move(request: HttpRequest, identifier: uuid.UUID, number: int, pk: int) -> HttpResponse:
    found = _draft(request, identifier, number)
    if isinstance(found, HttpResponse):
        return found
    framework, version = found
    item = guards.item_or_deny(request, version, pk)
    direction = request.POST.get("direction") if request.method == "POST" else None
    if direction in {"up", "down"}:
        services.competence_shift(
            competence=item,
            offset=-1 if direction == "up" else 1,
            moved_by=_user(request),
            ctx=AuditContext.from_request(request),
        )
        return redirect(_version_url(version) + f"#item-{item.identifier}")
    domains = selectors.domains_of(version)
    below = {d.pk for d, _ in domains if _is_below(d, item, domains)}
    form = forms.MoveForm(
        request.POST if request.method == "POST" else None,
        parents=presenters.parent_choices(domains, exclude={item.pk, *below}),
        initial={"parent": str(item.parent_id or "")},
    )
    if request.method == "POST" and form.is_valid():
        parent_pk = form.cleaned_data["parent"]
        parent = next((d for d, _ in domains if str(d.pk) == parent_pk), None) if parent_pk else None
        try:
            services.competence_move(
                competence=item,
                parent=parent,
                position=form.cleaned_data.get("position"),
                moved_by=_user(request),
                ctx=AuditContext.from_request(request),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Moved {item.label}.")
            return redirect(_version_url(version) + f"#item-{item.identifier}")
    return render(
        request,
        "frameworks/item_move.jinja",
        {
            "page_title": f"Move {item.code or item.label}",
            "form": form,
            "item": item,
            "framework": framework,
            "version": version,
            "form_has_errors": _has_errors(form),
            "breadcrumbs": _breadcrumbs(framework, version),
        },
    )


def _is_below(domain: Competence, item: Competence, domains: list[tuple[Competence, int]]) -> bool:
    """Whether `domain` sits somewhere inside `item` (so `item` cannot move into it)."""
    parents = {d.pk: d.parent_id for d, _ in domains}
    current: int | None = domain.parent_id
    while current is not None:
        if current == item.pk:
            return True
        current = parents.get(current)
    return False


@login_required
def item_delete(request: HttpRequest, identifier: uuid.UUID, number: int, pk: int) -> HttpResponse:
    found = _draft(request, identifier, number)
    if isinstance(found, HttpResponse):
        return found
    framework, version = found
    item = guards.item_or_deny(request, version, pk)
    errors: list[str] = []
    if request.method == "POST":
        try:
            removed = services.competence_delete(
                competence=item, deleted_by=_user(request), ctx=AuditContext.from_request(request)
            )
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(
                request,
                f"Deleted {item.label}" + (f" and {removed - 1} items in it." if removed > 1 else "."),
            )
            return redirect(_version_url(version))
    is_domain = item.node_type == NodeType.DOMAIN
    return render(
        request,
        "frameworks/confirm.jinja",
        {
            "page_title": f"Delete {'domain' if is_domain else 'competence'} {item.code or item.label}",
            "lead": (
                "The domain and everything in it will be removed from this draft."
                if is_domain
                else "The competence will be removed from this draft."
            )
            + " Published versions keep it; when this draft is published, sign-offs for it stop counting.",
            "button_text": "Delete",
            "warning": True,
            "errors": errors,
            "form_has_errors": bool(errors),
            "cancel": _version_url(version) + f"#item-{item.identifier}",
            "breadcrumbs": _breadcrumbs(framework, version),
        },
    )


# --- crosswalks ------------------------------------------------------------------------------------------


@login_required
def item_crosswalks(request: HttpRequest, identifier: uuid.UUID, number: int, pk: int) -> HttpResponse:
    found = _draft(request, identifier, number)
    if isinstance(found, HttpResponse):
        return found
    framework, version = found
    item = guards.item_or_deny(request, version, pk)
    membership = _membership(request)
    targets = selectors.crosswalk_target_frameworks(membership, framework)
    target_form = forms.CrosswalkTargetForm(
        request.GET if "target" in request.GET else None,
        frameworks=[(str(f.identifier), f.title) for f in targets],
    )
    target = None
    if target_form.is_bound and target_form.is_valid():
        chosen = target_form.cleaned_data["target"]
        target = next((f for f in targets if str(f.identifier) == chosen), None)
    form = None
    if target is not None:
        destinations = selectors.published_competences(target)
        form = forms.CrosswalkForm(
            request.POST if request.method == "POST" else None,
            destinations=[
                (d.pk, f"{'– ' * depth}{d.code} {d.label}".strip())
                for d, depth in destinations
                if d.node_type == NodeType.COMPETENCE
            ],
        )
        if request.method == "POST" and form.is_valid():
            destination = selectors.published_item(target, form.cleaned_data["destination"])
            if destination is None:
                form.add_error("destination", "Choose an item from the list.")
            else:
                try:
                    services.crosswalk_add(
                        origin=item,
                        destination=destination,
                        association_type=form.cleaned_data["association_type"],
                        created_by=_user(request),
                        ctx=AuditContext.from_request(request),
                    )
                except ValidationError as error:
                    add_service_errors(form, error)
                else:
                    messages.success(
                        request, f"Mapped {item.label} to {destination.code} {destination.label}."
                    )
                    return redirect(reverse("frameworks:item_crosswalks", args=[identifier, number, pk]))
    links = selectors.crosswalks_of(version).get(item.pk, [])
    return render(
        request,
        "frameworks/crosswalks.jinja",
        {
            "page_title": f"Crosswalks of {item.label}",
            "framework": framework,
            "version": version,
            "item": item,
            "links": presenters.crosswalk_rows(links),
            "target_form": target_form,
            "target": target,
            "form": form,
            "form_has_errors": _has_errors(form, target_form),
            "breadcrumbs": _breadcrumbs(framework, version),
        },
    )


@login_required
@require_POST
def crosswalk_remove(request: HttpRequest, identifier: uuid.UUID, number: int, pk: int) -> HttpResponse:
    found = _draft(request, identifier, number)
    if isinstance(found, HttpResponse):
        return found
    framework, version = found
    link = selectors.crosswalk_by_id(version, pk)
    if link is None:
        deny(request, reason=f"No crosswalk {pk} in this draft.", obj=framework, hide_existence=True)
    origin_pk = link.origin_id
    services.crosswalk_remove(
        association=link, removed_by=_user(request), ctx=AuditContext.from_request(request)
    )
    messages.success(request, "Crosswalk removed.")
    if origin_pk is not None:
        return redirect(reverse("frameworks:item_crosswalks", args=[identifier, number, origin_pk]))
    return redirect(_version_url(version))


# --- role requirements ------------------------------------------------------------------------------------


def _requirement_crumbs(organisation: Organisation) -> list[dict[str, str]]:
    return [
        {"text": "Home", "href": "/"},
        {"text": "Frameworks", "href": reverse("frameworks:list")},
        {
            "text": "Role requirements",
            "href": reverse("frameworks:requirements", args=[organisation.ods_code]),
        },
    ]


@login_required
def requirements(request: HttpRequest, ods_code: str) -> HttpResponse:
    organisation = guards.organisation_or_deny(request, ods_code, "view_requirements")
    membership = _membership(request)
    roles, bands, frameworks, domains = selectors.requirement_filter_choices(organisation)
    form = forms.RequirementFilterForm(
        request.GET or None, roles=roles, bands=bands, frameworks=frameworks, domains=domains
    )
    filters = selectors.RequirementFilters(**form.filters())
    paginator = Paginator(selectors.role_requirements_filtered(organisation, filters), REQUIREMENTS_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "frameworks/requirements.jinja",
        {
            "page_title": f"Role requirements – {organisation.name}",
            "organisation": organisation,
            "form": form,
            "page": page,
            "count": paginator.count,
            "filtered": any(request.GET.get(name) for name in ("role", "band", "framework", "domain")),
            "any_requirements": bool(roles),
            "groups": presenters.requirement_groups(page.object_list),
            "may_manage": access.may(membership, "manage_requirements", organisation),
            "breadcrumbs": [
                {"text": "Home", "href": "/"},
                {"text": "Frameworks", "href": reverse("frameworks:list")},
            ],
        },
    )


@login_required
def requirement_create(request: HttpRequest, ods_code: str) -> HttpResponse:
    organisation = guards.organisation_or_deny(request, ods_code, "manage_requirements")
    usable = selectors.frameworks_usable_by(organisation)
    framework_form = forms.RequirementFrameworkForm(
        request.GET if "framework" in request.GET else None,
        frameworks=[(str(f.identifier), f.title) for f in usable],
    )
    framework = None
    if framework_form.is_bound and framework_form.is_valid():
        framework = next(
            (f for f in usable if str(f.identifier) == framework_form.cleaned_data["framework"]), None
        )
    form = None
    if framework is not None:
        items = selectors.published_competences(framework)
        form = forms.RequirementForm(
            request.POST if request.method == "POST" else None,
            roles=[(r.pk, r.name) for r in org_selectors.support_roles()],
            competences=[
                ("all:0", f"All competences in {framework.title}"),
                *presenters.competence_choices(items, domains_as_all=True),
            ],
            levels=_level_choices(framework),
        )
        if request.method == "POST" and form.is_valid():
            response = _save_requirement(request, organisation, framework, form)
            if response is not None:
                return response
    return render(
        request,
        "frameworks/requirement_form.jinja",
        {
            "page_title": "Add a role requirement",
            "organisation": organisation,
            "framework_form": framework_form,
            "framework": framework,
            "form": form,
            "usable": usable,
            "form_has_errors": _has_errors(form, framework_form),
            "breadcrumbs": _requirement_crumbs(organisation),
        },
    )


def _save_requirement(
    request: HttpRequest, organisation: Organisation, framework: Framework, form: forms.RequirementForm
) -> HttpResponse | None:
    """Add the requirement for every role ticked, in one transaction."""
    data = form.cleaned_data
    roles = [org_selectors.support_role(pk) for pk in data["roles"]]
    chosen = [role for role in roles if role is not None]
    if len(chosen) != len(roles):
        form.add_error("roles", "Choose roles from the list.")
        return None
    kind, pk = form.target()
    item = selectors.published_item(framework, pk)
    if item is None and kind != "all":
        form.add_error("competence", "Choose a competence from the list.")
        return None
    target: Competence | Framework = framework if kind == "all" or item is None else item
    try:
        result = services.role_requirements_add(
            organisation=organisation,
            roles=chosen,
            target=target,
            afc_band=data["afc_band"],
            min_level=data["min_level"],
            within_days=data["within_days"],
            starts_on=data["starts_on"],
            grace_days=data["grace_days"],
            created_by=_user(request),
            ctx=AuditContext.from_request(request),
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return None
    what = framework.title if isinstance(target, Framework) else target.label
    _report_many(request, result, what)
    return redirect("frameworks:requirements", organisation.ods_code)


def _report_many(request: HttpRequest, result: services.RolesRequirements, what: str) -> None:
    skipped = result.already_required + result.not_at_level
    left_out = f"; {skipped} left out (already required, or not assessed at that level)." if skipped else "."
    roles = (
        ", ".join(result.roles[:-1]) + f" and {result.roles[-1]}"
        if len(result.roles) > 1
        else result.roles[0]
    )
    count = len(result.added)
    messages.success(
        request,
        f"{what} is now required of {roles}: {count} requirement{'' if count == 1 else 's'} added{left_out}",
    )


@login_required
def requirement_edit(request: HttpRequest, ods_code: str, pk: int) -> HttpResponse:
    organisation = guards.organisation_or_deny(request, ods_code, "manage_requirements")
    requirement = selectors.role_requirement_by_id(organisation, pk)
    if requirement is None:
        deny(
            request,
            reason=f"No requirement {pk} in {organisation.ods_code}.",
            obj=organisation,
            hide_existence=True,
        )
    framework = requirement.competence.framework
    form = forms.RequirementEditForm(
        request.POST if request.method == "POST" else None,
        levels=_level_choices(framework),
        initial={
            "min_level": requirement.min_level,
            "within_days": requirement.within_days,
            "starts_on": requirement.starts_on,
            "grace_days": requirement.grace_days,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.role_requirement_update(
                requirement=requirement,
                min_level=form.cleaned_data["min_level"],
                within_days=form.cleaned_data["within_days"],
                starts_on=form.cleaned_data["starts_on"],
                grace_days=form.cleaned_data["grace_days"],
                changed_by=_user(request),
                ctx=AuditContext.from_request(request),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Requirement saved.")
            return redirect("frameworks:requirements", organisation.ods_code)
    return render(
        request,
        "frameworks/requirement_edit.jinja",
        {
            "page_title": f"Change requirement: {requirement.competence.label}",
            "organisation": organisation,
            "requirement": requirement,
            "form": form,
            "form_has_errors": _has_errors(form),
            "breadcrumbs": _requirement_crumbs(organisation),
        },
    )


@login_required
def requirement_delete(request: HttpRequest, ods_code: str, pk: int) -> HttpResponse:
    organisation = guards.organisation_or_deny(request, ods_code, "manage_requirements")
    requirement = selectors.role_requirement_by_id(organisation, pk)
    if requirement is None:
        deny(
            request,
            reason=f"No requirement {pk} in {organisation.ods_code}.",
            obj=organisation,
            hide_existence=True,
        )
    if request.method == "POST":
        services.role_requirement_delete(
            requirement=requirement, deleted_by=_user(request), ctx=AuditContext.from_request(request)
        )
        messages.success(
            request, f"{requirement.competence.label} is no longer required of {requirement.role.name}."
        )
        return redirect("frameworks:requirements", organisation.ods_code)
    band = f" (band {requirement.afc_band})" if requirement.afc_band else ""
    return render(
        request,
        "frameworks/confirm.jinja",
        {
            "page_title": f"Remove requirement: {requirement.competence.label}",
            "lead": f"{requirement.role.name}{band} will no longer need {requirement.competence.label}. "
            "Sign-offs already given are kept.",
            "button_text": "Remove requirement",
            "warning": True,
            "errors": [],
            "cancel": reverse("frameworks:requirements", args=[organisation.ods_code]),
            "breadcrumbs": _requirement_crumbs(organisation),
        },
    )

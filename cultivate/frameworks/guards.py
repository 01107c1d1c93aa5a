"""The frameworks app's objects fetched for the acting role, or refused: each is one call of
`core.access.object_or_deny` with this app's scopes (selectors over `for_membership`) and rules (`access`)."""

from __future__ import annotations

import uuid

from django.http import HttpRequest

from cultivate.accounts.access import acting_membership
from cultivate.core.access import deny, object_or_deny
from cultivate.organisations import selectors as org_selectors
from cultivate.organisations.models import Organisation

from . import access, selectors
from .models import Competence, Framework, FrameworkVersion, VersionStatus


def framework_or_deny(
    request: HttpRequest, identifier: uuid.UUID, action: str = "view_framework"
) -> Framework:
    """The framework if the role may do `action` with it: 404 when it may not see it (another
    organisation's), 403 when it may see it but not do `action`."""
    source = selectors.frameworks_visible_to
    key = {"identifier": identifier}
    return object_or_deny(request, source, key, what="framework", may=access.may, action=action)


def organisation_or_deny(request: HttpRequest, ods_code: str, action: str) -> Organisation:
    """The organisation for a requirements page: 404 outside what the role may see (`view_requirements` is
    `organisation_scope`), 403 inside it when the role may not do `action`."""
    source = org_selectors.organisations_visible_to
    code = {"ods_code": ods_code.upper()}
    return object_or_deny(request, source, code, what="organisation", may=access.may, action=action)


def version_or_deny(request: HttpRequest, framework: Framework, number: int) -> FrameworkVersion:
    """A version of a framework the role may see; a draft only for those who may write or publish it."""
    version = object_or_deny(
        request,
        selectors.versions_of_framework(framework),
        {"number": number},
        what="version",
        within=framework,
    )
    if version.status == VersionStatus.DRAFT:
        membership = acting_membership(request)
        if not (
            access.may(membership, "author_framework", framework)
            or access.may(membership, "publish_framework", framework)
            or access.may(membership, "settle_import", framework)
        ):
            deny(request, reason="Drafts are for the framework's authors.", obj=framework)
    return version


def item_or_deny(request: HttpRequest, version: FrameworkVersion, pk: int) -> Competence:
    return object_or_deny(
        request, selectors.items_of(version), {"pk": pk}, what="item", within=version.framework
    )

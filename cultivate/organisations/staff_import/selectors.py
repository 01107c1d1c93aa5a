"""Reads of staff import records, scoped by the acting membership: only the organisation's admins see them."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from cultivate.accounts.models import Membership

from .. import access
from ..models import Organisation, StaffImport

RECENT = 10


def recent_imports(membership: Membership | None, organisation: Organisation) -> QuerySet[StaffImport]:
    if not access.may(membership, "import_staff", organisation):
        return StaffImport.objects.none()
    return StaffImport.objects.filter(organisation=organisation).select_related("started_by")[:RECENT]


def imports_of(organisation: Organisation) -> QuerySet[StaffImport]:
    """Every staff import of an organisation the caller was allowed (the guard fetches one by id from here)."""
    return StaffImport.objects.filter(organisation=organisation).select_related("organisation", "started_by")


def failed_imports(membership: Membership | None, organisation: Organisation) -> QuerySet[StaffImport]:
    """The organisation's imports that failed or were rejected since its last successful one: what an admin
    still has to put right (none for a role that may not import)."""
    from ..models import StaffImportStatus

    if not access.may(membership, "import_staff", organisation):
        return StaffImport.objects.none()
    imports = StaffImport.objects.filter(organisation=organisation)
    later_success = imports.filter(status=StaffImportStatus.SUCCEEDED, created_at__gt=OuterRef("created_at"))
    # A subquery, so counting them is one query.
    return (
        imports.filter(status__in=[StaffImportStatus.FAILED, StaffImportStatus.REJECTED])
        .exclude(Exists(later_success))
        .order_by("-created_at", "-pk")
    )

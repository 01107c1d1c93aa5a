"""Reads of staff import records, scoped by the acting membership: only the organisation's admins see them."""

from __future__ import annotations

from django.db.models import QuerySet

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

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


def staff_import_by_id(pk: int) -> StaffImport | None:
    """The import, whether or not visible; callers check access and audit refusals."""
    return StaffImport.objects.select_related("organisation", "started_by").filter(pk=pk).first()

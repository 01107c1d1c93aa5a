from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import AuditEvent


class ReadOnlyAdminMixin:
    """For records whose changes must be audited: they are changed through the service, never in Django admin."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[AuditEvent]):
    """Audit rows cannot be added, changed or deleted, in admin or anywhere else."""

    list_display = ["at", "actor_email", "actor_role", "action", "object_repr", "organisation", "ip_address"]
    list_filter = ["action", "organisation"]
    search_fields = ["actor_email", "object_repr"]
    date_hierarchy = "at"

from __future__ import annotations

from django.contrib import admin

from cultivate.core.admin import ReadOnlyAdminMixin

from .models import ApiToken, Membership, User


class MembershipInline(ReadOnlyAdminMixin, admin.TabularInline[Membership, User]):
    model = Membership
    fk_name = "user"
    extra = 0
    filter_horizontal = ["teams"]


@admin.register(User)
class UserAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[User]):
    list_display = ["email", "full_name", "is_active", "is_staff"]
    search_fields = ["email", "full_name"]
    exclude = ["password", "user_permissions", "groups"]
    readonly_fields = ["last_login", "date_joined"]
    inlines = [MembershipInline]


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[ApiToken]):
    list_display = ["name", "user", "prefix", "created_at", "expires_at", "revoked_at"]
    readonly_fields = ["token_hash", "prefix", "created_at", "last_used_at"]

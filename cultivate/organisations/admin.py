from __future__ import annotations

from django.contrib import admin

from cultivate.core.admin import ReadOnlyAdminMixin

from .models import Alliance, EmploymentSpell, JobTitle, Organisation, Person, Site, SupportRole, Team

admin.site.register([Alliance, Site, SupportRole])


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin[Organisation]):
    list_display = ["name", "ods_code", "kind", "alliance"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin[Team]):
    list_display = ["name", "organisation", "setting", "site"]
    list_filter = ["organisation", "setting"]


@admin.register(JobTitle)
class JobTitleAdmin(admin.ModelAdmin[JobTitle]):
    list_display = ["title", "role", "organisation"]
    search_fields = ["title"]


class SpellInline(ReadOnlyAdminMixin, admin.TabularInline[EmploymentSpell, Person]):
    model = EmploymentSpell
    fk_name = "person"
    extra = 0
    raw_id_fields = ["line_manager", "team"]


@admin.register(Person)
class PersonAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Person]):
    list_display = ["staff_id", "given_name", "family_name", "organisation"]
    list_filter = ["organisation"]
    search_fields = ["staff_id", "given_name", "family_name"]
    inlines = [SpellInline]

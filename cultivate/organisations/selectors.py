"""Reads for organisations and people. Each selector takes the acting Membership and returns only what its
access rules allow; views never query models themselves."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from cultivate.accounts.models import Membership

from .models import EmploymentSpell, Organisation, Person, SpellQuerySet, SupportRole, Team

STAFF_PAGE_SIZE = 50


def organisations_visible_to(membership: Membership | None) -> QuerySet[Organisation]:
    return Organisation.objects.for_membership(membership).select_related("alliance")


def teams_visible_to(membership: Membership | None) -> QuerySet[Team]:
    return Team.objects.for_membership(membership).select_related("organisation", "site")


def teams_of(organisation: Organisation) -> QuerySet[Team]:
    return Team.objects.filter(organisation=organisation).select_related("site")


def support_roles() -> QuerySet[SupportRole]:
    return SupportRole.objects.all()


def _current_spells(day: dt.date) -> Prefetch[str, SpellQuerySet, str]:
    return Prefetch(
        "spells",
        queryset=EmploymentSpell.objects.active_on(day)
        .select_related("team", "role")
        .order_by("-start_date"),
        to_attr="current_spells",
    )


def people_visible_to(membership: Membership | None) -> QuerySet[Person]:
    return Person.objects.for_membership(membership).select_related("organisation")


@dataclass(frozen=True)
class StaffFilters:
    q: str = ""
    team: int | None = None
    band: str = ""
    role: int | None = None
    status: str = "current"  # current | left | all
    sort: str = ""  # "" (family name) | given | staff_id | newest


def staff_list(
    membership: Membership, organisation: Organisation, filters: StaffFilters, page: int = 1
) -> Page[Person]:
    today = timezone.localdate()
    qs = _filter_people(people_visible_to(membership).filter(organisation=organisation), filters, today)
    qs = qs.order_by(*STAFF_ORDER.get(filters.sort, STAFF_ORDER[""])).prefetch_related(_current_spells(today))
    return Paginator(qs, STAFF_PAGE_SIZE).get_page(page)


# The staff list's orders, each ending in the primary key so that paging is stable.
STAFF_ORDER = {
    "": ("family_name", "given_name", "staff_id", "pk"),
    "given": ("given_name", "family_name", "staff_id", "pk"),
    "staff_id": ("staff_id", "pk"),
    "newest": ("-created_at", "-pk"),
}


def team_members(membership: Membership, team: Team, *, support_only: bool = False) -> list[Person]:
    """People in post in the team today; with `support_only`, only those whose post there is a support role
    (the people an assessor assesses, not the registered staff beside them)."""
    today = timezone.localdate()
    in_team = EmploymentSpell.objects.active_on(today).filter(person=OuterRef("pk"), team=team)
    if support_only:
        in_team = in_team.filter(role__isnull=False)
    return list(
        people_visible_to(membership)
        .filter(Exists(in_team))
        .order_by("family_name", "given_name")
        .prefetch_related(_current_spells(today))
    )


def managed_people(membership: Membership) -> list[Person]:
    """People whose current spell names this line manager, outside the teams already listed."""
    person_id = membership.user.person_id
    if not person_id:
        return []
    today = timezone.localdate()
    managed = EmploymentSpell.objects.active_on(today).filter(
        person=OuterRef("pk"), line_manager_id=person_id
    )
    return list(
        people_visible_to(membership)
        .filter(Exists(managed))
        .order_by("family_name", "given_name")
        .prefetch_related(_current_spells(today))
    )


def employment_history(person: Person) -> list[EmploymentSpell]:
    return list(
        EmploymentSpell.objects.filter(person=person)
        .select_related("team", "role", "line_manager")
        .order_by("-start_date", "-pk")
    )


@dataclass(frozen=True)
class OrganisationSummary:
    headcount: int
    fte: float
    teams: int
    sites: int
    by_band: list[tuple[str, int]]
    by_team: list[tuple[str, str, int]]  # team name, setting label, headcount


def organisation_summary(organisation: Organisation) -> OrganisationSummary:
    """Aggregate figures only (no individual is identifiable from them once small counts are suppressed)."""
    from django.db.models import Count, Sum

    from .models import AfcBand, ContractType, TeamSetting

    today = timezone.localdate()
    active = (
        EmploymentSpell.objects.active_on(today)
        .filter(person__organisation=organisation)
        .exclude(contract_type=ContractType.BANK)
    )
    totals = active.aggregate(people=Count("person", distinct=True), fte=Sum("fte"))
    bands = dict(active.values_list("afc_band").annotate(n=Count("person", distinct=True)))
    band_labels = dict(AfcBand.choices)
    by_band = [(band_labels[b], bands[b]) for b, _ in AfcBand.choices if b in bands]
    settings_labels = dict(TeamSetting.choices)
    by_team = [
        (name, settings_labels.get(setting, setting), n)
        for name, setting, n in active.filter(team__isnull=False)
        .values_list("team__name", "team__setting")
        .annotate(n=Count("person", distinct=True))
        .order_by("team__name")
    ]
    return OrganisationSummary(
        headcount=totals["people"] or 0,
        fte=float(totals["fte"] or 0),
        teams=Team.objects.filter(organisation=organisation).count(),
        sites=organisation.sites.count(),
        by_band=by_band,
        by_team=by_team,
    )


def organisation_headcounts(organisations: QuerySet[Organisation]) -> dict[int, int]:
    from django.db.models import Count

    from .models import ContractType

    today = timezone.localdate()
    return dict(
        EmploymentSpell.objects.active_on(today)
        .filter(person__organisation__in=organisations)
        .exclude(contract_type=ContractType.BANK)
        .values_list("person__organisation")
        .annotate(n=Count("person", distinct=True))
    )


# Reads for the JSON API (organisations/api.py).


def _filter_people(qs: QuerySet[Person], filters: StaffFilters, today: dt.date) -> QuerySet[Person]:
    """The staff list's filters: name or staff ID terms, in post or left, and the current (or, for leavers,
    any past) post's team, band and role."""
    for term in filters.q.split():
        qs = qs.filter(
            Q(given_name__icontains=term) | Q(family_name__icontains=term) | Q(staff_id__iexact=term)
        )
    active = EmploymentSpell.objects.active_on(today).filter(person=OuterRef("pk"))
    if filters.status == "current":
        qs = qs.filter(Exists(active))
    elif filters.status == "left":
        qs = qs.filter(~Exists(active))
    spell_filter = Q()
    if filters.team:
        spell_filter &= Q(team_id=filters.team)
    if filters.band:
        spell_filter &= Q(afc_band=filters.band)
    if filters.role:
        spell_filter &= Q(role_id=filters.role)
    if spell_filter:
        candidate = EmploymentSpell.objects.filter(person=OuterRef("pk")).filter(spell_filter)
        candidate = candidate.active_on(today) if filters.status == "current" else candidate
        qs = qs.filter(Exists(candidate))
    return qs


def people_matching(
    membership: Membership | None, filters: StaffFilters, organisation_code: str = ""
) -> QuerySet[Person]:
    """People visible to the membership across its whole scope (optionally one organisation), filtered as the
    staff list filters them, in a stable order for paging, with organisation and current posts loaded."""
    today = timezone.localdate()
    qs = people_visible_to(membership).select_related("organisation")
    if organisation_code:
        qs = qs.filter(organisation__ods_code=organisation_code.upper())
    qs = _filter_people(qs, filters, today)
    return qs.order_by("family_name", "given_name", "staff_id", "pk").prefetch_related(_current_spells(today))


def people_with_current_posts(membership: Membership | None) -> QuerySet[Person]:
    """The people this membership may see, with organisation and current posts loaded."""
    return people_visible_to(membership).prefetch_related(_current_spells(timezone.localdate()))


def spells_visible_to(membership: Membership | None) -> QuerySet[EmploymentSpell]:
    return EmploymentSpell.objects.for_membership(membership).select_related(
        "person", "person__organisation", "team", "role", "line_manager"
    )


def organisation_teams_visible_to(
    membership: Membership | None, organisation: Organisation
) -> QuerySet[Team]:
    return teams_visible_to(membership).filter(organisation=organisation)


def people_without_account(membership: Membership | None) -> QuerySet[Person]:
    return people_visible_to(membership).filter(user__isnull=True)


def visible_person(membership: Membership | None, pk: int) -> Person | None:
    return people_visible_to(membership).filter(pk=pk).first()


def visible_teams_among(membership: Membership | None, pks: list[int]) -> list[Team]:
    return list(teams_visible_to(membership).filter(pk__in=pks))


def visible_organisation(membership: Membership | None, pk: int) -> Organisation | None:
    return organisations_visible_to(membership).filter(pk=pk).first()


def support_role(pk: int) -> SupportRole | None:
    """Unscoped: the role catalogue is shared by every organisation."""
    return SupportRole.objects.filter(pk=pk).first()


# Reads for the home page (organisations/home.py): a handful of aggregate queries, whatever the size.


@dataclass(frozen=True)
class Headline:
    """An organisation's headline workforce figures on a day (substantive and fixed-term posts, not bank)."""

    headcount: int
    fte: float
    headcount_year_ago: int
    leavers_last_year: (
        int  # people whose post ended with a leaving reason in the last 12 months, not in post now
    )


def headline_figures(organisation: Organisation, on: dt.date | None = None) -> Headline:
    """Three queries."""
    from django.db.models import Count, Sum

    from .models import ContractType

    on = on or timezone.localdate()
    year_ago = on - dt.timedelta(days=365)
    spells = EmploymentSpell.objects.filter(person__organisation=organisation).exclude(
        contract_type=ContractType.BANK
    )
    now = spells.active_on(on).aggregate(people=Count("person", distinct=True), fte=Sum("fte"))
    then = spells.active_on(year_ago).aggregate(people=Count("person", distinct=True))
    in_post = EmploymentSpell.objects.active_on(on).filter(person=OuterRef("person"))
    leavers = (
        spells.filter(end_date__gt=year_ago, end_date__lte=on)
        .exclude(leaving_reason="")
        .exclude(Exists(in_post))
        .aggregate(people=Count("person", distinct=True))
    )
    return Headline(
        headcount=now["people"] or 0,
        fte=float(now["fte"] or 0),
        headcount_year_ago=then["people"] or 0,
        leavers_last_year=leavers["people"] or 0,
    )


def people_in_post_without_account(membership: Membership | None) -> int:
    """How many of the people this membership may see are in post today and have no account (one query)."""
    in_post = EmploymentSpell.objects.active_on(timezone.localdate()).filter(person=OuterRef("pk"))
    return people_without_account(membership).filter(Exists(in_post)).order_by().count()


# Reads for the audit log (site): whose records events are about, among the people the reader may see.

AUDIT_PERSON_LIMIT = 500


def person_ids_matching(membership: Membership | None, text: str) -> list[int]:
    """The people this membership may see whose name or staff ID matches `text` (each word a part of a name,
    or a whole staff ID); at most `AUDIT_PERSON_LIMIT`, one query."""
    qs = people_visible_to(membership)
    for term in text.split():
        qs = qs.filter(
            Q(given_name__icontains=term) | Q(family_name__icontains=term) | Q(staff_id__iexact=term)
        )
    return list(qs.order_by("pk").values_list("pk", flat=True)[:AUDIT_PERSON_LIMIT])


def people_by_id(membership: Membership | None, ids: set[int]) -> dict[int, Person]:
    """Those of these people the membership may see, by id (one query); others are left out."""
    if not ids:
        return {}
    return {person.pk: person for person in people_visible_to(membership).filter(pk__in=ids)}


INVITE_LIST_LIMIT = 200


def people_to_invite(membership: Membership | None, text: str = "") -> tuple[list[Person], int]:
    """The people in post this membership may see who have no account, matching `text` (name or staff ID),
    by name: at most `INVITE_LIST_LIMIT` of them, and how many match in all (two queries)."""
    in_post = EmploymentSpell.objects.active_on(timezone.localdate()).filter(person=OuterRef("pk"))
    qs = people_without_account(membership).filter(Exists(in_post))
    for term in text.split():
        qs = qs.filter(
            Q(given_name__icontains=term) | Q(family_name__icontains=term) | Q(staff_id__iexact=term)
        )
    ordered = qs.order_by("family_name", "given_name", "staff_id", "pk")
    return list(ordered[:INVITE_LIST_LIMIT]), qs.count()

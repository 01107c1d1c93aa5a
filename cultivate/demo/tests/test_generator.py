"""The demo alliance: generated once for this module (by the command, as `make run` does) inside a transaction
that is rolled back afterwards, then checked for size, calibration, validity, links and sign-ins."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from io import StringIO
from itertools import pairwise
from pathlib import Path

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import Client
from django.utils import timezone

from cultivate.accounts.models import Membership, Role, User
from cultivate.demo.alliance import ALLIANCE_CODE, TRUSTS
from cultivate.demo.generator import DEMO_PASSWORD, demo_create, demo_delete, demo_logins
from cultivate.demo.simulation import REFERENCE_EPOCH, age_on, reference_date, simulate
from cultivate.organisations import reference as refdata
from cultivate.organisations.access import person_scope
from cultivate.organisations.models import (
    Alliance,
    ContractType,
    EmploymentSpell,
    JobTitle,
    Organisation,
    OrganisationKind,
    Person,
    Team,
)

SUPPORT_BANDS = ("2", "3", "4")
SEVEN_ROLES = (
    "Support worker",
    "Line manager",
    "Assessor",
    "Educator",
    "Workforce analyst",
    "Organisation admin",
    "Alliance admin",
)


@dataclass(frozen=True)
class Demo:
    output: str
    fingerprint: str
    reference: dt.date


def fingerprint() -> str:
    """A hash of every demo row by its natural keys: identical data gives an identical hash, whatever the pks."""
    digest = hashlib.sha256()
    rows: list[tuple[object, ...]] = []
    rows += Organisation.objects.filter(alliance__code=ALLIANCE_CODE).values_list("ods_code", "name", "kind")
    rows += Team.objects.filter(organisation__alliance__code=ALLIANCE_CODE).values_list(
        "organisation__ods_code", "name", "setting", "site__name"
    )
    rows += Person.objects.filter(organisation__alliance__code=ALLIANCE_CODE).values_list(
        "organisation__ods_code",
        "staff_id",
        "given_name",
        "family_name",
        "email",
        "birth_date",
        "sex",
        "ethnic_category",
        "disability",
    )
    rows += EmploymentSpell.objects.filter(person__organisation__alliance__code=ALLIANCE_CODE).values_list(
        "person__staff_id",
        "assignment_id",
        "team__name",
        "role__name",
        "job_title",
        "job_role",
        "afc_band",
        "staff_group",
        "area_of_work",
        "contract_type",
        "fte",
        "start_date",
        "end_date",
        "leaving_reason",
        "line_manager__staff_id",
    )
    rows += User.objects.filter(email__endswith="@demo.cultivate.nhs.uk").values_list(
        "email", "full_name", "person__staff_id", "registration_body", "registration_pin", "date_joined"
    )
    rows += Membership.objects.filter(user__email__endswith="@demo.cultivate.nhs.uk").values_list(
        "user__email", "role", "organisation__ods_code", "alliance__code", "teams__name", "starts_on"
    )
    for row in sorted(rows, key=repr):
        digest.update(repr(row).encode())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker) -> Iterator[Demo]:
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("demo", "--seed", "2026", "--print-logins", stdout=out, verbosity=1)
        yield Demo(
            output=out.getvalue(), fingerprint=fingerprint(), reference=reference_date(timezone.localdate())
        )
        transaction.set_rollback(True)


def support_spells(ods_code: str | None = None) -> list[EmploymentSpell]:
    spells = EmploymentSpell.objects.filter(
        person__organisation__alliance__code=ALLIANCE_CODE, afc_band__in=SUPPORT_BANDS
    ).exclude(contract_type=ContractType.BANK)
    if ods_code:
        spells = spells.filter(person__organisation__ods_code=ods_code)
    return list(spells.select_related("person"))


def active_on(spells: list[EmploymentSpell], day: dt.date) -> dict[int, EmploymentSpell]:
    """Person id → their highest-band substantive support spell active on the day."""
    active: dict[int, EmploymentSpell] = {}
    for spell in spells:
        if spell.start_date <= day and (spell.end_date is None or spell.end_date >= day):
            held = active.get(spell.person_id)
            if held is None or spell.afc_band > held.afc_band:
                active[spell.person_id] = spell
    return active


def year_before(day: dt.date) -> dt.date:
    return day.replace(year=day.year - 1)


MENTAL_HEALTH_TRUST = next(plan.ods_code for plan in TRUSTS if plan.kind == OrganisationKind.MENTAL_HEALTH)


# Size ---------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_summary_and_counts_are_near_their_targets(demo: Demo) -> None:
    assert "3 organisations" in demo.output
    assert Organisation.objects.filter(alliance__code=ALLIANCE_CODE).count() == 3
    kinds = set(Organisation.objects.filter(alliance__code=ALLIANCE_CODE).values_list("kind", flat=True))
    assert kinds == {
        OrganisationKind.MENTAL_HEALTH,
        OrganisationKind.COMMUNITY,
        OrganisationKind.MENTAL_HEALTH_LD,
    }
    support_workers = (
        Person.objects.filter(organisation__alliance__code=ALLIANCE_CODE, spells__afc_band__in=SUPPORT_BANDS)
        .distinct()
        .count()
    )
    assert 1080 <= support_workers <= 1320, support_workers
    settings = set(
        Team.objects.filter(organisation__alliance__code=ALLIANCE_CODE).values_list("setting", flat=True)
    )
    assert {"inpatient", "community", "crisis", "forensic", "learning_disability", "outpatient"} <= settings
    # Five years of history: people leave, and others change post, in every one of them.
    spells = EmploymentSpell.objects.filter(person__organisation__alliance__code=ALLIANCE_CODE)
    end = demo.reference
    for _ in range(5):
        year = spells.filter(end_date__gt=year_before(end), end_date__lte=end)
        assert year.exclude(leaving_reason="").count() > 50
        assert year.filter(leaving_reason="").count() > 50
        end = year_before(end)
    assert EmploymentSpell.objects.filter(contract_type=ContractType.BANK).exists()


@pytest.mark.django_db
def test_history_ends_on_the_reference_date_and_current_spells_are_current(demo: Demo) -> None:
    today = timezone.localdate()
    assert demo.reference <= today < demo.reference.replace(year=demo.reference.year + 1)
    latest = EmploymentSpell.objects.filter(person__organisation__alliance__code=ALLIANCE_CODE).order_by(
        "-start_date"
    )[0]
    assert latest.start_date <= demo.reference
    open_spells = EmploymentSpell.objects.filter(
        person__organisation__alliance__code=ALLIANCE_CODE, end_date__isnull=True
    )
    assert open_spells.count() == open_spells.active_on(today).count() > 700


# Calibration (shared/design/CALIBRATION.md) -------------------------------------------------------------------


@pytest.mark.django_db
def test_the_mental_health_trust_matches_the_published_workforce_mix(demo: Demo) -> None:
    current = list(active_on(support_spells(MENTAL_HEALTH_TRUST), demo.reference).values())
    count = len(current)
    assert count > 250
    bands = Counter(spell.afc_band for spell in current)
    assert 0.19 <= bands["2"] / count <= 0.29  # 24%
    assert 0.21 <= bands["4"] / count <= 0.33  # 27%
    male = sum(spell.person.sex == "M" for spell in current) / count
    assert 0.21 <= male <= 0.33  # 27%
    mean_fte = sum(float(spell.fte) for spell in current) / count
    assert 0.88 <= mean_fte <= 0.94  # 0.91
    groups = refdata.ethnic_categories()
    black = (
        sum(groups[spell.person.ethnic_category][1] == "Black or Black British" for spell in current) / count
    )
    assert 0.09 <= black <= 0.19  # 14%


@pytest.mark.django_db
def test_other_support_staff_differ_as_published(demo: Demo) -> None:
    community = next(plan.ods_code for plan in TRUSTS if plan.kind == OrganisationKind.COMMUNITY)
    current = list(active_on(support_spells(community), demo.reference).values())
    count = len(current)
    male = sum(spell.person.sex == "M" for spell in current) / count
    assert 0.12 <= male <= 0.23  # 17%
    mean_fte = sum(float(spell.fte) for spell in current) / count
    assert 0.82 <= mean_fte <= 0.90  # 0.86
    bands = Counter(spell.afc_band for spell in current)
    assert bands["2"] / count < 0.22  # fewer band 2 posts than in mental health


@pytest.mark.django_db
def test_ages_and_disability_are_near_the_published_shares(demo: Demo) -> None:
    current = list(active_on(support_spells(), demo.reference).values())
    ages = [age_on(spell.person.birth_date, demo.reference) for spell in current if spell.person.birth_date]
    assert 0.16 <= sum(age <= 29 for age in ages) / len(ages) <= 0.30  # 23%
    assert 0.20 <= sum(50 <= age <= 59 for age in ages) / len(ages) <= 0.33  # 27%
    disabled = sum(spell.person.disability == "Y" for spell in current) / len(current)
    assert 0.025 <= disabled <= 0.08  # 6% mental health, 4% other


@pytest.mark.django_db
def test_leaver_rate_over_the_last_twelve_months(demo: Demo) -> None:
    """Leavers: in post at the start and not at the end; rate: leavers ÷ mean headcount (DATA-FORMATS.md)."""
    spells = support_spells()
    start, end = year_before(demo.reference), demo.reference
    at_start, at_end = active_on(spells, start), active_on(spells, end)
    all_active_at_end = {
        spell.person_id
        for spell in EmploymentSpell.objects.active_on(end).exclude(contract_type=ContractType.BANK)
    }
    leavers = [person for person in at_start if person not in all_active_at_end]
    rate = len(leavers) / ((len(at_start) + len(at_end)) / 2)
    assert 0.08 <= rate <= 0.16  # ~12%


@pytest.mark.django_db
def test_leaving_reasons_follow_the_published_shares(demo: Demo) -> None:
    groups = refdata.leaving_reasons()
    reasons = [
        groups[reason]
        for reason in EmploymentSpell.objects.filter(person__organisation__alliance__code=ALLIANCE_CODE)
        .exclude(leaving_reason="")
        .exclude(contract_type=ContractType.BANK)
        .values_list("leaving_reason", flat=True)
    ]
    shares = {group: count / len(reasons) for group, count in Counter(reasons).items()}
    assert len(reasons) > 300
    assert 0.59 <= shares["Voluntary resignation"] <= 0.73  # 66%
    assert 0.10 <= shares["Retirement"] <= 0.22  # 16%
    assert 0.02 <= shares["Dismissal"] <= 0.09  # 5%
    assert 0.02 <= shares["End of fixed-term contract"] <= 0.09  # 5%


def _yearly_transitions(
    spells: list[EmploymentSpell], reference: dt.date, years: int = 3
) -> list[tuple[dt.date, EmploymentSpell, EmploymentSpell]]:
    """(start of the year, spell then, spell a year later) for everyone in post at both ends of each of the last
    `years` years."""
    triples = []
    end = reference
    for _ in range(years):
        start = year_before(end)
        at_start, at_end = active_on(spells, start), active_on(spells, end)
        triples += [(start, at_start[person], at_end[person]) for person in at_start if person in at_end]
        end = start
    return triples


@pytest.mark.django_db
def test_band_2_progression_in_the_mental_health_trust(demo: Demo) -> None:
    spells = EmploymentSpell.objects.filter(person__organisation__ods_code=MENTAL_HEALTH_TRUST).exclude(
        contract_type=ContractType.BANK
    )
    pairs = [(before, after) for _, before, after in _yearly_transitions(list(spells), demo.reference)]
    band_2 = [(before, after) for before, after in pairs if before.afc_band == "2"]
    assert len(band_2) > 100
    progressed = sum(after.afc_band > "2" for _, after in band_2) / len(band_2)
    assert 0.14 <= progressed <= 0.27  # about 1 in 5
    band_3 = [(before, after) for before, after in pairs if before.afc_band == "3"]
    assert 0.02 <= sum(after.afc_band > "3" for _, after in band_3) / len(band_3) <= 0.11  # 1 in 16


@pytest.mark.django_db
def test_young_band_2_staff_progress_more_often_than_older_staff(demo: Demo) -> None:
    spells = EmploymentSpell.objects.exclude(contract_type=ContractType.BANK).filter(
        person__organisation__alliance__code=ALLIANCE_CODE
    )
    young, older = [], []
    for start, before, after in _yearly_transitions(list(spells.select_related("person")), demo.reference, 5):
        if before.afc_band != "2" or before.person.birth_date is None:
            continue
        age = age_on(before.person.birth_date, start)
        if age < 25:
            young.append(after.afc_band > "2")
        elif 50 <= age <= 54:
            older.append(after.afc_band > "2")
    assert young and older
    assert sum(young) / len(young) > 2 * sum(older) / len(older)


@pytest.mark.django_db
def test_most_support_workers_keep_their_role_for_a_year(demo: Demo) -> None:
    pairs = [(before, after) for _, before, after in _yearly_transitions(support_spells(), demo.reference)]
    hca_like = [
        (before, after)
        for before, after in pairs
        if before.role and before.role.category == "HCA and similar"
    ]
    same = sum(before.role_id == after.role_id for before, after in hca_like) / len(hca_like)
    assert 0.87 <= same <= 0.97  # 92.5%
    to_trainee = sum(
        after.role is not None and after.role.name == "Trainee nursing associate" for _, after in hca_like
    ) / len(hca_like)
    assert 0.002 <= to_trainee <= 0.03  # 1%


# Validity -----------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_sample_of_rows_passes_model_validation(demo: Demo) -> None:
    rng = random.Random(1)
    spells = list(
        EmploymentSpell.objects.filter(person__organisation__alliance__code=ALLIANCE_CODE).order_by("pk")
    )
    for spell in rng.sample(spells, 150):
        spell.full_clean()
    people = list(Person.objects.filter(organisation__alliance__code=ALLIANCE_CODE).order_by("pk"))
    for person in rng.sample(people, 60):
        person.full_clean()
    for user in User.objects.filter(email__endswith="@demo.cultivate.nhs.uk"):
        user.full_clean()
    for membership in Membership.objects.filter(user__email__endswith="@demo.cultivate.nhs.uk"):
        membership.full_clean()


@pytest.mark.django_db
def test_spells_never_overlap_and_only_leavers_have_closed_histories(demo: Demo) -> None:
    by_person: dict[int, list[EmploymentSpell]] = defaultdict(list)
    for spell in EmploymentSpell.objects.filter(person__organisation__alliance__code=ALLIANCE_CODE).order_by(
        "person_id", "start_date"
    ):
        by_person[spell.person_id].append(spell)
    for history in by_person.values():
        for earlier, later in pairwise(history):
            assert earlier.end_date is not None and earlier.end_date < later.start_date, (earlier, later)
            # A leaving reason closes employment; only a return through the staff bank may follow it.
            assert not earlier.leaving_reason or later.contract_type == ContractType.BANK, (earlier, later)
        last = history[-1]
        assert (last.end_date is None) == (last.leaving_reason == ""), last


@pytest.mark.django_db
def test_substantive_support_spells_have_line_managers_and_catalogue_roles(demo: Demo) -> None:
    spells = support_spells()
    assert all(spell.line_manager_id is not None for spell in spells)
    mapped = sum(spell.role_id is not None for spell in spells) / len(spells)
    assert 0.95 <= mapped < 1  # a few local titles are left for an admin to map
    # An organisation's own alias overrides the shared one: "Support Worker" is an HCSW in the community trust.
    community = Organisation.objects.get(kind=OrganisationKind.COMMUNITY, alliance__code=ALLIANCE_CODE)
    assert JobTitle.objects.get(organisation=community, normalised="support worker").role.name == (
        "Healthcare support worker"
    )
    titles = {spell.job_title for spell in spells}
    assert len(titles) >= 30


# Accounts -----------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_logins_are_printed_for_every_role_and_each_can_sign_in(demo: Demo, client: Client) -> None:
    for role in SEVEN_ROLES:
        assert role in demo.output
    logins = demo_logins()
    assert {login.role for login in logins} >= set(SEVEN_ROLES)
    for login in logins:
        assert login.email in demo.output
        user = User.objects.get(email=login.email)
        validate_password(DEMO_PASSWORD, user)
        assert client.login(email=login.email, password=DEMO_PASSWORD), login
        client.logout()
        assert Membership.objects.current().filter(user=user).exists()


@pytest.mark.django_db
def test_the_demo_support_worker_line_manager_and_assessor_are_linked(demo: Demo) -> None:
    worker = User.objects.get(email="support.worker@demo.cultivate.nhs.uk")
    manager = User.objects.get(email="line.manager@demo.cultivate.nhs.uk")
    assessor = User.objects.get(email="assessor@demo.cultivate.nhs.uk")
    assert worker.person is not None and manager.person is not None
    current = worker.person.spells.active_on(timezone.localdate()).get()
    assert current.line_manager == manager.person
    assert worker.person.spells.count() >= 2
    assert current.team is not None
    assert manager.memberships.get(role=Role.LINE_MANAGER).teams.filter(pk=current.team.pk).exists()
    assert assessor.is_registered_professional and assessor.registration_body in ("NMC", "HCPC")
    assert assessor.memberships.get(role=Role.ASSESSOR).teams.filter(pk=current.team.pk).exists()
    # So both see the support worker through the access rules.
    for membership in (manager.memberships.get(), assessor.memberships.get()):
        assert Person.objects.filter(person_scope(membership), pk=worker.person.pk).exists()
    dual = User.objects.get(email="manager.assessor@demo.cultivate.nhs.uk")
    assert sorted(Membership.objects.current().filter(user=dual).values_list("role", flat=True)) == [
        Role.ASSESSOR,
        Role.LINE_MANAGER,
    ]
    alliance_admin = User.objects.get(email="alliance.admin@demo.cultivate.nhs.uk")
    assert alliance_admin.memberships.get().alliance == Alliance.objects.get(code=ALLIANCE_CODE)


@pytest.mark.django_db
def test_every_line_manager_and_assessor_signs_in_for_their_teams(demo: Demo) -> None:
    managers = set(
        EmploymentSpell.objects.filter(person__organisation__alliance__code=ALLIANCE_CODE)
        .exclude(line_manager=None)
        .values_list("line_manager_id", flat=True)
    )
    with_accounts = set(
        User.objects.filter(person_id__in=managers, memberships__role=Role.LINE_MANAGER).values_list(
            "person_id", flat=True
        )
    )
    assert managers == with_accounts
    assessors = Membership.objects.filter(role=Role.ASSESSOR, user__email__endswith="@demo.cultivate.nhs.uk")
    assert assessors.count() > 30
    assert all(
        membership.user.is_registered_professional and membership.teams.exists() for membership in assessors
    )


# Determinism and the command ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_same_seed_gives_identical_rows_and_reset_recreates_them(demo: Demo) -> None:
    out = StringIO()
    call_command("demo", "--reset", "--seed", "2026", stdout=out, verbosity=1)
    assert "Removed the demo data" in out.getvalue()
    assert fingerprint() == demo.fingerprint
    demo_delete()
    assert not Organisation.objects.filter(ods_code__in=[plan.ods_code for plan in TRUSTS]).exists()
    assert not User.objects.filter(email__endswith="@demo.cultivate.nhs.uk").exists()
    demo_create(seed=2027)
    assert fingerprint() != demo.fingerprint


def test_a_different_seed_gives_a_different_workforce() -> None:
    def people(seed: int) -> list[tuple[object, ...]]:
        world = simulate(seed, scale=0.3)
        return [
            (p.given, p.family, p.birth, [(s.title, s.band, s.start) for s in p.spells]) for p in world.people
        ]

    assert people(5) == people(5)
    assert people(5) != people(6)


def test_the_history_is_the_same_in_any_year_moved_whole() -> None:
    assert reference_date(dt.date(2026, 10, 31)) == dt.date(2026, 10, 31)
    assert reference_date(dt.date(2026, 10, 30)) == dt.date(2025, 10, 31)
    assert reference_date(dt.date(2028, 2, 29)) == dt.date(2027, 10, 31)
    now, later = simulate(3, scale=0.2), simulate(3, scale=0.2, reference=dt.date(2027, 10, 31))
    shift = dt.date(2027, 10, 31) - REFERENCE_EPOCH
    assert [s.start + shift for p in now.people for s in p.spells] == [
        s.start for p in later.people for s in p.spells
    ]


def test_scale_sizes_the_workforce() -> None:
    small = sum(1 for person in simulate(2026, scale=0.25).people if person.post is None)
    full = sum(1 for person in simulate(2026).people if person.post is None)
    assert 0.18 * full <= small <= 0.32 * full


@pytest.mark.django_db
def test_the_command_leaves_existing_data_alone(demo: Demo) -> None:
    out = StringIO()
    call_command("demo", "--if-empty", stdout=out)
    assert "already exists" in out.getvalue()
    with pytest.raises(CommandError, match="already in the database"):
        call_command("demo", stdout=StringIO())
    out = StringIO()
    call_command("demo", "--print-logins", stdout=out)
    assert "alliance.admin@demo.cultivate.nhs.uk" in out.getvalue()
    assert "Created" not in out.getvalue()
    with pytest.raises(CommandError, match="scale"):
        call_command("demo", "--scale", "0")


def test_the_demo_code_does_not_use_the_test_factories() -> None:
    package = Path(__file__).resolve().parents[1]
    for source in package.rglob("*.py"):
        if "tests" not in source.parts:
            assert "core.testing" not in source.read_text(encoding="utf-8"), source

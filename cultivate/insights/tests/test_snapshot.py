"""The snapshot of the service's own records: one pseudonymised dataset per organisation that equals the database,
replaced whole by the next snapshot; from the command line, the web button and the demo."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from pytest_django.fixtures import Settings

from cultivate.accounts.models import Role
from cultivate.accounts.testing import make_organisation, make_person, make_spell, make_team, make_user
from cultivate.core.models import AuditEvent
from cultivate.insights.audit_actions import InsightsAction
from cultivate.insights.models import InsightsImport, JobTitleReview
from cultivate.insights.snapshot import person_pseudonym, snapshot_organisation
from cultivate.insights.store import connect, manifest
from cultivate.organisations.models import ContractType, EmploymentSpell, Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def store(settings: Settings, tmp_path: Path) -> Path:
    settings.INSIGHTS_STORE = tmp_path / "store"
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "store"


@pytest.fixture
def organisation() -> Organisation:
    org = make_organisation("RX1")
    team = make_team(org, "Ward 4")
    ada = make_person(
        org,
        team=team,
        given_name="Ada",
        family_name="Lovelace",
        email="ada.lovelace@example.nhs.uk",
        staff_id="ESR-1001",
        birth_date=dt.date(1990, 5, 17),
        sex="F",
        ethnic_category="A",
        disability="N",
    )
    leaver = make_person(org, given_name="Bram", family_name="Stoker", staff_id="ESR-1002", birth_year=1970)
    make_spell(
        leaver,
        team=team,
        start=dt.date(2019, 1, 1),
        end=dt.date(2022, 3, 31),
        leaving_reason="Voluntary Resignation - Work Life Balance",
    )
    bank = make_spell(ada, team=None, band="2", start=dt.date(2023, 1, 1), fte="0.20")
    bank.contract_type = ContractType.BANK
    bank.job_title = "Bank HCA"
    bank.save()
    # Another organisation's staff are never in RX1's snapshot.
    make_person(make_organisation("RX2"), team=None, given_name="Cleo", staff_id="ESR-9")
    return org


def rows(store: Path, sql: str) -> list[tuple[object, ...]]:
    con = connect(store)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_the_snapshot_equals_the_records_and_holds_no_names(organisation: Organisation, store: Path) -> None:
    result = snapshot_organisation(organisation=organisation, store=store)

    assert result.dataset == "service-RX1"
    assert result.rows == {"people": 2, "assignments": 3}
    people = {row[0]: row for row in rows(store, "SELECT * FROM people")}
    expected_people = {}
    for person in organisation.people.all():
        expected_people[person_pseudonym(organisation, person.staff_id)] = (
            person_pseudonym(organisation, person.staff_id),
            None,
            person.year_of_birth,
            person.sex,
            person.ethnic_category,
            person.disability,
            None,
            None,
            None,
        )
    assert people == expected_people
    spells = rows(
        store,
        "SELECT person_id, organisation_code, team, job_title, afc_band, contract_type, fte, start_date, "
        "end_date, leaving_reason FROM assignments ORDER BY ALL",
    )
    expected_spells = sorted(
        (
            (
                person_pseudonym(organisation, spell.person.staff_id),
                "RX1",
                spell.team.name if spell.team else None,
                spell.job_title,
                spell.afc_band,
                spell.contract_type,
                float(spell.fte),
                spell.start_date,
                spell.end_date,
                spell.leaving_reason or None,
            )
            for spell in EmploymentSpell.objects.filter(person__organisation=organisation).select_related(
                "person"
            )
        ),
        key=repr,
    )
    assert sorted(spells, key=repr) == expected_spells
    # Bank spells and leaving reasons are kept as stored; the measures decide what to leave out.
    assert {s[5] for s in spells} == {"Permanent", "Bank"}
    assert "Voluntary Resignation - Work Life Balance" in {s[9] for s in spells}
    # Pseudonymous: no name, email or staff number anywhere in the files.
    for path in store.rglob("*.parquet"):
        content = path.read_bytes()
        for secret in (b"Ada", b"Lovelace", b"Stoker", b"example.nhs.uk", b"ESR-100"):
            assert secret not in content, (path, secret)
    assert "service-RX2" not in manifest(store)["datasets"]


def test_pseudonyms_are_stable_and_keyed(organisation: Organisation, settings: Settings) -> None:
    first = person_pseudonym(organisation, "ESR-1001")
    assert first == person_pseudonym(organisation, "ESR-1001")
    assert first != person_pseudonym(organisation, "ESR-1002")
    settings.SECRET_KEY = "another-key"
    assert person_pseudonym(organisation, "ESR-1001") != first


def test_a_new_snapshot_replaces_the_previous_one(organisation: Organisation, store: Path) -> None:
    snapshot_organisation(organisation=organisation, store=store)
    make_person(organisation, team=organisation.teams.get(), staff_id="ESR-1003")
    snapshot_organisation(organisation=organisation, store=store)
    assert rows(store, "SELECT count(*) FROM people") == [(3,)]
    assert rows(store, "SELECT count(*) FROM assignments") == [(4,)]
    assert [p.name for p in (store / "datasets").iterdir()] == ["service-RX1"]
    assert not [p for p in store.iterdir() if p.name.startswith(".")]


def test_the_command_snapshots_one_or_every_organisation(organisation: Organisation, store: Path) -> None:
    out = io.StringIO()
    call_command("insights", "snapshot", "--organisation", "rx1", "--store", str(store), stdout=out)
    assert "service-RX1: 2 people, 3 spells" in out.getvalue()
    assert list(manifest(store)["datasets"]) == ["service-RX1"]
    call_command("insights", "snapshot", stdout=io.StringIO())
    assert sorted(manifest(store)["datasets"]) == ["service-RX1", "service-RX2"]
    assert AuditEvent.objects.filter(action=InsightsAction.INSIGHTS_IMPORTED).count() == 3


def test_the_command_refuses_an_unknown_organisation(store: Path) -> None:
    from django.core.management.base import CommandError

    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("insights", "snapshot", "--organisation", "NOPE", stderr=err)
    assert "No organisation with ODS code NOPE." in err.getvalue()


def test_the_refresh_button_runs_a_snapshot_task(organisation: Organisation, store: Path) -> None:
    client = Client()
    client.force_login(make_user(Role.ANALYST, organisation=organisation))
    spell = EmploymentSpell.objects.filter(person__organisation=organisation).first()
    assert spell is not None
    spell.job_title = "Zyxwv Quorbler"
    spell.save()

    response = client.post("/insights/organisations/RX1/snapshot/")

    record = InsightsImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/insights/organisations/RX1/import/{record.pk}/"
    assert record.kind == "snapshot" and record.status == "succeeded"
    assert record.rows == {"people": 2, "assignments": 3}
    assert manifest(store)["datasets"]["service-RX1"]["rows"]["assignments"] == 3
    assert JobTitleReview.objects.filter(organisation=organisation, title="Zyxwv Quorbler").exists()
    page = client.get(response["Location"]).content.decode()
    assert "The snapshot was refreshed." in page
    assert client.get("/insights/organisations/RX1/snapshot/").status_code == 405


def test_the_demo_ends_with_a_snapshot_of_each_trust(store: Path) -> None:
    out = io.StringIO()
    call_command("demo", "--scale", "0.05", stdout=out, verbosity=1)
    datasets = manifest(store)["datasets"]
    assert sorted(datasets) == ["service-RZ7", "service-RZ8", "service-RZ9"]
    assert all(info["rows"]["people"] > 0 for info in datasets.values())
    assert "Snapshot of 3 organisations written to the insights store" in out.getvalue()


def test_programme_places_are_in_the_snapshot_without_survey_answers(store: Path) -> None:
    from django.utils import timezone

    from cultivate.programmes.models import Attendance, AttendanceMethod, AttendanceStatus
    from cultivate.programmes.testing import make_participant, make_programme, make_session, make_worker

    org = make_organisation("RX7")
    programme = make_programme(organisation=org)
    cohort = programme.cohorts.get()
    _, person = make_worker(org)
    place = make_participant(cohort, person)
    session = make_session(programme, start=timezone.now() - dt.timedelta(days=3))
    make_session(programme, start=timezone.now() - dt.timedelta(days=1))
    Attendance.objects.create(
        session=session, participant=place, status=AttendanceStatus.PRESENT, method=AttendanceMethod.REGISTER
    )
    snapshot_organisation(organisation=org, store=store)
    con = connect(store)
    rows = con.execute(
        "SELECT person_id, programme, cohort, started_on, sessions, attended, completed FROM programme_participation"
    ).fetchall()
    assert rows == [
        (
            person_pseudonym(org, person.staff_id),
            programme.title,
            cohort.name,
            timezone.localdate(session.starts_at),
            2,
            1,
            False,
        )
    ]
    assert manifest(store)["datasets"]["service-RX7"]["rows"]["programme_participation"] == 1


def test_completed_training_is_in_the_snapshot_as_an_extract_would_have_it(store: Path) -> None:
    from decimal import Decimal

    from cultivate.learning.testing import make_completion, make_offer, make_subject

    org = make_organisation("RX8")
    person = make_person(org)
    offer = make_offer(
        org, title="Mental health awareness", cost_per_place=Decimal("120.00"), hours=Decimal("6.0")
    )
    subject = make_subject(org, "Fire safety")
    make_completion(person, offer=offer, on=dt.date(2026, 3, 2))
    make_completion(person, subject=subject, on=dt.date(2026, 4, 1))
    snapshot_organisation(organisation=org, store=store)
    rows = (
        connect(store)
        .execute(
            "SELECT person_id, course_title, completed_on, mandatory, hours, cost_gbp FROM training "
            "ORDER BY completed_on"
        )
        .fetchall()
    )
    who = person_pseudonym(org, person.staff_id)
    assert rows == [
        (who, "Mental health awareness", dt.date(2026, 3, 2), False, 6.0, 120.0),
        (who, "Fire safety", dt.date(2026, 4, 1), True, 1.0, 0.0),
    ]
    assert manifest(store)["datasets"]["service-RX8"]["rows"]["training"] == 2

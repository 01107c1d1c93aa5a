"""The staff import service: checking people.csv and assignments.csv, rejecting bad files whole, and writing
good ones idempotently. The extract helpers here are shared with the command and web tests.

Line numbers in the comments are the file's own (the header is line 1)."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cultivate.core.audit import AuditContext
from cultivate.core.audit_actions import CoreAction
from cultivate.core.models import AuditEvent
from cultivate.organisations.models import EmploymentSpell, Organisation, Person, Team
from cultivate.organisations.staff_import import ImportOutcome, staff_import_run, validate
from cultivate.organisations.testing import make_organisation, make_person, make_spell, make_team

# Tests change records as a named job: the audit log refuses a change nobody answers for.
TEST_JOB = AuditContext.system("test")

PEOPLE_HEADER = [
    "person_id",
    "birth_year",
    "sex",
    "ethnic_category",
    "disability",
    "given_name",
    "family_name",
    "email",
]
PEOPLE = [
    ["P1", "1980", "F", "A", "N", "Ada", "Lovelace", "ada@example.nhs.uk"],  # line 2
    ["P2", "1990", "M", "99", "U", "Ben", "Jones", ""],  # line 3
    ["P3", "1975", "X", "H", "Y", "Cam", "Smith", ""],  # line 4
]
ASSIGNMENTS_HEADER = [
    "assignment_id",
    "person_id",
    "organisation_code",
    "team",
    "job_title",
    "afc_band",
    "contract_type",
    "fte",
    "start_date",
    "end_date",
    "leaving_reason",
    "line_manager_person_id",
]
ASSIGNMENTS = [
    # line 2: P1's first spell, followed directly by her current one
    [
        "A1",
        "P1",
        "RX1",
        "Ward A",
        "Healthcare Assistant",
        "3",
        "Permanent",
        "1.0",
        "2020-01-01",
        "2021-03-31",
        "",
        "",
    ],
    # line 3: the team matched whatever its case; managed by P3
    ["A2", "P1", "RX1", "ward a", "Senior HCA", "4", "Permanent", "0.8", "2021-04-01", "", "", "P3"],
    # line 4: P2 has left; a team not yet set up; a title the catalogue does not know
    [
        "A3",
        "P2",
        "RX1",
        "Bank Pool",
        "Ward Clerk",
        "2",
        "Bank",
        "0.5",
        "2019-06-01",
        "2022-06-30",
        "Voluntary Resignation - Other/Not Known",
        "",
    ],
    # line 5
    ["A4", "P3", "rx1", "", "Nursing Associate", "NA", "Fixed Term Temp", "1.5", "2018-01-01", "", "", ""],
]


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def write_extract(
    folder: Path,
    *,
    people: list[list[str]] | None = None,
    assignments: list[list[str]] | None = None,
    people_header: list[str] | None = None,
    assignments_header: list[str] | None = None,
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    write_csv(folder / "people.csv", people_header or PEOPLE_HEADER, [list(r) for r in (people or PEOPLE)])
    write_csv(
        folder / "assignments.csv",
        assignments_header or ASSIGNMENTS_HEADER,
        [list(r) for r in (assignments or ASSIGNMENTS)],
    )
    return folder


def changed(rows: list[list[str]], index: int, column: str, value: str, header: list[str]) -> list[list[str]]:
    """A copy of the rows with one cell replaced."""
    copy = [list(r) for r in rows]
    copy[index][header.index(column)] = value
    return copy


@pytest.fixture
def organisation(db: None) -> Organisation:
    org = make_organisation("RX1")
    make_team(org, name="Ward A")
    return org


def run(organisation: Organisation, folder: Path) -> ImportOutcome:
    return staff_import_run(
        organisation=organisation,
        people_path=folder / "people.csv",
        assignments_path=folder / "assignments.csv",
        ctx=TEST_JOB,
    )


def snapshot(organisation: Organisation) -> tuple[int, int, int, int]:
    return (
        Person.objects.filter(organisation=organisation).count(),
        EmploymentSpell.objects.filter(person__organisation=organisation).count(),
        Team.objects.filter(organisation=organisation).count(),
        AuditEvent.objects.exclude(action__startswith="import_").count(),
    )


def test_a_clean_extract_is_imported(organisation: Organisation, tmp_path: Path) -> None:
    outcome = run(organisation, write_extract(tmp_path))

    assert outcome.ok, outcome.problems
    assert outcome.counts == {
        "people_created": 3,
        "people_updated": 0,
        "people_unchanged": 0,
        "spells_created": 4,
        "spells_updated": 0,
        "spells_unchanged": 0,
        "spells_ended": 0,
        "teams_created": 1,
    }
    assert outcome.new_teams == ["Bank Pool"]
    ada = Person.objects.get(organisation=organisation, staff_id="P1")
    assert (ada.given_name, ada.family_name, ada.sex, ada.ethnic_category, ada.birth_year) == (
        "Ada",
        "Lovelace",
        "F",
        "A",
        1980,
    )
    first, current = EmploymentSpell.objects.filter(person=ada).order_by("start_date")
    assert first.team is not None and first.team.name == "Ward A"
    assert current.team == first.team  # "ward a" is the same team
    assert first.role is not None and first.role.name == "Health care assistant"
    assert current.role is not None and current.role.name == "Senior healthcare support worker"
    assert current.line_manager == Person.objects.get(organisation=organisation, staff_id="P3")
    assert (current.afc_band, current.fte, current.end_date) == ("4", Decimal("0.80"), None)
    left = EmploymentSpell.objects.get(assignment_id="A3")
    assert left.role is None  # "Ward Clerk" is not in the catalogue
    assert left.team is not None and left.team.setting == "other"
    assert (left.contract_type, left.leaving_reason) == ("Bank", "Voluntary Resignation - Other/Not Known")
    assert EmploymentSpell.objects.get(assignment_id="A4").afc_band == "NA"
    assert any("Ward Clerk (1)" in warning for warning in outcome.warnings)


def test_the_import_is_audited_with_aggregate_counts(organisation: Organisation, tmp_path: Path) -> None:
    run(organisation, write_extract(tmp_path))

    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions == [CoreAction.IMPORT_STARTED, CoreAction.IMPORT_SUCCEEDED]  # no event per person
    done = AuditEvent.objects.get(action=CoreAction.IMPORT_SUCCEEDED)
    assert done.organisation == organisation
    assert done.detail["person_created"] == 3
    assert done.detail["person_changed"] == 0
    assert done.detail["spells_created"] == 4


def test_reimporting_the_same_files_changes_nothing(organisation: Organisation, tmp_path: Path) -> None:
    folder = write_extract(tmp_path)
    run(organisation, folder)
    stamps = dict(EmploymentSpell.objects.values_list("assignment_id", "updated_at"))
    people_stamps = dict(Person.objects.values_list("staff_id", "updated_at"))
    before = snapshot(organisation)

    outcome = run(organisation, folder)

    assert outcome.ok
    assert outcome.counts == {
        "people_created": 0,
        "people_updated": 0,
        "people_unchanged": 3,
        "spells_created": 0,
        "spells_updated": 0,
        "spells_unchanged": 4,
        "spells_ended": 0,
        "teams_created": 0,
    }
    assert snapshot(organisation) == before
    assert dict(EmploymentSpell.objects.values_list("assignment_id", "updated_at")) == stamps
    assert dict(Person.objects.values_list("staff_id", "updated_at")) == people_stamps


def test_an_update_changes_only_what_changed(organisation: Organisation, tmp_path: Path) -> None:
    run(organisation, write_extract(tmp_path / "first"))
    stamps = dict(EmploymentSpell.objects.values_list("assignment_id", "updated_at"))
    people_stamps = dict(Person.objects.values_list("staff_id", "updated_at"))
    people = changed(PEOPLE, 1, "family_name", "Jones-Smith", PEOPLE_HEADER)
    assignments = changed(ASSIGNMENTS, 1, "afc_band", "5", ASSIGNMENTS_HEADER)
    # P1 leaves: her current spell ends, with a reason, and a new person starts.
    assignments = changed(assignments, 1, "end_date", "2024-09-30", ASSIGNMENTS_HEADER)
    assignments = changed(assignments, 1, "leaving_reason", "Retirement Age", ASSIGNMENTS_HEADER)
    people.append(["P4", "2001", "F", "C", "N", "Dee", "New", ""])
    assignments.append(
        ["A5", "P4", "RX1", "Ward A", "HCA", "3", "Permanent", "1", "2024-10-01", "", "", "P3"]
    )

    outcome = run(organisation, write_extract(tmp_path / "second", people=people, assignments=assignments))

    assert outcome.ok, outcome.problems
    assert outcome.counts == {
        "people_created": 1,
        "people_updated": 1,
        "people_unchanged": 2,
        "spells_created": 1,
        "spells_updated": 1,
        "spells_unchanged": 3,
        "spells_ended": 1,
        "teams_created": 0,
    }
    spell = EmploymentSpell.objects.get(assignment_id="A2")
    assert (spell.afc_band, spell.end_date, spell.leaving_reason) == (
        "5",
        dt.date(2024, 9, 30),
        "Retirement Age",
    )
    assert (spell.fte, spell.job_title) == (
        Decimal("0.80"),
        "Senior HCA",
    )  # untouched fields keep their values
    assert spell.updated_at > stamps["A2"]
    for assignment_id in ("A1", "A3", "A4"):
        assert EmploymentSpell.objects.get(assignment_id=assignment_id).updated_at == stamps[assignment_id]
    ben = Person.objects.get(staff_id="P2")
    assert (ben.family_name, ben.given_name, ben.sex) == ("Jones-Smith", "Ben", "M")
    assert ben.updated_at > people_stamps["P2"]
    assert Person.objects.get(staff_id="P1").updated_at == people_stamps["P1"]
    done = AuditEvent.objects.filter(action=CoreAction.IMPORT_SUCCEEDED).first()
    assert done is not None and (done.detail["person_created"], done.detail["person_changed"]) == (1, 1)


def test_columns_not_in_the_file_keep_their_values(organisation: Organisation, tmp_path: Path) -> None:
    person = make_person(organisation, staff_id="P9", given_name="Kept", family_name="Name", sex="F")
    people_header = ["PERSON_ID", "Ethnic Category"]

    outcome = run(
        organisation,
        write_extract(
            tmp_path,
            people_header=people_header,
            people=[["P9", "b"]],
            assignments=[[*ASSIGNMENTS[3][:1], "P9", *ASSIGNMENTS[3][2:]]],
        ),
    )

    assert outcome.ok, outcome.problems
    person.refresh_from_db()
    assert (person.given_name, person.family_name, person.sex, person.ethnic_category) == (
        "Kept",
        "Name",
        "F",
        "B",
    )


def test_people_already_held_need_not_be_in_people_csv(organisation: Organisation, tmp_path: Path) -> None:
    make_person(organisation, staff_id="H1")
    assignments = [
        *ASSIGNMENTS,
        ["A9", "H1", "RX1", "", "HCA", "3", "Permanent", "1", "2023-01-01", "", "", "P1"],
    ]

    outcome = run(organisation, write_extract(tmp_path, assignments=assignments))

    assert outcome.ok, outcome.problems
    spell = EmploymentSpell.objects.get(assignment_id="A9")
    assert spell.person.staff_id == "H1"
    assert spell.line_manager is not None and spell.line_manager.staff_id == "P1"


def _problems(outcome: ImportOutcome) -> list[tuple[str, int, str]]:
    return [(p.file, p.line, p.column) for p in outcome.problems]


REJECTIONS: dict[str, tuple[dict[str, Any], tuple[str, int, str], str]] = {
    "bad sex code": (
        {"people": changed(PEOPLE, 1, "sex", "Q", PEOPLE_HEADER)},
        ("people.csv", 3, "sex"),
        "must be F, M, X (other) or U (not known)",
    ),
    "bad ethnic category": (
        {"people": changed(PEOPLE, 0, "ethnic_category", "I", PEOPLE_HEADER)},
        ("people.csv", 2, "ethnic_category"),
        "NHS ethnic category",
    ),
    "bad date": (
        {"assignments": changed(ASSIGNMENTS, 2, "start_date", "2019-02-30", ASSIGNMENTS_HEADER)},
        ("assignments.csv", 4, "start_date"),
        "is not a real date",
    ),
    "date not ISO": (
        {"assignments": changed(ASSIGNMENTS, 3, "start_date", "01/02/2018", ASSIGNMENTS_HEADER)},
        ("assignments.csv", 5, "start_date"),
        "YYYY-MM-DD",
    ),
    "end before start": (
        {"assignments": changed(ASSIGNMENTS, 0, "end_date", "2019-12-31", ASSIGNMENTS_HEADER)},
        ("assignments.csv", 2, "end_date"),
        "is before the start date 2020-01-01",
    ),
    "overlapping spells": (
        {"assignments": changed(ASSIGNMENTS, 1, "start_date", "2021-03-01", ASSIGNMENTS_HEADER)},
        ("assignments.csv", 3, "start_date"),
        "overlaps assignment A1",
    ),
    "unknown person": (
        {"assignments": changed(ASSIGNMENTS, 3, "person_id", "P404", ASSIGNMENTS_HEADER)},
        ("assignments.csv", 5, "person_id"),
        "is not in people.csv",
    ),
    "unknown line manager": (
        {"assignments": changed(ASSIGNMENTS, 1, "line_manager_person_id", "P404", ASSIGNMENTS_HEADER)},
        ("assignments.csv", 3, "line_manager_person_id"),
        "is not in people.csv",
    ),
    "fte too large": (
        {"assignments": changed(ASSIGNMENTS, 0, "fte", "1.6", ASSIGNMENTS_HEADER)},
        ("assignments.csv", 2, "fte"),
        "at most 1.5",
    ),
    "fte zero": (
        {"assignments": changed(ASSIGNMENTS, 0, "fte", "0", ASSIGNMENTS_HEADER)},
        ("assignments.csv", 2, "fte"),
        "more than 0",
    ),
    "fte not a number": (
        {"assignments": changed(ASSIGNMENTS, 0, "fte", "full", ASSIGNMENTS_HEADER)},
        ("assignments.csv", 2, "fte"),
        "is not a number",
    ),
    "wrong organisation": (
        {"assignments": changed(ASSIGNMENTS, 2, "organisation_code", "RX2", ASSIGNMENTS_HEADER)},
        ("assignments.csv", 4, "organisation_code"),
        "must be RX1",
    ),
    "no leaving reason on the last ended spell": (
        {"assignments": changed(ASSIGNMENTS, 2, "leaving_reason", "", ASSIGNMENTS_HEADER)},
        ("assignments.csv", 4, "leaving_reason"),
        "is required",
    ),
    "leaving reason on a spell followed by the next": (
        {"assignments": changed(ASSIGNMENTS, 0, "leaving_reason", "Retirement Age", ASSIGNMENTS_HEADER)},
        ("assignments.csv", 2, "leaving_reason"),
        "continues in assignment A2",
    ),
    "leaving reason without an end date": (
        {"assignments": changed(ASSIGNMENTS, 3, "leaving_reason", "Retirement Age", ASSIGNMENTS_HEADER)},
        ("assignments.csv", 5, "leaving_reason"),
        "must be empty while the spell has no end date",
    ),
    "leaving reason not in the ESR list": (
        {"assignments": changed(ASSIGNMENTS, 2, "leaving_reason", "Fed up", ASSIGNMENTS_HEADER)},
        ("assignments.csv", 4, "leaving_reason"),
        "ESR reasons for leaving",
    ),
    "bad band": (
        {"assignments": changed(ASSIGNMENTS, 0, "afc_band", "10", ASSIGNMENTS_HEADER)},
        ("assignments.csv", 2, "afc_band"),
        "Agenda for Change band",
    ),
    "bad contract type": (
        {"assignments": changed(ASSIGNMENTS, 0, "contract_type", "Casual", ASSIGNMENTS_HEADER)},
        ("assignments.csv", 2, "contract_type"),
        "Permanent, Fixed Term Temp, Locum or Bank",
    ),
    "duplicate person": ({"people": [*PEOPLE, PEOPLE[0]]}, ("people.csv", 5, "person_id"), "line 2"),
    "duplicate assignment": (
        {"assignments": [*ASSIGNMENTS, ASSIGNMENTS[3]]},
        ("assignments.csv", 6, "assignment_id"),
        "line 5",
    ),
    "missing person_id": (
        {"assignments": changed(ASSIGNMENTS, 3, "person_id", "", ASSIGNMENTS_HEADER)},
        ("assignments.csv", 5, "person_id"),
        "is required",
    ),
    "bad email": (
        {"people": changed(PEOPLE, 0, "email", "ada-at-nhs", PEOPLE_HEADER)},
        ("people.csv", 2, "email"),
        "is not an email address",
    ),
}


@pytest.mark.parametrize("case", list(REJECTIONS), ids=list(REJECTIONS))
def test_a_file_breaking_a_rule_is_rejected_whole(
    organisation: Organisation, tmp_path: Path, case: str
) -> None:
    files, where, message = REJECTIONS[case]
    before = snapshot(organisation)

    outcome = run(organisation, write_extract(tmp_path, **files))

    assert not outcome.ok
    assert _problems(outcome) == [where]
    assert message in outcome.problems[0].message
    assert snapshot(organisation) == before
    assert (
        AuditEvent.objects.filter(
            action=CoreAction.IMPORT_REJECTED, organisation=organisation, detail__problems=1
        ).count()
        == 1
    )


def test_a_missing_required_column_is_one_problem(organisation: Organisation, tmp_path: Path) -> None:
    header = [c for c in ASSIGNMENTS_HEADER if c != "start_date"]
    rows = [
        [v for c, v in zip(ASSIGNMENTS_HEADER, row, strict=True) if c != "start_date"] for row in ASSIGNMENTS
    ]
    before = snapshot(organisation)

    outcome = run(organisation, write_extract(tmp_path, assignments_header=header, assignments=rows))

    assert _problems(outcome) == [("assignments.csv", 1, "start_date")]
    assert "required column 'start_date' is missing" in outcome.problems[0].message
    assert snapshot(organisation) == before


def test_every_problem_is_reported_with_file_line_column_and_value(
    organisation: Organisation, tmp_path: Path
) -> None:
    people = changed(PEOPLE, 0, "sex", "Q", PEOPLE_HEADER)
    people = changed(people, 2, "disability", "maybe", PEOPLE_HEADER)
    assignments = changed(ASSIGNMENTS, 0, "fte", "2", ASSIGNMENTS_HEADER)
    assignments = changed(assignments, 0, "afc_band", "3b", ASSIGNMENTS_HEADER)
    assignments = changed(assignments, 3, "organisation_code", "RX9", ASSIGNMENTS_HEADER)

    outcome = run(organisation, write_extract(tmp_path, people=people, assignments=assignments))

    assert [str(p) for p in outcome.problems] == [
        "people.csv:2: column 'sex' value 'Q': must be F, M, X (other) or U (not known)",
        "people.csv:4: column 'disability' value 'maybe': must be Y, N or U (not declared)",
        "assignments.csv:2: column 'afc_band' value '3b': must be an Agenda for Change band: 1 to 9, 8a to 8d, "
        "or NA",
        "assignments.csv:2: column 'fte' value '2': must be more than 0 and at most 1.5 (contracted hours ÷ 37.5)",
        "assignments.csv:5: column 'organisation_code' value 'RX9': must be RX1, the organisation being imported",
    ]


def test_a_spell_overlapping_one_already_held_is_rejected(organisation: Organisation, tmp_path: Path) -> None:
    held = make_person(organisation, staff_id="P1")
    make_spell(held, start=dt.date(2015, 1, 1), end=None)

    outcome = run(organisation, write_extract(tmp_path))

    assert _problems(outcome) == [("assignments.csv", 2, "start_date"), ("assignments.csv", 3, "start_date")]
    assert "already held" in outcome.problems[0].message


def test_an_assignment_cannot_move_to_another_person(organisation: Organisation, tmp_path: Path) -> None:
    run(organisation, write_extract(tmp_path / "first"))
    moved = changed(ASSIGNMENTS, 3, "person_id", "P2", ASSIGNMENTS_HEADER)
    moved = changed(moved, 3, "start_date", "2023-01-01", ASSIGNMENTS_HEADER)

    outcome = run(organisation, write_extract(tmp_path / "second", assignments=moved))

    assert ("assignments.csv", 5, "assignment_id") in _problems(outcome)
    assert "already belongs to another person (P3)" in str(outcome.problems)


def test_a_person_who_left_and_came_back_may_keep_their_earlier_leaving_reason(
    organisation: Organisation, tmp_path: Path
) -> None:
    assignments = [
        *ASSIGNMENTS,
        ["A6", "P2", "RX1", "", "HCA", "3", "Permanent", "1", "2023-05-01", "", "", ""],
    ]

    outcome = run(organisation, write_extract(tmp_path, assignments=assignments))

    assert outcome.ok, outcome.problems


def test_unknown_columns_are_reported_not_imported(organisation: Organisation, tmp_path: Path) -> None:
    header = [*PEOPLE_HEADER, "Payroll Number"]
    people = [[*row, "12345"] for row in PEOPLE]

    outcome = run(organisation, write_extract(tmp_path, people_header=header, people=people))

    assert outcome.ok
    assert outcome.warnings[0] == "people.csv: columns not recognised and not imported: Payroll Number"


def test_headers_are_matched_without_regard_to_case_and_a_byte_order_mark_is_ignored(
    organisation: Organisation, tmp_path: Path
) -> None:
    folder = write_extract(
        tmp_path,
        people_header=[c.upper() for c in PEOPLE_HEADER],
        assignments_header=[c.title() for c in ASSIGNMENTS_HEADER],
    )
    people = folder / "people.csv"
    people.write_bytes(b"\xef\xbb\xbf" + people.read_bytes())

    outcome = run(organisation, folder)

    assert outcome.ok, outcome.problems
    assert outcome.counts["people_created"] == 3


def test_text_that_is_not_utf8_is_reported_by_line(organisation: Organisation, tmp_path: Path) -> None:
    folder = write_extract(tmp_path)
    people = folder / "people.csv"
    people.write_bytes(people.read_bytes().replace(b"Lovelace", "Lovelacé".encode("cp1252")))

    outcome = run(organisation, folder)

    assert _problems(outcome) == [("people.csv", 2, "")]
    assert "is not UTF-8 text" in outcome.problems[0].message


def _many(people: int) -> tuple[list[list[str]], list[list[str]]]:
    return (
        [[f"Q{n}", "1980", "F", "A", "N", "", "", ""] for n in range(people)],
        [
            [
                f"B{n}",
                f"Q{n}",
                "RX1",
                f"Team {n % 3}",
                "HCA",
                "3",
                "Permanent",
                "1",
                "2020-01-01",
                "",
                "",
                f"Q{(n + 1) % people}",
            ]
            for n in range(people)
        ],
    )


def test_the_number_of_queries_does_not_grow_with_the_rows(
    organisation: Organisation, tmp_path: Path
) -> None:
    counts = []
    for size in (3, 60):
        people, assignments = _many(size)
        folder = write_extract(tmp_path / str(size), people=people, assignments=assignments)
        with CaptureQueriesContext(connection) as checking:
            validate.check(
                organisation=organisation,
                people_path=folder / "people.csv",
                assignments_path=folder / "assignments.csv",
            )
        run(organisation, folder)
        with CaptureQueriesContext(connection) as reimport:
            assert run(organisation, folder).counts["spells_unchanged"] == size
        counts.append((len(checking.captured_queries), len(reimport.captured_queries)))
    assert counts[0] == counts[1]

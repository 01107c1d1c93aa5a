"""A small hand-made insights store whose figures can be worked out on paper (see the comments), for the
dashboard tests. Two organisations: RAA (wards "A ward 1" and "A ward 2") and RBB ("B ward 1").

Window 2024-03-31 → 2025-03-31 (the 12 months to the extract date):
- A ward 1: a1…a7 band 3 support workers (FTE 1.0) all year; a7 moves to band 4 on 2024-07-01; a8 (band 3)
  leaves on 2024-09-30 ("Voluntary Resignation - Relocation"); a12 a band 5 registered nurse (FTE 1.0).
- A ward 2: a9…a11 band 2 (FTE 0.5); a11 leaves on 2024-12-31 ("Retirement Age").
- B ward 1: b1…b6 band 5 (FTE 1.0) all year; b7 joins on 2024-06-01.
So for RAA: 12 in post at the start, 10 at the end, 2 leavers, no joiners, FTE at the end 9.0.
Absences: a1 off 1–10 May 2024 (10 days, S10); b1 off for June 2024 (S12).
Applications shortlisted and decided in the window (see `applications()`):
- coded RAA: White 20 (10 appointed, one of them for a vacancy whose id starts "RBB-"), BME 10 (2 appointed);
  non-disabled 24 (11 appointed), disabled 6 (1 appointed). So white ÷ BME = 0.5 ÷ 0.2 = 2.5, non-disabled ÷
  disabled = (11/24) ÷ (1/6) = 2.75. Not counted: 5 white not shortlisted, 3 decided on the window's start.
- coded RBB: White 7 (7 appointed), BME 9 (3 appointed): 1 ÷ (1/3) = 3.0.
- no code, vacancy "RAA-V9": BME 8 (8 appointed): in no organisation's dashboard."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import duckdb

from cultivate.insights.store import publish_dataset, staging, write_table

EXTRACT = dt.date(2025, 3, 31)
SUPPORT = "Support to doctors, nurses & midwives"
NURSES = "Nurses & health visitors"


def _q(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, dt.date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, (int, float)):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def _values(rows: Sequence[tuple[object, ...]], names: list[str]) -> str:
    body = ", ".join("(" + ", ".join(_q(v) for v in row) + ")" for row in rows)
    return f"SELECT * FROM (VALUES {body}) t({', '.join(names)})"


def assignments() -> list[tuple[object, ...]]:
    start_a, start_b = dt.date(2020, 1, 1), dt.date(2021, 1, 1)
    rows: list[tuple[object, ...]] = []

    def spell(
        pid: str,
        org: str,
        team: str,
        band: str,
        group: str,
        fte: float,
        start: dt.date,
        end: dt.date | None = None,
        reason: str | None = None,
        role: str = "Healthcare Assistant",
    ) -> None:
        n = len(rows)
        rows.append((f"S{n}", pid, org, team, role, band, group, "Permanent", fte, start, end, reason))

    for i in range(1, 7):
        spell(f"a{i}", "RAA", "A ward 1", "3", SUPPORT, 1.0, start_a)
    spell("a7", "RAA", "A ward 1", "3", SUPPORT, 1.0, start_a, dt.date(2024, 6, 30))
    spell("a7", "RAA", "A ward 1", "4", SUPPORT, 1.0, dt.date(2024, 7, 1), role="Assistant Practitioner")
    spell(
        "a8",
        "RAA",
        "A ward 1",
        "3",
        SUPPORT,
        1.0,
        start_a,
        dt.date(2024, 9, 30),
        "Voluntary Resignation - Relocation",
    )
    spell("a12", "RAA", "A ward 1", "5", NURSES, 1.0, dt.date(2019, 1, 1), role="Staff Nurse")
    spell("a9", "RAA", "A ward 2", "2", SUPPORT, 0.5, start_a)
    spell("a10", "RAA", "A ward 2", "2", SUPPORT, 0.5, start_a)
    spell("a11", "RAA", "A ward 2", "2", SUPPORT, 0.5, start_a, dt.date(2024, 12, 31), "Retirement Age")
    for i in range(1, 7):
        spell(f"b{i}", "RBB", "B ward 1", "5", NURSES, 1.0, start_b, role="Staff Nurse")
    spell("b7", "RBB", "B ward 1", "5", NURSES, 1.0, dt.date(2024, 6, 1), role="Staff Nurse")
    return rows


RECRUITMENT_COLUMNS = [
    "application_id",
    "vacancy_id",
    "organisation_code",
    "afc_band",
    "ethnic_category",
    "disability",
    "sex",
    "shortlisted",
    "appointed",
    "decided_on",
]


def applications() -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    decided = dt.date(2024, 9, 1)

    def add(
        n: int,
        org: str | None,
        ethnic: str,
        disability: str,
        appointed: bool,
        *,
        vacancy: str | None = None,
        shortlisted: bool = True,
        on: dt.date = decided,
    ) -> None:
        for _ in range(n):
            number = len(rows) + 1
            vacancy_id = vacancy or f"{org or 'X'}-V{number % 3}"
            rows.append(
                (f"AP{number}", vacancy_id, org, "3", ethnic, disability, "F", shortlisted, appointed, on)
            )

    add(9, "RAA", "A", "N", True)
    add(1, "RAA", "A", "N", True, vacancy="RBB-V5")  # the code, not the vacancy, says whose it is
    add(10, "RAA", "A", "N", False)
    add(1, "RAA", "H", "N", True)
    add(3, "RAA", "H", "N", False)
    add(1, "RAA", "H", "Y", True)
    add(5, "RAA", "H", "Y", False)
    add(5, "RAA", "A", "N", False, shortlisted=False)
    add(3, "RAA", "A", "N", True, on=dt.date(2024, 3, 31))
    add(7, "RBB", "A", "N", True)
    add(3, "RBB", "H", "N", True)
    add(6, "RBB", "H", "N", False)
    add(8, None, "H", "N", True, vacancy="RAA-V9")
    return rows


def build_store(store: Path) -> Path:
    people = [
        (
            pid,
            dt.date(1970 + n, 3, 1),
            None,
            "F" if n % 2 else "M",
            "A" if n % 3 else "M",
            "N",
            None,
            None,
            None,
        )
        for n, pid in enumerate([*(f"a{i}" for i in range(1, 13)), *(f"b{i}" for i in range(1, 8))])
    ]
    absences = [
        (
            "a1",
            dt.date(2024, 5, 1),
            dt.date(2024, 5, 10),
            "S10 Anxiety/stress/depression/other psychiatric illnesses",
        ),
        ("b1", dt.date(2024, 6, 1), dt.date(2024, 6, 30), "S12 Other musculoskeletal problems"),
    ]
    con = duckdb.connect(":memory:")
    with staging(store) as folder:
        write_table(
            folder,
            "people",
            _values(
                people,
                [
                    "person_id",
                    "birth_date",
                    "birth_year",
                    "sex",
                    "ethnic_category",
                    "disability",
                    "religion",
                    "sexual_orientation",
                    "nationality",
                ],
            ),
            con,
        )
        write_table(
            folder,
            "assignments",
            "SELECT assignment_id, person_id, organisation_code, team, 'H1D' AS occupation_code, job_role, "
            "job_role AS job_title, afc_band, staff_group, 'Mental Health' AS area_of_work, contract_type, fte, "
            "start_date, end_date, leaving_reason FROM ("
            + _values(
                assignments(),
                [
                    "assignment_id",
                    "person_id",
                    "organisation_code",
                    "team",
                    "job_role",
                    "afc_band",
                    "staff_group",
                    "contract_type",
                    "fte",
                    "start_date",
                    "end_date",
                    "leaving_reason",
                ],
            )
            + ")",
            con,
        )
        write_table(
            folder, "absences", _values(absences, ["person_id", "start_date", "end_date", "reason"]), con
        )
        write_table(folder, "recruitment", _values(applications(), RECRUITMENT_COLUMNS), con)
        publish_dataset(
            store, "hand", folder, {"sha256": "", "extract_date": EXTRACT.isoformat(), "rows": {}}
        )
    con.close()
    return store

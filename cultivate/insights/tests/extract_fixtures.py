"""A small hand-made extract, written as CSV files, Parquet files (with native column types) or an XLSX workbook
(with date, number and text cells), for the import tests."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

Table = tuple[list[str], list[list[str]]]

PEOPLE_HEADER = ["Person_ID", "Birth_Date", "Birth_Year", "Sex", "Ethnic_Category", "Disability", "Shoe_Size"]
ASSIGNMENT_HEADER = [
    "assignment_id",
    "person_id",
    "organisation_code",
    "team",
    "occupation_code",
    "job_role",
    "job_title",
    "afc_band",
    "staff_group",
    "area_of_work",
    "contract_type",
    "fte",
    "start_date",
    "end_date",
    "leaving_reason",
]
SUPPORT = "Support to doctors, nurses & midwives"


def extract_tables() -> dict[str, Table]:
    """Three people at two trusts: a band 2 → band 3 progression, a leaver who returns, a bank spell, a person
    with two assignments at different organisations, a current spell."""
    return {
        "people": (
            list(PEOPLE_HEADER),
            [
                ["P001", "1990-05-17", "", "F", "A", "N", "5"],
                ["P002", "", "1968", "m", "n", "U", ""],
                ["P003", "1999-12-01", "1999", "F", "H", "Y", "7"],
            ],
        ),
        "assignments": (
            list(ASSIGNMENT_HEADER),
            [
                # P001: band 2 then band 3 with no gap (no leaving reason on the first), then leaves and returns.
                [
                    "A1",
                    "P001",
                    "rx1",
                    "Ward 4",
                    "H1D",
                    "Healthcare Assistant",
                    "HCA",
                    "2",
                    SUPPORT,
                    "Mental Health",
                    "Permanent",
                    "1",
                    "2019-04-01",
                    "2020-06-30",
                    "",
                ],
                [
                    "A2",
                    "P001",
                    "RX1",
                    "Ward 4",
                    "H1D",
                    "Healthcare Assistant",
                    "Senior HCA",
                    "3",
                    SUPPORT,
                    "Mental Health",
                    "permanent",
                    "0.8",
                    "2020-07-01",
                    "2021-01-31",
                    "voluntary resignation - work life balance",
                ],
                [
                    "A3",
                    "P001",
                    "RX1",
                    "Crisis team",
                    "H1D",
                    "Support Worker",
                    "Mental Health Support Worker",
                    "3",
                    SUPPORT,
                    "Mental Health",
                    "Bank",
                    "0.2",
                    "2021-09-01",
                    "",
                    "",
                ],
                # P002: two assignments at two organisations at once.
                [
                    "A4",
                    "P002",
                    "RX1",
                    "Ward 2",
                    "H1D",
                    "Healthcare Assistant",
                    "Nursing Assistant",
                    "2",
                    SUPPORT,
                    "Mental Health",
                    "Fixed Term Temp",
                    "0.5",
                    "2020-01-01",
                    "2020-12-31",
                    "End of Fixed Term Contract",
                ],
                [
                    "A5",
                    "P002",
                    "RX2",
                    "Ward 9",
                    "H1A",
                    "Healthcare Assistant",
                    "HCA (Nights)",
                    "2",
                    SUPPORT,
                    "Acute Services",
                    "Permanent",
                    "0.6",
                    "2019-06-01",
                    "",
                    "",
                ],
                [
                    "A6",
                    "P003",
                    "RX2",
                    "",
                    "H2A",
                    "Assistant Practitioner",
                    "Assistant Practitioner",
                    "4",
                    SUPPORT,
                    "Acute Services",
                    "Permanent",
                    "1.0",
                    "2021-03-01",
                    "",
                    "",
                ],
            ],
        ),
        "absences": (
            ["person_id", "start_date", "end_date", "reason"],
            [
                ["P001", "2020-01-06", "2020-01-10", "S13 Cold, Cough, Flu - Influenza"],
                [
                    "P002",
                    "2020-11-02",
                    "2020-11-30",
                    "S10 Anxiety/stress/depression/other psychiatric illnesses",
                ],
                ["P003", "2022-01-10", "2022-01-11", ""],
            ],
        ),
        "training": (
            ["person_id", "course_code", "course_title", "completed_on", "mandatory", "hours", "cost_gbp"],
            [
                ["P001", "CC", "Care Certificate", "2019-06-28", "Y", "40", ""],
                ["P003", "FS", "Fire safety", "2021-03-15", "n", "1.5", "0"],
            ],
        ),
        "recruitment": (
            [
                "application_id",
                "vacancy_id",
                "afc_band",
                "ethnic_category",
                "disability",
                "sex",
                "shortlisted",
                "appointed",
                "decided_on",
            ],
            [
                ["R1", "V1", "4", "A", "N", "F", "Y", "N", "2021-02-01"],
                ["R2", "V1", "4", "H", "Y", "F", "Y", "Y", "2021-02-01"],
                ["R3", "V1", "4", "N", "N", "M", "N", "N", "2021-01-20"],
            ],
        ),
        "casework": (
            ["case_id", "person_id", "kind", "opened_on"],
            [["C1", "P002", "Capability", "2020-10-01"]],
        ),
    }


def write_csv(folder: Path, tables: dict[str, Table]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, (header, rows) in tables.items():
        with (folder / f"{name}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows)
    return folder


DATE_COLUMNS = {"birth_date", "start_date", "end_date", "completed_on", "decided_on", "opened_on"}
NUMBER_COLUMNS = {"fte", "hours", "cost_gbp", "birth_year"}


def _native(column: str, value: str) -> object:
    """The value as a spreadsheet or Parquet file would hold it natively."""
    name = column.lower()
    if value == "":
        return None
    if name in DATE_COLUMNS:
        return dt.date.fromisoformat(value)
    if name == "birth_year":
        return int(value)
    if name in NUMBER_COLUMNS:
        return float(value)
    return value


def write_xlsx(path: Path, tables: dict[str, Table]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    default = book.active
    for name, (header, rows) in tables.items():
        sheet = book.create_sheet(title=name.capitalize())
        sheet.append(header)
        for row in rows:
            sheet.append([_native(column, value) for column, value in zip(header, row, strict=True)])
    if default is not None:
        book.remove(default)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def write_parquet(folder: Path, tables: dict[str, Table]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, (header, rows) in tables.items():
        arrays = {}
        for position, column in enumerate(header):
            values = [_native(column, row[position]) for row in rows]
            lower = column.lower()
            if lower in DATE_COLUMNS:
                arrays[column] = pa.array(values, type=pa.date32())
            elif lower == "birth_year":
                arrays[column] = pa.array(values, type=pa.int32())
            elif lower in NUMBER_COLUMNS:
                arrays[column] = pa.array(values, type=pa.float64())
            elif lower in ("mandatory", "shortlisted", "appointed"):
                arrays[column] = pa.array([None if v is None else str(v).upper() == "Y" for v in values])
            else:
                arrays[column] = pa.array(values, type=pa.string())
        pq.write_table(pa.table(arrays), folder / f"{name}.parquet")
    return folder

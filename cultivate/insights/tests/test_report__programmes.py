"""The board report's programme outcomes, read from the store's programme participation only."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pyarrow as pa

from cultivate.insights.report import build_report, parse_period, render_html
from cultivate.insights.report.model import SUPPRESSED
from cultivate.insights.store import TABLES, publish_dataset, staging, write_table

from .test_measures import _arrow_type, build_store, spell

D = dt.date
PERIOD = parse_period("2019-06:2020-06")
START = D(2019, 9, 1)


def add_participation(store: Path, rows: list[dict[str, object]]) -> None:
    columns = TABLES["programme_participation"]
    with staging(store) as folder:
        arrow = pa.Table.from_pylist(
            [{c: row.get(c) for c in columns} for row in rows],
            schema=pa.schema([(c, _arrow_type(kind)) for c, kind in columns.items()]),
        )
        con = duckdb.connect()
        con.register("rows", arrow)
        write_table(folder, "programme_participation", "SELECT * FROM rows", con)
        con.close()
        publish_dataset(store, "service-RXX", folder, {"extract_date": "2020-12-31"})


def participant(i: int, *, org: str = "RXX", completed: bool = True, attended: int = 8) -> dict[str, object]:
    return {
        "organisation_code": org,
        "person_id": f"P{i}",
        "programme_id": "1",
        "programme": "Developing Healthcare Talent",
        "cohort_id": "10",
        "cohort": "Autumn 2019",
        "started_on": START,
        "ended_on": D(2019, 12, 8),
        "sessions": 10,
        "attended": attended,
        "completed": completed,
    }


def make_store(tmp_path: Path, participants: int) -> Path:
    spells = [spell(f"p{i}", f"P{i}", D(2018, 6, 1)) for i in range(participants)]
    spells += [
        spell(
            f"c{i}",
            f"C{i}",
            D(2018, 3, 1),
            D(2020, 1, 15) if i < 2 else None,
            reason="Retirement Age" if i < 2 else None,
        )
        for i in range(8)
    ]
    spells.append(spell("s1", "S1", D(2018, 1, 1), org="RYY"))
    # The last date recorded ends the observation: someone of another band left at the end of 2020.
    spells.append(spell("b6", "B6", D(2015, 1, 1), D(2020, 12, 31), band="6", reason="Retirement Age"))
    store = build_store(tmp_path / "store", spells, extract_date="2020-12-31")
    rows = [participant(i, completed=i != 0, attended=6 if i == 0 else 9) for i in range(participants)]
    rows.append(participant(99, org="RYY"))  # another organisation's participant: out of scope
    add_participation(store, rows)
    return store


def test_programme_outcomes_section(tmp_path: Path) -> None:
    report = build_report(make_store(tmp_path, 6), PERIOD, ["RXX"])
    section = report.section("programmes")
    assert section is not None and section.title == "Development programmes"
    (table,) = section.tables
    ((title, cohorts, people, attendance, completion, p6, c6, p12, c12),) = table.values()
    assert (title, cohorts, people) == ("Developing Healthcare Talent", 1, 6)
    assert attendance == (6 + 5 * 9) / 60
    assert completion == 5 / 6
    assert p6 == 1.0 and p12 == 1.0  # nobody left
    assert c6 == 6 / 8 and c12 == 6 / 8  # two of the eight matched staff left in January 2020
    (chart,) = section.charts
    assert chart.key == "programme_retention" and chart.spec["data"]["values"]
    assert "Development programmes" in render_html(report)


def test_few_participants_are_hidden_and_no_programme_no_section(tmp_path: Path) -> None:
    report = build_report(make_store(tmp_path, 3), PERIOD, ["RXX"])
    section = report.section("programmes")
    assert section is not None
    ((_, _, people, attendance, completion, p6, *_),) = section.tables[0].values()
    assert people == attendance == completion == p6 == SUPPRESSED
    other = build_report(make_store(tmp_path / "b", 6), parse_period("2021-01:2021-06"), ["RXX"])
    assert other.section("programmes") is None

"""The store's views: which datasets they read."""

from __future__ import annotations

from pathlib import Path

import duckdb

from cultivate.insights import store as insights_store


def _publish(store: Path, name: str, people: list[str]) -> None:
    con = duckdb.connect(":memory:")
    columns = ", ".join(f"NULL AS {name}" for name in insights_store.TABLES["people"] if name != "person_id")
    values = ", ".join(f"('{p}')" for p in people)
    with insights_store.staging(store) as staged:
        insights_store.write_table(
            staged, "people", f"SELECT person_id, {columns} FROM (VALUES {values}) AS t(person_id)", con
        )
        insights_store.publish_dataset(store, name, staged, {"rows": {"people": len(people)}})


def _people(store: Path) -> list[str]:
    con = insights_store.connect(store)
    return sorted(row[0] for row in con.execute("SELECT person_id FROM people").fetchall())


def test_an_extract_of_an_organisation_replaces_its_service_snapshot(tmp_path: Path) -> None:
    store = tmp_path / "store"
    _publish(store, "service-RX1", ["snap-1", "snap-2"])
    _publish(store, "service-RX2", ["other-1"])
    assert _people(store) == ["other-1", "snap-1", "snap-2"]

    _publish(store, "extract-RX1", ["esr-1"])

    # RX1's snapshot is left out (its people would be counted twice); RX2 has no extract, so its snapshot stays.
    assert _people(store) == ["esr-1", "other-1"]
    assert set(insights_store.manifest(store)["datasets"]) == {"service-RX1", "service-RX2", "extract-RX1"}


def test_removing_the_extract_brings_the_snapshot_back(tmp_path: Path) -> None:
    store = tmp_path / "store"
    _publish(store, "service-RX1", ["snap-1"])
    _publish(store, "extract-RX1", ["esr-1"])
    assert insights_store.remove_dataset(store, "extract-RX1")
    assert _people(store) == ["snap-1"]
    assert not insights_store.remove_dataset(store, "extract-RX1")


# Recruitment as written before organisation_code was added to the schema (our extension of the format).
OLD_RECRUITMENT = {
    name: kind for name, kind in insights_store.TABLES["recruitment"].items() if name != "organisation_code"
}


def _publish_recruitment(
    store: Path, name: str, rows: list[tuple[str, str, str | None]], *, old: bool
) -> None:
    """Applications (application_id, vacancy_id, organisation_code), written as a dataset with or without the
    organisation_code column."""
    columns = OLD_RECRUITMENT if old else insights_store.TABLES["recruitment"]
    con = duckdb.connect(":memory:")
    values = ", ".join(f"('{a}', '{v}', {repr(o) if o else 'NULL'})" for a, v, o in rows)
    select = ", ".join(
        name
        if name in ("application_id", "vacancy_id", "organisation_code")
        else f"CAST(NULL AS {kind}) AS {name}"
        for name, kind in columns.items()
    )
    with insights_store.staging(store) as staged:
        (staged / "recruitment").mkdir()
        path = staged / "recruitment" / "part-0.parquet"
        con.execute(
            f"COPY (SELECT {select} FROM (VALUES {values}) AS t(application_id, vacancy_id, organisation_code)) "
            f"TO '{path}' (FORMAT parquet)"
        )
        written = {row[0] for row in con.execute(f"DESCRIBE SELECT * FROM '{path}'").fetchall()}
        assert ("organisation_code" in written) is not old
        insights_store.publish_dataset(store, name, staged, {"rows": {"recruitment": len(rows)}})


def _applications(store: Path) -> list[tuple[str, str | None]]:
    con = insights_store.connect(store)
    try:
        columns = [row[0] for row in con.execute("DESCRIBE recruitment").fetchall()]
        assert columns == list(insights_store.TABLES["recruitment"])
        return con.execute(
            "SELECT application_id, organisation_code FROM recruitment ORDER BY ALL"
        ).fetchall()
    finally:
        con.close()


def test_a_store_written_before_recruitment_had_organisation_code_still_reads(tmp_path: Path) -> None:
    store = tmp_path / "store"
    _publish_recruitment(store, "old", [("A1", "RX1-V1", None), ("A2", "V2", None)], old=True)
    assert _applications(store) == [("A1", None), ("A2", None)]


def test_old_and_new_recruitment_datasets_read_together(tmp_path: Path) -> None:
    store = tmp_path / "store"
    _publish_recruitment(store, "old", [("A1", "RX1-V1", None)], old=True)
    _publish_recruitment(store, "new", [("B1", "V9", "RX2"), ("B2", "V9", None)], old=False)
    assert _applications(store) == [("A1", None), ("B1", "RX2"), ("B2", None)]

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

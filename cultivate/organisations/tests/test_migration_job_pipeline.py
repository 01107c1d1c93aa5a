"""Migration 0006 moves a staff import onto the shared job fields and keeps its data: rows counted become
steps, the problems and the reason for a failure leave the report for their own fields, and back again."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("organisations", "0005_staffimport_preview")]
AFTER = [("organisations", "0006_staffimport_job_pipeline")]


def _migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection)


def test_a_staff_import_keeps_its_progress_problems_and_error() -> None:
    old = _migrate(BEFORE).loader.project_state(BEFORE).apps
    organisation = old.get_model("organisations", "Organisation").objects.create(
        ods_code="RX1", name="Trust", kind="trust"
    )
    StaffImport = old.get_model("organisations", "StaffImport")
    problem = {"file": "people.csv", "line": 3, "column": "sex", "value": "Q", "message": "must be F or M"}
    rejected = StaffImport.objects.create(
        organisation=organisation,
        folder="imports/RX1/a",
        status="rejected",
        stage="done",
        rows_total=7,
        rows_done=5,
        problem_count=12,
        report={"problems": [problem], "warnings": ["check"], "files": {"people.csv": "p.csv"}},
    )
    failed = StaffImport.objects.create(
        organisation=organisation, folder="imports/RX1/b", status="failed", report={"error": "It stopped."}
    )
    try:
        new = _migrate(AFTER).loader.project_state(AFTER).apps
        Migrated = new.get_model("organisations", "StaffImport")
        record = Migrated.objects.get(pk=rejected.pk)
        assert (record.steps_total, record.steps_done, record.problem_count) == (7, 5, 12)
        assert record.problems == [
            {"file": "people.csv", "row": 3, "column": "sex", "value": "Q", "problem": "must be F or M"}
        ]
        assert record.report == {"warnings": ["check"], "files": {"people.csv": "p.csv"}}
        assert record.error == ""
        stopped = Migrated.objects.get(pk=failed.pk)
        assert (stopped.error, stopped.report, stopped.problems) == ("It stopped.", {}, [])

        # And back: the report holds them again.
        back = _migrate(BEFORE).loader.project_state(BEFORE).apps.get_model("organisations", "StaffImport")
        assert back.objects.get(pk=rejected.pk).report["problems"] == [problem]
        assert back.objects.get(pk=rejected.pk).rows_total == 7
        assert back.objects.get(pk=failed.pk).report == {"error": "It stopped."}
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

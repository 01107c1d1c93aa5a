"""Migration 0005 moves an insights import onto the shared job fields and keeps its data (the problems and the
reason for a failure leave the report for their own fields, and back again); a board report gains the empty
problem fields."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("insights", "0004_job_heartbeat")]
AFTER = [("insights", "0005_job_pipeline_fields")]


def _migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection)


def test_an_insights_import_keeps_its_problems_and_error() -> None:
    old = _migrate(BEFORE).loader.project_state(BEFORE).apps
    organisation = old.get_model("organisations", "Organisation").objects.create(
        ods_code="RX1", name="Trust", kind="trust"
    )
    InsightsImport = old.get_model("insights", "InsightsImport")
    problem = {
        "file": "people.csv",
        "line": 4,
        "column": "fte",
        "value": "2.5",
        "rule": "must be at most 1.5",
    }
    rejected = InsightsImport.objects.create(
        organisation=organisation,
        kind="extract",
        dataset="extract-RX1",
        status="failed",
        steps_done=3,
        steps_total=9,
        problem_count=40,
        report={"error": "40 problems were found", "problems": [problem], "checking_stopped": True},
    )
    report = old.get_model("insights", "BoardReport").objects.create(
        role="org_admin",
        organisation=organisation,
        title="Report",
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 12, 31),
        file_format="pdf",
        status="failed",
        error="Ask again.",
    )
    try:
        new = _migrate(AFTER).loader.project_state(AFTER).apps
        record = new.get_model("insights", "InsightsImport").objects.get(pk=rejected.pk)
        assert (record.steps_done, record.steps_total, record.problem_count) == (3, 9, 40)
        assert record.problems == [
            {
                "file": "people.csv",
                "row": 4,
                "column": "fte",
                "value": "2.5",
                "problem": "must be at most 1.5",
            }
        ]
        assert record.error == "40 problems were found"
        assert record.report == {"checking_stopped": True}
        made = new.get_model("insights", "BoardReport").objects.get(pk=report.pk)
        assert (made.error, made.problems, made.problem_count) == ("Ask again.", [], 0)

        back = _migrate(BEFORE).loader.project_state(BEFORE).apps.get_model("insights", "InsightsImport")
        assert back.objects.get(pk=rejected.pk).report == {
            "error": "40 problems were found",
            "problems": [problem],
            "checking_stopped": True,
        }
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

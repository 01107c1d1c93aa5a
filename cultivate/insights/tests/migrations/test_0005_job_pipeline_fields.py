"""Migration 0005 moves an insights import onto the shared job fields and keeps its data: the problems and the
reason for a failure leave the report for their own fields, in the shared shape, and back again. (The data
step is run on the current tables inside the test's transaction; see the staff import's migration test.)"""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps

from cultivate.insights.models import InsightsImport
from cultivate.organisations.testing import make_organisation

pytestmark = pytest.mark.django_db

migration = import_module("cultivate.insights.migrations.0005_job_pipeline_fields")
OLD_PROBLEM = {
    "file": "people.csv",
    "line": 4,
    "column": "fte",
    "value": "2.5",
    "rule": "must be at most 1.5",
}


def test_an_insights_import_keeps_its_problems_and_error_and_they_go_back() -> None:
    organisation = make_organisation("RX1")
    rejected = InsightsImport.objects.create(
        organisation=organisation,
        kind="extract",
        dataset="extract-RX1",
        status="failed",
        steps_done=3,
        steps_total=9,
        problem_count=40,
        report={"error": "40 problems were found", "problems": [OLD_PROBLEM], "checking_stopped": True},
    )
    snapshot = InsightsImport.objects.create(
        organisation=organisation,
        kind="snapshot",
        dataset="service-RX1",
        status="succeeded",
        report={"extract_date": "2025-01-31", "titles_queued": 2},
    )

    migration.forwards(apps, None)

    record = InsightsImport.objects.get(pk=rejected.pk)
    assert record.problems == [
        {"file": "people.csv", "row": 4, "column": "fte", "value": "2.5", "problem": "must be at most 1.5"}
    ]
    assert (record.error, record.report) == ("40 problems were found", {"checking_stopped": True})
    assert (record.problem_count, record.steps_done, record.steps_total) == (40, 3, 9)
    done = InsightsImport.objects.get(pk=snapshot.pk)
    assert (done.error, done.problems, done.report) == (
        "",
        [],
        {"extract_date": "2025-01-31", "titles_queued": 2},
    )

    migration.backwards(apps, None)

    assert InsightsImport.objects.get(pk=rejected.pk).report == {
        "error": "40 problems were found",
        "problems": [OLD_PROBLEM],
        "checking_stopped": True,
    }

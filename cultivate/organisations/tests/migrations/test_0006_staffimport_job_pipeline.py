"""Migration 0006 moves a staff import onto the shared job fields and keeps its data: the problems and the
reason for a failure leave the report for their own fields, in the shared shape, and back again. (Its renames,
rows_* to steps_*, are Django's RenameField. The data step is run here on the current tables, inside the test's
transaction: migrating the test database back and forth would need a transactional test, whose flush drops the
rows the data migrations loaded for the tests after it.)"""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps

from cultivate.organisations.models import StaffImport
from cultivate.organisations.testing import make_organisation

pytestmark = pytest.mark.django_db

migration = import_module("cultivate.organisations.migrations.0006_staffimport_job_pipeline")
OLD_PROBLEM = {"file": "people.csv", "line": 3, "column": "sex", "value": "Q", "message": "must be F or M"}


def test_a_staff_import_keeps_its_problems_and_error_and_they_go_back() -> None:
    organisation = make_organisation("RX1")
    rejected = StaffImport.objects.create(
        organisation=organisation,
        folder="imports/RX1/a",
        status="rejected",
        steps_total=7,
        steps_done=7,
        problem_count=12,
        report={"problems": [OLD_PROBLEM], "warnings": ["check"], "files": {"people.csv": "p.csv"}},
    )
    failed = StaffImport.objects.create(
        organisation=organisation, folder="imports/RX1/b", status="failed", report={"error": "It stopped."}
    )
    untouched = StaffImport.objects.create(organisation=organisation, folder="imports/RX1/c")

    migration.forwards(apps, None)

    record = StaffImport.objects.get(pk=rejected.pk)
    assert record.problems == [
        {"file": "people.csv", "row": 3, "column": "sex", "value": "Q", "problem": "must be F or M"}
    ]
    assert record.report == {"warnings": ["check"], "files": {"people.csv": "p.csv"}}
    assert (record.error, record.problem_count, record.steps_total) == ("", 12, 7)
    stopped = StaffImport.objects.get(pk=failed.pk)
    assert (stopped.error, stopped.report, stopped.problems) == ("It stopped.", {}, [])
    assert StaffImport.objects.get(pk=untouched.pk).problems == []

    migration.backwards(apps, None)

    assert StaffImport.objects.get(pk=rejected.pk).report["problems"] == [OLD_PROBLEM]
    assert StaffImport.objects.get(pk=failed.pk).report == {"error": "It stopped."}

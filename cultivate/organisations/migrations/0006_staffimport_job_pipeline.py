"""The staff import on the shared job fields (ADR 0023): rows counted as steps, the problems
and the reason for a failure moved out of the report into their own fields, in the shared problem shape."""

from typing import Any

from django.db import migrations, models


def forwards(apps: Any, schema_editor: Any) -> None:
    StaffImport = apps.get_model("organisations", "StaffImport")
    for record in StaffImport.objects.exclude(report={}).iterator():
        report = dict(record.report or {})
        problems = report.pop("problems", None) or []
        record.problems = [
            {
                "file": p.get("file", ""),
                "row": p.get("line"),
                "column": p.get("column", ""),
                "value": p.get("value", ""),
                "problem": p.get("message", ""),
            }
            for p in problems
        ]
        record.error = report.pop("error", "") or ""
        record.report = report
        record.save(update_fields=["problems", "error", "report"])


def backwards(apps: Any, schema_editor: Any) -> None:
    StaffImport = apps.get_model("organisations", "StaffImport")
    for record in StaffImport.objects.all().iterator():
        report = dict(record.report or {})
        if record.problems:
            report["problems"] = [
                {
                    "file": p.get("file", ""),
                    "line": p.get("row"),
                    "column": p.get("column", ""),
                    "value": p.get("value", ""),
                    "message": p.get("problem", ""),
                }
                for p in record.problems
            ]
        if record.error:
            report["error"] = record.error
        record.report = report
        record.save(update_fields=["report"])


class Migration(migrations.Migration):
    dependencies = [("organisations", "0005_staffimport_preview")]

    operations = [
        migrations.RenameField("staffimport", "rows_total", "steps_total"),
        migrations.RenameField("staffimport", "rows_done", "steps_done"),
        migrations.AddField(
            model_name="staffimport",
            name="error",
            field=models.TextField(blank=True, help_text="Why the job failed, and what to do next."),
        ),
        migrations.AddField(
            model_name="staffimport",
            name="problems",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="The first problems found: file, row, column, value, problem.",
            ),
        ),
        migrations.AddField(
            model_name="staffimport",
            name="started_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="staffimport",
            name="problem_count",
            field=models.PositiveIntegerField(default=0, help_text="Every problem found."),
        ),
        migrations.AlterField(
            model_name="staffimport",
            name="stage",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "Waiting to start"),
                    ("checking", "Checking the files"),
                    ("saving", "Saving the changes"),
                    ("done", "Finished"),
                ],
                max_length=100,
            ),
        ),
        migrations.AlterField(
            model_name="staffimport",
            name="steps_done",
            field=models.PositiveIntegerField(default=0, help_text="Steps completed."),
        ),
        migrations.RunPython(forwards, backwards),
    ]

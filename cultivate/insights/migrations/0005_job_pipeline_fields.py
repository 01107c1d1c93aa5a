"""Insights imports and board reports on the shared job fields (ADR 0023): an import's
problems and the reason for a failure moved out of its report into their own fields, in the shared problem
shape; a board report gains the (empty) problem fields."""

from typing import Any

from django.db import migrations, models


def forwards(apps: Any, schema_editor: Any) -> None:
    InsightsImport = apps.get_model("insights", "InsightsImport")
    for record in InsightsImport.objects.exclude(report={}).iterator():
        report = dict(record.report or {})
        problems = report.pop("problems", None) or []
        record.problems = [
            {
                "file": p.get("file", ""),
                "row": p.get("line"),
                "column": p.get("column", ""),
                "value": p.get("value", ""),
                "problem": p.get("rule", ""),
            }
            for p in problems
        ]
        record.error = report.pop("error", "") or ""
        record.report = report
        record.save(update_fields=["problems", "error", "report"])


def backwards(apps: Any, schema_editor: Any) -> None:
    InsightsImport = apps.get_model("insights", "InsightsImport")
    for record in InsightsImport.objects.all().iterator():
        report = dict(record.report or {})
        if record.problems:
            report["problems"] = [
                {
                    "file": p.get("file", ""),
                    "line": p.get("row"),
                    "column": p.get("column", ""),
                    "value": p.get("value", ""),
                    "rule": p.get("problem", ""),
                }
                for p in record.problems
            ]
        if record.error:
            report["error"] = record.error
        record.report = report
        record.save(update_fields=["report"])


class Migration(migrations.Migration):
    dependencies = [("insights", "0004_job_heartbeat")]

    operations = [
        migrations.AddField(
            model_name="boardreport",
            name="problem_count",
            field=models.PositiveIntegerField(default=0, help_text="Every problem found."),
        ),
        migrations.AddField(
            model_name="boardreport",
            name="problems",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="The first problems found: file, row, column, value, problem.",
            ),
        ),
        migrations.AddField(
            model_name="insightsimport",
            name="error",
            field=models.TextField(blank=True, help_text="Why the job failed, and what to do next."),
        ),
        migrations.AddField(
            model_name="insightsimport",
            name="problems",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="The first problems found: file, row, column, value, problem.",
            ),
        ),
        migrations.AlterField(
            model_name="boardreport",
            name="error",
            field=models.TextField(blank=True, help_text="Why the job failed, and what to do next."),
        ),
        migrations.AlterField(
            model_name="boardreport",
            name="stage",
            field=models.CharField(blank=True, help_text="What the job is doing now.", max_length=100),
        ),
        migrations.AlterField(
            model_name="boardreport",
            name="steps_done",
            field=models.PositiveIntegerField(default=0, help_text="Steps completed."),
        ),
        migrations.AlterField(
            model_name="insightsimport",
            name="problem_count",
            field=models.PositiveIntegerField(default=0, help_text="Every problem found."),
        ),
        migrations.AlterField(
            model_name="insightsimport",
            name="stage",
            field=models.CharField(blank=True, help_text="What the job is doing now.", max_length=100),
        ),
        migrations.AlterField(
            model_name="insightsimport",
            name="steps_done",
            field=models.PositiveIntegerField(default=0, help_text="Steps completed."),
        ),
        migrations.RunPython(forwards, backwards),
    ]

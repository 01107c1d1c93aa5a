"""The one progress presenter of background jobs: one rule for numbering steps (the step under way is the one
after those completed), percentages, the heartbeat line, failures and the problems card."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cultivate.core.jobs_presenter import (
    current_step,
    job_failure,
    job_problems,
    job_progress,
    job_status_tag,
    progress_text,
    since,
)
from cultivate.insights.models import BoardReport, InsightsImport
from cultivate.organisations.models import StaffImport


@pytest.mark.parametrize(
    ("done", "total", "step"),
    [(0, 5, 1), (1, 5, 2), (4, 5, 5), (5, 5, 5), (9, 5, 5), (0, 0, 0), (3, 0, 0)],
)
def test_the_step_under_way_is_the_one_after_those_completed(done: int, total: int, step: int) -> None:
    assert current_step(done, total) == step


def test_every_job_kind_numbers_its_steps_by_the_one_rule() -> None:
    # Before the pipeline the insights import said "step {done}" and the board report "step {done + 1}".
    report = BoardReport(status="running", stage="Drawing the charts", steps_done=4, steps_total=6)
    upload = InsightsImport(status="running", stage="Drawing the charts", steps_done=4, steps_total=6)
    assert progress_text(report) == progress_text(upload) == "Step 5 of 6: Drawing the charts (66% done)."


def test_a_job_that_counts_rows_says_how_many_are_done() -> None:
    record = StaffImport(status="running", stage="checking", steps_done=10_000, steps_total=40_000)
    assert progress_text(record) == "Checked 10,000 of 40,000 rows (25%)."
    assert record.stage_label == "Checking the files"


def test_percent_is_whole_capped_and_full_once_finished() -> None:
    assert BoardReport(status="running", steps_done=1, steps_total=3).progress_percent == 33
    assert BoardReport(status="running", steps_done=7, steps_total=3).progress_percent == 100
    assert BoardReport(status="running", steps_done=0, steps_total=0).progress_percent == 0
    assert BoardReport(status="failed", steps_done=1, steps_total=3).progress_percent == 100


def test_the_progress_card_of_a_queued_and_a_running_job() -> None:
    now = timezone.now()
    queued = job_progress(InsightsImport(status="queued", updated_at=now), now=now)
    assert queued["text"] == "Waiting for the worker to start." and queued["heartbeat"] == ""
    assert queued["heading"] == "Waiting to start" and queued["max"] == 1

    running = BoardReport(
        status="running",
        stage="Laying out the PDF",
        steps_done=5,
        steps_total=6,
        updated_at=now - dt.timedelta(minutes=5),
        heartbeat_at=now - dt.timedelta(seconds=40),
    )
    card = job_progress(running, label="Progress of the report", now=now)
    assert card["heading"] == "Laying out the PDF" and card["label"] == "Progress of the report"
    assert (card["value"], card["max"], card["percent"]) == (5, 6, 83)
    assert card["text"] == "Step 6 of 6: Laying out the PDF (83% done)."
    # The latest sign of life, the heartbeat or a progress write.
    assert card["heartbeat"] == "The worker last reported progress 40 seconds ago."


@pytest.mark.parametrize(
    ("seconds", "words"),
    [(0, "just now"), (4, "just now"), (5, "5 seconds ago"), (60, "1 minute ago"), (7300, "2 hours ago")],
)
def test_since_says_how_long_ago_in_words(seconds: int, words: str) -> None:
    now = timezone.now()
    assert since(now - dt.timedelta(seconds=seconds), now) == words


def test_a_failed_job_says_what_to_do_next() -> None:
    assert job_failure(BoardReport(status="failed", error="Ask again."), "Fallback.") == "Ask again."
    assert job_failure(BoardReport(status="failed"), "Fallback.") == "Fallback."


def test_status_tags_colour_the_shared_statuses_and_a_kind_adds_its_own() -> None:
    assert job_status_tag(BoardReport(status="succeeded")) == {"text": "Ready", "classes": "nhsuk-tag--green"}
    assert job_status_tag(StaffImport(status="checked"), {"checked": "nhsuk-tag--yellow"}) == {
        "text": "Ready to import",
        "classes": "nhsuk-tag--yellow",
    }


def test_the_problems_card_says_how_many_the_download_holds() -> None:
    problem = {
        "file": "people.csv",
        "row": 3,
        "column": "sex",
        "value": "Q",
        "problem": "must be F, M, X or U",
    }
    record = InsightsImport(problems=[problem] * 2, problem_count=5)
    card = job_problems(record)
    assert (card["shown"], card["count"], card["truncated"], card["in_download"]) == (2, 5, True, 2)
    assert not card["download_all"]
    assert job_problems(record, in_download=5)["download_all"]
    assert not job_problems(record, in_download=5, complete=False)["download_all"]
    assert card["xlsx_href"] == "?download=problems&format=xlsx"

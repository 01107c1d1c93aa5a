"""The board report task: it makes the file under MEDIA_ROOT through its stages, runs once, keeps the
reasons of a failure off the page, and deletes reports older than the keeping period."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from cultivate.accounts import testing as t
from cultivate.accounts.models import Role
from cultivate.core.jobs import JobProgress, jobs_recover
from cultivate.insights.board_reports import services
from cultivate.insights.measures import Window
from cultivate.insights.models import BoardReport, BoardReportStatus
from cultivate.insights.tasks import run_board_report

from .dashboard_store import build_store

pytestmark = pytest.mark.django_db

PERIOD = Window(dt.date(2024, 3, 31), dt.date(2025, 3, 31))


@pytest.fixture(scope="module")
def hand_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_store(tmp_path_factory.mktemp("report-tasks") / "store")


@pytest.fixture
def media(settings: Any, hand_store: Path, tmp_path: Path) -> Path:
    settings.INSIGHTS_STORE = hand_store
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


def _report(
    file_format: str = "html", codes: list[str] | None = None, individual_level: bool = False
) -> BoardReport:
    organisation = t.make_organisation(f"R{BoardReport.objects.count():02d}X"[:5])
    admin = t.make_user(Role.ORG_ADMIN, organisation=organisation)
    return services.board_report_create(
        membership=admin.memberships.get(),
        actor=admin,
        organisation=organisation,
        alliance=None,
        organisation_codes=codes or ["RAA"],
        title="Workforce report: Trust A",
        period=PERIOD,
        file_format=file_format,
        individual_level=individual_level,
    )


def test_the_task_makes_a_pdf_through_its_stages(media: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stages: list[tuple[str | None, int]] = []

    class Recording(JobProgress):
        def __call__(self, stage: str | None, done: int, total: int | None = None) -> None:
            stages.append((stage, done))
            super().__call__(stage, done, total)

    monkeypatch.setattr(services, "JobProgress", Recording)
    report = _report("pdf")
    result = run_board_report.enqueue(report.pk)
    assert result.return_value == BoardReportStatus.SUCCEEDED
    report.refresh_from_db()
    assert report.status == BoardReportStatus.SUCCEEDED and report.stage == "Finished"
    assert report.steps_done == report.steps_total == 6
    assert report.started_at is not None and report.finished_at is not None and not report.error
    path = media / report.file
    assert path.is_file() and path.read_bytes().startswith(b"%PDF-")
    assert report.size == path.stat().st_size > 1000
    assert report.organisation is not None
    code = report.organisation.ods_code.lower()
    assert path.name == f"workforce-report-{code}-2024-03-31-2025-03-31.pdf"
    assert path.is_relative_to(media / services.REPORTS_DIR)
    assert [name for name, _done in stages] == [
        "Working out the figures: key figures",
        "Working out the figures: trends",
        "Working out the figures: retention and progression",
        "Working out the figures: fairness",
        "Drawing the charts",
        "Laying out the PDF",
    ]
    assert [done for _name, done in stages] == [0, 1, 2, 3, 4, 5]
    assert not list(path.parent.glob(".part"))  # written beside and renamed


def test_an_html_report_is_the_rendered_page(media: Path) -> None:
    report = services.board_report_execute(record_id=_report("html", individual_level=True).pk)
    html = (media / report.file).read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html")
    assert "Workforce report: Trust A" in html and "Not suppressed" in html
    assert report.steps_total == 5


def test_a_report_runs_once(media: Path) -> None:
    report = services.board_report_execute(record_id=_report().pk)
    first = (report.file, report.finished_at)
    again = services.board_report_execute(record_id=report.pk)  # a retried task
    assert (again.file, again.finished_at) == first
    assert len(list((media / services.REPORTS_DIR).iterdir())) == 1


def test_a_store_without_the_organisation_fails_with_a_safe_message(media: Path) -> None:
    report = services.board_report_execute(record_id=_report(codes=["RZZ"]).pk)
    assert report.status == BoardReportStatus.FAILED and report.stage == "Stopped"
    assert report.error == services.NO_RECORDS
    assert "RBB" not in report.error and "store" not in report.error  # ReportError lists what the store holds
    assert not report.file and report.size is None
    assert not [p for p in media.rglob("*") if p.is_file()]  # nothing half made is kept


def test_an_unexpected_error_is_logged_and_reported_plainly(
    media: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(_html: str) -> bytes:
        raise RuntimeError("layout engine exploded")

    monkeypatch.setattr(services, "render_pdf", broken)
    report = services.board_report_execute(record_id=_report("pdf").pk)
    assert report.status == BoardReportStatus.FAILED
    assert report.error == services.OUR_SIDE.format(pk=report.pk)
    assert "exploded" not in report.error and "layout engine exploded" in caplog.text


def test_reports_older_than_the_keeping_period_are_deleted(media: Path) -> None:
    old = services.board_report_execute(record_id=_report().pk)
    recent = services.board_report_execute(record_id=_report().pk)
    now = timezone.now()
    BoardReport.objects.filter(pk=old.pk).update(created_at=now - dt.timedelta(days=services.KEEP_DAYS + 1))
    BoardReport.objects.filter(pk=recent.pk).update(
        created_at=now - dt.timedelta(days=services.KEEP_DAYS - 1)
    )
    old_file, recent_file = media / old.file, media / recent.file
    # Making any report clears out the expired ones
    services.board_report_execute(record_id=_report().pk)
    assert not BoardReport.objects.filter(pk=old.pk).exists() and not old_file.parent.exists()
    assert BoardReport.objects.filter(pk=recent.pk).exists() and recent_file.is_file()
    assert services.board_reports_delete_expired(now=now + dt.timedelta(days=2)) == 1
    assert not recent_file.exists()


def test_a_report_queued_longer_than_the_keeping_period_is_still_made(media: Path) -> None:
    report = _report()
    BoardReport.objects.filter(pk=report.pk).update(
        created_at=timezone.now() - dt.timedelta(days=services.KEEP_DAYS + 5)
    )
    made = services.board_report_execute(record_id=report.pk)
    assert made.status == BoardReportStatus.SUCCEEDED and (media / made.file).is_file()


def test_a_report_whose_worker_died_is_made_again_once_then_failed(media: Path) -> None:
    report = _report()

    def died_while_running() -> Path:
        BoardReport.objects.filter(pk=report.pk).update(
            status=BoardReportStatus.RUNNING,
            stage=services.CHARTS,
            steps_total=5,
            steps_done=4,
            updated_at=timezone.now() - dt.timedelta(hours=1),
        )
        half = media / services.REPORTS_DIR / f"{report.pk}-dead"
        half.mkdir(parents=True)
        (half / ".part").write_bytes(b"half a report")
        return half

    half = died_while_running()
    # Queued again, and run at once by the test settings' task backend: the report is made.
    assert jobs_recover(kinds=[BoardReport]).requeued == [f"insights.BoardReport {report.pk}"]
    report.refresh_from_db()
    assert report.status == BoardReportStatus.SUCCEEDED and report.restarts == 1
    assert not half.exists() and (media / report.file).is_file()

    half = died_while_running()
    assert jobs_recover(kinds=[BoardReport]).failed == [f"insights.BoardReport {report.pk}"]
    report.refresh_from_db()
    assert report.status == BoardReportStatus.FAILED and report.stage == "Stopped"
    assert (
        report.error.startswith("The report stopped unexpectedly, twice") and str(report.pk) in report.error
    )
    assert report.steps_done == report.steps_total and not half.exists()

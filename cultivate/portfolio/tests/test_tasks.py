"""Expiry, reassessment and due-date reminders: who gets them, once each; the command and the task."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from cultivate.accounts import testing as t
from cultivate.accounts.models import Role
from cultivate.core.models import Notification
from cultivate.portfolio import services
from cultivate.portfolio.models import ReminderKind, ReminderSent, SignOffRequest
from cultivate.portfolio.tasks import send_portfolio_reminders

from . import portfolio_factories as f

pytestmark = pytest.mark.django_db

ON = dt.date(2026, 6, 15)


@pytest.fixture
def scene():  # type: ignore[no-untyped-def]
    scene = f.make_scene()
    # Both requirements met and not yet expiring, so that each test adds only what it tests.
    person = scene["worker_person"]
    scene["obs_signed"] = f.make_assessment(
        person,
        scene["obs"],
        level="supervised",
        assessed_on=dt.date(2026, 1, 1),
        expires_on=dt.date(2027, 1, 1),
    )
    f.make_assessment(person, scene["comms"], level="observed", assessed_on=dt.date(2026, 1, 1))
    return scene


def titles(user) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(Notification.objects.filter(user=user).values_list("title", flat=True))


def test_nothing_to_remind(scene) -> None:  # type: ignore[no-untyped-def]
    report = services.reminders_send(on=ON)
    assert report.as_dict() == {
        "expiring": 0,
        "expired": 0,
        "reassess": 0,
        "due": 0,
        "notifications": 0,
        "people": 0,
    }


def test_expiring_goes_to_worker_and_named_line_manager_once(scene) -> None:  # type: ignore[no-untyped-def]
    extra = f.make_competence(scene["framework"], "Use a hoist", reassess_months=12)
    signed = f.make_assessment(
        scene["worker_person"], extra, assessed_on=dt.date(2025, 7, 1), expires_on=ON + dt.timedelta(days=30)
    )
    # Not yet: 31 days out.
    f.make_assessment(
        scene["worker_person"],
        f.make_competence(scene["framework"]),
        assessed_on=dt.date(2025, 7, 1),
        expires_on=ON + dt.timedelta(days=31),
    )
    report = services.reminders_send(on=ON)
    assert (report.expiring, report.notifications, len(report.people)) == (1, 2, 1)
    assert titles(scene["worker"]) == ["Your portfolio: 1 portfolio reminder"]
    assert titles(scene["manager"]) == ["1 portfolio reminder about 1 person in your team"]
    manager_note = Notification.objects.get(user=scene["manager"])
    assert "Wren Worker: Use a hoist: sign-off expires on 15 July 2026" in manager_note.body
    assert manager_note.url == f"/teams/{scene['ward'].pk}/competence/?status=unmet"
    worker_note = Notification.objects.get(user=scene["worker"])
    assert worker_note.url == "/portfolio/"
    assert "Use a hoist: sign-off expires on 15 July 2026" in worker_note.body
    assert "1 expiring within 30 days" in worker_note.body
    assert len(mail.outbox) == 1  # the worker at once; the manager in their daily summary (the default)
    assert ReminderSent.objects.get().assessment == signed
    # Once only, however often it runs.
    assert services.reminders_send(on=ON).notifications == 0
    # The next day the other sign-off comes within 30 days; the first is not sent again.
    assert services.reminders_send(on=ON + dt.timedelta(days=1)).expiring == 1
    assert services.reminders_send(on=ON + dt.timedelta(days=1)).notifications == 0
    assert Notification.objects.count() == 4
    assert len(titles(scene["worker"])) == 2


def test_expired_follows_expiring(scene) -> None:  # type: ignore[no-untyped-def]
    expires = scene["obs_signed"].expires_on
    assert services.reminders_send(on=expires - dt.timedelta(days=10)).expiring == 1
    report = services.reminders_send(on=expires + dt.timedelta(days=1))
    assert report.expired == 1
    latest = Notification.objects.filter(user=scene["worker"]).order_by("-pk").first()
    assert latest is not None
    assert "Measure and record blood pressure: sign-off expired on 1 January 2027" in latest.body
    assert services.reminders_send(on=expires + dt.timedelta(days=2)).expired == 0


def test_long_expired_sign_offs_are_not_reminded(scene) -> None:  # type: ignore[no-untyped-def]
    extra = f.make_competence(scene["framework"])
    f.make_assessment(
        scene["worker_person"], extra, assessed_on=dt.date(2024, 1, 1), expires_on=dt.date(2025, 1, 1)
    )
    assert services.reminders_send(on=ON).expired == 0


def test_superseded_or_renewed_sign_offs_are_not_reminded(scene) -> None:  # type: ignore[no-untyped-def]
    extra = f.make_competence(scene["framework"])
    f.make_assessment(
        scene["worker_person"], extra, assessed_on=dt.date(2025, 6, 1), expires_on=ON + dt.timedelta(days=5)
    )
    # Renewed since: the newer sign-off counts and is not expiring.
    f.make_assessment(
        scene["worker_person"], extra, assessed_on=dt.date(2026, 6, 1), expires_on=dt.date(2027, 6, 1)
    )
    withdrawn = f.make_competence(scene["framework"])
    signed = f.make_assessment(
        scene["worker_person"],
        withdrawn,
        assessed_on=dt.date(2025, 6, 1),
        expires_on=ON + dt.timedelta(days=5),
    )
    f.make_assessment(
        scene["worker_person"],
        withdrawn,
        kind="withdrawal",
        supersedes=signed,
        reason="Withdrawn.",
        assessed_on=dt.date(2026, 6, 1),
    )
    assert services.reminders_send(on=ON).expiring == 0


def test_due_requirement(scene) -> None:  # type: ignore[no-untyped-def]
    # A new starter whose required competence was due within 84 days and is not signed off.
    newcomer = t.make_person(scene["org"], given_name="Nat", family_name="New")
    t.make_spell(
        newcomer, team=scene["ward"], line_manager=scene["manager_person"], start=dt.date(2026, 1, 5)
    )
    f.give_role(newcomer, scene["hca"])
    newcomer_user = t.make_user(Role.SUPPORT_WORKER, organisation=scene["org"], person=newcomer)
    report = services.reminders_send(on=ON)
    assert report.due == 1  # only the blood pressure competence has a due date
    assert titles(newcomer_user) == ["Your portfolio: 1 portfolio reminder"]
    body = Notification.objects.get(user=newcomer_user).body
    assert "Measure and record blood pressure: not signed off, was due by 30 March 2026" in body
    manager_body = Notification.objects.get(user=scene["manager"]).body
    assert (
        "Nat New: Measure and record blood pressure: not signed off, was due by 30 March 2026" in manager_body
    )
    assert services.reminders_send(on=ON + dt.timedelta(days=7)).due == 0


def test_due_requirement_not_reminded_when_awaiting_or_not_yet_due(scene) -> None:  # type: ignore[no-untyped-def]
    waiting = t.make_person(scene["org"])
    t.make_spell(waiting, team=scene["ward"], start=dt.date(2026, 1, 5))
    f.give_role(waiting, scene["hca"])
    SignOffRequest.objects.create(person=waiting, competence=scene["obs"])
    recent = t.make_person(scene["org"])
    t.make_spell(recent, team=scene["ward"], start=ON - dt.timedelta(days=10))
    f.give_role(recent, scene["hca"])
    assert services.reminders_send(on=ON).due == 0


def test_held_below_the_required_level_is_still_due(scene) -> None:  # type: ignore[no-untyped-def]
    person = t.make_person(scene["org"])
    t.make_spell(person, team=scene["ward"], start=dt.date(2026, 1, 5))
    f.give_role(person, scene["hca"])
    f.make_assessment(person, scene["obs"], level="observed", assessed_on=dt.date(2026, 2, 1))
    assert services.reminders_send(on=ON).due == 1
    # It says so: below the level needed, not "not signed off".
    body = Notification.objects.get(user=scene["manager"]).body
    assert "below the level needed (Supervised needed), was due by 30 March 2026" in body
    assert "not signed off" not in body
    assert "1 past due (1 below the level needed)" in body


def test_one_summary_per_recipient_per_run(scene) -> None:  # type: ignore[no-untyped-def]
    # Many reminders about many people give each recipient one notification and one email, counted, naming
    # the most urgent few first; each item is still recorded once, so the next run says nothing.
    for n in range(8):
        person = t.make_person(scene["org"], given_name=f"P{n}", family_name="Worker")
        t.make_spell(
            person, team=scene["ward"], line_manager=scene["manager_person"], start=dt.date(2026, 1, 5)
        )
        f.give_role(person, scene["hca"])
        f.make_assessment(
            person,
            f.make_competence(scene["framework"], f"Task {n}"),
            assessed_on=dt.date(2025, 7, 1),
            expires_on=ON + dt.timedelta(days=20 - n),
        )
    mail.outbox.clear()
    report = services.reminders_send(on=ON)
    assert report.due == 8 and report.expiring == 8
    notes = Notification.objects.filter(user=scene["manager"])
    assert notes.count() == 1
    note = notes.get()
    assert note.title == "16 portfolio reminders about 8 people in your team"
    assert "8 past due, 8 expiring within 30 days" in note.body
    assert note.body.count("\n- ") == services.DIGEST_ITEMS
    assert "…and 11 more." in note.body
    # Past due first; among the expiring, the soonest first.
    lines = [line for line in note.body.splitlines() if line.startswith("- ")]
    assert all("was due by" in line for line in lines)
    # The manager gets a daily summary by default: the run's one notification waits for it, unemailed.
    assert not [m for m in mail.outbox if scene["manager"].email in m.to] and note.digest_due
    assert ReminderSent.objects.count() == 16
    assert services.reminders_send(on=ON).notifications == 0


def test_reassessment_after_a_change(scene) -> None:  # type: ignore[no-untyped-def]
    f.publish_new_version(
        scene["framework"], {scene["obs"].identifier: {"title": "Measure blood pressure manually"}}
    )
    report = services.reminders_send(on=ON)
    assert report.reassess == 1
    body = Notification.objects.get(user=scene["worker"]).body
    assert "Measure blood pressure manually: changed since the sign-off, needs reassessing" in body
    assert services.reminders_send(on=ON).reassess == 0


def test_team_line_managers_when_none_is_named(scene) -> None:  # type: ignore[no-untyped-def]
    person = t.make_person(scene["org"], given_name="Una", family_name="Unmanaged")
    t.make_spell(person, team=scene["ward"], start=dt.date(2026, 1, 5))
    f.give_role(person, scene["hca"])
    second_manager = t.make_user(Role.LINE_MANAGER, organisation=scene["org"], teams=[scene["ward"]])
    t.make_user(Role.LINE_MANAGER, organisation=scene["org"], teams=[scene["other_ward"]])
    services.reminders_send(on=ON)
    # No account for Una herself: her managers are still told.
    assert (
        titles(scene["manager"])
        == titles(second_manager)
        == ["1 portfolio reminder about 1 person in your team"]
    )
    assert Notification.objects.filter(body__contains="Una Unmanaged: Measure").count() == 2


def test_leavers_get_no_reminders(scene) -> None:  # type: ignore[no-untyped-def]
    leaver = t.make_person(scene["org"])
    t.make_spell(
        leaver,
        team=scene["ward"],
        start=dt.date(2025, 1, 1),
        end=dt.date(2026, 3, 1),
        leaving_reason="Retirement Age",
    )
    f.give_role(leaver, scene["hca"])
    f.make_assessment(
        leaver,
        f.make_competence(scene["framework"]),
        assessed_on=dt.date(2025, 6, 1),
        expires_on=ON + dt.timedelta(5),
    )
    assert services.reminders_send(on=ON).notifications == 0


def test_command_and_task(scene) -> None:  # type: ignore[no-untyped-def]
    f.make_assessment(
        scene["worker_person"],
        f.make_competence(scene["framework"], "Use a hoist"),
        assessed_on=dt.date(2025, 7, 1),
        expires_on=ON + dt.timedelta(days=3),
    )
    out = StringIO()
    call_command("portfolio_reminders", "--date", ON.isoformat(), stdout=out)
    assert "1 expiring" in out.getvalue() and "one summary each to 2 workers" in out.getvalue()
    assert ReminderSent.objects.filter(kind=ReminderKind.EXPIRING).count() == 1
    # The task runs the same service (immediately, with the test settings' backend).
    result = send_portfolio_reminders.enqueue(ON.isoformat())
    assert result.return_value == {
        "expiring": 0,
        "expired": 0,
        "reassess": 0,
        "due": 0,
        "notifications": 0,
        "people": 0,
    }
    out = StringIO()
    call_command("portfolio_reminders", "--queue", stdout=out)
    assert "Queued reminders task" in out.getvalue()


def test_command_rejects_a_bad_date() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--date must be a date"):
        call_command("portfolio_reminders", "--date", "15/06/2026")


def test_today_by_default(scene) -> None:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    f.make_assessment(
        scene["worker_person"],
        f.make_competence(scene["framework"]),
        assessed_on=today - dt.timedelta(days=300),
        expires_on=today + dt.timedelta(days=2),
    )
    assert services.reminders_send().expiring >= 1

"""Sessions stay out of the write path (ADR 0018), and every SQLite connection gets WAL, IMMEDIATE transactions and
a busy timeout."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.db import SessionStore
from django.db import OperationalError, connection
from django.db.backends.sqlite3.base import DatabaseWrapper
from django.db.models import QuerySet
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cultivate.accounts import services as account_services
from cultivate.accounts import testing as t
from cultivate.accounts.middleware import SESSION_KEY as ROLE_KEY
from cultivate.accounts.models import Role
from cultivate.config.settings import base
from cultivate.core import writes
from cultivate.core.middleware import SESSION_SAVED_AT

IDLE = 10 * 60
REFRESH = 60


@pytest.fixture
def _own_sqlite_file(django_db_blocker: Any) -> Any:
    """These tests open their own SQLite file, never the test database (so they run whatever DATABASE_URL is)."""
    with django_db_blocker.unblock():
        yield


def _sqlite(path: Path) -> DatabaseWrapper:
    """A connection configured exactly as settings/base.py configures the default SQLite database."""
    wrapper = DatabaseWrapper(
        {
            **connection.settings_dict,
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(path),
            "OPTIONS": dict(base.SQLITE_OPTIONS),
        },
        alias="sqlite_settings_check",
    )
    wrapper.ensure_connection()
    return wrapper


def _pragma(wrapper: DatabaseWrapper, name: str) -> Any:
    with wrapper.cursor() as cursor:
        cursor.execute(f"PRAGMA {name}")
        return cursor.fetchone()[0]


@pytest.mark.usefixtures("_own_sqlite_file")
def test_every_sqlite_connection_is_wal_with_a_busy_timeout(tmp_path: Path) -> None:
    for _ in range(2):  # a second connection to the same file gets the same, not just the first
        wrapper = _sqlite(tmp_path / "cultivate.sqlite3")
        try:
            assert _pragma(wrapper, "journal_mode") == "wal"
            assert _pragma(wrapper, "busy_timeout") == 20_000
            assert _pragma(wrapper, "synchronous") == 1  # NORMAL
            assert wrapper.transaction_mode == "IMMEDIATE"  # type: ignore[attr-defined]
        finally:
            wrapper.close()


@pytest.mark.usefixtures("_own_sqlite_file")
def test_sqlite_transaction_takes_the_write_lock_and_writers_wait_for_it(tmp_path: Path) -> None:
    path = tmp_path / "cultivate.sqlite3"
    first, second = _sqlite(path), _sqlite(path)
    with first.cursor() as cursor:
        cursor.execute("CREATE TABLE item (n integer)")
    impatient = sqlite3.connect(path, timeout=0, check_same_thread=False)
    # What atomic() does on entry (the wrapper is not in `connections`, so atomic() itself cannot drive it).
    first.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    try:
        # BEGIN IMMEDIATE took the write lock before any write, so a lock upgrade can never fail later ...
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            impatient.execute("BEGIN IMMEDIATE")
    finally:
        first.rollback()
        first.set_autocommit(True)
    # ... and a writer with the settings' busy timeout waits for another's lock instead of failing.
    impatient.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.3, impatient.commit)
    release.start()
    try:
        with second.cursor() as cursor:
            cursor.execute("INSERT INTO item VALUES (1)")
            cursor.execute("SELECT count(*) FROM item")
            assert cursor.fetchone()[0] == 1
    finally:
        release.join()
        impatient.close()
        first.close()
        second.close()


# Sessions: database-backed (revocable), refreshed at most once a minute.


class Clock:
    def __init__(self) -> None:
        self.now = timezone.now()

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch, settings: Any) -> Clock:
    settings.SESSION_COOKIE_AGE = IDLE
    settings.SESSION_REFRESH_SECONDS = REFRESH
    fake = Clock()
    monkeypatch.setattr(timezone, "now", lambda: fake.now)  # sessions read the time through timezone.now
    monkeypatch.setattr(writes, "_busy_until", None)  # no busy database left over from another test
    return fake


def _session_writes_of_a_page_view(client: Client) -> int:
    """Signed in, the home page answers; the number of statements that wrote the session table meanwhile."""
    with CaptureQueriesContext(connection) as captured:
        assert _is_signed_in(client)
    return sum(
        1
        for q in captured.captured_queries
        if "django_session" in q["sql"]
        and q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    )


def _signed_in(client: Client) -> Any:
    organisation = t.make_organisation()
    user = t.make_user(Role.ORG_ADMIN, organisation=organisation)
    response = client.post("/accounts/sign-in/", {"email": user.email, "password": t.PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert _is_signed_in(client)  # following the redirect stores the active role: the session is saved now
    return user


def _is_signed_in(client: Client) -> bool:
    response = client.get("/")
    if response.status_code == 302:
        assert response["Location"].startswith("/accounts/sign-in/")
        return False
    assert response.status_code == 200
    return True


@pytest.mark.django_db
def test_page_view_does_not_write_a_recently_saved_session(client: Client, clock: Clock) -> None:
    _signed_in(client)
    clock.advance(REFRESH - 1)
    assert _session_writes_of_a_page_view(client) == 0


@pytest.mark.django_db
def test_session_is_saved_again_once_the_refresh_interval_has_passed(client: Client, clock: Clock) -> None:
    _signed_in(client)
    clock.advance(REFRESH + 1)
    assert _session_writes_of_a_page_view(client) == 1
    session = SessionStore(client.cookies["sessionid"].value)
    assert session[SESSION_SAVED_AT] == int(clock.now.timestamp())
    assert session.get_expiry_date() == clock.now + dt.timedelta(seconds=IDLE)
    assert _session_writes_of_a_page_view(client) == 0


@pytest.mark.django_db
def test_idle_session_ends_after_the_idle_timeout(client: Client, clock: Clock) -> None:
    _signed_in(client)
    clock.advance(30)
    assert _is_signed_in(
        client
    )  # not saved (within the refresh interval): at most a minute of idle time lost
    clock.advance(IDLE - 30 + 1)
    assert not _is_signed_in(client)


@pytest.mark.django_db
def test_active_user_stays_signed_in_beyond_the_idle_timeout(client: Client, clock: Clock) -> None:
    _signed_in(client)
    for _ in range(4):  # 4 x 9 minutes of activity with a 10-minute idle timeout
        clock.advance(IDLE - REFRESH)
        assert _is_signed_in(client)
    clock.advance(IDLE + 1)
    assert not _is_signed_in(client)


@pytest.mark.django_db
# The database store turns "database is locked" into UpdateError; other stores may let it through.
@pytest.mark.parametrize("busy", [UpdateError(), OperationalError("database is locked")], ids=repr)
def test_refresh_is_left_to_a_later_request_when_the_database_is_busy(
    client: Client, clock: Clock, busy: Exception
) -> None:
    _signed_in(client)
    clock.advance(REFRESH + 1)
    with mock.patch.object(SessionStore, "save", autospec=True, side_effect=busy) as save:
        assert _is_signed_in(client)  # the page is served, not a 500 or 400
    assert save.call_count == 1  # tried once; SessionMiddleware did not try again
    # For a few seconds this process does not try again, so pages do not each wait for the lock ...
    clock.advance(writes.BUSY_BACKOFF.total_seconds() - 1)
    assert _session_writes_of_a_page_view(client) == 0
    # ... and then the next request refreshes the session.
    clock.advance(1)
    assert _session_writes_of_a_page_view(client) == 1


@pytest.mark.django_db
def test_sign_out_ends_the_session_on_the_server(client: Client, clock: Clock) -> None:
    _signed_in(client)
    cookie = client.cookies["sessionid"].value
    client.post("/accounts/sign-out/")
    stolen = Client()  # the cookie copied before signing out is worthless afterwards
    stolen.cookies["sessionid"] = cookie
    assert not _is_signed_in(stolen)


@pytest.mark.django_db
def test_role_switch_is_saved_at_once(client: Client, clock: Clock) -> None:
    user = _signed_in(client)
    other = t.make_organisation()
    second = user.memberships.create(role=Role.ANALYST, organisation=other)
    response = client.post("/accounts/role/", {"membership": second.pk})
    assert response.status_code == 302
    assert SessionStore(client.cookies["sessionid"].value)[ROLE_KEY] == second.pk


@pytest.mark.django_db
def test_api_call_is_answered_when_the_last_use_cannot_be_written(clock: Clock) -> None:
    organisation = t.make_organisation()
    user = t.make_user(Role.ORG_ADMIN, organisation=organisation)
    _token, secret = account_services.api_token_create(user=user, membership=user.memberships.get(), name="t")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    busy = OperationalError("database is locked")
    with mock.patch.object(QuerySet, "update", autospec=True, side_effect=busy) as update:
        assert client.get("/api/organisations").status_code == 200
    assert update.call_count == 1

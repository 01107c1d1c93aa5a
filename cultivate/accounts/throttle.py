"""Sign-in throttling by email address and by client, the same whether or not an account has the address.

Failures are counted in `SignInThrottle` rows keyed by a keyed hash of the normalised address or of the client's
IP address, so the table holds neither. Reaching the limit within the window locks sign-in for that key for the
lock period; a lock is never extended by further attempts, and a completed password reset lifts the address's
lock (the reset link proves the person holds the mailbox)."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .models import SignInThrottle

ADDRESS = "address"
CLIENT = "client"


@dataclass(frozen=True)
class Lock:
    scope: str  # ADDRESS or CLIENT
    until: dt.datetime


def normalise_address(email: str) -> str:
    return unicodedata.normalize("NFKC", email).strip().lower()


def _key(scope: str, value: str) -> str:
    digest = salted_hmac("cultivate.accounts.throttle", value, algorithm="sha256").hexdigest()
    return f"{scope}:{digest}"


def keys_for(*, email: str, client_address: str | None) -> dict[str, str]:
    """The throttle keys of an attempt: its address, and its client (`core.audit.client_ip`; every unknown
    client shares one)."""
    return {
        ADDRESS: _key(ADDRESS, normalise_address(email)),
        CLIENT: _key(CLIENT, client_address or "unknown"),
    }


def _limit(scope: str) -> int:
    return settings.LOCKOUT_MAX_FAILURES if scope == ADDRESS else settings.LOCKOUT_CLIENT_MAX_FAILURES


def _scope(key: str) -> str:
    return key.split(":", 1)[0]


def current_lock(keys: dict[str, str], now: dt.datetime | None = None) -> Lock | None:
    """The lock in force on any of the keys; a client lock first, since a password reset does not lift it."""
    now = now or timezone.now()
    locks = {
        _scope(row.key): Lock(scope=_scope(row.key), until=row.locked_until)
        for row in SignInThrottle.objects.filter(key__in=keys.values(), locked_until__gt=now)
        if row.locked_until is not None
    }
    return locks.get(CLIENT) or locks.get(ADDRESS)


def record_failure(keys: dict[str, str], now: dt.datetime | None = None) -> list[Lock]:
    """Count one failure against each key; returns the locks this failure started."""
    now = now or timezone.now()
    window = dt.timedelta(minutes=settings.LOCKOUT_WINDOW_MINUTES)
    lock_for = dt.timedelta(minutes=settings.LOCKOUT_MINUTES)
    started: list[Lock] = []
    with transaction.atomic():
        # Rows whose window and lock have both passed say nothing any more.
        SignInThrottle.objects.filter(expires_at__lte=now).delete()
        for scope, key in keys.items():
            row, _ = SignInThrottle.objects.select_for_update().get_or_create(
                key=key, defaults={"first_failure_at": now, "expires_at": now + window}
            )
            lock_over = row.locked_until is not None and row.locked_until <= now
            if lock_over or now - row.first_failure_at > window:
                row.failures, row.first_failure_at, row.locked_until = 0, now, None
            row.failures += 1
            if row.locked_until is None and row.failures >= _limit(scope):
                row.locked_until = now + lock_for
                started.append(Lock(scope=scope, until=row.locked_until))
            row.expires_at = max(row.first_failure_at + window, row.locked_until or now)
            row.save()
    return started


def clear_address(email: str, now: dt.datetime | None = None) -> bool:
    """Forget the address's failures; True when that lifted a lock in force."""
    now = now or timezone.now()
    rows = SignInThrottle.objects.filter(key=_key(ADDRESS, normalise_address(email)))
    was_locked = rows.filter(locked_until__gt=now).exists()
    rows.delete()
    return was_locked

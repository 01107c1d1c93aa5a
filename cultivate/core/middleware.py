"""A content security policy with a per-request nonce for the one inline script the NHS template needs, and
session refreshes that keep page views out of the database's write path."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.conf import settings
from django.contrib.sessions.backends.base import UpdateError
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from .writes import write_unless_busy


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        nonce = secrets.token_urlsafe(16)
        request.csp_nonce = nonce  # type: ignore[attr-defined]
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            script = f"'self' 'nonce-{nonce}'"
            style = "'self'"
            if request.path.startswith("/django-admin/"):
                # Django admin sets inline styles; it shows nothing without sign-in.
                style = "'self' 'unsafe-inline'"
            response["Content-Security-Policy"] = "; ".join(
                [
                    "default-src 'self'",
                    f"script-src {script}",
                    f"style-src {style}",
                    "img-src 'self' data:",
                    "font-src 'self'",
                    "connect-src 'self'",
                    "object-src 'none'",
                    "base-uri 'self'",
                    "form-action 'self'",
                    "frame-ancestors 'none'",
                ]
            )
        response.setdefault("Referrer-Policy", "same-origin")
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class NoStoreForSignedInMiddleware:
    """Every response to a signed-in user (a page, an API answer, a download) may hold personal data, so no
    browser or proxy keeps a copy: on a shared ward computer the back button or the disk cache would show it to
    the next person. Anonymous responses (the sign-in page, errors) keep their default; static files never get
    here (WhiteNoise answers them first)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # Read after the view: an API token or a sign-in during this request has set the user by now.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "no-store, private"
        return response


# The time a stored session was last saved, in its own data (seconds since the epoch).
SESSION_SAVED_AT = "_cultivate_saved_at"


class SessionRefreshMiddleware:
    """Moves a stored session's idle expiry on without writing it on every page view (ADR 0018).

    The session is saved when the request changed it (sign-in, role switch, messages), or when more than
    SESSION_REFRESH_SECONDS have passed since it was last saved; so a page view is a read, and a session still ends
    SESSION_COOKIE_AGE after the last request, less at most that interval. A refresh that finds the database busy
    (SQLite during an import) is left to a later request instead of making the page wait for the lock. Listed
    straight after SessionMiddleware, so it sees every change the view and the other middleware made."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # Not read, or nothing stored: no cookie, an unknown or expired key, or flushed at sign-out.
        if (
            session is None
            or not session.accessed
            or session.session_key is None
            or response.status_code >= 500
        ):
            return response
        now = int(timezone.now().timestamp())
        if session.modified:
            session[SESSION_SAVED_AT] = now  # SessionMiddleware saves it
        elif now - int(session.get(SESSION_SAVED_AT, 0)) >= settings.SESSION_REFRESH_SECONDS:
            session[SESSION_SAVED_AT] = now
            # The database store reports "database is locked" (or the session deleted meanwhile) as UpdateError.
            write_unless_busy(session.save, busy=(OperationalError, UpdateError))
            # Saved here, or deliberately not: SessionMiddleware must not wait for the lock.
            session.modified = False
        return response

"""How API requests authenticate: a personal access token, or the signed-in session (requests from the browser).

Either way the request ends up acting in exactly one role (`request.membership`), so the API applies the same
access rules as the pages."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import APIKeyCookie, HttpBearer

from cultivate.core.access import deny

from .models import User
from .services import TOKEN_PREFIX, api_token_authenticate


class BearerTokenAuth(HttpBearer):
    """`Authorization: Bearer cvt_…`. A request that sends an Authorization header must authenticate with it:
    a bad token is refused rather than falling back to a session cookie sent alongside."""

    openapi_bearerFormat = f"{TOKEN_PREFIX}…"
    openapi_description = (
        "A personal access token, created on your account page. It acts in the role chosen when it was "
        "created and sees exactly what that role sees in the pages. Tokens stop working when revoked, when "
        "they expire, when the account is deactivated or when the role ends."
    )

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get(self.header)
        if not header:
            return None
        # Parsed here, not by HttpBearer, which logs unexpected headers (with the secret) in DEBUG.
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise AuthenticationError(message="Send the token as `Authorization: Bearer <token>`.")
        return self.authenticate(request, secret.strip())

    def authenticate(self, request: HttpRequest, token: str) -> User:
        api_token = api_token_authenticate(token)
        if api_token is None:
            raise AuthenticationError(
                message="The token is not valid: it may be mistyped, revoked or expired, or its role ended."
            )
        membership = api_token.membership
        # Same user row; setting it saves a query each time the access rules read membership.user.
        membership.user = api_token.user
        request.user = api_token.user
        request.membership = membership  # type: ignore[attr-defined]
        request.memberships = [membership]  # type: ignore[attr-defined]
        return api_token.user


class SessionRoleAuth(APIKeyCookie):
    """The signed-in session, acting in the user's active role (set by ActiveRoleMiddleware). CSRF is checked
    for unsafe methods, as for any form in the pages."""

    param_name = settings.SESSION_COOKIE_NAME
    openapi_description = (
        "Your signed-in session, for requests from the browser (such as opening a GET address). Requests act "
        "in the role currently chosen in the pages."
    )

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        if not request.user.is_authenticated:
            return None
        if getattr(request, "membership", None) is None:
            deny(request, reason="Your account has no current role, so there is nothing it may read.")
        return request.user

"""The JSON API: one NinjaAPI, routers from each app, token or session authentication.

Mounted at /api/ (api_urls.py): the OpenAPI document is /api/openapi.json and the interactive documentation
/api/docs, served from ninja's bundled Swagger UI (no CDN, no inline script)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema, Swagger
from ninja.errors import AuthenticationError

from cultivate.accounts.api_auth import BearerTokenAuth, SessionRoleAuth
from cultivate.frameworks.api import router as frameworks_router
from cultivate.organisations.api import router as organisations_router
from cultivate.portfolio.api import router as portfolio_router

api = NinjaAPI(
    title="Cultivate API",
    version="1.0.0",
    description=(
        "Organisations, teams, people and employment spells; competency frameworks and role requirements; "
        'delegation protocols and the delegation check ("may this worker carry out this activity in this '
        'team today?"), with the same access rules as the pages. Authenticate with a personal access token '
        "(`Authorization: Bearer <token>`), created on your account page; the token acts in the role you "
        "chose for it. Signed-in users can also try the API here, acting in their current role.\n\n"
        "Anything outside the role's scope answers 404, whether or not it exists. Dates are ISO 8601; FTE is "
        'a decimal string with two places ("0.80").'
    ),
    urls_namespace="api",
    auth=[BearerTokenAuth(), SessionRoleAuth()],
    # Both the OpenAPI document and the docs page are public: they hold no data, client generators read the
    # document, and token holders use the docs page's Authorize button without signing in.
    docs=Swagger(settings={"persistAuthorization": False}),
)
api.add_router("", organisations_router)
api.add_router("", frameworks_router)
api.add_router("", portfolio_router)


@api.exception_handler(AuthenticationError)
def unauthorised(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(request, {"detail": exc.message}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="Cultivate API"'
    return response


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    # Ninja maps Http404 to JSON itself but lets PermissionDenied through to Django's HTML 403 page.
    return api.create_response(request, {"detail": str(exc) or "Forbidden"}, status=403)


class HealthOut(Schema):
    status: str


@api.get(
    "/health", auth=None, response=HealthOut, operation_id="health", tags=["service"], summary="Health check"
)
def health(request: HttpRequest) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"status": "ok"}

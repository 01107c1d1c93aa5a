"""The JSON API: one NinjaAPI, routers from each app, token or session authentication.

Mounted at /api/ (api_urls.py): the OpenAPI document is /api/openapi.json; /api/docs is our own accessible page
rendered from it (config/api_docs.py, ADR 0014), not ninja's Swagger UI, which is switched off."""

from __future__ import annotations

import logging
import secrets
from typing import Any

from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.core.signals import got_request_exception
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError
from ninja.openapi.schema import REF_TEMPLATE, OpenAPISchema
from ninja.operation import Operation
from ninja.schema import NinjaGenerateJsonSchema

from cultivate.accounts.api_auth import BearerTokenAuth, SessionRoleAuth
from cultivate.core.api_types import ServerErrorOut, ValidationErrorOut
from cultivate.credentials.api import router as credentials_router
from cultivate.frameworks.api import router as frameworks_router
from cultivate.learning.api import router as learning_router
from cultivate.organisations.api import router as organisations_router
from cultivate.pathways.api import router as pathways_router
from cultivate.portfolio.api import router as portfolio_router
from cultivate.programmes.api import router as programmes_router

logger = logging.getLogger("cultivate.api")

SERVER_ERROR_MESSAGE = (
    "Sorry, something went wrong on our side. Try again later; if it keeps happening, contact your "
    "service desk and quote the reference."
)


class _Document(OpenAPISchema):
    """Every operation that takes input documents its 422 (the validation problems), and every operation its
    500 (a message and a reference, never a traceback), whatever each operation declares."""

    def responses(self, operation: Operation) -> dict[int, dict[str, Any]]:
        result = super().responses(operation)
        extra: dict[int, type[Schema]] = {500: ServerErrorOut}
        if any(model.model_fields for model in operation.models):
            extra[422] = ValidationErrorOut
        for status, model in extra.items():
            if status not in result:
                schema = self._component(model)
                description = "Validation error" if status == 422 else "Internal server error"
                result[status] = {
                    "description": description,
                    "content": {self.api.renderer.media_type: {"schema": schema}},
                }
        return result

    def _component(self, model: type[Schema]) -> dict[str, str]:
        """A reference to the model's schema, added to the components (with the models it uses)."""
        schema = model.model_json_schema(
            ref_template=REF_TEMPLATE, schema_generator=NinjaGenerateJsonSchema, mode="serialization"
        )
        self.add_schema_definitions({**schema.pop("$defs", {}), model.__name__: schema})
        return {"$ref": REF_TEMPLATE.format(model=model.__name__)}


class CultivateAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return _Document(api=self, path_prefix=path_prefix)


api = CultivateAPI(
    title="Cultivate API",
    version="1.0.0",
    description=(
        "Organisations, teams, people and employment spells; competency frameworks and role requirements; "
        'delegation protocols and the delegation check ("may this worker carry out this activity in this '
        'team today?"), with the same access rules as the pages. Authenticate with a personal access token '
        "(`Authorization: Bearer <token>`), created on your account page; the token acts in the role you "
        "chose for it. Signed-in users' browsers may also call it, acting in their current role.\n\n"
        "Anything outside the role's scope answers 404, whether or not it exists. Dates are ISO 8601; FTE is "
        'a decimal string with two places ("0.80").\n\n'
        "A request that breaks a parameter's rules (an id beyond 64 bits, a date outside 1900–2199, text "
        "holding the NUL character, a missing field) answers 422, listing each problem with where it is "
        '(`loc`, for example `["query", "offset"]`) and what is wrong (`msg`). An error on our side answers '
        "500 with a message and a `reference` to quote to the service desk; the details stay in our logs."
    ),
    urls_namespace="api",
    auth=[BearerTokenAuth(), SessionRoleAuth()],
    # The OpenAPI document is public: it holds no data and client generators read it. The docs page is ours.
    docs_url=None,
)
api.add_router("", organisations_router)
api.add_router("", frameworks_router)
api.add_router("", portfolio_router)
api.add_router("", pathways_router)
api.add_router("", learning_router)
api.add_router("", programmes_router)
api.add_router("", credentials_router)


@api.exception_handler(AuthenticationError)
def unauthorised(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(request, {"detail": exc.message}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="Cultivate API"'
    return response


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    # Ninja maps Http404 to JSON itself but lets PermissionDenied through to Django's HTML 403 page.
    return api.create_response(request, {"detail": str(exc) or "Forbidden"}, status=403)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    # Ninja adds the exception's text under DEBUG; a 404 must read the same whether or not the record exists.
    return api.create_response(request, {"detail": "Not Found"}, status=404)


@api.exception_handler(SuspiciousOperation)
@api.exception_handler(BadRequest)
def bad_request(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Django answers these 400 (a body too large, a malformed request); logged as Django's handler does.
    logging.getLogger("django.security").warning("Bad API request: %s", exc.__class__.__name__)
    return api.create_response(request, {"detail": "Bad request."}, status=400)


@api.exception_handler(Exception)
def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    """Whatever DEBUG says, a client sees a plain message and a reference, never a traceback, SQL or a file
    path; the exception is logged with the same reference for whoever runs the service."""
    reference = secrets.token_hex(6)
    # Django's own handler sends this signal too: the test client re-raises the exception from it.
    got_request_exception.send(sender=None, request=request)
    logger.error(
        "API error %s on %s %s",
        reference,
        request.method,
        request.path,
        exc_info=(type(exc), exc, exc.__traceback__),
    )
    return api.create_response(request, {"detail": SERVER_ERROR_MESSAGE, "reference": reference}, status=500)


class HealthOut(Schema):
    status: str


@api.get(
    "/health", auth=None, response=HealthOut, operation_id="health", tags=["service"], summary="Health check"
)
def health(request: HttpRequest) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"status": "ok"}

"""The JSON API: one NinjaAPI, routers from each app, token authentication."""

from __future__ import annotations

from ninja import NinjaAPI

api = NinjaAPI(
    title="Cultivate API",
    version="1.0.0",
    description="Read access to organisations, teams, people and employment spells, with the same access rules as "
    "the pages. Authenticate with a personal access token: `Authorization: Bearer <token>`.",
    urls_namespace="api",
)


@api.get("/health", auth=None, tags=["service"], summary="Health check")
def health(request):  # type: ignore[no-untyped-def]
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"status": "ok"}

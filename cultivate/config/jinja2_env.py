"""The Jinja2 environment for pages: NHS.UK components, Django's static and url helpers, our filters."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import nhsuk_frontend_jinja
from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from jinja2 import ChainableUndefined, ChoiceLoader, Environment, FileSystemLoader

from cultivate.core.formatting import fte, shown, uk_date

NHSUK_TEMPLATES = Path(nhsuk_frontend_jinja.__file__).parent / "templates"


def url(name: str, *args: Any, **kwargs: Any) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def query(request: Any, **changes: Any) -> str:
    """The current query string with some parameters replaced (for paging and filter links)."""
    params = request.GET.copy()
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    return "?" + urlencode(list(params.lists()), doseq=True)


def pagination_params(request: Any, page: Any) -> dict[str, Any]:
    """NHS numbered pagination for a Django Page: first, last and two either side of the current page."""
    number, last = page.number, page.paginator.num_pages
    shown = sorted({1, last, *range(max(1, number - 2), min(last, number + 2) + 1)})
    items: list[dict[str, Any]] = []
    previous = 0
    for n in shown:
        if n - previous > 1:
            items.append({"ellipsis": True})
        items.append({"number": n, "href": query(request, page=n), "current": n == number})
        previous = n
    return {
        "items": items if last > 1 else [],
        "previous": {"href": query(request, page=number - 1)} if page.has_previous() else None,
        "next": {"href": query(request, page=number + 1)} if page.has_next() else None,
    }


def nhsuk_asset_path() -> str:
    """The NHS.UK template's assetPath: the URL of the frontend's assets folder. The manifest storage knows files,
    not folders, so take the folder of a real file's URL (hashing changes file names, not folder names)."""
    return static("nhsuk/assets/manifest.json").rsplit("/", 1)[0]


def environment(**options: Any) -> Environment:
    loader = options.pop("loader", None)
    loaders = [FileSystemLoader(str(NHSUK_TEMPLATES))]
    if loader is not None:
        loaders.insert(0, loader)
    # The NHS.UK macros read nested optional parameters (params.search.action), which needs chainable undefineds.
    options["undefined"] = ChainableUndefined
    # A date printed as it is reads "6 December 2026", never "2026-12-06" (STYLE: dates in the house style).
    options["finalize"] = shown
    env = Environment(loader=ChoiceLoader(loaders), **options)  # noqa: S701 - Django's backend sets autoescape
    env.globals.update(
        {
            "static": static,
            "url": url,
            "query": query,
            "pagination_params": pagination_params,
            "service_name": settings.SERVICE_NAME,
            "nhsuk_asset_path": nhsuk_asset_path,
        }
    )
    env.filters.update({"uk_date": uk_date, "fte": fte})
    return env

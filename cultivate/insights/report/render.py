"""The board report as one standalone HTML file (inline CSS, charts as inline SVG) or as PDF.

Charts are Vega-Lite specs rendered to SVG on the server by vl-convert, with no base URL allowed, so a spec can
never make it fetch data. The PDF is the same HTML laid out by WeasyPrint with a URL fetcher that refuses
everything: nothing in either file is, or needs, a request."""

from __future__ import annotations

import datetime as dt
import logging
import re
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from cultivate.core import formatting

from ..tables import SMALL
from .model import SUPPRESSED, SUPPRESSION_THRESHOLD, KeyFigure, Report

TEMPLATES = Path(__file__).parent / "templates"
EN_DASH = formatting.EMPTY
NUMERIC_KINDS = frozenset({"count", "fte", "percent", "index", "ratio", "number", "money"})

_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _date(day: dt.date | None) -> str:
    if day is None:
        return EN_DASH
    return f"{day.day} {day.strftime('%B %Y')}"


def _short_date(day: dt.date) -> str:
    return f"{day.day} {day.strftime('%b %Y')}"


def fmt(value: Any, kind: str) -> str:
    """A figure as the report prints it: [c] when suppressed, an en dash when there is nothing to show."""
    if isinstance(value, str) and value in (SUPPRESSED, SMALL):
        return value
    if value is None:
        return EN_DASH
    if kind == "count_share":
        count, share = value
        if count == SUPPRESSED or share == SUPPRESSED:
            return SUPPRESSED
        return f"{fmt(count, 'count')} ({fmt(share, 'percent')})"
    if kind == "date":
        return _short_date(value)
    if kind in NUMERIC_KINDS:
        return formatting.figure(value, kind)
    return str(value)


def change_text(figure: KeyFigure) -> str:
    change = figure.change
    if change is None:
        return "no comparison"
    if figure.kind == "percent":
        points = 100 * change
        if abs(points) < 0.05:
            return "no change"
        return f"{'up' if points > 0 else 'down'} {abs(points):.1f} percentage points"
    if abs(change) < 0.05:
        return "no change"
    before = float(figure.previous.value or 0)
    relative = f" ({abs(change) / before:.1%})" if before else ""
    amount = fmt(abs(change), figure.kind)
    return f"{'up' if change > 0 else 'down'} {amount}{relative}"


def change_tone(figure: KeyFigure) -> str:
    """'better', 'worse' or 'neutral': shown in words as well as colour."""
    change = figure.change
    if change is None or figure.higher_is == "neutral" or abs(change) < 1e-9:
        return "neutral"
    up = change > 0
    return "better" if up == (figure.higher_is == "better") else "worse"


_ID = re.compile(r'\bid="([^"]+)"')


def chart_svg(spec: dict[str, Any], prefix: str) -> str:
    """The spec as SVG. Its ids (clip paths, gradients) get `prefix` so that several charts can sit in one page
    without one chart's references resolving to another's definitions."""
    import vl_convert  # imported when a chart is drawn: every `cultivate insights` command loads this module

    svg = vl_convert.vegalite_to_svg(spec, allowed_base_urls=[])
    svg = re.sub(r"^\s*<\?xml[^>]*>\s*", "", svg)
    ids = set(_ID.findall(svg))
    for name in sorted(ids, key=len, reverse=True):
        svg = svg.replace(f'id="{name}"', f'id="{prefix}-{name}"')
        svg = svg.replace(f"url(#{name})", f"url(#{prefix}-{name})")
        svg = svg.replace(f'href="#{name}"', f'href="#{prefix}-{name}"')
    # The figure's text equivalent is its table: the picture is labelled for what it is, not read point by point.
    return svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1)


def render_html(report: Report) -> str:
    """The report as one HTML document with everything inline."""
    svgs = {chart.key: Markup(chart_svg(chart.spec, f"chart{i}")) for i, chart in enumerate(report.charts)}  # noqa: S704 - SVG made by vl-convert from our own spec; its text is escaped by Vega's renderer
    template = _ENV.get_template("board_report.jinja")
    return template.render(
        report=report,
        svgs=svgs,
        fmt=fmt,
        date=_date,
        change_text=change_text,
        change_tone=change_tone,
        threshold=SUPPRESSION_THRESHOLD,
        organisations=report.organisations_label,
    )


def render_pdf(html: str) -> bytes:
    """The HTML laid out for print (A4, the print styles of the template) as PDF bytes."""
    # WeasyPrint logs each step of parsing and layout; the command line reports its own steps.
    steps = logging.getLogger("weasyprint.progress")
    level = steps.level
    steps.setLevel(logging.WARNING)
    # Imported here: WeasyPrint parses its own stylesheets on import, which every other command would pay for.
    from weasyprint import HTML  # type: ignore[import-untyped]
    from weasyprint.urls import URLFetcher, URLFetchingError  # type: ignore[import-untyped]

    class RefuseFetcher(URLFetcher):  # type: ignore[misc,unused-ignore]
        """The report holds everything it needs: a URL in it is a mistake, never a reason to go to the network."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            raise URLFetchingError(f"The report does not fetch anything ({url}).")

    try:
        pdf = HTML(string=html, url_fetcher=RefuseFetcher(), media_type="print").write_pdf()
    finally:
        steps.setLevel(level)
    assert isinstance(pdf, bytes)
    return pdf


def write_report(report: Report, out: Path | str) -> Path:
    """Write the report to `out`: PDF when it ends in .pdf, HTML otherwise. Written beside and renamed, so a
    failed render leaves no half file."""
    out = Path(out)
    html = render_html(report)
    data = render_pdf(html) if out.suffix.lower() == ".pdf" else html.encode("utf-8")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.part")
    tmp.write_bytes(data)
    tmp.replace(out)
    return out

"""Vega-Lite specs for the insights charts: pure functions from table rows to a spec (a dict, JSON-ready).

Free of web concerns so that board reports can render the same specs. Each chart reads only the rows it is
given, drops figures that are suppressed (None), and has a `description` (read out by screen readers as the
chart's label); the page shows the same figures in a table beside it, so a chart never holds a number that the
table lacks. The `describe_*` functions give a one-paragraph text alternative."""

from __future__ import annotations

from typing import Any

from cultivate.core import formatting

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"  # an identifier only: nothing fetches it
# NHS identity colours, in an order that keeps neighbours distinguishable.
PALETTE = [
    "#005eb8",
    "#ffb81c",
    "#330072",
    "#009639",
    "#d5281b",
    "#41b6e6",
    "#ae2573",
    "#425563",
    "#ed8b00",
    "#00a499",
]
FONT = "Arial, Helvetica, sans-serif"
CONFIG: dict[str, Any] = {
    "font": FONT,
    "axis": {"labelFontSize": 14, "titleFontSize": 14, "labelColor": "#212b32", "titleColor": "#212b32"},
    "legend": {"labelFontSize": 14, "titleFontSize": 14, "labelLimit": 320},
    "title": {"fontSize": 16, "anchor": "start", "color": "#212b32"},
    "range": {"category": PALETTE},
    "view": {"stroke": None},
}


def _spec(title: str, description: str, values: list[dict[str, Any]], **rest: Any) -> dict[str, Any]:
    return {
        "$schema": SCHEMA,
        "title": title,
        "description": description,
        "width": "container",
        "data": {"values": values},
        "config": CONFIG,
        **rest,
    }


def _number_format(percent: bool) -> str:
    return ".1%" if percent else ",.2~f"


def line(
    rows: list[dict[str, Any]], *, x: str, y: str, title: str, y_title: str, percent: bool = False
) -> dict[str, Any]:
    """One series over month ends (ISO dates in `x`)."""
    values = [{"x": r[x], "y": r[y]} for r in rows if r.get(y) is not None]
    return _spec(
        title,
        f"Line chart: {y_title.lower()} by month. The table below gives each figure.",
        values,
        height=280,
        mark={"type": "line", "point": True, "color": PALETTE[0]},
        encoding={
            "x": {"field": "x", "type": "temporal", "title": "Month end", "axis": {"format": "%b %Y"}},
            "y": {
                "field": "y",
                "type": "quantitative",
                "title": y_title,
                "axis": {"format": _number_format(percent)},
            },
            "tooltip": [
                {"field": "x", "type": "temporal", "title": "Month end", "format": "%B %Y"},
                {"field": "y", "type": "quantitative", "title": y_title, "format": _number_format(percent)},
            ],
        },
    )


def index_trend(rows: list[dict[str, Any]], *, title: str) -> dict[str, Any]:
    """Headcount and FTE indexed to 100 at the first month (rows with `month`, `headcount_index`, `fte_index`)."""
    values = []
    for r in rows:
        for key, series in (("headcount_index", "Headcount"), ("fte_index", "FTE")):
            if r.get(key) is not None:
                values.append({"month": r["month"], "series": series, "index": r[key]})
    return _spec(
        title,
        "Line chart: headcount and FTE at each month end as an index, 100 at the first month. "
        "The table below gives each figure.",
        values,
        height=280,
        mark={"type": "line", "point": False},
        encoding={
            "x": {"field": "month", "type": "temporal", "title": "Month end", "axis": {"format": "%b %Y"}},
            "y": {
                "field": "index",
                "type": "quantitative",
                "title": "Index (first month = 100)",
                "scale": {"zero": False},
            },
            "color": {"field": "series", "type": "nominal", "title": "Measure"},
            "strokeDash": {"field": "series", "type": "nominal", "title": "Measure"},
            "tooltip": [
                {"field": "month", "type": "temporal", "title": "Month end", "format": "%B %Y"},
                {"field": "series", "type": "nominal", "title": "Measure"},
                {"field": "index", "type": "quantitative", "title": "Index", "format": ".1f"},
            ],
        },
    )


def bar(
    rows: list[dict[str, Any]],
    *,
    category: str,
    value: str,
    title: str,
    category_title: str,
    value_title: str,
    percent: bool = False,
    sort: bool = True,
) -> dict[str, Any]:
    """Horizontal bars, one per row (largest first unless `sort` is false)."""
    values = [{"category": str(r[category]), "value": r[value]} for r in rows if r.get(value) is not None]
    order = [v["category"] for v in values]
    return _spec(
        title,
        f"Bar chart: {value_title.lower()} by {category_title.lower()}. The table below gives each figure.",
        values,
        height={"step": 24},
        mark={"type": "bar", "color": PALETTE[0]},
        encoding={
            "y": {
                "field": "category",
                "type": "nominal",
                # No axis title: the chart's title names the categories, and a rotated title beside long
                # labels (team names) was drawn over them.
                "title": None,
                "sort": "-x" if sort else order,
                "axis": {"labelLimit": 260},
            },
            "x": {
                "field": "value",
                "type": "quantitative",
                "title": value_title,
                "axis": {"format": _number_format(percent)},
            },
            "tooltip": [
                {"field": "category", "type": "nominal", "title": category_title},
                {
                    "field": "value",
                    "type": "quantitative",
                    "title": value_title,
                    "format": _number_format(percent),
                },
            ],
        },
    )


def stacked_share(
    rows: list[dict[str, Any]],
    *,
    category: str,
    series: str,
    value: str,
    title: str,
    category_title: str,
    series_title: str,
) -> dict[str, Any]:
    """Stacked horizontal bars of shares: one bar per category, one segment per series value."""
    values = [
        {"category": str(r[category]), "series": str(r[series]), "value": r[value]}
        for r in rows
        if r.get(value) is not None
    ]
    categories = list(dict.fromkeys(v["category"] for v in values))
    return _spec(
        title,
        f"Stacked bar chart: for each {category_title.lower()}, the share in each {series_title.lower()}. "
        "The table below gives each figure.",
        values,
        height={"step": 28},
        mark={"type": "bar"},
        encoding={
            "y": {"field": "category", "type": "nominal", "title": category_title, "sort": categories},
            "x": {
                "field": "value",
                "type": "quantitative",
                "title": "Share",
                "stack": "zero",
                "axis": {"format": ".0%"},
            },
            "color": {"field": "series", "type": "nominal", "title": series_title},
            "tooltip": [
                {"field": "category", "type": "nominal", "title": category_title},
                {"field": "series", "type": "nominal", "title": series_title},
                {"field": "value", "type": "quantitative", "title": "Share", "format": ".1%"},
            ],
        },
    )


def flow(rows: list[dict[str, Any]], *, source: str, target: str, value: str, title: str) -> dict[str, Any]:
    """Where the people of each starting group went: a layered bar per source, segments by target, sized by
    the number of people (a Sankey diagram's information in a form Vega-Lite draws natively)."""
    values = [
        {"source": str(r[source]), "target": str(r[target]), "people": r[value]}
        for r in rows
        if r.get(value) is not None
    ]
    return _spec(
        title,
        "Stacked bar chart: for each role at the start, how many people held each role at the end or had left. "
        "The table below gives each figure.",
        values,
        height={"step": 32},
        mark={"type": "bar"},
        encoding={
            "y": {"field": "source", "type": "nominal", "title": "Role at start"},
            "x": {"field": "people", "type": "quantitative", "title": "People", "stack": "zero"},
            "color": {"field": "target", "type": "nominal", "title": "Role at end"},
            "tooltip": [
                {"field": "source", "type": "nominal", "title": "Role at start"},
                {"field": "target", "type": "nominal", "title": "Role at end"},
                {"field": "people", "type": "quantitative", "title": "People"},
            ],
        },
    )


def survival(rows: list[dict[str, Any]], *, title: str) -> dict[str, Any]:
    """Retention curves: share still in post by tenure (months), one line per group, with the 95% interval as a
    band. Rows carry `group`, `time`, `survival`, `ci_low`, `ci_high`."""
    values = [
        {
            "group": str(r["group"]),
            "time": r["time"],
            "survival": r["survival"],
            "low": r["ci_low"],
            "high": r["ci_high"],
        }
        for r in rows
        if r.get("survival") is not None
    ]
    x = {"field": "time", "type": "quantitative", "title": "Tenure (months)"}
    return _spec(
        title,
        "Line chart: share of people still in post by months of tenure, one line per group, with a shaded "
        "95% interval. The table below gives each figure.",
        values,
        height=300,
        layer=[
            {
                "mark": {"type": "area", "opacity": 0.15, "interpolate": "step-after"},
                "encoding": {
                    "x": x,
                    "y": {"field": "low", "type": "quantitative"},
                    "y2": {"field": "high"},
                    "color": {"field": "group", "type": "nominal", "title": "Group", "legend": None},
                },
            },
            {
                "mark": {"type": "line", "interpolate": "step-after"},
                "encoding": {
                    "x": x,
                    "y": {
                        "field": "survival",
                        "type": "quantitative",
                        "title": "Still in post",
                        "axis": {"format": ".0%"},
                    },
                    "color": {"field": "group", "type": "nominal", "title": "Group"},
                    "strokeDash": {"field": "group", "type": "nominal", "title": "Group"},
                },
            },
        ],
    )


def incidence(rows: list[dict[str, Any]], *, title: str) -> dict[str, Any]:
    """Competing risks: the cumulative share who have left, and who have moved up a band, by tenure (months), one
    line per outcome. Rows carry `time`, `outcome` and `incidence`."""
    values = [
        {"time": r["time"], "outcome": str(r["outcome"]), "incidence": r["incidence"]}
        for r in rows
        if r.get("incidence") is not None
    ]
    return _spec(
        title,
        "Line chart: the share of people who have left, and the share who have moved up a band, by months of "
        "tenure, whichever came first. The table below gives each figure.",
        values,
        height=300,
        mark={"type": "line", "interpolate": "step-after"},
        encoding={
            "x": {"field": "time", "type": "quantitative", "title": "Tenure (months)"},
            "y": {
                "field": "incidence",
                "type": "quantitative",
                "title": "Share of people",
                "axis": {"format": ".0%"},
            },
            "color": {"field": "outcome", "type": "nominal", "title": "Outcome"},
            "strokeDash": {"field": "outcome", "type": "nominal", "title": "Outcome"},
            "tooltip": [
                {"field": "outcome", "type": "nominal", "title": "Outcome"},
                {"field": "time", "type": "quantitative", "title": "Tenure (months)"},
                {"field": "incidence", "type": "quantitative", "title": "Share", "format": ".1%"},
            ],
        },
    )


def likelihoods(
    rows: list[dict[str, Any]], *, band: tuple[float, float], label: str | None = None
) -> dict[str, Any]:
    """Relative likelihoods as dots with 95% intervals, against the shaded 0.80–1.25 band of no adverse impact."""
    values = []
    for r in rows:
        if r.get("value") is None:
            continue
        name = f"{r[label]}: {r['indicator']}" if label else str(r["indicator"])
        values.append(
            {"indicator": name, "value": r["value"], "low": r.get("ci_low"), "high": r.get("ci_high")}
        )
    y = {"field": "indicator", "type": "nominal", "title": None, "axis": {"labelLimit": 360}}
    return _spec(
        "Relative likelihoods with 95% intervals",
        "Dot chart: the relative likelihood of each indicator with its 95% interval; the shaded band from "
        f"{band[0]:.2f} to {band[1]:.2f} reads as no adverse impact. The table below gives each figure.",
        values,
        height={"step": 36},
        layer=[
            {
                "data": {"values": [{"low": band[0], "high": band[1]}]},
                "mark": {"type": "rect", "color": "#d8dde0", "opacity": 0.6},
                "encoding": {
                    "x": {"field": "low", "type": "quantitative"},
                    "x2": {"field": "high"},
                },
            },
            {
                "mark": {"type": "rule", "color": "#425563"},
                "encoding": {
                    "y": y,
                    "x": {"field": "low", "type": "quantitative", "title": "Relative likelihood"},
                    "x2": {"field": "high"},
                },
            },
            {
                "mark": {"type": "point", "filled": True, "size": 80, "color": PALETTE[0]},
                "encoding": {"y": y, "x": {"field": "value", "type": "quantitative"}},
            },
        ],
    )


# Text alternatives ----------------------------------------------------------------------------------------------
def _fmt(value: float, percent: bool) -> str:
    return formatting.percent(value) if percent else f"{value:,.2f}".rstrip("0").rstrip(".")


def describe_bars(
    rows: list[dict[str, Any]], category: str, value: str, what: str, *, percent: bool = False
) -> str:
    shown = [r for r in rows if r.get(value) is not None]
    hidden = len(rows) - len(shown)
    if not shown:
        return f"No {what} figures to show{' (all are suppressed)' if hidden else ''}."
    high = max(shown, key=lambda r: r[value])
    low = min(shown, key=lambda r: r[value])
    text = (
        f"{len(shown)} {'figure' if len(shown) == 1 else 'figures'} of {what}. "
        f"Highest: {high[category]} ({_fmt(high[value], percent)}). "
        f"Lowest: {low[category]} ({_fmt(low[value], percent)})."
    )
    if hidden:
        text += f" {hidden} suppressed to protect small numbers."
    return text


def describe_trend(rows: list[dict[str, Any]]) -> str:
    shown = [r for r in rows if r.get("headcount_index") is not None or r.get("fte_index") is not None]
    if not shown:
        return "No headcount or FTE figures to show."
    first, last = shown[0], shown[-1]
    parts = [f"From {first['month']} to {last['month']}"]
    for key, name in (("headcount_index", "headcount"), ("fte_index", "FTE")):
        if last.get(key) is not None:
            parts.append(f"{name} moved from 100 to {last[key]:.1f}")
    return ", ".join(parts) + "."


def describe_stacked(rows: list[dict[str, Any]], category: str, series: str, value: str) -> str:
    shown = [r for r in rows if r.get(value) is not None]
    if not shown:
        return "No figures to show."
    lines = []
    for name in dict.fromkeys(r[category] for r in shown):
        mine = [r for r in shown if r[category] == name]
        top = max(mine, key=lambda r: r[value])
        lines.append(f"{name}: most often {top[series]} ({top[value] * 100:.0f}%)")
    return "; ".join(lines) + "."


def describe_survival(summary: list[dict[str, Any]]) -> str:
    parts = []
    for r in summary:
        if r.get("survival_12") is None:
            parts.append(f"{r['group']}: not enough people to show")
            continue
        text = f"{r['group']}: {r['survival_12'] * 100:.0f}% still in post after 12 months"
        if r.get("survival_24") is not None:
            text += f", {r['survival_24'] * 100:.0f}% after 24"
        parts.append(text)
    return "; ".join(parts) + "." if parts else "No retention figures to show."


def describe_likelihoods(rows: list[dict[str, Any]]) -> str:
    shown = [r for r in rows if r.get("value") is not None]
    if not shown:
        return "No relative likelihoods to show (too few people, or no outcomes recorded)."
    return "; ".join(f"{r['indicator']}: {r['value']:.2f} ({r['reading']})" for r in shown) + "."

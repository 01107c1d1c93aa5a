"""Vega-Lite specs for the board report's charts. Every spec carries its data inline (`data.values`), so
rendering it never reads a URL; the figures are the same as the table printed after each chart.

They live here because no shared chart builders existed when the report was written; when
`cultivate.insights.charts` offers the same shapes, the report can use those instead."""

from __future__ import annotations

import json
from typing import Any

SCHEMA = (
    "https://vega.github.io/schema/vega-lite/v5.json"  # an identifier only: vl-convert bundles the schema
)
# NHS identity colours, in an order where neighbours differ in lightness as well as hue.
PALETTE = ["#005eb8", "#ffb81c", "#009639", "#330072", "#da291c", "#00a499", "#425563", "#ae2573"]
FONT = "Arial, Helvetica, sans-serif"
WIDTH = 560

Spec = dict[str, Any]


def _base(title: str, description: str, values: list[dict[str, Any]], height: int) -> Spec:
    return {
        "$schema": SCHEMA,
        "description": description,
        "title": {"text": title, "anchor": "start", "fontSize": 14, "color": "#212b32"},
        "width": WIDTH,
        "height": height,
        "data": {"values": values},
        "config": {
            "font": FONT,
            "background": "white",
            "view": {"stroke": None},
            "axis": {
                "labelColor": "#212b32",
                "titleColor": "#212b32",
                "labelFontSize": 11,
                "titleFontSize": 12,
            },
            "legend": {
                "labelColor": "#212b32",
                "titleColor": "#212b32",
                "labelFontSize": 11,
                "orient": "bottom",
            },
            "range": {"category": PALETTE},
        },
    }


def line_chart(
    values: list[dict[str, Any]],
    *,
    title: str,
    description: str,
    x: str,
    y: str,
    y_title: str,
    y_format: str = ",.0f",
    series: str | None = None,
    series_order: list[str] | None = None,
    x_temporal: bool = True,
    step: bool = False,
    zero: bool = False,
    rule_at: float | None = None,
) -> Spec:
    """Lines over time (x an ISO date) or over a number; one line per `series` value."""
    encoding: dict[str, Any] = {
        "x": {
            "field": x,
            "type": "temporal" if x_temporal else "quantitative",
            "title": None if x_temporal else x,
            **({"axis": {"format": "%b %Y", "labelAngle": 0, "tickCount": 6}} if x_temporal else {}),
        },
        "y": {
            "field": y,
            "type": "quantitative",
            "title": y_title,
            "axis": {"format": y_format},
            "scale": {"zero": zero},
        },
    }
    if series:
        encoding["color"] = {
            "field": series,
            "type": "nominal",
            "title": None,
            **({"sort": series_order} if series_order else {}),
        }
        # Dashes as well as colour, so the lines differ without colour; the colour legend names them.
        encoding["strokeDash"] = {"field": series, "type": "nominal", "legend": None}
    mark = {
        "type": "line",
        "point": not step,
        "strokeWidth": 2,
        **({"interpolate": "step-after"} if step else {}),
    }
    spec = _base(title, description, values, 240)
    line = {"mark": mark, "encoding": encoding}
    if rule_at is None:
        spec.update(line)
        return spec
    rule = {
        "mark": {"type": "rule", "color": "#768692", "strokeDash": [4, 4]},
        "encoding": {"y": {"datum": rule_at}},
    }
    spec["layer"] = [rule, line]
    return spec


def bar_chart(
    values: list[dict[str, Any]],
    *,
    title: str,
    description: str,
    category: str,
    value: str,
    value_title: str,
    value_format: str = ".0%",
    category_title: str | None = None,
    sort: list[str] | str | None = None,
) -> Spec:
    """Horizontal bars, one per category, labelled with their value."""
    spec = _base(title, description, values, max(60, 22 * len(values)))
    y = {
        "field": category,
        "type": "nominal",
        "title": category_title,
        "sort": sort,
        "axis": {"labelLimit": 260},
    }
    x = {"field": value, "type": "quantitative", "title": value_title, "axis": {"format": value_format}}
    spec["encoding"] = {"y": y, "x": x}
    spec["layer"] = [
        {"mark": {"type": "bar", "color": PALETTE[0]}},
        {
            "mark": {"type": "text", "align": "left", "dx": 3, "color": "#212b32", "fontSize": 11},
            "encoding": {"text": {"field": value, "type": "quantitative", "format": value_format}},
        },
    ]
    return spec


def stacked_share_chart(
    values: list[dict[str, Any]],
    *,
    title: str,
    description: str,
    category: str,
    series: str,
    value: str,
    series_order: list[str],
    category_order: list[str],
    category_title: str | None = None,
) -> Spec:
    """One horizontal bar per category split into the shares of each series value (a bar reaches 100% unless a
    share is hidden)."""
    spec = _base(title, description, values, max(60, 26 * len(category_order)))
    # Stack in the legend's order (Vega-Lite would otherwise stack alphabetically).
    spec["transform"] = [
        {
            "calculate": f"indexof({json.dumps(series_order)}, datum[{json.dumps(series)}])",
            "as": "series_rank",
        },
    ]
    spec["mark"] = {"type": "bar"}
    spec["encoding"] = {
        "y": {"field": category, "type": "nominal", "title": category_title, "sort": category_order},
        "x": {
            "field": value,
            "type": "quantitative",
            # Stacked as they are, not normalised: a hidden share leaves a gap instead of stretching the others.
            "stack": "zero",
            "scale": {"domain": [0, 1]},
            "title": "Share of those in post at the start",
            "axis": {"format": ".0%"},
        },
        "color": {"field": series, "type": "nominal", "title": None, "sort": series_order},
        "order": {"field": "series_rank", "type": "quantitative"},
    }
    return spec

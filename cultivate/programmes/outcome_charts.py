"""Vega-Lite specs for the programme outcomes: pure functions from figures to a spec, in the insights charts'
style (`cultivate.insights.charts`: NHS colours, a description read out by screen readers, a table beside each
chart with the same figures). A suppressed figure (None) is left out of the chart; the table says why."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cultivate.insights.charts import CONFIG, PALETTE, SCHEMA

from .outcome_stats import COMPARISON, PARTICIPANT, PairedChange, RetentionPoint

GROUP_LABELS = {PARTICIPANT: "Participants", COMPARISON: "Matched non-participants"}


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


def change_chart(changes: Sequence[PairedChange]) -> dict[str, Any]:
    """The typical change on each dimension (Hodges–Lehmann) as a dot with its 95% interval, against 0."""
    values = [
        {"dimension": c.dimension, "value": c.estimate, "low": c.ci_low, "high": c.ci_high}
        for c in changes
        if not c.suppressed and c.estimate is not None
    ]
    y = {"field": "dimension", "type": "nominal", "title": None, "sort": None, "axis": {"labelLimit": 200}}
    return _spec(
        "Change in self-assessment, before to after",
        "Dot chart: the typical change on each self-assessed dimension, in points on the 1 to 5 scale, with its "
        "95% interval; right of the line at 0 is an improvement. The table below gives each figure.",
        values,
        height={"step": 28},
        layer=[
            {
                "data": {"values": [{"zero": 0}]},
                "mark": {"type": "rule", "color": "#425563", "strokeDash": [4, 3]},
                "encoding": {"x": {"field": "zero", "type": "quantitative"}},
            },
            {
                "mark": {"type": "rule", "color": "#425563"},
                "encoding": {
                    "y": y,
                    "x": {
                        "field": "low",
                        "type": "quantitative",
                        "title": "Change (points on the 1–5 scale)",
                    },
                    "x2": {"field": "high"},
                },
            },
            {
                "mark": {"type": "point", "filled": True, "size": 80, "color": PALETTE[0]},
                "encoding": {
                    "y": y,
                    "x": {"field": "value", "type": "quantitative"},
                    "tooltip": [
                        {"field": "dimension", "type": "nominal", "title": "Dimension"},
                        {
                            "field": "value",
                            "type": "quantitative",
                            "title": "Typical change",
                            "format": ".2f",
                        },
                        {
                            "field": "low",
                            "type": "quantitative",
                            "title": "95% interval, low",
                            "format": ".2f",
                        },
                        {
                            "field": "high",
                            "type": "quantitative",
                            "title": "95% interval, high",
                            "format": ".2f",
                        },
                    ],
                },
            },
        ],
    )


def retention_chart(points: Sequence[RetentionPoint]) -> dict[str, Any]:
    """Still in post 6 and 12 months after starting: participants beside matched non-participants, each a dot
    with its 95% interval."""
    values = [
        {
            "when": f"{p.months} months",
            "group": GROUP_LABELS.get(p.group, p.group),
            "value": p.still_in_post,
            "low": p.ci_low,
            "high": p.ci_high,
        }
        for p in points
        if p.still_in_post is not None
    ]
    colour = {
        "field": "group",
        "type": "nominal",
        "title": None,
        "scale": {"domain": list(GROUP_LABELS.values()), "range": PALETTE[:2]},
        "legend": {"orient": "bottom", "columns": 1},  # one per line: a phone is 390 pixels wide
    }
    y = {"field": "when", "type": "nominal", "title": None, "sort": None}
    offset = {"field": "group", "type": "nominal", "sort": list(GROUP_LABELS.values())}
    return _spec(
        "Still in post after the programme",
        "Dot chart: the share of participants and of matched non-participants still in post 6 and 12 months "
        "after the programme started, each with its 95% interval. The table below gives each figure.",
        values,
        height={"step": 36},
        layer=[
            {
                "mark": {"type": "rule"},
                "encoding": {
                    "y": y,
                    "yOffset": offset,
                    "x": {
                        "field": "low",
                        "type": "quantitative",
                        "title": "Still in post",
                        "axis": {"format": ".0%"},
                        "scale": {"domain": [0, 1]},
                    },
                    "x2": {"field": "high"},
                    "color": colour,
                },
            },
            {
                "mark": {"type": "point", "filled": True, "size": 80},
                "encoding": {
                    "y": y,
                    "yOffset": offset,
                    "x": {"field": "value", "type": "quantitative"},
                    "color": colour,
                    "tooltip": [
                        {"field": "group", "type": "nominal", "title": "Group"},
                        {"field": "when", "type": "nominal", "title": "After"},
                        {"field": "value", "type": "quantitative", "title": "Still in post", "format": ".1%"},
                    ],
                },
            },
        ],
    )


def rates_chart(rows: Sequence[dict[str, Any]], *, category: str, title: str) -> dict[str, Any]:
    """Attendance, completion, rating 4–5 and recommendation as grouped bars per `category` (a cohort, an
    organisation): rows with `category` and any of those rates (fractions; None when not shown)."""
    measures = {
        "attendance": "Attendance",
        "completion": "Completion",
        "rating_4_5": "Rated 4 or 5",
        "recommend": "Would recommend",
    }
    values = [
        {"category": str(r[category]), "measure": label, "value": r[key]}
        for r in rows
        for key, label in measures.items()
        if r.get(key) is not None
    ]
    return _spec(
        title,
        f"Bar chart: attendance, completion, the share rating the programme 4 or 5, and the share who would "
        f"recommend it, by {category}. The table below gives each figure.",
        values,
        height={"step": 12},
        mark={"type": "bar"},
        encoding={
            "y": {"field": "category", "type": "nominal", "title": None, "axis": {"labelLimit": 200}},
            "yOffset": {"field": "measure", "type": "nominal", "sort": list(measures.values())},
            "x": {
                "field": "value",
                "type": "quantitative",
                "title": "Share",
                "axis": {"format": ".0%"},
                "scale": {"domain": [0, 1]},
            },
            "color": {
                "field": "measure",
                "type": "nominal",
                "title": None,
                "scale": {"domain": list(measures.values()), "range": PALETTE[:4]},
                "legend": {"orient": "bottom", "columns": 2},  # two by two: four in a row overflow a phone
            },
            "tooltip": [
                {"field": "category", "type": "nominal", "title": category.capitalize()},
                {"field": "measure", "type": "nominal", "title": "Measure"},
                {"field": "value", "type": "quantitative", "title": "Share", "format": ".1%"},
            ],
        },
    )

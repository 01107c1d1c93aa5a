"""Organisations named, not only coded: the store holds ODS codes; a page shows "Name (CODE)".

The builders group by the codes the store holds; the view knows the names (the organisations the reader may
see). `name_organisations` puts the names into the figures' label cells (the table's drill column, which is
where codes appear: an alliance broken down by organisation, fairness by organisation) and into the chart drawn
from them and its text alternative, so the table, the chart and a download read alike."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .tables import Table


def organisation_label(name: str, code: str) -> str:
    return f"{name} ({code})"


def name_organisations(tables: list[Table], labels: Mapping[str, str]) -> None:
    """Replace codes with labels in place, in each table's drill column and its chart."""
    if not labels:
        return
    pattern = re.compile(
        r"\b(" + "|".join(re.escape(code) for code in sorted(labels, key=len, reverse=True)) + r")\b"
    )
    for table in tables:
        if table.drill is None:
            continue
        renamed = False
        for row in table.rows:
            value = row.get(table.drill)
            if isinstance(value, str) and value in labels:
                row[table.drill] = labels[value]
                renamed = True
        if renamed and table.chart is not None:
            table.chart = _relabel(table.chart, labels)
            table.chart_alt = pattern.sub(lambda m: labels[m.group(1)], table.chart_alt)


def _relabel(spec: dict[str, Any], labels: Mapping[str, str]) -> dict[str, Any]:
    """The chart's data with every label value that is a code given its label (its sort order too)."""
    data = spec.get("data", {})
    values = [
        {key: labels.get(v, v) if isinstance(v, str) else v for key, v in item.items()}
        for item in data.get("values", [])
    ]
    relabelled = {**spec, "data": {**data, "values": values}}
    encoding = spec.get("encoding")
    if isinstance(encoding, dict):
        relabelled["encoding"] = {
            channel: (
                {**enc, "sort": [labels.get(v, v) for v in enc["sort"]]}
                if isinstance(enc, dict) and isinstance(enc.get("sort"), list)
                else enc
            )
            for channel, enc in encoding.items()
        }
    return relabelled

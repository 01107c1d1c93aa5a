"""Workforce measures over the insights store: exact definitions as SQL (DuckDB) over Parquet.

    compute_measures(store, window=("2019-06-30", "2020-06-30"), by=["organisation_code"]) -> list[dict]

Definitions: `docs/measures.md` (from DATA-FORMATS.md, "Measures"). Modules: `definitions` (names, columns,
band order), `frame` (the window's spells and person-group rows), `families` (one SQL pass per family of
measures), `compute` (the API), `suppression` (small numbers), `bench` (national-scale timing)."""

from .compute import (
    band_progression,
    band_share,
    compute_measures,
    fte,
    headcount,
    joiner_rate,
    joiners,
    leaver_rate,
    leavers,
    leaving_reason_share,
    mean_fte,
    measures_on,
    role_transitions,
    sickness_absence_rate,
    stability_index,
    support_to_registered_ratio,
)
from .definitions import (
    GROUP_COLUMNS,
    MEASURES,
    STANDARD_MEASURES,
    MeasureError,
    Window,
    parse_window,
)
from .frame import Frame
from .suppression import suppress

__all__ = [
    "GROUP_COLUMNS",
    "MEASURES",
    "STANDARD_MEASURES",
    "Frame",
    "MeasureError",
    "Window",
    "band_progression",
    "band_share",
    "compute_measures",
    "fte",
    "headcount",
    "joiner_rate",
    "joiners",
    "leaver_rate",
    "leavers",
    "leaving_reason_share",
    "mean_fte",
    "measures_on",
    "parse_window",
    "role_transitions",
    "sickness_absence_rate",
    "stability_index",
    "support_to_registered_ratio",
    "suppress",
]

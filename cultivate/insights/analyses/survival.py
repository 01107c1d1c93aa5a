"""Retention curves: how long people stay in post in an organisation (Kaplan–Meier), and, as competing risks,
how soon they leave or move up a band (Aalen–Johansen), with lifelines.

The unit is an **employment period**: a person's non-bank spells in one organisation joined while they are
continuous (a spell starting on or before the day after the previous one ended continues the period). Time
is tenure, from the period's start. Observation runs from `start` to `end`:

- a period already running at `start` enters the analysis at its tenure then (left truncation: lifelines'
  `entry=`), so people who left before `start` — absent from the extract — do not bias the curve upwards;
- a period that ends before `end` is a leaving at its last day; one still running at `end` is censored there.

Points come at whole steps of tenure (months by default) for a chart. Definitions: docs/measures.md,
"Retention curves"."""

from __future__ import annotations

import datetime as dt
import math
import uuid
import warnings
from collections.abc import Collection, Mapping, Sequence
from typing import Any

import duckdb
import numpy as np
from lifelines import AalenJohansenFitter, KaplanMeierFitter
from lifelines.exceptions import StatError

from cultivate.insights.measures.definitions import AGE_BANDS, BAND_LABEL, NOT_KNOWN, MeasureError
from cultivate.insights.measures.frame import band_rank_sql, date_sql, ethnic_group_sql

from .common import ORGANISATION, id_table, quote, rounded, scope_sql, to_date

DAYS_PER_MONTH = 365.25 / 12
UNITS = {"months": DAYS_PER_MONTH, "days": 1.0}
BY_COLUMNS = (ORGANISATION, "afc_band", "age_band", "ethnic_group", "sex", "disability")
PARTICIPATION = "participation"
PARTICIPANT = "participant"
COMPARISON = "comparable non-participant"
LEFT = "left"
PROGRESSED = "progressed"
OPEN = dt.date(9999, 12, 31)


def _check_by(by: Sequence[str] | None) -> tuple[str, ...]:
    columns = tuple(by or ())
    unknown = [c for c in columns if c not in BY_COLUMNS]
    if unknown:
        raise MeasureError(f"Cannot group retention by {', '.join(unknown)}: use {', '.join(BY_COLUMNS)}.")
    if len(set(columns)) != len(columns):
        raise MeasureError("A grouping column is named twice.")
    return columns


def _age_band_sql(day: str) -> str:
    age = (
        f"(CASE WHEN p.birth_date IS NOT NULL THEN year({day}) - year(p.birth_date)"
        f" - (CASE WHEN strftime(p.birth_date, '%m-%d') > strftime({day}, '%m-%d') THEN 1 ELSE 0 END)"
        f" WHEN p.birth_year IS NOT NULL THEN year({day}) - p.birth_year"
        f" - (CASE WHEN month({day}) < 7 THEN 1 ELSE 0 END) END)"
    )
    cases = [f"WHEN {age} IS NULL THEN {quote(NOT_KNOWN)}", f"WHEN {age} < 25 THEN {quote(AGE_BANDS[0])}"]
    for label in AGE_BANDS[1:-1]:
        low, high = (int(x) for x in label.split("-"))
        cases.append(f"WHEN {age} BETWEEN {low} AND {high} THEN {quote(label)}")
    return f"(CASE {' '.join(cases)} ELSE {quote(AGE_BANDS[-1])} END)"


class _Periods:
    """Employment periods with their entry into observation, exit, leaving and first move up a band, as numpy
    arrays, built with a few SQL statements over temporary tables dropped on close."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        *,
        start: dt.date | None,
        end: dt.date | None,
        by: tuple[str, ...],
        participants: Collection[str] | Mapping[str, dt.date | str] | None,
        organisation_codes: Collection[str] | None,
        service_bands: Sequence[int] | None = None,
    ) -> None:
        self.con = con
        self.by = by
        self.service_bands = tuple(service_bands or ())
        codes = None if organisation_codes is None else tuple(str(c) for c in organisation_codes)
        if isinstance(organisation_codes, str):
            raise MeasureError("organisation_codes is a list of ODS codes, not one string.")
        prefix = f"analyses_{uuid.uuid4().hex[:12]}"
        self.spells, self.periods = f"{prefix}_spells", f"{prefix}_periods"
        try:
            self._build(codes)
            self.start, self.end = self._observation(start, end)
            self.rows = self._entries(participants)
        finally:
            self.close()

    def close(self) -> None:
        self.con.execute(f"DROP TABLE IF EXISTS {self.spells}")
        self.con.execute(f"DROP TABLE IF EXISTS {self.periods}")

    def _build(self, codes: tuple[str, ...] | None) -> None:
        far = date_sql(OPEN)
        # Spells numbered into periods: a spell opens a new period unless it starts on or before the day after
        # the furthest end of the person's earlier spells in the organisation.
        self.con.execute(
            f"""
            CREATE TEMP TABLE {self.spells} AS
            WITH sp AS (
                SELECT a.person_id, CAST(a.organisation_code AS VARCHAR) AS org, a.start_date,
                       coalesce(a.end_date, {far}) AS end_date, {band_rank_sql("a.afc_band")} AS band_rank
                FROM assignments a
                WHERE coalesce(lower(trim(a.contract_type)), '') <> 'bank' AND a.start_date IS NOT NULL
                  {scope_sql("a.organisation_code", codes)}
            ),
            reach AS (
                SELECT *, max(end_date) OVER (
                    PARTITION BY person_id, org ORDER BY start_date, end_date
                    ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach
                FROM sp
            )
            SELECT person_id, org, start_date, end_date, band_rank,
                   sum(CASE WHEN reach IS NOT NULL AND reach >= start_date - 1 THEN 0 ELSE 1 END) OVER (
                       PARTITION BY person_id, org ORDER BY start_date, end_date
                       ROWS UNBOUNDED PRECEDING) AS period
            FROM reach
            """
        )
        self.con.execute(
            f"""
            CREATE TEMP TABLE {self.periods} AS
            SELECT person_id, org, period, min(start_date) AS p_start, max(end_date) AS p_end
            FROM {self.spells} GROUP BY ALL
            """
        )

    def _observation(self, start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
        # Default start: the first recorded leaving in scope. An extract holds everyone in post from its first
        # day but nobody who left before it, so truncating at any day on or after that first day is sound; the
        # first leaving is the earliest day we can be sure of. Default end: the last date recorded.
        row = self.con.execute(
            f"""
            SELECT min(p_end) FILTER (WHERE p_end < {date_sql(OPEN)}),
                   greatest(max(p_start), max(p_end) FILTER (WHERE p_end < {date_sql(OPEN)}))
            FROM {self.periods}
            """
        ).fetchall()
        first_leaving, last_date = row[0] if row else (None, None)
        start = start or first_leaving
        end = end or last_date
        if start is None or end is None:
            raise MeasureError("There are no employment periods to follow in this scope.")
        if start >= end:
            raise MeasureError(
                f"The observation start ({start.isoformat()}) must be before its end ({end.isoformat()})."
            )
        return start, end

    def _entries(
        self, participants: Collection[str] | Mapping[str, dt.date | str] | None
    ) -> dict[str, np.ndarray]:
        s, e = date_sql(self.start), date_sql(self.end)
        if participants is None:
            entries = (
                f"SELECT person_id, org, period, greatest(p_start, {s}) AS entry_date, NULL AS participation "
                f"FROM {self.periods} WHERE p_end > {s} AND p_start < {e}"
            )
            return self._fetch(entries)
        index = _index_dates(participants, self.start)
        with id_table(self.con, {"person_id": list(index), "index_date": list(index.values())}) as table:
            # Participants enter at their index date, in each period they are in post in on that day; the
            # comparable non-participants are those in post on a participant's index date in the same
            # organisation and band (their highest band that day), entering at the earliest such date.
            self.con.execute(f"CREATE TEMP TABLE {self.spells}_idx AS SELECT * FROM {table}")
            try:
                entries = f"""
                    WITH part AS (
                        SELECT q.person_id, q.org, q.period, q.p_start, t.index_date AS d
                        FROM {self.periods} q JOIN {self.spells}_idx t ON t.person_id = q.person_id
                        WHERE q.p_start <= t.index_date AND q.p_end > t.index_date
                          AND t.index_date >= {s} AND t.index_date < {e}
                    ),
                    cells AS (
                        SELECT DISTINCT org, d, {self._rank_on("part", "part.d")} AS band_rank,
                               {self._service_band("part.p_start", "part.d")} AS service_band
                        FROM part
                    ),
                    others AS (
                        SELECT q.person_id, q.org, q.period, min(c.d) AS d
                        FROM {self.periods} q JOIN cells c ON c.org = q.org
                        WHERE q.p_start <= c.d AND q.p_end > c.d
                          AND q.person_id NOT IN (SELECT person_id FROM {self.spells}_idx)
                          AND c.band_rank = {self._rank_on("q", "c.d")}
                          AND c.service_band = {self._service_band("q.p_start", "c.d")}
                        GROUP BY ALL
                    )
                    SELECT person_id, org, period, d AS entry_date, {quote(PARTICIPANT)} AS participation
                    FROM part
                    UNION ALL
                    SELECT person_id, org, period, d AS entry_date, {quote(COMPARISON)} AS participation
                    FROM others
                """
                return self._fetch(entries)
            finally:
                self.con.execute(f"DROP TABLE IF EXISTS {self.spells}_idx")

    def _service_band(self, start: str, day: str) -> str:
        """The length-of-service band on `day` of a period that started on `start`: how many of the
        `service_bands` boundaries (in months) its tenure has reached; always 0 when none are given."""
        if not self.service_bands:
            return "0"
        reached = " + ".join(
            f"(CASE WHEN ({day} - {start}) >= {months * DAYS_PER_MONTH:.2f} THEN 1 ELSE 0 END)"
            for months in self.service_bands
        )
        return f"({reached})"

    def _rank_on(self, alias: str, day: str) -> str:
        """The highest band rank of the period `alias` (person_id, org, period) on `day`."""
        return (
            f"(SELECT max(x.band_rank) FROM {self.spells} x WHERE x.person_id = {alias}.person_id "
            f"AND x.org = {alias}.org AND x.period = {alias}.period "
            f"AND x.start_date <= {day} AND x.end_date >= {day})"
        )

    def _fetch(self, entries: str) -> dict[str, np.ndarray]:
        e = date_sql(self.end)
        groups = {
            ORGANISATION: "n.org",
            "afc_band": "n.band_rank",
            "age_band": _age_band_sql("n.entry_date"),
            "ethnic_group": ethnic_group_sql(),
            "sex": "CAST(p.sex AS VARCHAR)",
            "disability": "CAST(p.disability AS VARCHAR)",
        }
        columns = "".join(f", {groups[c]} AS g_{c}" for c in self.by)
        query = f"""
            WITH n0 AS ({entries}),
            n AS (
                SELECT n0.*, q.p_start, q.p_end,
                       {self._rank_on("n0", "n0.entry_date")} AS band_rank
                FROM n0 JOIN {self.periods} q
                  ON q.person_id = n0.person_id AND q.org = n0.org AND q.period = n0.period
            ),
            up AS (
                SELECT n.person_id, n.org, n.period, min(x.start_date) AS up_date
                FROM n JOIN {self.spells} x
                  ON x.person_id = n.person_id AND x.org = n.org AND x.period = n.period
                WHERE x.start_date > n.entry_date AND n.band_rank > 0 AND x.band_rank > n.band_rank
                GROUP BY ALL
            )
            SELECT n.entry_date - n.p_start AS entry_days,
                   least(n.p_end, {e}) - n.p_start AS exit_days,
                   n.p_end < {e} AS left_post,
                   CASE WHEN up.up_date < least(n.p_end, {e}) THEN up.up_date - n.p_start END AS up_days,
                   n.band_rank, n.participation {columns}
            FROM n
            LEFT JOIN up ON up.person_id = n.person_id AND up.org = n.org AND up.period = n.period
            LEFT JOIN (SELECT DISTINCT ON (person_id) * FROM people) p ON p.person_id = n.person_id
            WHERE least(n.p_end, {e}) > n.entry_date
        """
        with warnings.catch_warnings():
            # DuckDB notes that Arrow output of execute() copies the rows; a few thousand rows, once.
            warnings.simplefilter("ignore", UserWarning)
            table = self.con.execute(query).to_arrow_table()
        if table is None:
            raise MeasureError("The employment periods could not be read.")
        return {name: table.column(name).to_numpy(zero_copy_only=False) for name in table.column_names}


def _index_dates(
    participants: Collection[str] | Mapping[str, dt.date | str], default: dt.date
) -> dict[str, dt.date]:
    if isinstance(participants, Mapping):
        out = {}
        for person, day in participants.items():
            out[str(person)] = to_date(day) or default
        return out
    if isinstance(participants, str):
        raise MeasureError("participants is a collection of person_ids, not one string.")
    return {str(person): default for person in participants}


def _group_keys(periods: _Periods, participation: bool) -> tuple[list[str], list[tuple[Any, ...]]]:
    names = list(periods.by) + ([PARTICIPATION] if participation else [])
    n = len(periods.rows["entry_days"])
    columns = [periods.rows[f"g_{c}"] for c in periods.by]
    if participation:
        columns.append(periods.rows["participation"])
    keys = [tuple(_label(names[i], col[j]) for i, col in enumerate(columns)) for j in range(n)]
    return names, keys


def _label(column: str, value: Any) -> Any:
    if column == "afc_band":
        return BAND_LABEL.get(int(value), NOT_KNOWN) if value is not None else NOT_KNOWN
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def _sort_key(key: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple((v is None, str(v) if v is not None else "") for v in key)


def _split(periods: _Periods, participation: bool) -> list[tuple[dict[str, Any], np.ndarray]]:
    names, keys = _group_keys(periods, participation)
    if not keys:
        return []
    index: dict[tuple[Any, ...], list[int]] = {}
    for i, key in enumerate(keys):
        index.setdefault(key, []).append(i)
    return [
        (dict(zip(names, key, strict=True)), np.array(index[key])) for key in sorted(index, key=_sort_key)
    ]


def _timeline(durations: np.ndarray, step: float, horizon: float | None) -> np.ndarray:
    top = float(durations.max()) if len(durations) else 0.0
    if horizon is not None:
        top = min(top, horizon)
    return np.arange(0.0, math.floor(top / step) * step + step / 2, step)


def _at_risk(entry: np.ndarray, exit_: np.ndarray, times: np.ndarray) -> np.ndarray:
    """People under observation at each tenure t: entered at or before t and not yet out (entry ≤ t < exit)."""
    entered = np.searchsorted(np.sort(entry), times, side="right")
    gone = np.searchsorted(np.sort(exit_), times, side="right")
    return entered - gone


def _observation(periods: _Periods, unit: str) -> dict[str, Any]:
    return {"start": periods.start.isoformat(), "end": periods.end.isoformat(), "unit": unit}


def _check_unit(unit: str, step: float | None) -> tuple[float, float]:
    if unit not in UNITS:
        raise MeasureError(f"The unit is one of {', '.join(UNITS)}, not {unit!r}.")
    chosen = step if step is not None else (1.0 if unit == "months" else 30.0)
    if chosen <= 0:
        raise MeasureError("The step must be more than 0.")
    return UNITS[unit], float(chosen)


def retention_curve(
    con: duckdb.DuckDBPyConnection,
    *,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
    by: Sequence[str] | None = None,
    participants: Collection[str] | Mapping[str, dt.date | str] | None = None,
    organisation_codes: Collection[str] | None = None,
    unit: str = "months",
    step: float | None = None,
    horizon: float | None = None,
    service_bands: Sequence[int] | None = None,
    since_entry: bool = False,
) -> dict[str, Any]:
    """Kaplan–Meier survival in post, per group: {"observation": {...}, "curves": [{"group", "people",
    "leavers", "median", "survival_12", "survival_24", "points": [{"time", "survival", "ci_low", "ci_high",
    "at_risk"}]}]}. `by`: any of BY_COLUMNS (band and age at entry into observation). `participants`
    (person_ids, or person_id → index date) compares them with comparable non-participants (see module);
    `service_bands` (boundaries in months, e.g. (12, 36)) also matches them on length of service on the index
    date. `since_entry` measures time from entry into observation (for participants, their index date: "still
    in post 6 months after the programme") instead of tenure."""
    columns = _check_by(by)
    scale, step_size = _check_unit(unit, step)
    periods = _Periods(
        con,
        start=to_date(start),
        end=to_date(end),
        by=columns,
        participants=participants,
        organisation_codes=organisation_codes,
        service_bands=service_bands,
    )
    rows = periods.rows
    entry_all = rows["entry_days"].astype(float) / scale
    exit_all = rows["exit_days"].astype(float) / scale
    if since_entry:
        exit_all, entry_all = exit_all - entry_all, np.zeros_like(entry_all)
    left_all = rows["left_post"].astype(bool)
    curves = []
    for group, idx in _split(periods, participants is not None):
        entry, exit_, left = entry_all[idx], exit_all[idx], left_all[idx]
        times = _timeline(exit_, step_size, horizon)
        at_risk = _at_risk(entry, exit_, times)
        curves.append(
            {
                "group": group,
                "people": len(idx),
                "leavers": int(left.sum()),
                **_km(entry, exit_, left, times, at_risk, unit),
            }
        )
    return {"observation": _observation(periods, unit), "curves": curves}


def _km(
    entry: np.ndarray, exit_: np.ndarray, left: np.ndarray, times: np.ndarray, at_risk: np.ndarray, unit: str
) -> dict[str, Any]:
    """The Kaplan–Meier summary and points of one group. Survival is read off the step function at each
    point (lifelines is fitted on the event times themselves: given a timeline with late entries, its median
    comes out wrong). A point where nobody is under observation has no survival (null): with late entries the
    curve says nothing about tenures before the first entry."""
    kmf = KaplanMeierFitter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # lifelines warns on late entries; they are the point here
            kmf.fit(exit_, event_observed=left, entry=entry)
    except StatError:
        # Nobody was under observation at some tenure (all had left, or been censored) while others entered
        # later: the product-limit estimate cannot be carried across the gap, so nothing is shown rather than
        # a wrong curve. Only tiny groups meet this.
        return {
            "estimable": False,
            "median": None,
            "survival_12": None,
            "survival_24": None,
            "points": [
                {"time": rounded(t), "survival": None, "ci_low": None, "ci_high": None, "at_risk": int(n)}
                for t, n in zip(times, at_risk, strict=True)
            ],
        }
    index = kmf.survival_function_.index.to_numpy(dtype=float)
    values = kmf.survival_function_.iloc[:, 0].to_numpy(dtype=float)
    band = kmf.confidence_interval_.to_numpy(dtype=float)

    def point(t: float) -> int:
        return int(np.searchsorted(index, t, side="right")) - 1

    def survival_at(t: float) -> float | None:
        k = point(t)
        if k < 0 or not _observed(entry, exit_, t):
            return None
        return rounded(values[k])

    median = float(kmf.median_survival_time_)
    months = 1.0 if unit == "months" else DAYS_PER_MONTH
    points = []
    for i, t in enumerate(times):
        k = point(t)
        known = k >= 0 and at_risk[i] > 0
        points.append(
            {
                "time": rounded(t),
                "survival": rounded(values[k]) if known else None,
                "ci_low": _finite(band[k, 0]) if known else None,
                "ci_high": _finite(band[k, 1]) if known else None,
                "at_risk": int(at_risk[i]),
            }
        )
    return {
        "estimable": True,
        "median": None if math.isinf(median) or math.isnan(median) else rounded(median),
        "survival_12": survival_at(12 * months),
        "survival_24": survival_at(24 * months),
        "points": points,
    }


def _observed(entry: np.ndarray, exit_: np.ndarray, t: float) -> bool:
    """Someone was under observation at tenure t (entered at or before it, out at or after it)."""
    return bool(((entry <= t) & (exit_ >= t)).any())


def _finite(value: Any) -> float | None:
    number = float(value)
    return None if math.isnan(number) else rounded(number)


def competing_risks(
    con: duckdb.DuckDBPyConnection,
    *,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
    by: Sequence[str] | None = None,
    participants: Collection[str] | Mapping[str, dt.date | str] | None = None,
    organisation_codes: Collection[str] | None = None,
    unit: str = "months",
    step: float | None = None,
    horizon: float | None = None,
    confidence_intervals: bool = True,
) -> dict[str, Any]:
    """Cumulative incidence of leaving and of moving up a band (whichever comes first), per group, by the
    Aalen–Johansen estimator: {"observation", "curves": [{"group", "people", "events": {"left": n,
    "progressed": n}, "incidence": {"left": {"at_12", "at_24", "points": [...]}, "progressed": {...}}}]}.
    Periods whose band at entry is not on Agenda for Change (NA) are left out: a move from NA is not a move up.
    `confidence_intervals=False` skips lifelines' variance, the slow part on large groups."""
    columns = _check_by(by)
    scale, step_size = _check_unit(unit, step)
    periods = _Periods(
        con,
        start=to_date(start),
        end=to_date(end),
        by=columns,
        participants=participants,
        organisation_codes=organisation_codes,
    )
    rows = periods.rows
    keep_all = rows["band_rank"].astype(float) > 0
    entry_all = rows["entry_days"].astype(float) / scale
    up = rows["up_days"].astype(float)
    progressed_all = ~np.isnan(up)
    exit_all = np.where(progressed_all, up, rows["exit_days"].astype(float)) / scale
    # 1: left post; 2: moved up a band first; 0: neither by the end of observation.
    event_all = np.where(progressed_all, 2, np.where(rows["left_post"].astype(bool), 1, 0))
    curves = []
    for group, idx in _split(periods, participants is not None):
        idx = idx[keep_all[idx]]
        if not len(idx):
            continue
        entry, exit_, event = entry_all[idx], exit_all[idx], event_all[idx]
        times = _timeline(exit_, step_size, horizon)
        at_risk = _at_risk(entry, exit_, times)
        incidence = {}
        for code, name in ((1, LEFT), (2, PROGRESSED)):
            incidence[name] = _incidence(
                entry, exit_, event, code, times, at_risk, unit, confidence_intervals
            )
        curves.append(
            {
                "group": group,
                "people": len(idx),
                "events": {LEFT: int((event == 1).sum()), PROGRESSED: int((event == 2).sum())},
                "incidence": incidence,
            }
        )
    return {"observation": _observation(periods, unit), "curves": curves}


def _incidence(
    entry: np.ndarray,
    exit_: np.ndarray,
    event: np.ndarray,
    code: int,
    times: np.ndarray,
    at_risk: np.ndarray,
    unit: str,
    confidence_intervals: bool,
) -> dict[str, Any]:
    if not (event == code).any():
        zero = [
            {
                "time": rounded(t),
                "incidence": 0.0,
                "ci_low": None,
                "ci_high": None,
                "at_risk": int(at_risk[i]),
            }
            for i, t in enumerate(times)
        ]
        top = float(exit_.max())
        twelve = 12.0 if unit == "months" else 12 * DAYS_PER_MONTH
        return {
            "at_12": 0.0 if twelve <= top else None,
            "at_24": 0.0 if 2 * twelve <= top else None,
            "points": zero,
        }
    # Tied event times are split by lifelines with a tiny seeded jitter (1e-4 of a unit), so results repeat.
    # lifelines' own variance loops over every event time (about a minute for one trust); `aj_variance`
    # computes the same formula with cumulative sums.
    ajf = AalenJohansenFitter(seed=2026, calculate_variance=False)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ajf.fit(exit_, event, event_of_interest=code, entry=entry)
    except StatError:
        # As in _km: nobody under observation at some tenure while others entered later, so the estimate cannot
        # be carried across the gap; no figures rather than a wrong curve (tiny groups, such as one team).
        return {
            "at_12": None,
            "at_24": None,
            "points": [
                {"time": rounded(t), "incidence": None, "ci_low": None, "ci_high": None, "at_risk": int(n)}
                for t, n in zip(times, at_risk, strict=True)
            ],
        }
    index = ajf.cumulative_density_.index.to_numpy(dtype=float)
    values = ajf.cumulative_density_.iloc[:, 0].to_numpy(dtype=float)
    low_band = high_band = None
    if confidence_intervals:
        low_band, high_band = aj_interval(ajf, event, entry)

    def at(t: float) -> int:
        return int(np.searchsorted(index, t, side="right")) - 1

    points = []
    for i, t in enumerate(times):
        k = at(t)
        low = high = None
        if low_band is not None and high_band is not None and k >= 0:
            low, high = _finite(low_band[k]), _finite(high_band[k])
        points.append(
            {
                "time": rounded(t),
                "incidence": rounded(values[k]) if k >= 0 else 0.0,
                "ci_low": low,
                "ci_high": high,
                "at_risk": int(at_risk[i]),
            }
        )
    twelve, twenty_four = (12.0, 24.0) if unit == "months" else (12 * DAYS_PER_MONTH, 24 * DAYS_PER_MONTH)
    top = float(exit_.max())
    return {
        "at_12": rounded(values[at(twelve)]) if twelve <= top and at(twelve) >= 0 else None,
        "at_24": rounded(values[at(twenty_four)]) if twenty_four <= top and at(twenty_four) >= 0 else None,
        "points": points,
    }


def aj_interval(
    ajf: AalenJohansenFitter, event: np.ndarray, entry: np.ndarray, *, z: float = 1.959963984540054
) -> tuple[np.ndarray, np.ndarray]:
    """The 95% interval of a fitted Aalen–Johansen incidence F at each of its event-table times, by the
    variance lifelines documents (Collett, Modelling Survival Data in Medical Research, 3rd ed., p. 411;
    Greenwood-type, log(−log F) transform):

        Var F(t) = Σ_{i≤t} (F(t) − F_i)² d_i ÷ (n_i (n_i − d_i)) + Σ S_{i−1}² d_ki (n_i − d_ki) ÷ n_i³
                   − 2 Σ (F(t) − F_i) S_{i−1} d_ki ÷ n_i²

    expanded into cumulative sums (lifelines evaluates it with a loop over every time, quadratic in the number
    of events). d: events of any kind, d_k: of the event of interest, n: at risk, S: overall survival just
    before. Where n = d the first term's factor is taken as 0 (lifelines gives no number there). Returns
    (low, high), NaN where F is 0 or 1."""
    table = ajf.event_table
    km = KaplanMeierFitter().fit(ajf.durations, event_observed=np.asarray(event) != 0, entry=entry)
    lagged = km.survival_function_.iloc[:, 0].shift().reindex(table.index).fillna(1).to_numpy(dtype=float)
    d = table["observed"].to_numpy(dtype=float)
    dk = table[ajf.label_cmprisk].to_numpy(dtype=float)
    n = table["at_risk"].to_numpy(dtype=float)
    f = ajf.cumulative_density_.iloc[:, 0].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        safe_n = np.where(n > 0, n, np.nan)
        c = np.where(n - d > 0, d / safe_n / np.where(n - d > 0, n - d, 1), 0.0)
        b = np.nan_to_num(lagged**2 * dk * (n - dk) / safe_n**3)
        a = np.nan_to_num(lagged * dk / safe_n**2)
        cs = np.cumsum
        variance = f**2 * cs(c) - 2 * f * cs(f * c) + cs(f**2 * c) + cs(b) - 2 * (f * cs(a) - cs(f * a))
        se = np.sqrt(np.clip(variance, 0, None)) / (f * np.abs(np.log(f)))
        spread = np.exp(z * se)
        low = np.where((f > 0) & (f < 1), f**spread, np.nan)
        high = np.where((f > 0) & (f < 1), f ** (1 / spread), np.nan)
    return low, high

"""The statistics behind a programme's outcomes report. Pure: numbers in, figures out; no Django.

- `paired_change`: each person's self-assessment on one dimension before and after the programme. The change is
  tested with the **Wilcoxon signed-rank test** (two-sided; people whose answer did not change are left out of the
  test, Wilcoxon's own rule; p from the exact distribution without ties, else the normal approximation with
  the tie correction) and estimated by the **Hodges–Lehmann** estimator, the median of the Walsh averages
  (every mean of two changes, each change with itself included), with its **distribution-free 95% interval**:
  the k-th smallest and k-th largest Walsh averages, k taken from the exact null distribution of the signed-rank
  statistic. Why this and not a bootstrap: the interval is the one the test inverts, so the two never disagree
  (an interval that excludes 0 goes with p < 0.05, up to ties); it needs no assumption about the shape of the
  changes; it is the same every time without a seed; and a percentile bootstrap is unreliable at the sizes of a
  cohort (20 people), where it is too narrow. Answers are whole numbers from 1 to 5, so many changes tie; the
  interval's coverage is then approximate (near its nominal level, usually above it), and `ci_level` gives the
  exact level the order statistics carry without ties. Five or six people give no 95% interval at all.
- `share_rating_4_5`, `recommendation_rate`: shares of people.
- `matched_retention`: participants against comparable non-participants (same organisation, pay band and length
  of service band on the day they started the programme), still in post 6 and 12 months later, by the insights
  app's Kaplan–Meier code over the insights store (`cultivate.insights.analyses.retention_curve`).

Small numbers: a figure resting on fewer than the insights app's SUPPRESSION_THRESHOLD (5) people is not shown
(`suppressed`), as on the dashboards and in the board report. numpy, scipy and the insights analyses are imported
when a figure is computed: a web process that never shows one does not load them."""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import duckdb

# The insights app's threshold (cultivate.insights.report.model.SUPPRESSION_THRESHOLD), which a test keeps equal;
# not imported from there because that module brings DuckDB.
SUPPRESSION_THRESHOLD = 5
CONFIDENCE = 0.95
RETENTION_MONTHS = (6, 12)
SERVICE_BANDS_MONTHS = (12, 36)  # under a year, one to three years, three years or more
PARTICIPANT = "participant"
COMPARISON = "comparable non-participant"


@dataclass(frozen=True)
class PairedChange:
    dimension: str
    people: int  # people with both answers
    suppressed: bool
    before_mean: float | None = None
    after_mean: float | None = None
    improved: int | None = None
    unchanged: int | None = None
    worse: int | None = None
    estimate: float | None = None  # Hodges–Lehmann: the typical change, in points on the 1–5 scale
    ci_low: float | None = None
    ci_high: float | None = None
    ci_level: float | None = None  # the level the interval's order statistics carry (at least 0.95)
    statistic: float | None = None  # Wilcoxon's W (the smaller rank sum)
    p_value: float | None = None

    @property
    def significant(self) -> bool:
        return self.p_value is not None and self.p_value < 1 - CONFIDENCE


@dataclass(frozen=True)
class Share:
    count: int | None
    people: int
    share: float | None
    suppressed: bool


@dataclass(frozen=True)
class RetentionPoint:
    months: int
    group: str  # PARTICIPANT or COMPARISON
    people: int
    still_in_post: float | None
    ci_low: float | None
    ci_high: float | None
    at_risk: int | None
    suppressed: bool


def suppressed(people: int) -> bool:
    """True when a figure rests on 1 to 4 people (0 people is simply no figure)."""
    return 0 < people < SUPPRESSION_THRESHOLD


def _check_answers(values: Sequence[float]) -> None:
    for value in values:
        if not 1 <= value <= 5:
            raise ValueError(f"A self-assessment answer is from 1 to 5, not {value}.")


def paired_change(dimension: str, before: Sequence[float], after: Sequence[float]) -> PairedChange:
    """The change on one dimension from each person's answer before to their answer after (same order)."""
    if len(before) != len(after):
        raise ValueError("Each person needs an answer before and after: the lists differ in length.")
    _check_answers(before)
    _check_answers(after)
    n = len(before)
    if n < SUPPRESSION_THRESHOLD:
        return PairedChange(dimension, n, suppressed=n > 0)
    changes = [float(a) - float(b) for b, a in zip(before, after, strict=True)]
    walsh = sorted((changes[i] + changes[j]) / 2 for i in range(n) for j in range(i, n))
    k, level = _interval_rank(n)
    statistic, p_value = _wilcoxon(changes)
    return PairedChange(
        dimension,
        n,
        suppressed=False,
        before_mean=statistics.fmean(before),
        after_mean=statistics.fmean(after),
        improved=sum(1 for c in changes if c > 0),
        unchanged=sum(1 for c in changes if c == 0),
        worse=sum(1 for c in changes if c < 0),
        estimate=statistics.median(walsh),
        ci_low=walsh[k - 1] if k else None,
        ci_high=walsh[len(walsh) - k] if k else None,
        ci_level=level if k else None,
        statistic=statistic,
        p_value=p_value,
    )


def _interval_rank(n: int) -> tuple[int, float]:
    """k for the interval [W_(k), W_(M−k+1)] over the M = n(n+1)/2 ordered Walsh averages: the largest k with
    P(T ≤ k − 1) ≤ (1 − CONFIDENCE) / 2 under the null distribution of the signed-rank statistic T, and the
    level 1 − 2·P(T ≤ k − 1) it carries. k = 0 when no such k exists (n of 5 or fewer)."""
    import numpy as np

    # The exact distribution of T: the number of subsets of the ranks 1..n with each sum, over 2^n.
    dist = np.zeros(n * (n + 1) // 2 + 1)
    dist[0] = 1.0
    for rank in range(1, n + 1):
        shifted = np.zeros_like(dist)
        shifted[rank:] = dist[:-rank]
        dist = (dist + shifted) / 2
    cumulative = np.cumsum(dist)
    tail = (1 - CONFIDENCE) / 2
    k = int(np.searchsorted(cumulative, tail, side="right"))  # cumulative[k - 1] <= tail < cumulative[k]
    if k == 0:
        return 0, 0.0
    return k, float(1 - 2 * cumulative[k - 1])


def _wilcoxon(changes: Sequence[float]) -> tuple[float | None, float | None]:
    """Wilcoxon's signed-rank statistic and two-sided p-value; no change at all gives p = 1."""
    from scipy import stats

    if all(c == 0 for c in changes):
        return 0.0, 1.0
    nonzero = [abs(c) for c in changes if c != 0]
    # The exact null distribution holds only without ties or zeros; answers on a 1–5 scale nearly always have
    # them, and then the normal approximation with its tie correction is the standard (scipy's default would
    # instead enumerate sign patterns, seconds per dimension for a cohort of 13).
    exact = len(nonzero) == len(changes) and len(set(nonzero)) == len(nonzero) and len(nonzero) <= 50
    result = stats.wilcoxon(
        changes, zero_method="wilcox", alternative="two-sided", method="exact" if exact else "approx"
    )
    statistic, p_value = float(result.statistic), float(result.pvalue)
    return statistic, (None if math.isnan(p_value) else p_value)


def share_rating_4_5(ratings: Sequence[int]) -> Share:
    """The share of people rating the programme 4 or 5 out of 5."""
    _check_answers(ratings)
    return _share(sum(1 for r in ratings if r >= 4), len(ratings))


def recommendation_rate(answers: Sequence[bool]) -> Share:
    """The share of people who would recommend the programme."""
    return share_of(answers)


def share_of(flags: Sequence[bool]) -> Share:
    """The share of people for whom something holds (completed, would recommend)."""
    return _share(sum(1 for f in flags if f), len(flags))


def _share(count: int, people: int) -> Share:
    if people == 0:
        return Share(None, 0, None, suppressed=False)
    if suppressed(people):
        return Share(None, people, None, suppressed=True)
    return Share(count, people, count / people, suppressed=False)


def matched_retention(
    con: duckdb.DuckDBPyConnection,
    participants: Mapping[str, dt.date],
    *,
    organisation_codes: Collection[str] | None = None,
    months: Sequence[int] = RETENTION_MONTHS,
    end: dt.date | None = None,
) -> list[RetentionPoint]:
    """Still in post `months` after each participant's start (their index date), participants against
    comparable non-participants, from the insights store behind `con` (staff records by `person_id`, as the
    snapshot writes them). A point resting on fewer than SUPPRESSION_THRESHOLD people under observation is
    suppressed; a group nobody is in gives no points."""
    from cultivate.insights.analyses import retention_curve
    from cultivate.insights.measures import MeasureError

    if not participants:
        return []
    first = min(participants.values())
    try:
        result = retention_curve(
            con,
            start=first,
            end=end,
            participants=dict(participants),
            organisation_codes=organisation_codes,
            unit="months",
            step=1,
            horizon=max(months),
            service_bands=SERVICE_BANDS_MONTHS,
            since_entry=True,
        )
    except MeasureError:
        return []  # nobody to follow in this scope
    points: list[RetentionPoint] = []
    for curve in result["curves"]:
        group = str(curve["group"].get("participation"))
        by_time = {round(float(p["time"])): p for p in curve["points"]}
        for month in months:
            point: dict[str, Any] | None = by_time.get(month)
            at_risk = int(point["at_risk"]) if point else 0
            hidden = suppressed(int(curve["people"])) or suppressed(at_risk)
            known = point is not None and point["survival"] is not None and at_risk > 0 and not hidden
            points.append(
                RetentionPoint(
                    months=month,
                    group=group,
                    people=int(curve["people"]),
                    still_in_post=point["survival"] if known and point else None,
                    ci_low=point["ci_low"] if known and point else None,
                    ci_high=point["ci_high"] if known and point else None,
                    at_risk=None if hidden else at_risk,
                    suppressed=hidden,
                )
            )
    return sorted(points, key=lambda p: (p.months, p.group != PARTICIPANT))

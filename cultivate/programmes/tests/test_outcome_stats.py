"""Outcome statistics: the paired test and its interval, shares, suppression and matched retention."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest
from scipy import stats

from cultivate.insights.report.model import SUPPRESSION_THRESHOLD as INSIGHTS_THRESHOLD
from cultivate.insights.store import connect
from cultivate.insights.tests.test_measures import build_store, spell
from cultivate.programmes import outcome_stats
from cultivate.programmes.outcome_stats import (
    COMPARISON,
    PARTICIPANT,
    matched_retention,
    paired_change,
    recommendation_rate,
    share_rating_4_5,
)

D = dt.date


def test_the_threshold_is_the_insights_apps():
    assert outcome_stats.SUPPRESSION_THRESHOLD == INSIGHTS_THRESHOLD


def brute_force_rank(n: int) -> int:
    """k from the definition: enumerate every sign pattern of the ranks 1..n."""
    sums = [
        sum(r for r, s in zip(range(1, n + 1), signs, strict=True) if s)
        for signs in itertools.product((0, 1), repeat=n)
    ]
    k = 0
    while sum(1 for t in sums if t <= k) / len(sums) <= 0.025:
        k += 1
    return k


@pytest.mark.parametrize(("n", "k"), [(5, 0), (6, 1), (8, 4), (10, 9)])
def test_interval_rank_matches_the_signed_rank_tables(n, k):
    # Tables of the Wilcoxon signed-rank test (two-sided 0.05): critical T of 0 for n=6, 3 for n=8, 8 for n=10.
    assert outcome_stats._interval_rank(n)[0] == k == brute_force_rank(n)
    if k:
        assert outcome_stats._interval_rank(n)[1] >= 0.95


def test_paired_change_estimate_interval_and_test():
    before = [2, 3, 2, 3, 1, 2, 3, 2, 4, 3]
    after = [4, 4, 3, 3, 3, 3, 4, 2, 5, 4]
    change = paired_change("Confidence", before, after)
    diffs = [a - b for b, a in zip(before, after, strict=True)]
    walsh = sorted((diffs[i] + diffs[j]) / 2 for i in range(10) for j in range(i, 10))
    assert change.people == 10 and not change.suppressed
    assert change.improved == 8 and change.unchanged == 2 and change.worse == 0
    assert change.before_mean == pytest.approx(2.5) and change.after_mean == pytest.approx(3.5)
    assert change.estimate == pytest.approx(
        sorted(walsh)[len(walsh) // 2 - 1] / 2 + sorted(walsh)[len(walsh) // 2] / 2
    )
    assert (change.ci_low, change.ci_high) == (walsh[8], walsh[-9])
    assert change.ci_low is not None and change.ci_low > 0  # every change is 0 or more, most are more
    expected = stats.wilcoxon(diffs, zero_method="wilcox", method="approx")  # ties: the normal approximation
    assert change.p_value == pytest.approx(expected.pvalue)
    assert change.significant


def test_no_change_at_all():
    change = paired_change("Teamwork", [3] * 6, [3] * 6)
    assert change.p_value == 1.0 and change.estimate == 0 and not change.significant
    assert (change.ci_low, change.ci_high) == (0, 0)


def test_small_numbers_are_suppressed():
    change = paired_change("Resilience", [1, 2, 3, 4], [2, 3, 4, 5])
    assert change.suppressed and change.estimate is None and change.p_value is None
    assert share_rating_4_5([5, 5, 4]).suppressed
    assert share_rating_4_5([5, 5, 4]).share is None
    assert recommendation_rate([]).share is None and not recommendation_rate([]).suppressed
    five = paired_change("Resilience", [1, 2, 3, 4, 2], [2, 3, 4, 5, 3])
    assert not five.suppressed and five.ci_low is None  # five people cannot carry a 95% interval


def test_shares():
    rated = share_rating_4_5([5, 4, 3, 5, 4, 2, 4, 5])
    assert (rated.count, rated.people, rated.share) == (6, 8, 0.75)
    recommended = recommendation_rate([True, True, False, True, True])
    assert recommended.share == pytest.approx(0.8)


def test_answers_out_of_range_are_refused():
    with pytest.raises(ValueError, match="from 1 to 5"):
        paired_change("Wellbeing", [1, 2, 3, 4, 6], [1, 2, 3, 4, 5])
    with pytest.raises(ValueError, match="differ in length"):
        paired_change("Wellbeing", [1, 2], [1])
    with pytest.raises(ValueError, match="from 1 to 5"):
        share_rating_4_5([0, 5])


def test_matched_retention_at_6_and_12_months(tmp_path: Path):
    index = D(2020, 6, 1)
    assignments = []
    for i in range(6):  # participants, 12 months in post on the index date; one leaves after 4 months
        end = D(2020, 10, 1) if i == 0 else None
        assignments.append(
            spell(f"p{i}", f"P{i}", D(2019, 6, 1), end, reason="Retirement Age" if end else None)
        )
    for i in range(8):  # comparable: same organisation, band and length of service band; three leave early
        end = D(2020, 9, 1) if i < 3 else None
        assignments.append(
            spell(f"c{i}", f"C{i}", D(2019, 3, 1), end, reason="Retirement Age" if end else None)
        )
    assignments.append(spell("x", "X", D(2020, 4, 1)))  # 2 months in: another length of service band
    assignments.append(spell("y", "Y", D(2017, 1, 1), band="6"))  # another band
    store = build_store(tmp_path / "store", assignments)
    points = matched_retention(connect(store), {f"P{i}": index for i in range(6)}, end=D(2022, 1, 1))
    by = {(p.months, p.group): p for p in points}
    assert set(by) == {(6, PARTICIPANT), (6, COMPARISON), (12, PARTICIPANT), (12, COMPARISON)}
    assert by[(6, PARTICIPANT)].people == 6 and by[(6, COMPARISON)].people == 8
    assert by[(6, PARTICIPANT)].still_in_post == pytest.approx(5 / 6)
    assert by[(6, COMPARISON)].still_in_post == pytest.approx(5 / 8)
    assert by[(12, COMPARISON)].still_in_post == pytest.approx(5 / 8)
    assert by[(12, COMPARISON)].at_risk == 5 and not by[(12, COMPARISON)].suppressed
    # four participants are too few to show
    few = matched_retention(connect(store), {f"P{i}": index for i in range(4)}, end=D(2022, 1, 1))
    assert all(p.suppressed for p in few if p.group == PARTICIPANT)
    assert matched_retention(connect(store), {}) == []

"""Off-the-job training: the rule that applies to an apprenticeship's start date, the hours it requires, and
where the apprentice stands today (logged, expected by now, shortfall). The rules are data
(`OffTheJobRule` rows, or `reference/off_the_job_rules.csv` when the table is empty): the rule for a start is
the one with the latest `starts_from` on or before it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from . import reference
from .models import Apprenticeship, OffTheJobBasis, OffTheJobRule

# Statutory annual leave (5.6 weeks a year) is not working time, so it is taken out of the weeks counted.
WORKING_SHARE = Decimal(52 - 5.6) / Decimal(52)
# Behind by more than this share of what is expected by now is a shortfall worth showing early.
SHORTFALL_TOLERANCE = Decimal("0.10")


def rules() -> tuple[reference.Rule, ...]:
    rows = list(OffTheJobRule.objects.order_by("starts_from"))
    if not rows:
        return reference.off_the_job_rules()
    return tuple(
        reference.Rule(
            starts_from=row.starts_from,
            basis=row.basis,
            percent=row.percent,
            weekly_hours=row.weekly_hours,
            threshold_hours=row.threshold_hours,
            floor_hours=row.floor_hours,
            minimum_months=row.minimum_months,
            source=row.source,
        )
        for row in rows
    )


def rule_for(start: dt.date, all_rules: Sequence[reference.Rule] | None = None) -> reference.Rule | None:
    found = None
    for rule in all_rules if all_rules is not None else rules():
        if rule.starts_from <= start:
            found = rule
    return found


def _weeks(start: dt.date, end: dt.date) -> Decimal:
    return Decimal((end - start).days) / Decimal(7) * WORKING_SHARE


def required_hours(
    *,
    rule: reference.Rule,
    start: dt.date,
    planned_end: dt.date,
    contracted_hours: Decimal,
    published_minimum: int | None,
) -> Decimal:
    """The off-the-job hours the rule asks for over the whole planned apprenticeship."""
    weeks = _weeks(start, planned_end)
    percent = (rule.percent or Decimal(20)) / Decimal(100)
    if rule.basis == OffTheJobBasis.PERCENT_OF_HOURS:
        hours = contracted_hours * weeks * percent
    elif rule.basis == OffTheJobBasis.WEEKLY_OR_PERCENT:
        threshold = rule.threshold_hours or Decimal(30)
        if contracted_hours >= threshold:
            hours = (rule.weekly_hours or Decimal(6)) * weeks
        else:
            hours = contracted_hours * weeks * percent
    else:
        hours = Decimal(max(published_minimum or 0, rule.floor_hours or 0))
    return hours.quantize(Decimal("1"), rounding=ROUND_CEILING)


def minimum_end(rule: reference.Rule, start: dt.date) -> dt.date | None:
    """The earliest planned end the rule allows (its minimum duration in months)."""
    if not rule.minimum_months:
        return None
    month = start.month - 1 + rule.minimum_months
    year, month = start.year + month // 12, month % 12 + 1
    for day in (start.day, 30, 29, 28):
        try:
            return dt.date(year, month, day)
        except ValueError:
            continue
    return None  # pragma: no cover


@dataclass(frozen=True)
class Progress:
    rule: reference.Rule | None
    required: Decimal
    logged: Decimal
    expected_by_now: Decimal
    weeks_left: Decimal

    @property
    def shortfall(self) -> Decimal:
        return max(self.expected_by_now - self.logged, Decimal(0))

    @property
    def behind(self) -> bool:
        return self.shortfall > self.expected_by_now * SHORTFALL_TOLERANCE and self.shortfall >= 1

    @property
    def weekly_to_catch_up(self) -> Decimal:
        """Hours a week from now that would reach the required total by the planned end."""
        left = max(self.required - self.logged, Decimal(0))
        if self.weeks_left <= 0:
            return left
        return (left / self.weeks_left).quantize(Decimal("0.1"), rounding=ROUND_CEILING)


def progress(
    apprenticeship: Apprenticeship,
    logged: Decimal,
    *,
    on: dt.date,
    all_rules: Sequence[reference.Rule] | None = None,
) -> Progress:
    """`logged` counts only entries up to gateway (the caller sums them; see `selectors.logged_hours`)."""
    rule = rule_for(apprenticeship.start_date, all_rules)
    if rule is None:
        return Progress(None, Decimal(0), logged, Decimal(0), Decimal(0))
    required = required_hours(
        rule=rule,
        start=apprenticeship.start_date,
        planned_end=apprenticeship.planned_end_date,
        contracted_hours=apprenticeship.contracted_hours,
        published_minimum=apprenticeship.standard.minimum_off_the_job_hours,
    )
    start, end = apprenticeship.start_date, apprenticeship.planned_end_date
    gateway = apprenticeship.gateway_on
    if gateway is not None and gateway <= on:
        # At gateway every required hour should be done, and none logged after it counts.
        return Progress(rule, required, logged, required, Decimal(0))
    until = min(on, end)
    total_days = Decimal(max((end - start).days, 1))
    elapsed = Decimal(max((until - start).days, 0))
    expected = (required * elapsed / total_days).quantize(Decimal("0.1"))
    weeks_left = _weeks(until, end) if until < end else Decimal(0)
    return Progress(rule, required, logged, expected, weeks_left)

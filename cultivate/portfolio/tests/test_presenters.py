"""The portfolio's display data: one meaning of "met", a table of statuses that adds up to the headline,
"Needs attention" by urgency, and the words for which requirement applies and how its due date was worked out."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from django.test import Client
from django.utils import timezone

from cultivate.accounts.models import Membership, Role
from cultivate.demo.generator import demo_create
from cultivate.organisations.models import Person
from cultivate.portfolio import presenters, selectors, status
from cultivate.portfolio.presenters import Row
from cultivate.portfolio.status import CompetenceStatus, State

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 15)


def _row(
    state: str, *, overdue: bool = False, due: dt.date | None = None, expires: dt.date | None = None
) -> Row:
    return Row(
        pk=0,
        code="",
        title=f"{state} {due} {expires}",
        href="",
        tag=presenters.state_tag(state),
        state=state,
        level="",
        required_level="",
        below_level=state == State.BELOW_LEVEL,
        met=state in status.MET_STATES,
        due="",
        overdue=overdue,
        expires="",
        reason="",
        due_on=due,
        expires_on=expires,
    )


def test_needs_attention_is_ordered_by_urgency() -> None:
    rows = [
        _row(State.EXPIRING, expires=TODAY + dt.timedelta(days=20)),
        _row(State.EXPIRING, expires=TODAY + dt.timedelta(days=3)),
        _row(State.BELOW_LEVEL),
        _row(State.REASSESS),
        _row(State.NOT_STARTED, overdue=True, due=TODAY - dt.timedelta(days=5)),
        _row(State.NOT_STARTED, overdue=True, due=TODAY - dt.timedelta(days=400)),
        _row(State.EXPIRED, expires=TODAY - dt.timedelta(days=2)),
        _row(State.ACHIEVED),  # nothing to do
        _row(State.NOT_STARTED),  # not yet due
    ]
    ordered = presenters.needs_attention(rows)
    assert [(r.state, r.due_on or r.expires_on) for r in ordered] == [
        (State.EXPIRED, TODAY - dt.timedelta(days=2)),
        (State.NOT_STARTED, TODAY - dt.timedelta(days=400)),
        (State.NOT_STARTED, TODAY - dt.timedelta(days=5)),
        (State.REASSESS, None),
        (State.BELOW_LEVEL, None),
        (State.EXPIRING, TODAY + dt.timedelta(days=3)),
        (State.EXPIRING, TODAY + dt.timedelta(days=20)),
    ]


def test_a_held_sign_off_below_the_level_needed_is_its_own_status() -> None:
    held = CompetenceStatus(State.ACHIEVED, level="observed", level_rank=1)
    needs = SimpleNamespace(min_rank=2)
    assert status.against(held, needs) == State.BELOW_LEVEL  # type: ignore[arg-type]
    assert not status.is_met(held, needs)  # type: ignore[arg-type]
    assert status.against(held, None) == State.ACHIEVED
    assert status.against(held, SimpleNamespace(min_rank=1)) == State.ACHIEVED  # type: ignore[arg-type]
    expiring = CompetenceStatus(State.EXPIRING, level="observed", level_rank=1)
    assert status.against(expiring, needs) == State.BELOW_LEVEL  # type: ignore[arg-type]
    assert presenters.state_tag(State.BELOW_LEVEL) == {
        "text": "Below the level needed",
        "classes": "nhsuk-tag--orange",
    }


def test_the_status_table_adds_up_to_the_headline() -> None:
    rows = [
        _row(State.ACHIEVED),
        _row(State.ACHIEVED),
        _row(State.EXPIRING),
        _row(State.BELOW_LEVEL, overdue=True),
        _row(State.NOT_STARTED),
    ]
    summary = presenters.status_summary(rows)
    assert (summary["met"], summary["not_met"], summary["total"], summary["percent"]) == (3, 2, 5, 60)
    counts = {item["state"]: item["count"] for item in summary["counts"]}
    assert counts == {State.ACHIEVED: 2, State.EXPIRING: 1, State.BELOW_LEVEL: 1, State.NOT_STARTED: 1}
    assert sum(item["count"] for item in summary["counts"] if item["met"]) == summary["met"]


def test_due_basis_says_how_the_date_was_worked_out() -> None:
    rule = SimpleNamespace(within_days=84, grace_days=180, effective_start=dt.date(2026, 1, 1))
    own = SimpleNamespace(requirement=rule, due_on=dt.date(2026, 3, 30), grace=False)
    assert presenters.due_basis(own) == (  # type: ignore[arg-type]
        "Due by 30 March 2026: 84 days from starting in the role on 5 January 2026."
    )
    grace = SimpleNamespace(requirement=rule, due_on=dt.date(2026, 6, 30), grace=True)
    assert presenters.due_basis(grace) == (  # type: ignore[arg-type]
        "Due by 30 June 2026: in post before this requirement began on 1 January 2026, so 180 days' grace "
        "from then."
    )
    none = SimpleNamespace(requirement=rule, due_on=None, grace=False)
    assert presenters.due_basis(none).startswith("No due date")  # type: ignore[arg-type]


_HEADLINE = re.compile(r"<strong>(\d+) of (\d+)</strong> required competences? met")
_COUNT_ROW = re.compile(r'<tr class="nhsuk-table__row" data-state="(\w+)">.*?numeric">(\d+)</td></tr>', re.S)
_FOOT = re.compile(r'<th scope="row" class="nhsuk-table__cell">([\w ]+)</th>.*?numeric">(\d+)</td>', re.S)


def test_every_demo_worker_s_table_adds_up_to_their_headline() -> None:
    """Built at a small scale, the demo's portfolios in every state: for each worker in post with a role, the
    page's headline ("41 of 61 met") equals the met rows of its table of statuses, and the table's rows add up
    to the number of required competences, as their role requirements give it."""
    demo_create(scale=0.05, seed=2026)
    today = timezone.localdate()
    workers = list(Person.objects.filter(pk__in=selectors.people_in_post_with_roles(today)).order_by("pk"))
    assert len(workers) > 20
    admins: dict[int, Client] = {}
    for membership in Membership.objects.current().filter(role=Role.ORG_ADMIN):
        if membership.organisation_id and membership.organisation_id not in admins:
            client = admins[membership.organisation_id] = Client()
            client.force_login(membership.user)
    requirements = status.requirements_for([p.pk for p in workers])
    states_seen: set[str] = set()
    checked = 0
    for person in workers:
        overview = presenters.portfolio_overview(person, lambda c: "")
        required = len(requirements[person.pk])
        assert overview["total"] == required
        assert sum(item["count"] for item in overview["counts"]) == overview["total"], person.pk
        assert sum(item["count"] for item in overview["counts"] if item["met"]) == overview["met"], person.pk
        rows = [row for group in overview["groups"] for domain in group["domains"] for row in domain["rows"]]
        assert len(rows) == required
        assert not any(row.met and row.overdue for row in rows)  # never "met" beside "Overdue"
        assert all(row.met == (row.state in status.MET_STATES) for row in rows)
        states_seen |= {row.state for row in rows}
        if not required or person.organisation_id not in admins:
            continue
        page = admins[person.organisation_id].get(f"/people/{person.pk}/portfolio/").content.decode()
        met, total = map(int, _HEADLINE.search(page).groups())  # type: ignore[union-attr]
        table = {state: int(count) for state, count in _COUNT_ROW.findall(page)}
        foot = {label: int(count) for label, count in _FOOT.findall(page)}
        assert total == required and sum(table.values()) == total, person.pk
        assert sum(count for state, count in table.items() if state in status.MET_STATES) == met, person.pk
        assert foot == {"Met": met, "Not met": total - met, "All required": total}, person.pk
        checked += 1
    assert checked > 20
    # The demo has people in each of these, so the sums above were tested with them.
    assert {State.ACHIEVED, State.NOT_STARTED, State.EXPIRED, State.BELOW_LEVEL} <= states_seen

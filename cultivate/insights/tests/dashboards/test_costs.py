"""The costs dashboard on the hand-made store: RAA's two leavers are a8 (band 3) and a11 (band 2)."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from cultivate.accounts import testing as t
from cultivate.accounts.models import Role
from cultivate.insights import dashboards, presenters
from cultivate.insights.dashboards import Scope
from cultivate.insights.snapshot import snapshot_organisation
from cultivate.insights.tests.dashboard_store import build_store
from cultivate.portfolio.delegation import LEEDS_DIABETES_SAVINGS
from cultivate.portfolio.tests.delegation_factories import make_protocol

WINDOW = dashboards.window_ending(dt.date(2025, 3, 31))


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_store(tmp_path_factory.mktemp("insights") / "store")


def _costs(store: Path, scope: Scope, cost: Decimal | None) -> dashboards.Dashboard:
    built = dashboards.dashboard(store, "costs", scope=scope, window=WINDOW, cost_per_leaver=cost)
    assert built is not None
    return built


def _cells(built: dashboards.Dashboard, key: str) -> list[list[str]]:
    table = built.table(key)
    return [[c["text"] for c in row] for row in presenters.present_table(table)["rows"]]


@pytest.mark.django_db
def test_turnover_cost_per_band_with_the_cost_entered(store: Path) -> None:
    built = _costs(store, Scope(organisations=("RAA",), individual_level=True), Decimal("4250"))
    assert _cells(built, "turnover_cost") == [
        ["Band 2", "1", "£4,250", "£4,250"],
        ["Band 3", "1", "£4,250", "£4,250"],
        ["All leavers", "2", "£4,250", "£8,500"],
    ]
    assert built.table("turnover_cost").chart is not None


@pytest.mark.django_db
def test_without_a_cost_the_leavers_show_and_no_cost_is_invented(store: Path) -> None:
    built = _costs(store, Scope(organisations=("RAA",), individual_level=True), None)
    table = built.table("turnover_cost")
    assert _cells(built, "turnover_cost")[-1] == ["All leavers", "2", "–", "–"]
    assert table.chart is None and "no default" in table.note


@pytest.mark.django_db
def test_small_numbers_of_leavers_are_hidden_without_individual_access(store: Path) -> None:
    built = _costs(store, Scope(organisations=("RAA",)), Decimal("4250"))
    # Each band has one leaver, and so does the whole: nothing that counts people is shown.
    assert _cells(built, "turnover_cost") == [
        ["Band 2", "[c]", "[c]", "[c]"],
        ["Band 3", "[c]", "[c]", "[c]"],
        ["All leavers", "[c]", "£4,250", "[c]"],
    ]
    assert built.table("turnover_cost").chart is not None
    assert built.table("turnover_cost").chart["data"]["values"] == []  # type: ignore[index]


@pytest.mark.django_db
def test_delegation_savings_of_the_organisations_in_scope(store: Path, tmp_path: Path) -> None:
    raa, rbb = t.make_organisation("RAA"), t.make_organisation("RBB")
    make_protocol(
        raa, code="diabetes", activity="Insulin for a stable diabetic patient", savings=LEEDS_DIABETES_SAVINGS
    )
    make_protocol(rbb, code="diabetes", activity="Insulin elsewhere", savings=LEEDS_DIABETES_SAVINGS)
    # The dashboard reads the savings from the store, where the snapshot of each organisation puts them.
    store = Path(shutil.copytree(store, tmp_path / "store"))
    for organisation in (raa, rbb):
        snapshot_organisation(organisation=organisation, store=store)
    built = _costs(store, Scope(organisations=("RAA",)), None)
    rows = _cells(built, "delegation_savings")
    assert len(rows) == 1  # RBB's protocol is outside the scope
    assert rows[0][:6] == [
        "Insulin for a stable diabetic patient",
        raa.name,
        "£5,294",
        "£12,800",
        "£8,500",
        "£16,000",
    ]


@pytest.mark.django_db
def test_the_costs_page_asks_for_the_cost_and_keeps_it_in_links(store: Path, settings) -> None:  # type: ignore[no-untyped-def]
    settings.INSIGHTS_STORE = store
    organisation = t.make_organisation("RAA")
    analyst = t.make_user(Role.ANALYST, organisation=organisation)
    client = Client()
    client.force_login(analyst)
    url = reverse("insights:organisation", args=["RAA", "costs"])
    page = client.get(url, {"window": "2025-03", "cost": "4250"}).content.decode()
    assert "Cost of replacing one leaver (£)" in page and 'value="4250"' in page
    assert "cost=4250" in page  # the other dashboards' tabs and the downloads keep it
    bad = client.get(url, {"window": "2025-03", "cost": "-5"}).content.decode()
    assert "The cost of replacing one leaver cannot be negative" in bad
    csv = client.get(
        reverse("insights:organisation_export", args=["RAA", "costs", "turnover_cost", "csv"]),
        {"window": "2025-03", "cost": "4250"},
    )
    assert csv.status_code == 200 and b"Turnover cost" in csv.content


def test_leaving_or_moving_up_on_the_retention_dashboard(store: Path) -> None:
    # RAA's 12 people were all in post when observation began; a7 moved up to band 4 (tenure 54 months), a8 and
    # a11 left (57 and 60 months): whichever came first, each counts once.
    built = dashboards.dashboard(
        store, "retention", scope=Scope(organisations=("RAA",), individual_level=True), window=WINDOW
    )
    assert built is not None
    rows = {r["time"]: r for r in built.table("competing").rows}
    assert rows[0.0]["left"] is None and rows[0.0]["at_risk"] == 0  # no estimate before anyone is observed
    assert (rows[48.0]["left"], rows[48.0]["progressed"]) == (0.0, 0.0)
    assert rows[54.0]["progressed"] == pytest.approx(1 / 12, abs=1e-5) and rows[54.0]["left"] == 0.0
    assert rows[60.0]["left"] == pytest.approx(2 / 12, abs=1e-5)
    assert "17% had left and 8% had moved up a band" in built.table("competing").chart_alt

"""Competence and mandatory training across an alliance's member trusts: the totals add up to the portfolio's and
learning's own readings, small numbers are hidden and cannot be worked out from the rest, and nothing about a
person leaves the page or its downloads."""

from __future__ import annotations

import csv
import dataclasses
import io
import itertools
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from cultivate.accounts import testing as t
from cultivate.accounts.models import Role
from cultivate.core.audit_actions import CoreAction
from cultivate.core.models import AuditEvent
from cultivate.insights import member_totals
from cultivate.insights.dashboards import disclosure
from cultivate.insights.member_totals import ALL_MEMBERS, MemberTotals
from cultivate.insights.tables import SMALL, SUPPRESSED, Table
from cultivate.learning import testing as learning
from cultivate.organisations.models import Organisation
from cultivate.portfolio.tests.portfolio_factories import (
    give_role,
    make_assessment,
    make_competence,
    make_framework,
    make_role,
    require,
)

pytestmark = pytest.mark.django_db


def _trust(alliance: Any, code: str, people: int, *, met: int, trained: int) -> list[Any]:
    """A trust whose `people` each need two competences and one subject; the first `met` people hold the first
    competence at the level needed (one of them the second below it), the first `trained` are in date."""
    organisation = t.make_organisation(code, alliance=alliance)
    team = t.make_team(organisation, f"{code} ward")
    role = make_role(f"Assistant {code}")
    framework = make_framework(owner_organisation=organisation)
    first, second = make_competence(framework), make_competence(framework)
    require(organisation, role, first, "supervised")
    require(organisation, role, second, "independent")
    subject = learning.make_subject(organisation, "Fire safety")
    today = timezone.localdate()
    made = []
    for n in range(people):
        person = t.make_person(organisation, team=team, given_name=f"Secret{code}{n}")
        give_role(person, role)
        if n < met:
            make_assessment(person, first, level="supervised")
            make_assessment(person, second, level="supervised")  # below the level needed: not met
        if n < trained:
            learning.make_completion(person, subject=subject, on=today)
        made.append(person)
    return made


@pytest.fixture
def alliance() -> Any:
    alliance = t.make_alliance("North Alliance")
    _trust(alliance, "RAA", 12, met=8, trained=10)
    _trust(alliance, "RCC", 3, met=1, trained=2)
    _trust(alliance, "RDD", 9, met=6, trained=9)
    return alliance


def test_totals_read_met_against_the_requirement(alliance: Any) -> None:
    organisations = list(Organisation.objects.filter(alliance=alliance).order_by("name"))
    totals = {m.organisation.ods_code: m for m in member_totals.member_totals(organisations)}
    raa = totals["RAA"]
    assert (raa.competence_people, raa.competences_required, raa.competences_met) == (12, 24, 8)
    assert (raa.training_people, raa.training_required, raa.training_in_date) == (12, 12, 10)


def _attack(tables: list[Table]) -> set[disclosure.Ref]:
    """The hidden cells an attacker can pin down from the shown ones, with relations written here, not taken from
    the module: each row's met = share × required, and the last row (all members) the sum of the trusts'."""
    by_key = {table.key: table for table in tables}
    relations: list[disclosure.Relation] = []
    for key, table in by_key.items():
        last = len(table.rows) - 1
        for column in ("people", "share_den", "share_num"):
            relations.append(
                (
                    (disclosure.Ref(key, last, column), 1.0),
                    *((disclosure.Ref(key, i, column), -1.0) for i in range(last)),
                )
            )
        for i, row in enumerate(table.rows):
            if row.get("share_den") is not None:
                relations.append(
                    (
                        (disclosure.Ref(key, i, "share_num"), 1.0),
                        (disclosure.Ref(key, i, "share"), -float(row["share_den"])),
                    )
                )
            elif row.get("share") is not None:
                relations.append(
                    (
                        (disclosure.Ref(key, i, "share_num"), 1.0),
                        (disclosure.Ref(key, i, "share_den"), -float(row["share"])),
                    )
                )
    return disclosure.recoverable(by_key, relations)


def _relations_hold(totals: list[MemberTotals]) -> None:
    """The attack is fair: its relations hold on the figures before anything is hidden."""
    for table in member_totals.tables(totals, suppress=False):
        last = table.rows[-1]
        for column in ("people", "share_den", "share_num"):
            assert last[column] == sum(row[column] for row in table.rows[:-1])


SIZES = [0, 1, 3, 4, 5, 6, 12]


@pytest.mark.parametrize("sizes", [(12, 3, 9), (12, 9, 30), (3, 2, 40), (5, 4, 7), (1, 50), (4,), (30, 40)])
def test_no_hidden_figure_can_be_recovered(sizes: tuple[int, ...]) -> None:
    for met_shift, trained_shift in itertools.product((0, 1, 3), (0, 2)):
        totals = [
            MemberTotals(
                Organisation(name=f"Trust {n}", ods_code=f"R{n:02d}"),
                competence_people=people,
                competences_required=people * 3,
                competences_met=max(0, people * 3 - met_shift - n),
                training_people=people,
                training_required=people * 2,
                training_in_date=max(0, people * 2 - trained_shift - 2 * n),
            )
            for n, people in enumerate(sizes)
        ]
        _relations_hold(totals)
        assert _attack(member_totals.tables(totals)) == set()


def test_the_attack_recovers_figures_without_the_protection() -> None:
    totals = [
        MemberTotals(Organisation(name="Big", ods_code="RAA"), 20, 40, 30, 20, 20, 18),
        MemberTotals(Organisation(name="Small", ods_code="RCC"), 3, 6, 2, 3, 3, 3),
    ]
    tables = member_totals.tables(totals)
    primary_only = []
    for table in tables:
        copy = dataclasses.replace(table, rows=[dict(row) for row in table.rows])
        for row in copy.rows:  # undo the complementary cells: keep only the small trust's hidden figures
            if row["organisation"].startswith("Small"):
                continue
            unsuppressed = {
                "Big (RAA)": {"competences": (20, 40, 30), "training": (20, 20, 18)},
                ALL_MEMBERS: {"competences": (23, 46, 32), "training": (23, 23, 21)},
            }[row["organisation"]][table.key]
            row.update(people=unsuppressed[0], share_den=unsuppressed[1], share_num=unsuppressed[2])
            row["share"] = unsuppressed[2] / unsuppressed[1]
            row.pop("_suppressed", None)
        primary_only.append(copy)
    assert _attack(primary_only)  # the small trust's people, given away by the total less the big trust
    protected = _attack(tables)
    assert protected == set()
    small = next(r for r in tables[0].rows if r["organisation"].startswith("Small"))
    assert small["people"] is None and "people" in small["_suppressed"]


def _alliance_admin(alliance: Any) -> Client:
    client = Client()
    client.force_login(t.make_user(Role.ALLIANCE_ADMIN, alliance=alliance))
    return client


def test_page_shows_trusts_and_no_person(alliance: Any) -> None:
    response = _alliance_admin(alliance).get("/insights/alliance/member-trusts/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Trust RAA (RAA)" in page and "Trust RDD (RDD)" in page and ALL_MEMBERS in page
    assert "Secret" not in page and "P0" not in page
    assert "33.3%" in page  # RAA: 8 of 24 required competences met
    assert SMALL in page  # RCC counts 3 people


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_downloads_hold_totals_only_and_are_audited(alliance: Any, file_format: str) -> None:
    client = _alliance_admin(alliance)
    response = client.get(f"/insights/alliance/member-trusts/competences.{file_format}")
    assert response.status_code == 200
    if file_format == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    else:
        sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
        rows = [[str(c.value) for c in row] for row in sheet.iter_rows()]
    text = repr(rows)
    assert "Secret" not in text
    assert rows[0][0] == "Member trust"
    assert {r[0] for r in rows[1:]} == {"Trust RAA (RAA)", "Trust RCC (RCC)", "Trust RDD (RDD)", ALL_MEMBERS}
    small = next(r for r in rows if r[0] == "Trust RCC (RCC)")
    assert small[1] == SUPPRESSED and small[-1] == SMALL
    event = AuditEvent.objects.filter(action=CoreAction.EXPORT).get()
    assert "member trusts" in str(event.detail) and event.object_id == str(alliance.pk)


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ALLIANCE_ADMIN])
def test_other_roles_are_refused(alliance: Any, role: Role) -> None:
    organisation = Organisation.objects.get(ods_code="RAA")
    client = Client()
    client.force_login(t.make_user(role, organisation=organisation))
    for url in ("/insights/alliance/member-trusts/", "/insights/alliance/member-trusts/competences.csv"):
        assert client.get(url).status_code in (403, 404)


def test_another_alliances_trusts_are_not_counted(alliance: Any) -> None:
    other = t.make_alliance("South Alliance")
    _trust(other, "RBB", 7, met=2, trained=2)
    page = _alliance_admin(alliance).get("/insights/alliance/member-trusts/").content.decode()
    assert "RBB" not in page
    page = _alliance_admin(other).get("/insights/alliance/member-trusts/").content.decode()
    assert "RBB" in page and "RAA" not in page

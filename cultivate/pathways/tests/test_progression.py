"""Do ready people progress? Readiness at the start of 12 months beside band and role moves by the end, with
relative likelihoods by ethnic group and disability (the insights analyses' Katz intervals), suppressed."""

import datetime as dt
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from cultivate.accounts import testing as t
from cultivate.accounts.models import Role
from cultivate.core.models import AuditEvent
from cultivate.insights.analyses import katz_interval
from cultivate.organisations.models import EmploymentSpell
from cultivate.pathways import progression, progression_tables
from cultivate.pathways import testing as pt
from cultivate.pathways.models import QualificationKind, RequirementKind, Step, StepRequirement

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 6)
START = dt.date(2025, 12, 6)


def _move(person, *, band="4", role="Nursing associate", on=dt.date(2026, 6, 1)):
    """The person's band 3 post ends and a new one starts."""
    EmploymentSpell.objects.filter(person=person, end_date__isnull=True).update(
        end_date=on - dt.timedelta(days=1)
    )
    spell = t.make_spell(person, band=band, start=on)
    spell.job_role = role
    spell.save()


@pytest.fixture
def trust():
    """An organisation's own one-step pathway needing a confirmed Care Certificate; 12 White and 12 BME people in
    post since 2024 (band 3 support workers), half of each with the certificate since 2024, and 12 disabled."""
    org = t.make_organisation("RAA")
    pathway = pt.make_pathway("Local route", owner_organisation=org)
    step = Step.objects.create(
        pathway=pathway, code="senior-hca", title="Senior healthcare assistant", band="4"
    )
    StepRequirement.objects.create(
        step=step,
        kind=RequirementKind.QUALIFICATION,
        qualifications=[QualificationKind.CARE_CERTIFICATE],
        evidenced_by="Certificate",
    )
    team = t.make_team(org)
    people = []
    for i in range(24):
        person = t.make_person(org, ethnic_category="A" if i < 12 else "H", disability="Y" if i % 2 else "N")
        spell = t.make_spell(person, team=team, band="3", start=dt.date(2024, 1, 1))
        spell.job_role = "Healthcare assistant"
        spell.save()
        if i % 12 < 6:
            pt.make_qualification(person, QualificationKind.CARE_CERTIFICATE, awarded_on=dt.date(2024, 6, 1))
        people.append(person)
    return {"org": org, "step": step, "people": people, "team": team}


def test_moves_follow_the_insights_definitions(trust):
    a, b, c, d, *_ = trust["people"]
    _move(a)  # band 3 → 4 and another role
    _move(b, band="3", role="Healthcare assistant")  # a new post, nothing changes
    _move(c, band="3", role="Phlebotomist")  # another role at the same band
    EmploymentSpell.objects.filter(person=d).update(end_date=dt.date(2026, 3, 1))  # left
    found = progression.moves([p.pk for p in trust["people"]], progression.period(TODAY))
    assert found[a.pk] == progression.Move(band_up=True, role_changed=True, left=False)
    assert not found[b.pk].progressed
    assert found[c.pk].role_changed and not found[c.pk].band_up
    assert found[d.pk].left and not found[d.pk].progressed


def test_a_move_to_or_from_a_post_off_agenda_for_change_is_not_a_higher_band(trust):
    a = trust["people"][0]
    _move(a, band="NA", role="Healthcare assistant")
    assert not progression.moves([a.pk], progression.period(TODAY))[a.pk].band_up


def test_bank_spells_are_left_out(trust):
    a = trust["people"][0]
    spell = t.make_spell(a, band="5", start=dt.date(2026, 1, 1))
    spell.contract_type = "Bank"
    spell.save()
    assert not progression.moves([a.pk], progression.period(TODAY))[a.pk].band_up


def test_readiness_is_read_as_it_stood_at_the_start(trust):
    # A certificate awarded after the start does not make someone ready then.
    late = trust["people"][6]
    pt.make_qualification(late, QualificationKind.CARE_CERTIFICATE, awarded_on=dt.date(2026, 2, 1))
    window, people, anything, steps = progression.organisation_progression(trust["org"], on=TODAY)
    assert window.start == START and people == 24
    (row,) = steps
    assert row.ready.people == 12  # six White and six BME people held the certificate at the start
    assert anything.ready.people == 12


def test_relative_likelihood_of_ready_people_progressing_uses_the_insights_interval(trust):
    white_ready = trust["people"][:6]
    bme_ready = trust["people"][12:18]
    for person in white_ready[:5]:
        _move(person)
    _move(bme_ready[0])
    _, _, _, (row,) = progression.organisation_progression(trust["org"], on=TODAY)
    assert (row.ready.people, row.ready.progressed) == (12, 6)
    by = {r["comparison"]: r for r in row.likelihoods}
    ethnicity = by["ethnicity"]
    value, low, high = katz_interval(5, 6, 1, 6)
    assert ethnicity["value"] == pytest.approx(value) and ethnicity["ci_low"] == pytest.approx(low)
    assert ethnicity["ci_high"] == pytest.approx(high)
    assert ethnicity["groups"][0] == {
        "name": "White",
        "numerator": 5,
        "denominator": 6,
        "rate": pytest.approx(5 / 6),
    }
    assert by["disability"]["comparison"] == "disability"


def test_small_numbers_are_hidden_with_their_counterparts(trust):
    for person in trust["people"][:5]:
        _move(person)
    _, _, _anything, steps = progression.organisation_progression(trust["org"], on=TODAY)
    rows = progression_tables.likelihood_rows(steps)
    ethnicity = next(r for r in rows if r["comparison"] == "Ethnic group")
    # White: 5 of 6 progressed (the complement, 1, is small); BME: 0 of 6. The White figure is hidden, and so
    # is the BME one beside it and the ratio.
    assert ethnicity["a_num"] is None and ethnicity["b_num"] is None
    assert ethnicity["value"] is None and ethnicity["ci_low"] is None
    assert ethnicity["a_den"] == 6 and ethnicity["b_den"] == 6
    cells = progression_tables.cohort_cells(steps[0].ready)
    assert [c.text for c in cells] == ["12", "5", "42%"]
    small = progression.Cohort(people=3, progressed=1)
    assert {c.text for c in progression_tables.cohort_cells(small)} == {"[c]"}
    near = progression.Cohort(people=10, progressed=7)
    assert [c.text for c in progression_tables.cohort_cells(near)][1:] == ["[c]", "[c]"]


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_an_analyst_sees_the_page_with_figures_only_and_downloads_it(trust):
    for person in trust["people"][:5] + trust["people"][12:13]:
        _move(person)
    analyst = t.make_user(Role.ANALYST, organisation=trust["org"])
    response = _client(analyst).get("/pathways/organisations/RAA/progression/")
    assert response.status_code == 200
    page = " ".join(response.content.decode().split())
    assert "Do ready people progress?" in page
    assert "Senior healthcare assistant (Local route)" in page
    assert "Relative likelihood of progressing" in page
    assert "taken as they are now" in page
    assert trust["people"][0].family_name not in page
    download = _client(analyst).get("/pathways/organisations/RAA/progression.xlsx")
    assert download.status_code == 200
    assert AuditEvent.objects.filter(action="export", organisation=trust["org"]).exists()
    book = load_workbook(io.BytesIO(download.content))
    assert book.sheetnames == ["Ready people", "Relative likelihoods", "About"]
    rows = list(book["Ready people"].iter_rows(values_only=True))
    assert rows[1][:4] == ("Ready for any step", 12, 6, "50%")


def test_the_readiness_page_shows_progression_to_educators_not_line_managers(trust):
    educator = t.make_user(Role.EDUCATOR, organisation=trust["org"])
    manager = t.make_user(Role.LINE_MANAGER, organisation=trust["org"], teams=[trust["team"]])
    assert (
        "Did people who were ready progress?"
        in _client(educator).get("/pathways/organisations/RAA/readiness/").content.decode()
    )
    assert (
        "Did people who were ready progress?"
        not in _client(manager).get("/pathways/organisations/RAA/readiness/").content.decode()
    )
    assert _client(manager).get("/pathways/organisations/RAA/progression/").status_code == 403


def test_another_organisation_cannot_read_it(trust):
    other = t.make_organisation("RBB")
    analyst = t.make_user(Role.ANALYST, organisation=other)
    assert _client(analyst).get("/pathways/organisations/RAA/progression/").status_code in (403, 404)
    assert _client(analyst).get("/pathways/organisations/RAA/progression.xlsx").status_code in (403, 404)

"""The outcomes report's pages and downloads, and who may open them."""

from __future__ import annotations

from cultivate.accounts.models import Role
from cultivate.accounts.testing import make_user
from cultivate.core.models import AuditEvent
from cultivate.programmes.tests.test_outcomes import fill
from cultivate.programmes.tests.test_views import signed_in


def test_the_lead_sees_the_report_with_charts_and_tables(world, settings, tmp_path):
    settings.INSIGHTS_STORE = tmp_path
    cohort, _ = fill(world)
    client = signed_in(world["educator"])
    page = client.get(f"/programmes/{world['programme'].pk}/outcomes/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Attendance, completion and feedback" in text and "Self-assessment before and after" in text
    assert 'id="chart-change"' in text and "[c]" in text
    one = client.get(f"/programmes/cohorts/{cohort.pk}/outcomes/")
    assert one.status_code == 200 and "Outcomes: Cohort 1" in one.content.decode()


def test_downloads_are_recorded(world, settings, tmp_path):
    settings.INSIGHTS_STORE = tmp_path
    fill(world)
    client = signed_in(world["educator"])
    xlsx = client.get(f"/programmes/{world['programme'].pk}/outcomes/?download=xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    pdf = client.get(f"/programmes/{world['programme'].pk}/outcomes/?download=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="export").count() == 2


def test_participants_and_other_organisations_are_refused(world, settings, tmp_path):
    settings.INSIGHTS_STORE = tmp_path
    cohort, _places = fill(world, count=2)
    worker = world["workers"][0][0]
    assert signed_in(worker).get(f"/programmes/{world['programme'].pk}/outcomes/").status_code in (403, 404)
    outsider = make_user(Role.EDUCATOR, organisation=world["outsider"][1].organisation)
    assert signed_in(outsider).get(f"/programmes/cohorts/{cohort.pk}/outcomes/").status_code == 404


def test_an_organisations_managers_hr_and_analysts_see_their_own_participants_only(world, settings, tmp_path):
    """Aggregates of the people their organisation employs, the whole only (no breakdown by cohort or by
    organisation), small numbers suppressed; another alliance's organisation is refused."""
    settings.INSIGHTS_STORE = tmp_path
    fill(world, count=15)  # five from each of the three trusts
    first, second = world["orgs"][0], world["orgs"][1]
    url = f"/programmes/{world['programme'].pk}/outcomes/"
    for role in (Role.ORG_ADMIN, Role.ANALYST, Role.LINE_MANAGER):
        client = signed_in(make_user(role, organisation=first))
        page = client.get(url)
        assert page.status_code == 200, role
        text = page.content.decode()
        assert f"Outcomes: {first.name}" in text and "Figures for 5 people" in text
        assert "By cohort" not in text and "By organisation" not in text and second.name not in text
        assert "One cohort's outcomes" not in text
    assert (
        "Outcomes for your organisation"
        in client.get(f"/programmes/{world['programme'].pk}/").content.decode()
    )
    # The cohort report stays with those who run the programme.
    cohort = world["programme"].cohorts.order_by("name").first()
    assert client.get(f"/programmes/cohorts/{cohort.pk}/outcomes/").status_code == 404
    assert signed_in(make_user(Role.ASSESSOR, organisation=first)).get(url).status_code == 403
    outsider = make_user(Role.ORG_ADMIN, organisation=world["outsider"][1].organisation)
    assert signed_in(outsider).get(url).status_code == 404


def test_a_small_organisation_group_is_suppressed(world, tmp_path):
    from cultivate.programmes import outcomes

    fill(world, count=6)  # two from each trust
    report = outcomes.programme_outcomes(
        None, world["programme"], organisation=world["orgs"][0], store=tmp_path
    )
    assert report.whole.people == 2 and report.whole.attendance is None
    assert report.cohorts == [] and report.organisations == []
    [row] = outcomes.summary_rows([report.whole])
    assert row[1:] == [
        outcomes.SUPPRESSED,
        outcomes.SUPPRESSED,
        None,
        outcomes.SUPPRESSED,
        outcomes.SUPPRESSED,
    ]
    assert report.whole.changes[0].suppressed

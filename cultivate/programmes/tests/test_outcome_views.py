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

"""Off-the-job shortfall notices: the apprentice, their line manager and their educator are told once when
the hours fall behind (not every day), again only after catching up and falling behind anew; and it shows on
their home pages."""

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from cultivate.accounts import testing as t
from cultivate.accounts.models import Role
from cultivate.core.models import Notification
from cultivate.pathways import services
from cultivate.pathways import testing as pt
from cultivate.pathways.models import Apprenticeship, OffTheJobEntry

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 12, 6)


@pytest.fixture
def scene():
    org = t.make_organisation("RAA")
    team = t.make_team(org)
    person = t.make_person(org, given_name="Priya", family_name="Shah")
    t.make_spell(person, team=team, band="3", start=dt.date(2024, 1, 1))
    worker = t.make_user(Role.SUPPORT_WORKER, organisation=org, person=person)
    manager = t.make_user(Role.LINE_MANAGER, organisation=org, teams=[team])
    educator = t.make_user(Role.EDUCATOR, organisation=org)
    other_educator = t.make_user(Role.EDUCATOR, organisation=org)
    apprenticeship = pt.make_apprenticeship(person, educator=educator)
    return {
        "org": org,
        "person": person,
        "worker": worker,
        "manager": manager,
        "educator": educator,
        "other_educator": other_educator,
        "apprenticeship": apprenticeship,
    }


def _catch_up(apprenticeship):
    """300 hours: 40 study days of 7.5 hours up to the day."""
    OffTheJobEntry.objects.bulk_create(
        OffTheJobEntry(
            apprenticeship=apprenticeship,
            on=DAY - dt.timedelta(days=n),
            hours=Decimal("7.5"),
            activity="Study",
        )
        for n in range(40)
    )


def _told(user):
    return list(Notification.objects.filter(user=user).values_list("title", flat=True))


def test_falling_behind_tells_the_apprentice_manager_and_educator_once(scene):
    report = services.shortfall_notices_send(on=DAY)
    assert report.as_dict() == {"behind": 1, "fell_behind": 1, "caught_up": 0, "notifications": 3}
    (mine,) = _told(scene["worker"])
    assert mine.startswith("You are ") and mine.endswith(" off-the-job hours behind")
    assert _told(scene["manager"]) == [mine.replace("You are", "Priya Shah is")]
    assert len(_told(scene["educator"])) == 1
    assert _told(scene["other_educator"]) == []  # the educator who recorded it, not every educator
    scene["apprenticeship"].refresh_from_db()
    assert scene["apprenticeship"].behind_since == DAY
    # The next days: still behind, nobody told again.
    again = services.shortfall_notices_send(on=DAY + dt.timedelta(days=1))
    assert again.as_dict() == {"behind": 1, "fell_behind": 0, "caught_up": 0, "notifications": 0}
    assert len(_told(scene["worker"])) == 1


def test_catching_up_then_falling_behind_again_tells_them_again(scene):
    services.shortfall_notices_send(on=DAY)
    _catch_up(scene["apprenticeship"])
    assert services.shortfall_notices_send(on=DAY).caught_up == 1
    scene["apprenticeship"].refresh_from_db()
    assert scene["apprenticeship"].behind_since is None
    OffTheJobEntry.objects.all().delete()
    assert services.shortfall_notices_send(on=DAY + dt.timedelta(days=7)).fell_behind == 1
    assert len(_told(scene["worker"])) == 2


def test_without_a_recording_educator_the_organisations_educators_are_told(scene):
    Apprenticeship.objects.update(educator=None)
    services.shortfall_notices_send(on=DAY)
    assert len(_told(scene["educator"])) == 1 and len(_told(scene["other_educator"])) == 1


def test_finished_or_at_gateway_apprenticeships_are_left_alone(scene):
    Apprenticeship.objects.update(gateway_on=dt.date(2026, 11, 1))
    assert services.shortfall_notices_send(on=DAY).as_dict()["behind"] == 0
    assert _told(scene["worker"]) == []


def test_the_command_runs_the_check(scene):
    out = StringIO()
    call_command("pathways", "shortfalls", "--date", DAY.isoformat(), stdout=out)
    assert "1 apprenticeships behind, 1 newly (telling 3 people), 0 caught up." in out.getvalue()


def test_an_educator_recording_an_apprenticeship_is_its_educator(scene):
    from cultivate.core.audit import AuditContext

    educator = scene["educator"]
    apprenticeship = services.apprenticeship_create(
        ctx=AuditContext.system("test"),
        membership=educator.memberships.get(),
        person=t.make_person(scene["org"]),
        standard=scene["apprenticeship"].standard,
        provider="College",
        start_date=dt.date(2026, 9, 1),
        planned_end_date=dt.date(2027, 12, 1),
        contracted_hours=Decimal("37.5"),
    )
    assert apprenticeship.educator == educator


def _home(user):
    client = Client()
    client.force_login(user)
    return " ".join(client.get("/").content.decode().split())


def test_homes_show_hours_behind_to_the_apprentice_manager_and_educator(scene):
    assert "Your off-the-job hours are" in _home(scene["worker"])
    assert "1 apprentice is behind on off-the-job hours" in _home(scene["manager"])
    assert "1 apprentice is behind on off-the-job hours" in _home(scene["educator"])
    _catch_up(scene["apprenticeship"])
    assert "off-the-job hours" not in _home(scene["worker"])
    assert "behind on off-the-job hours" not in _home(scene["educator"])


def test_another_organisations_educator_sees_nothing(scene):
    other = t.make_user(Role.EDUCATOR, organisation=t.make_organisation("RBB"))
    assert "off-the-job" not in _home(other)

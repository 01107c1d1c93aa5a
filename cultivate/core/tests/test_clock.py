import datetime as dt

from django.conf import settings

from cultivate.core import clock


def test_the_analytics_zone_is_the_services_zone() -> None:
    assert clock.LONDON.key == settings.TIME_ZONE


def test_london_today_is_the_date_in_london_not_in_utc() -> None:
    # 23:30 UTC on 30 June is already 1 July in London (BST); in December the two agree.
    assert clock.london_today(dt.datetime(2026, 6, 30, 23, 30, tzinfo=dt.UTC)) == dt.date(2026, 7, 1)
    assert clock.london_today(dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC)) == dt.date(2026, 12, 31)
    assert clock.london_today().year >= 2026

"""Dates are the park's: a park's day starts at its own midnight; datetimes are stored in UTC
and shown in the park's zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.exc import StatementError

from opc.core.dates import (
    end_after,
    format_datetime,
    format_day,
    last_day,
    local_now,
    local_today,
    to_local,
)
from opc.core.db import utcnow

SHANGHAI = "Asia/Shanghai"
LOS_ANGELES = "America/Los_Angeles"


def test_utcnow_is_aware_utc(time_machine):
    time_machine.move_to(datetime(2026, 3, 1, 12, 0, tzinfo=UTC), tick=False)
    now = utcnow()
    assert now.tzinfo is not None and now.utcoffset() == timedelta(0)
    assert now == datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("instant", "zone", "day"),
    [
        # Shanghai is UTC+8: its day starts at 16:00 UTC the day before.
        (datetime(2026, 3, 1, 15, 59, 59, tzinfo=UTC), SHANGHAI, date(2026, 3, 1)),
        (datetime(2026, 3, 1, 16, 0, 0, tzinfo=UTC), SHANGHAI, date(2026, 3, 2)),
        (datetime(2026, 3, 1, 23, 30, tzinfo=UTC), SHANGHAI, date(2026, 3, 2)),
        # Across the end of a month and of a year.
        (datetime(2026, 2, 28, 16, 30, tzinfo=UTC), SHANGHAI, date(2026, 3, 1)),
        (datetime(2026, 12, 31, 16, 0, tzinfo=UTC), SHANGHAI, date(2027, 1, 1)),
        # West of UTC the park is still on the day before.
        (datetime(2026, 3, 2, 5, 0, tzinfo=UTC), LOS_ANGELES, date(2026, 3, 1)),
        (datetime(2026, 3, 2, 8, 0, tzinfo=UTC), LOS_ANGELES, date(2026, 3, 2)),
        (datetime(2026, 3, 1, 16, 0, tzinfo=UTC), "UTC", date(2026, 3, 1)),
    ],
)
def test_local_today_is_the_parks_date(time_machine, instant, zone, day):
    time_machine.move_to(instant, tick=False)
    assert local_today(zone) == day


def test_local_today_defaults_to_the_parks_zone(time_machine):
    time_machine.move_to(datetime(2026, 3, 1, 16, 30, tzinfo=UTC), tick=False)
    assert datetime.now(UTC).date() == date(2026, 3, 1)
    assert local_today() == date(2026, 3, 2)


def test_local_now_is_the_same_instant_in_the_zone(time_machine):
    instant = datetime(2026, 3, 1, 16, 30, tzinfo=UTC)
    time_machine.move_to(instant, tick=False)
    now = local_now(SHANGHAI)
    assert now == instant
    assert (now.hour, now.minute, now.utcoffset()) == (0, 30, timedelta(hours=8))


@pytest.mark.parametrize(
    ("instant", "zone", "shown"),
    [
        (datetime(2026, 3, 1, 16, 30, tzinfo=UTC), SHANGHAI, "2026年3月2日 00:30"),
        (datetime(2026, 3, 1, 15, 59, tzinfo=UTC), SHANGHAI, "2026年3月1日 23:59"),
        # Los Angeles changes to summer time on 8 March 2026 at 02:00 local.
        (datetime(2026, 3, 8, 9, 30, tzinfo=UTC), LOS_ANGELES, "2026年3月8日 01:30"),
        (datetime(2026, 3, 8, 10, 30, tzinfo=UTC), LOS_ANGELES, "2026年3月8日 03:30"),
        # An aware datetime in another zone is converted, not relabelled.
        (datetime(2026, 3, 2, 0, 30, tzinfo=ZoneInfo(SHANGHAI)), "UTC", "2026年3月1日 16:30"),
    ],
)
def test_format_datetime_shows_the_parks_wall_clock(instant, zone, shown):
    assert format_datetime(instant, zone) == shown


def test_nothing_is_shown_as_a_dash():
    assert format_datetime(None) == "—"
    assert to_local(None) is None


def test_to_local_keeps_the_instant():
    instant = datetime(2026, 3, 1, 16, 30, tzinfo=UTC)
    local = to_local(instant, SHANGHAI)
    assert local == instant and local.tzinfo == ZoneInfo(SHANGHAI)


def test_stored_datetimes_come_back_as_the_same_instant_in_utc(ctx):
    from opc.auth.models import LoginAttempt
    from opc.core.db import transaction
    from opc.extensions import db

    local = datetime(2026, 3, 2, 0, 30, tzinfo=ZoneInfo(SHANGHAI))
    with transaction():
        db.session.add(LoginAttempt(email="a@b.cn", address="1.2.3.4", at=local))
    db.session.expire_all()
    stored = db.session.scalar(select(LoginAttempt))
    assert stored.at == local
    assert stored.at.utcoffset() == timedelta(0)
    assert stored.at.replace(tzinfo=None) == datetime(2026, 3, 1, 16, 30)


def test_a_naive_datetime_is_refused(ctx):
    from opc.auth.models import LoginAttempt
    from opc.core.db import transaction
    from opc.extensions import db

    with pytest.raises(StatementError, match="naive datetime"), transaction():
        db.session.add(LoginAttempt(email="a@b.cn", address="1", at=datetime(2026, 3, 1, 12)))
    assert db.session.scalar(select(LoginAttempt)) is None


def test_a_last_day_and_an_exclusive_end_convert_both_ways():
    """Pages show and take the last day held; the records keep [start, end)."""
    assert end_after(date(2027, 5, 22)) == date(2027, 5, 23)  # typed 22 May, stored 23 May
    assert last_day(date(2027, 5, 23)) == date(2027, 5, 22)  # stored 23 May, shown 22 May
    assert end_after(date(2028, 2, 28)) == date(2028, 2, 29)  # across a leap day and a year
    assert last_day(date(2027, 1, 1)) == date(2026, 12, 31)
    assert end_after(None) is None and last_day(None) is None  # open-ended stays open
    assert end_after(date.max) == date.max  # no overflow: check_dates refuses it later


@pytest.mark.parametrize(
    ("day", "zh", "en"),
    [
        (date(2026, 11, 23), "2026年11月23日", "23 Nov 2026"),
        # No leading zeros in either language; September is "Sep", as CLDR's English has it.
        (date(2026, 9, 3), "2026年9月3日", "3 Sep 2026"),
        (date(1900, 1, 1), "1900年1月1日", "1 Jan 1900"),  # the calendar's ends
        (date(2200, 12, 31), "2200年12月31日", "31 Dec 2200"),
    ],
)
def test_a_day_reads_in_the_pages_language(day, zh, en):
    assert format_day(day, "zh") == zh and format_day(day, "zh_CN") == zh
    assert format_day(day, "en") == en and format_day(day, "en-US") == en
    assert format_day(day, "fr") == en  # a language the app lacks reads as English
    assert format_day(None, "zh") == format_day(None, "en") == "—"


@pytest.mark.parametrize(
    ("language", "shown", "last"),
    [("zh", "2026年11月23日", "2027年5月22日"), ("en", "23 Nov 2026", "22 May 2027")],
)
def test_the_date_filters_follow_the_request_language(app, language, shown, last):
    """Every page's |date and |last_day change together (the templates call only these)."""
    from flask import render_template_string

    source = "{{ day|date }} · {{ end|last_day }} · {{ none|date }} · [{{ none|last_day }}]"
    with app.test_request_context(headers={"Accept-Language": language}):
        text = render_template_string(source, day=date(2026, 11, 23), end=date(2027, 5, 23))
    # An exclusive end reads as the last day held; an open end is empty for `or _('open')`.
    assert text == f"{shown} · {last} · — · []"

"""China's working calendar of a park: hand-worked SLA sums across National Day 2025 and the
Spring Festival 2026 with their adjusted working days (调休), lunch breaks and weekends;
overrides that win over the package, half days, an unknown year refused rather than
guessed, a zone with DST, one load per request, and the package held against `holidays`."""

from __future__ import annotations

import re
import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest

from opc.core.errors import ValidationFailed
from opc.parks.workdays import (
    UnknownYear,
    WorkingCalendar,
    add_working_minutes,
    calendar_of,
    is_working_day,
    working_minutes,
)
from opc.parks.workdays import operations as ops
from opc.parks.workdays.calendar import package_year
from opc.parks.workdays.hours import WorkingHours

SH = ZoneInfo("Asia/Shanghai")
HOURS = WorkingHours.of(9 * 60, 12 * 60, 13 * 60 + 30, 18 * 60)  # the default 09:00–18:00
DAY = 450  # minutes: 09:00–12:00 and 13:30–18:00


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0, tz: ZoneInfo = SH) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=tz)


def plain(**kw) -> WorkingCalendar:
    return WorkingCalendar(SH, HOURS, **kw)


# --- hand-worked examples on the State Council's calendar -------------------------------


def test_friday_before_national_day_2025_lands_on_the_adjusted_sunday():
    # Fri 26 Sep 17:00, 8 working hours: 60 min on Friday, Saturday off, Sunday 28 Sep is a
    # 调休 working day: 180 in the morning, 240 from 13:30.
    assert add_working_minutes(plain(), at(2025, 9, 26, 17), 480) == at(2025, 9, 28, 17, 30)


def test_three_working_days_from_the_eve_of_national_day_2025_end_on_the_adjusted_saturday():
    # Tue 30 Sep 17:00: 60 min, 1–8 Oct off, Thu 9 and Fri 10 Oct 450 each, Sat 11 Oct works:
    # 1350 - 960 = 390 = 180 + 210 from 13:30.
    due = add_working_minutes(plain(), at(2025, 9, 30, 17), 3 * DAY)
    assert due == at(2025, 10, 11, 17, 0)
    assert due.tzinfo == SH
    assert working_minutes(plain(), at(2025, 9, 30, 17), due) == 3 * DAY


def test_a_deadline_that_uses_up_a_day_ends_at_its_close_not_the_next_morning():
    assert add_working_minutes(plain(), at(2025, 9, 30, 17), 60 + 2 * DAY) == at(2025, 10, 10, 18)


def test_spring_festival_2026_with_its_adjusted_saturdays():
    cal = plain()
    # Fri 13 Feb 16:00 + 8 h: 120 on Friday, Sat 14 Feb is a 调休 working day.
    assert add_working_minutes(cal, at(2026, 2, 13, 16), 480) == at(2026, 2, 14, 16, 30)
    # Sat 14 Feb 17:00 + 8 h: 60, then 15–23 Feb off, Tue 24 Feb 180 + 240 from 13:30.
    assert add_working_minutes(cal, at(2026, 2, 14, 17), 480) == at(2026, 2, 24, 17, 30)
    assert working_minutes(cal, at(2026, 2, 13, 9), at(2026, 2, 24, 9)) == 2 * DAY
    assert [is_working_day(cal, date(2026, 2, d)) for d in (14, 16, 23, 24, 28)] == [
        True,
        False,
        False,
        True,
        True,  # Sat 28 Feb: the second 调休 day
    ]


def test_lunch_breaks_weekends_and_the_sign_of_the_difference():
    cal = plain()
    assert working_minutes(cal, at(2025, 3, 3, 11), at(2025, 3, 3, 14)) == 60 + 30
    assert working_minutes(cal, at(2025, 3, 3, 12, 10), at(2025, 3, 3, 13, 20)) == 0
    assert working_minutes(cal, at(2025, 3, 7, 17), at(2025, 3, 10, 10)) == 120  # a weekend
    assert working_minutes(cal, at(2025, 3, 3, 14), at(2025, 3, 3, 11)) == -90
    # Opened in the lunch break or at night: the clock starts at the next working minute.
    assert add_working_minutes(cal, at(2025, 3, 3, 12, 30), 1) == at(2025, 3, 3, 13, 31)
    assert add_working_minutes(cal, at(2025, 3, 3, 22), 30) == at(2025, 3, 4, 9, 30)
    # Instants in another zone are the same instants.
    start = at(2025, 3, 3, 9).astimezone(UTC)
    assert add_working_minutes(cal, start, 60) == at(2025, 3, 3, 10)
    with pytest.raises(ValueError):
        working_minutes(cal, datetime(2025, 3, 3, 9), datetime(2025, 3, 3, 10))


# --- overrides, half days, complete years ----------------------------------------------


def test_overrides_win_over_the_package_and_a_half_day_stops_early(ctx, make):
    park = make.park()
    # A park closure on a working Monday, a working day inside National Day, a half day.
    ops.add_override(park, actor=None, day=date(2025, 3, 3), kind="off", note="闭园")
    ops.add_override(park, actor=None, day=date(2025, 10, 2), kind="working")
    ops.add_override(
        park,
        actor=None,
        day=date(2025, 12, 31),
        kind="half",
        works_until=datetime(1, 1, 1, 12).time(),
    )
    assert not is_working_day(park, date(2025, 3, 3))
    assert add_working_minutes(park, at(2025, 2, 28, 17), 120) == at(2025, 3, 4, 10)
    assert add_working_minutes(park, at(2025, 9, 30, 17), 120) == at(2025, 10, 2, 10)
    assert is_working_day(park, date(2025, 12, 31))
    # 11:00 on the half day: 60 min, then New Year 2026 (1–3 Jan), Sun 4 Jan is a 调休 day.
    assert add_working_minutes(park, at(2025, 12, 31, 11), 120) == at(2026, 1, 4, 10)
    assert working_minutes(park, at(2025, 12, 31, 9), at(2025, 12, 31, 18)) == 180


def test_an_unknown_year_is_refused_until_an_admin_marks_it_complete(ctx, make):
    park = make.park()
    assert package_year(2027) is None  # the package's data ends in 2026
    with pytest.raises(UnknownYear) as refused:
        add_working_minutes(park, at(2026, 12, 31, 17), 120)
    assert refused.value.year == 2027 and refused.value.status == 409
    assert "2027" in refused.value.message
    with pytest.raises(UnknownYear):
        is_working_day(park, date(2027, 1, 4))
    # Overrides alone do not make the year known: days without one stay unknown.
    ops.add_override(park, actor=None, day=date(2027, 1, 1), kind="off", note="元旦")
    with pytest.raises(UnknownYear):
        add_working_minutes(park, at(2026, 12, 31, 17), 120)
    ops.mark_year(park, 2027, actor=None, complete=True)
    # 60 min on 31 Dec, 1 Jan off, 2–3 Jan a weekend: Monday 4 Jan 10:00.
    assert add_working_minutes(park, at(2026, 12, 31, 17), 120) == at(2027, 1, 4, 10)
    ops.mark_year(park, 2027, actor=None, complete=False)
    with pytest.raises(UnknownYear):
        is_working_day(park, date(2027, 1, 4))


def test_the_hours_setting_and_a_zone_with_summer_time(ctx, make):
    park = make.park(timezone="Europe/Berlin")
    ops.set_hours(
        park,
        actor=None,
        values={
            "workday_starts": "00:00",
            "lunch_starts": "12:00",
            "lunch_ends": "12:00",
            "workday_ends": "24:00",
        },
    )
    # Sunday 29 March 2026: clocks go forward at 02:00, so the day has 23 hours; Monday 24.
    ops.add_override(park, actor=None, day=date(2026, 3, 29), kind="working")
    berlin = ZoneInfo("Europe/Berlin")
    assert (
        working_minutes(park, at(2026, 3, 29, 0, tz=berlin), at(2026, 3, 30, 0, tz=berlin))
        == 23 * 60
    )
    assert add_working_minutes(park, at(2026, 3, 29, 1, tz=berlin), 60) == at(
        2026, 3, 29, 3, tz=berlin
    )
    assert (
        working_minutes(park, at(2026, 3, 30, 0, tz=berlin), at(2026, 3, 31, 0, tz=berlin))
        == 24 * 60
    )


def test_hours_out_of_order_are_refused(ctx, make):
    park = make.park()
    bad = {
        "workday_starts": "18:00",
        "lunch_starts": "12:00",
        "lunch_ends": "13:00",
        "workday_ends": "09:00",
    }
    with pytest.raises(ValidationFailed) as refused:
        ops.set_hours(park, actor=None, values=bad)
    assert "workday_ends" in refused.value.fields
    assert calendar_of(park).hours == HOURS  # unchanged


# --- speed: one load per request, arithmetic in memory ----------------------------------


def test_a_queue_of_200_deadlines_reads_the_calendar_once(ctx, make, count_queries):
    park = make.park()
    ops.add_override(park, actor=None, day=date(2026, 3, 2), kind="off")
    opened = [at(2026, 1, 5, 9) + timedelta(hours=7 * i) for i in range(200)]
    began = time.perf_counter()
    with count_queries() as statements:
        dues = [add_working_minutes(park, o, 2 * DAY) for o in opened]
        states = [working_minutes(park, o, at(2026, 6, 1, 12)) for o in opened]
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 2, selects  # the hours, and the years with their overrides: once
    assert time.perf_counter() - began < 2
    assert len(dues) == len(states) == 200


# --- the package against `holidays` ------------------------------------------------------


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_package_agrees_with_the_holidays_package(year):
    """`holidays` lists the weekdays off (statutory holidays and the days off that 调休
    moves) but no working weekend as a day: it names the worked day only inside the
    substitute's name ("Day off (substituted from 01/26/2025)"). So we compare: every day it
    lists is off in chinesecalendar; every weekday off in chinesecalendar is listed; and the
    worked weekends it names are exactly chinesecalendar's adjusted working days."""
    known = package_year(year)
    assert known is not None
    other = holidays.China(years=year, language="en_US")
    assert other, "holidays knows nothing of the year"
    for day, name in other.items():
        assert not known[day].working, (day, name)
    weekdays_off = {d for d, info in known.items() if d.weekday() < 5 and not info.working}
    assert weekdays_off == {d for d in other if d.weekday() < 5}
    named = {
        date(int(y), int(m), int(d))
        for name in other.values()
        for m, d, y in re.findall(r"substituted from (\d\d)/(\d\d)/(\d{4})", name)
    }
    adjusted = {d for d, info in known.items() if d.weekday() >= 5 and info.working}
    assert named == adjusted and adjusted

"""China's working calendar for a park, as pure arithmetic: which days work, and how many
working minutes lie between two instants (service deadlines count those, not clock time).

A day's answer comes, first match wins, from the park's override of that day, from the
`chinesecalendar` package (the State Council's holidays and adjusted working days, 调休), or,
for a year the package does not know that an admin marked complete, from the weekdays (the
admin entered that year's holidays and 调休 days as overrides). Any other day is unknown:
`UnknownYear`, never a guess. Nothing here reads the database (opc.parks.workdays.queries
loads a park's calendar; the package's years are cached in memory).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
from flask_babel import gettext as _

from opc.core.errors import RuleViolation
from opc.parks.workdays.hours import WorkingHours

ONE_DAY = timedelta(days=1)
OFF, WORKING, HALF = "off", "working", "half"
KINDS = (OFF, WORKING, HALF)


class UnknownYear(RuleViolation):
    """The calendar does not know a year: callers show its message (409), never guess."""

    def __init__(self, year: int, park_name: str = "") -> None:
        super().__init__(
            "calendar_year_unknown",
            _(
                "The working calendar of %(park)s does not know the year %(year)s: an "
                "administrator must enter its holidays and adjusted working days and mark "
                "the year complete.",
                park=park_name,
                year=year,
            ),
            conflict={"year": year},
        )
        self.year = year


class NoWorkingHours(RuleViolation):
    """The park's working hours leave no time to work in a day."""

    def __init__(self, park_name: str = "") -> None:
        super().__init__(
            "no_working_hours",
            _("The working hours of %(park)s leave no working time in a day.", park=park_name),
        )


@dataclass(frozen=True)
class PackageDay:
    working: bool
    name: str | None  # the holiday's English name (chinese_calendar.Holiday's value)


@functools.cache
def package_year(year: int) -> Mapping[date, PackageDay] | None:
    """The package's answer for every day of `year`, or None when it does not know the year
    (it raises NotImplementedError beyond its data). Kept in memory: pages ask it often."""
    days: dict[date, PackageDay] = {}
    day = date(year, 1, 1)
    try:
        while day.year == year:
            off, name = chinese_calendar.get_holiday_detail(day)
            days[day] = PackageDay(not off, name)
            day += ONE_DAY
    except NotImplementedError:
        return None
    return days


@dataclass(frozen=True)
class Override:
    """An admin's decision about one day; it wins over the package."""

    day: date
    kind: str  # OFF, WORKING or HALF
    works_until: int | None = None  # HALF: work stops at this minute of the day
    note: str = ""
    id: int | None = None


@dataclass(frozen=True)
class Day:
    """How a day works, and why."""

    day: date
    hours: WorkingHours  # no periods: the day is off
    source: str  # "override", "package", "weekdays" (a complete year) or "unknown"
    name: str | None = None  # the package's holiday name
    override: Override | None = None

    @property
    def working(self) -> bool:
        return bool(self.hours.periods)

    @property
    def adjusted(self) -> bool:
        """调休: a Saturday or Sunday that works by the State Council's calendar."""
        return self.source == "package" and self.working and self.day.weekday() >= 5

    @property
    def holiday(self) -> bool:
        """A public holiday (the package names it) that is not worked."""
        return self.source == "package" and not self.working and self.name is not None


@dataclass
class WorkingCalendar:
    """One park's working calendar: its zone, hours, overrides and the years it completed."""

    tz: ZoneInfo
    hours: WorkingHours
    overrides: Mapping[date, Override] = field(default_factory=dict)
    complete_years: frozenset[int] = frozenset()
    park_name: str = ""
    _days: dict[date, Day] = field(default_factory=dict, repr=False)

    def knows(self, year: int) -> bool:
        """The package has the year, or an admin marked it complete."""
        return year in self.complete_years or package_year(year) is not None

    def describe(self, day: date) -> Day:
        """How `day` works; source "unknown" (and no hours) for a day of an unknown year."""
        if day in self._days:
            return self._days[day]
        override = self.overrides.get(day)
        if override is not None:
            hours = self.hours
            if override.kind == OFF:
                hours = WorkingHours(())
            elif override.kind == HALF and override.works_until is not None:
                hours = hours.until(override.works_until)
            found = Day(day, hours, "override", override=override)
        elif (known := package_year(day.year)) is not None:
            answer = known[day]
            hours = self.hours if answer.working else WorkingHours(())
            found = Day(day, hours, "package", name=answer.name)
        elif day.year in self.complete_years:
            found = Day(day, self.hours if day.weekday() < 5 else WorkingHours(()), "weekdays")
        else:
            found = Day(day, WorkingHours(()), "unknown")
        self._days[day] = found
        return found

    def day(self, day: date) -> Day:
        """How `day` works; UnknownYear when the calendar cannot say."""
        found = self.describe(day)
        if found.source == "unknown":
            raise UnknownYear(day.year, self.park_name)
        return found

    def is_working_day(self, day: date) -> bool:
        """Whether any working time falls on `day` (a half day is one)."""
        return self.day(day).working

    def periods(self, day: date) -> Iterator[tuple[datetime, datetime]]:
        """The day's working periods as UTC instants (wall-clock times in the park's zone,
        so a period that spans a DST change lasts what it really lasts)."""
        for start, end in self.day(day).hours.periods:
            yield _at(day, start, self.tz), _at(day, end, self.tz)

    def _check_hours(self) -> None:
        if not self.hours.periods:
            raise NoWorkingHours(self.park_name)

    def working_seconds(self, start: datetime, end: datetime) -> int:
        """Working seconds from `start` to `end` (negative when `end` comes first)."""
        start, end = _utc(start), _utc(end)
        if end < start:
            return -self.working_seconds(end, start)
        total = timedelta()
        day, last = start.astimezone(self.tz).date(), end.astimezone(self.tz).date()
        while day <= last:
            for a, b in self.periods(day):
                low, high = max(a, start), min(b, end)
                if low < high:
                    total += high - low
            day += ONE_DAY
        return int(total.total_seconds())

    def working_minutes(self, start: datetime, end: datetime) -> int:
        """Whole working minutes from `start` to `end` (negative when `end` comes first)."""
        seconds = self.working_seconds(start, end)
        return seconds // 60 if seconds >= 0 else -(-seconds // 60)

    def add_working_minutes(self, start: datetime, minutes: int) -> datetime:
        """The instant, in the park's zone, when `minutes` of working time after `start`
        have passed (an SLA's due time); the end of a period rather than the next morning."""
        if minutes < 0:
            raise ValueError("minutes must not be negative")
        start = _utc(start)
        if minutes == 0:
            return start.astimezone(self.tz)
        self._check_hours()
        remaining = timedelta(minutes=minutes)
        day = start.astimezone(self.tz).date()
        while True:
            for a, b in self.periods(day):
                low = max(a, start)
                if low >= b:
                    continue
                if b - low >= remaining:
                    return (low + remaining).astimezone(self.tz)
                remaining -= b - low
            day += ONE_DAY


def _at(day: date, minute: int, tz: ZoneInfo) -> datetime:
    """Minute `minute` of the local `day` (1440: the next midnight) as a UTC instant."""
    midnight = datetime.combine(day + timedelta(days=minute // 1440), time(), tzinfo=tz)
    return (midnight + timedelta(minutes=minute % 1440)).astimezone(UTC)


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("an instant needs its timezone")
    return value.astimezone(UTC)

"""Park-local dates and times: stored in UTC, shown in the park's zone; the calendar the app
accepts (MIN_DATE … MAX_DATE: every date a page, an operation or the API takes is within
it, so that no date arithmetic overflows and no year 1 or 9999 slips into the records)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date
from flask_babel import gettext as _

from opc.core.db import utcnow
from opc.core.errors import ValidationFailed

PARK_TZ = "Asia/Shanghai"
# The calendar the app accepts, for pages, operations and the API alike.
MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2200, 12, 31)


def date_problem(value: date) -> str | None:
    """Why a date is outside the calendar the app accepts (a message for people), or None."""
    if MIN_DATE <= value <= MAX_DATE:
        return None
    return _(
        "Dates from %(low)s to %(high)s only.", low=MIN_DATE.isoformat(), high=MAX_DATE.isoformat()
    )


def check_dates(**values: Any) -> None:
    """ValidationFailed naming each given date outside MIN_DATE … MAX_DATE (None is skipped;
    what is not a date is left to the caller's own checks)."""
    errors = {
        name: [problem]
        for name, value in values.items()
        if isinstance(value, date) and (problem := date_problem(value))
    }
    if errors:
        raise ValidationFailed(errors)


# Periods are stored [start, end): `end` is the first day no longer held (the API's `end`).
# People think in the last day held, so pages show and take that, converting here only.
ONE_DAY = timedelta(days=1)


def last_day(end: date | None) -> date | None:
    """The last day held of a period whose stored end is exclusive (end − 1 day); None: open."""
    return end - ONE_DAY if end is not None else None


def end_after(last: date | None) -> date | None:
    """The exclusive end to store for a last day typed on a page (last + 1 day); None: open.

    The calendar's own last day has no successor: it is returned as it is, and the
    operation's check_dates refuses what lies beyond MAX_DATE anyway."""
    if last is None:
        return None
    return last + ONE_DAY if last < date.max else last


def local_now(tz: str = PARK_TZ) -> datetime:
    """Now in the given zone."""
    return utcnow().astimezone(ZoneInfo(tz))


def local_today(tz: str = PARK_TZ) -> date:
    """Today's date in the given zone (a park's day starts at its own midnight)."""
    return local_now(tz).date()


def to_local(value: datetime | None, tz: str = PARK_TZ) -> datetime | None:
    """A stored UTC datetime in the given zone."""
    return value.astimezone(ZoneInfo(tz)) if value else None


# How a day reads in each language of the app: fixed CLDR patterns rather than a locale's
# "medium" format, so every page writes a day the same way (issue 14: 2026年11月23日 and
# 23 Nov 2026, never 2026-11-23 in a sentence). Other languages read as English.
DAY_PATTERNS = {"zh": "y年M月d日", "en": "d MMM y"}


def format_day(value: date | None, language: str = "zh") -> str:
    """A day for people in the page's language: 2026年11月23日 / 23 Nov 2026 ("—": none)."""
    if value is None:
        return "—"
    lang = language.replace("-", "_").split("_")[0].lower()
    if lang not in DAY_PATTERNS:
        lang = "en"
    return format_date(value, DAY_PATTERNS[lang], locale=lang)


def format_datetime(value: datetime | None, tz: str = PARK_TZ) -> str:
    """A datetime for people: 2026-11-23 17:05 in the park's zone."""
    local = to_local(value, tz)
    return local.strftime("%Y-%m-%d %H:%M") if local else "—"

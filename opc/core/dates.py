"""Park-local dates and times: stored in UTC, shown in the park's zone; the calendar the app
accepts (MIN_DATE … MAX_DATE: every date a page, an operation or the API takes is within
it, so that no date arithmetic overflows and no year 1 or 9999 slips into the records)."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.dates import format_datetime as babel_format_datetime
from flask_babel import get_locale
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
        "Dates from %(low)s to %(high)s only.", low=format_day(MIN_DATE), high=format_day(MAX_DATE)
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
DATETIME_PATTERNS = {"zh": "y年M月d日 HH:mm", "en": "d MMM y, HH:mm"}
# A spreadsheet's or a log's datetime (exports keep it: machines sort and parse it).
EXPORT_DATETIME = "%Y-%m-%d %H:%M"


def _language(language: str | None) -> str:
    """The app's language for a locale code (None: the request's, else Chinese)."""
    if language is None:
        locale = get_locale()  # None outside a request or a force_locale
        language = locale.language if locale is not None else "zh"
    lang = language.replace("-", "_").split("_")[0].lower()
    return lang if lang in DAY_PATTERNS else "en"


def format_day(value: date | None, language: str | None = None) -> str:
    """A day for people in the page's language: 2026年11月23日 / 23 Nov 2026 ("—": none)."""
    if value is None:
        return "—"
    lang = _language(language)
    return format_date(value, DAY_PATTERNS[lang], locale=lang)


def format_datetime(
    value: datetime | None, tz: str = PARK_TZ, language: str | None = None, *, seconds: bool = False
) -> str:
    """A datetime for people, in the zone's wall clock and the page's language:
    2026年11月23日 17:05 / 23 Nov 2026, 17:05 (17:05:00 with seconds: a deadline) ("—": none)."""
    local = to_local(value, tz)
    if local is None:
        return "—"
    lang = _language(language)
    pattern = DATETIME_PATTERNS[lang] + (":ss" if seconds else "")
    return babel_format_datetime(local, pattern, tzinfo=local.tzinfo, locale=lang)


def format_time(value: datetime | None, tz: str = PARK_TZ) -> str:
    """The wall-clock time alone (17:05), for the end of a span on the day it began."""
    local = to_local(value, tz)
    return local.strftime("%H:%M") if local else "—"


def export_datetime(value: datetime | None, tz: str = PARK_TZ) -> str:
    """A datetime for a CSV or XLSX export: 2026-11-23 17:05 in the zone ("" when none)."""
    local = to_local(value, tz)
    return local.strftime(EXPORT_DATETIME) if local else ""


# The ways people type a day (issue 14), after NFKC has turned full-width digits and
# punctuation (２０２６／１１／２３) into ASCII: year-first with - / . or 年月日, and the
# English day-first (23 Nov 2026) and month-first (Nov 23, 2026) forms. Four-digit years
# only, so no year 99999 or 1e9 reaches date(); the calendar's bounds are check_dates'.
_YMD = re.compile(
    r"([0-9]{4})\s*(?:[-/.]\s*([0-9]{1,2})\s*[-/.]|年\s*([0-9]{1,2})\s*月)\s*([0-9]{1,2})\s*日?"
)
_DMY = re.compile(r"([0-9]{1,2})\s+([a-z]+)\.?,?\s+([0-9]{4})")
_MDY = re.compile(r"([a-z]+)\.?\s+([0-9]{1,2})(?:st|nd|rd|th)?\s*,?\s+([0-9]{4})")
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
LONGEST_DAY_TEXT = 40  # "23 September 2026" with room for spaces; anything longer is not a day


def parse_day(text: str) -> date:
    """The day typed as 2026-11-23, 2026/11/23, 2026年11月23日, 23 Nov 2026, 23 November 2026
    or Nov 23, 2026; ValueError for anything else (a day that does not exist: 2026-02-30)."""
    if len(text) > LONGEST_DAY_TEXT:
        raise ValueError("too long for a date")
    typed = unicodedata.normalize("NFKC", text).strip().lower()
    if found := _YMD.fullmatch(typed):
        year, month, day = found[1], found[2] or found[3], found[4]
    elif found := _DMY.fullmatch(typed):
        day, month, year = found[1], str(_MONTHS.get(found[2], 0)), found[3]
    elif found := _MDY.fullmatch(typed):
        month, day, year = str(_MONTHS.get(found[1], 0)), found[2], found[3]
    else:
        raise ValueError(f"not a date: {text!r}")
    return date(int(year), int(month), int(day))  # ValueError: no such day (or month 0)

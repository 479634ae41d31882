"""Park-local dates and times: stored in UTC, shown in the park's zone."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from opc.core.db import utcnow

PARK_TZ = "Asia/Shanghai"


def local_now(tz: str = PARK_TZ) -> datetime:
    """Now in the given zone."""
    return utcnow().astimezone(ZoneInfo(tz))


def local_today(tz: str = PARK_TZ) -> date:
    """Today's date in the given zone (a park's day starts at its own midnight)."""
    return local_now(tz).date()


def to_local(value: datetime | None, tz: str = PARK_TZ) -> datetime | None:
    """A stored UTC datetime in the given zone."""
    return value.astimezone(ZoneInfo(tz)) if value else None


def format_datetime(value: datetime | None, tz: str = PARK_TZ) -> str:
    """A datetime for people: 2026-11-23 17:05 in the park's zone."""
    local = to_local(value, tz)
    return local.strftime("%Y-%m-%d %H:%M") if local else "—"

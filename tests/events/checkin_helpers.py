"""Registrations made directly (the check-in, calendar and export tests need them in a given
state, whatever the registration operations would do)."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from opc.core.db import utcnow
from opc.events.models import Registration

_n = iter(range(1, 1_000_000))


def registration(make: Any, event: Any, status: str = "confirmed", **kw: Any) -> Any:
    """A registration of `event` (a guest unless user_id/team_id are given)."""
    n = next(_n)
    now = utcnow().replace(microsecond=0)
    values: dict[str, Any] = {
        "event_id": event.id,
        "name": f"来宾{n}",
        "organisation": "某某科技",
        "email": f"guest{n}@example.cn",
        "phone": "13800000000",
        "status": status,
        "queued_at": now,
        "secret": secrets.token_urlsafe(32),
    }
    if status == "confirmed":
        values["confirmed_at"] = now
    if status == "offered":
        values["offer_expires_at"] = now + timedelta(hours=24)
    if status in ("cancelled",):
        values["cancelled_at"] = now
    values.update(kw)
    return make._save(Registration(**values))


def event_now(make: Any, park: Any, **kw: Any) -> Any:
    """An event that started half an hour ago and ends in 90 minutes: check-in is open."""
    starts = utcnow().replace(microsecond=0) - timedelta(minutes=30)
    values = {
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=2),
        "registration_opens_at": starts - timedelta(days=3),
        "registration_closes_at": starts,
    }
    values.update(kw)
    return make.event(park, **values)

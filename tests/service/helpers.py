"""Helpers for the service tests: a park with a team, its member and its staff; requests
opened through the operation at a frozen instant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import time_machine

from opc.service.models import ServiceRequest
from opc.service.operations import requests as ops
from tests.core.helpers import count, error_of, one, post_form, rows, text

__all__ = ["count", "error_of", "one", "post_form", "rows", "text"]

SH = ZoneInfo("Asia/Shanghai")


def at(*args: int) -> datetime:
    """A wall-clock time in Shanghai (the parks' zone in the tests)."""
    return datetime(*args, tzinfo=SH)  # type: ignore[misc]


@dataclass
class Desk:
    park: Any
    team: Any
    member: Any
    staff: Any


def desk(make: Any) -> Desk:
    park = make.park()
    team = make.team(park, status="resident")
    return Desk(park, team, make.user("member", team=team), make.user("staff", parks=[park]))


def opened(app: Any, d: Desk, when: datetime, **kw: Any) -> ServiceRequest:
    """A request of the desk's team opened by its member at `when`."""
    values: dict[str, Any] = {"category": "company_registration", "title": "注册公司"}
    values.update(kw)
    with time_machine.travel(when, tick=False), app.app_context():
        request = ops.open_request(actor=d.member, team_id=d.team.id, **values)
        rid = request.id
    return one(app, ServiceRequest, rid)


def act(app: Any, when: datetime, fn: Any, *args: Any, **kw: Any) -> Any:
    """Run an operation at a frozen instant in an app context of its own."""
    with time_machine.travel(when, tick=False), app.app_context():
        return fn(*args, **kw)

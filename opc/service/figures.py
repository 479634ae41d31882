"""The service dashboard's figures for a park: volumes, median times to first response and
to resolution (in working hours on the park's calendar, time waited on the team left out)
and ratings, by category and by month of opening, over the last twelve months. One query
for the requests, the calendar read once."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median
from typing import Any

from sqlalchemy import select

from opc.core.dates import to_local
from opc.extensions import db
from opc.parks.models import Park
from opc.parks.workdays import UnknownYear, WorkingCalendar, calendar_of
from opc.service.models import ServiceRequest

WINDOW = timedelta(days=366)


@dataclass
class Figures:
    """One row of the dashboard: a category or a month."""

    key: str
    opened: int = 0
    resolved: int = 0
    response: list[int] = field(default_factory=list)  # working minutes
    resolution: list[int] = field(default_factory=list)
    ratings: list[int] = field(default_factory=list)

    @property
    def median_response_hours(self) -> float | None:
        return round(median(self.response) / 60, 1) if self.response else None

    @property
    def median_resolution_hours(self) -> float | None:
        return round(median(self.resolution) / 60, 1) if self.resolution else None

    @property
    def rating(self) -> float | None:
        return round(sum(self.ratings) / len(self.ratings), 1) if self.ratings else None


def _minutes(cal: WorkingCalendar, start: datetime, end: datetime | None) -> int | None:
    if end is None:
        return None
    try:
        return max(0, cal.working_minutes(start, end))
    except UnknownYear:
        return None


def _add(row: Figures, cal: WorkingCalendar, r: ServiceRequest) -> None:
    row.opened += 1
    if (m := _minutes(cal, r.created_at, r.first_responded_at)) is not None:
        row.response.append(m)
    if r.resolved_at is not None:
        row.resolved += 1  # counted even when the calendar cannot count its minutes
        if (m := _minutes(cal, r.clock_from, r.resolved_at)) is not None:
            row.resolution.append(max(0, m - r.waited_minutes))
    if r.rating is not None:
        row.ratings.append(r.rating)


def dashboard(park: Park, now: datetime) -> tuple[list[Figures], list[Figures]]:
    """(by category, by month) for the park's requests opened in the last twelve months."""
    cal = calendar_of(park)
    stmt = (
        select(ServiceRequest)
        .where(ServiceRequest.park_id == park.id, ServiceRequest.created_at >= now - WINDOW)
        .order_by(ServiceRequest.created_at)
    )
    by_category: dict[str, Figures] = {}
    by_month: dict[str, Figures] = defaultdict(lambda: Figures(""))
    for r in db.session.scalars(stmt):
        local: Any = to_local(r.created_at, park.timezone)
        month = f"{local:%Y-%m}"
        _add(by_category.setdefault(r.category, Figures(r.category)), cal, r)
        by_month[month].key = month
        _add(by_month[month], cal, r)
    return sorted(by_category.values(), key=lambda f: -f.opened), list(by_month.values())


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float


def bars(months: list[Figures], width: int = 720, height: int = 200) -> list[Bar]:
    """The monthly volumes as bars of an SVG chart (the bottom 24 units hold the labels)."""
    plot = height - 34
    top = max([m.opened for m in months] + [1])
    slot = width / max(len(months), 1)
    out = []
    for i, m in enumerate(months):
        h = round(plot * m.opened / top, 1)
        out.append(Bar(m.key, m.opened, round(i * slot + slot * 0.15, 1), plot + 10 - h,
                       round(slot * 0.7, 1), h))  # fmt: skip
    return out

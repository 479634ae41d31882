"""A request's SLA state from working minutes on its park's calendar: on time, due soon
(a quarter of the target or less is left), breached, or unknown (the calendar does not know
a year it needs: shown, never guessed).

Two clocks: the first response (runs until staff first answer the team) and resolution
(runs from `clock_from`, stands still while the request waits on the team). Everything here
is arithmetic on a loaded calendar (opc.parks.workdays.calendar_of keeps one per park and
request), so a page of 200 requests costs no query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from opc.parks.workdays import UnknownYear, WorkingCalendar
from opc.service.models import ACTIVE, ServiceRequest, Status

ON_TIME, DUE_SOON, BREACHED, UNKNOWN = "on_time", "due_soon", "breached", "unknown"
STATES = (ON_TIME, DUE_SOON, BREACHED, UNKNOWN)
_RANK = {ON_TIME: 0, DUE_SOON: 1, UNKNOWN: 2, BREACHED: 3}
DUE_SOON_SHARE = 4  # due soon once a quarter of the target or less is left


@dataclass(frozen=True)
class Clock:
    state: str
    remaining: int | None  # working minutes left (negative: overdue); None when stopped
    paused: bool = False


@dataclass(frozen=True)
class Sla:
    response: Clock
    resolution: Clock

    @property
    def state(self) -> str:
        """The worse of the two clocks."""
        return max(self.response.state, self.resolution.state, key=_RANK.__getitem__)


def _state(remaining: int, target: int, overdue: bool) -> str:
    if overdue:
        return BREACHED
    return DUE_SOON if remaining <= max(1, target // DUE_SOON_SHARE) else ON_TIME


def _running(cal: WorkingCalendar, now: datetime, due: datetime, target: int) -> Clock:
    """A running clock: breached from its due instant on (whether or not the calendar can
    count the minutes since), else on time or due soon by the working minutes left."""
    overdue = now >= due
    try:
        remaining = cal.working_minutes(now, due)
    except UnknownYear:
        if overdue:
            return Clock(BREACHED, None)
        raise
    return Clock(_state(remaining, target, overdue), remaining)


def resolution_elapsed(cal: WorkingCalendar, r: ServiceRequest, now: datetime) -> int:
    """Working minutes the resolution clock has run: from `clock_from` to now (or to the
    start of the current wait), less the working minutes waited on the team before."""
    until = r.waiting_since or now
    return cal.working_minutes(r.clock_from, until) - r.waited_minutes


def response_clock(cal: WorkingCalendar, r: ServiceRequest, now: datetime) -> Clock:
    if r.first_responded_at is not None:
        late = r.first_responded_at > r.first_response_due
        return Clock(BREACHED if late else ON_TIME, None)
    return _running(cal, now, r.first_response_due, r.response_minutes)


def resolution_clock(cal: WorkingCalendar, r: ServiceRequest, now: datetime) -> Clock:
    if r.status not in ACTIVE:
        due = r.resolution_due
        late = due is not None and r.resolved_at is not None and r.resolved_at > due
        return Clock(BREACHED if late else ON_TIME, None)
    if r.status == Status.WAITING:
        remaining = r.resolution_minutes - resolution_elapsed(cal, r, now)
        state = _state(remaining, r.resolution_minutes, remaining <= 0)
        return Clock(state, remaining, paused=True)
    assert r.resolution_due is not None
    return _running(cal, now, r.resolution_due, r.resolution_minutes)


def sla_of(cal: WorkingCalendar, r: ServiceRequest, now: datetime) -> Sla:
    """Both clocks of a request at `now`; UNKNOWN where the calendar lacks a year."""
    clocks = []
    for clock in (response_clock, resolution_clock):
        try:
            clocks.append(clock(cal, r, now))
        except UnknownYear:
            clocks.append(Clock(UNKNOWN, None))
    return Sla(*clocks)

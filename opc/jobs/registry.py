"""Scheduled jobs are declared in code, each in its domain's `tasks.py`:

    @job("auth.prune-logins", cron={"hour": 3, "minute": 20}, period=daily)
    def prune_logins(period: str) -> None: ...

`cron` holds APScheduler CronTrigger fields, read in the scheduler's timezone
(BABEL_DEFAULT_TIMEZONE). `period(now)` names the run that is due at `now` (a local, aware
datetime): the key under which it happens once. A job that runs once a day for that day
uses `daily`; a monthly report of the month before would name the month before.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

JobFunction = Callable[[str], None]
Period = Callable[[datetime], str]


@dataclass(frozen=True)
class Job:
    name: str
    func: JobFunction  # called with the period key, inside the run's transaction
    cron: dict[str, Any]
    period: Period
    # How long a claim holds: a run whose process died is taken over after it.
    lease: timedelta = timedelta(minutes=10)
    # A run that failed (or died) is retried after its lease, up to this many attempts.
    max_attempts: int = 3
    # A firing missed by up to this many seconds (the scheduler was busy or down) still runs.
    misfire_grace_time: int = 3600


_jobs: dict[str, Job] = {}


def daily(now: datetime) -> str:
    """The local day: 2026-03-01."""
    return now.date().isoformat()


MINUTE_FORMAT = "%Y-%m-%dT%H:%M"


def minutely(now: datetime) -> str:
    """The local minute: 2026-03-01T08:05."""
    return now.strftime(MINUTE_FORMAT)


def register(new: Job) -> Job:
    """Add a job; declaring the same name twice (a module imported again) replaces it."""
    _jobs[new.name] = new
    return new


def unregister(name: str) -> None:
    """Forget a job (tests)."""
    _jobs.pop(name, None)


def job(name: str, *, cron: dict[str, Any], period: Period, **options: Any) -> Any:
    """Decorator form of register(): the function becomes the job `name`."""

    def declare(func: JobFunction) -> JobFunction:
        register(Job(name, func, cron, period, **options))
        return func

    return declare


def get(name: str) -> Job | None:
    return _jobs.get(name)


def all_jobs() -> list[Job]:
    """The declared jobs, by name."""
    return [_jobs[name] for name in sorted(_jobs)]

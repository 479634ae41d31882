"""Jobs declared for a test only, and a way to see what a job wrote."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from opc.auth.models import LoginAttempt
from opc.core.db import transaction
from opc.jobs import registry
from opc.jobs.registry import Job, daily


def mark(period: str, domain: str, holder: str = "test") -> None:
    """A job's write: one row that says which run made it (login attempts are a plain table)."""
    with transaction() as session:
        session.add(LoginAttempt(email=f"{period}@{domain}", address=holder[-64:]))


@contextmanager
def declared(name: str, func: Callable[[str], None], **options: Any) -> Iterator[Job]:
    """Declare a job for the duration of a block."""
    options.setdefault("lease", timedelta(minutes=5))
    job = registry.register(Job(name, func, {"hour": 3}, options.pop("period", daily), **options))
    try:
        yield job
    finally:
        registry.unregister(name)

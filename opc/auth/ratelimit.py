"""Rate limits kept in the database, so that every worker process counts the same uses.

A public form that anyone may submit takes `@limit_anonymous_writes("apply")`: each unsafe
request of a visitor who is not logged in counts against their address, for that form, and
past ANONYMOUS_WRITE_LIMIT within ANONYMOUS_WRITE_WINDOW_MINUTES it answers 429 with
Retry-After, before the view runs. Every submission counts, refused ones too (a refusal can
be a probe). Other limits call `hit(bucket, key, limit=..., window=...)` themselves.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar

from flask import current_app, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from opc.auth.models import RateLimitHit
from opc.core.db import retrying, transaction, utcnow
from opc.core.errors import RateLimited
from opc.core.security import SAFE_METHODS, client_address

F = TypeVar("F", bound=Callable[..., Any])


def serialize(session: Session, key: str) -> None:
    """Make the writers of one key (a client address) take turns until the transaction ends,
    so that two of them cannot both read a count below a limit and both pass: a PostgreSQL
    advisory lock of the key; SQLite's BEGIN IMMEDIATE already lets one writer in at a time.
    Returns once the turn is taken: read the clock after it, not before."""
    connection = session.connection()  # begins the transaction: SQLite's lock is taken here
    if connection.dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})


def wait_message(seconds: int) -> str:
    """'Try again in …' for a wait of `seconds`, in seconds or (over two minutes) minutes."""
    if seconds < 120:
        return _("Please try again in %(n)d seconds.", n=seconds)
    return _("Please try again in %(n)d minutes.", n=math.ceil(seconds / 60))


@retrying
def hit(bucket: str, key: str, *, limit: int, window: timedelta) -> None:
    """Count one use of `bucket` by `key`; RateLimited (429) when `limit` uses within
    `window` were counted already. Refused uses are not counted: waiting frees a place."""
    key = key[:64]
    with transaction() as session:
        serialize(session, f"rate:{bucket}:{key}")
        now = utcnow()
        used, oldest = session.execute(
            select(func.count(), func.min(RateLimitHit.at)).where(
                RateLimitHit.bucket == bucket,
                RateLimitHit.key == key,
                RateLimitHit.at > now - window,
            )
        ).one()
        if used >= limit:
            retry_after = math.ceil((oldest + window - now).total_seconds())
            raise RateLimited(
                "rate_limited",
                _("Too many submissions from your address.") + " " + wait_message(retry_after),
                retry_after=retry_after,
            )
        session.add(RateLimitHit(bucket=bucket, key=key, at=now))


def limit_anonymous_writes(bucket: str) -> Callable[[F], F]:
    """A view's unsafe requests from visitors who are not logged in count against their
    address (see the module's doc); safe requests and logged-in users are not limited."""

    def decorate(view: F) -> F:
        @wraps(view)
        def limited(*args: Any, **kwargs: Any) -> Any:
            if request.method not in SAFE_METHODS and not current_user.is_authenticated:
                config = current_app.config
                hit(
                    bucket,
                    client_address(),
                    limit=config["ANONYMOUS_WRITE_LIMIT"],
                    window=timedelta(minutes=config["ANONYMOUS_WRITE_WINDOW_MINUTES"]),
                )
            return view(*args, **kwargs)

        return limited  # type: ignore[return-value]

    return decorate


def prune(now: Any) -> int:
    """Delete the counted uses that no limit looks at any more (older than the anonymous
    write window, and at least a day old); how many."""
    minutes = max(current_app.config["ANONYMOUS_WRITE_WINDOW_MINUTES"], 24 * 60)
    with transaction() as session:
        deleted = session.execute(
            delete(RateLimitHit).where(RateLimitHit.at < now - timedelta(minutes=minutes))
        ).rowcount
    return int(deleted or 0)

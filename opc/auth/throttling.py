"""Password guessing is slowed down, and nobody is locked out (OWASP authentication guidance).

Every password check (a login, the "current password" on the account page) is an attempt of
an account from a client address, counted in `login_attempts` (shared by all workers) before
the password is checked, so that parallel guesses cannot slip past the count.

* Per account and address pair: after LOGIN_FREE_FAILURES failures (since the pair's last
  success, within LOGIN_WINDOW_HOURS) the pair waits LOGIN_DELAY_BASE_S after its last
  failure, twice as long after the next failure, and so on up to LOGIN_DELAY_MAX_S.
* Per address, over every account: the same after LOGIN_FREE_FAILURES_PER_ADDRESS failures,
  so an address trying many accounts is slowed down (and only that address). An account
  that logged in from that address within the window is not held back by it: the people
  who regularly log in behind a shared address (an office's NAT) do not wait for a prober
  among them, who has no success on the accounts it tries.

A waiting attempt is refused with 429 and Retry-After before any password is checked, and is
not counted. Failures from other addresses never hold an account back: its owner, from their
own address, is only ever slowed by their own failures.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opc.auth.models import LoginAttempt
from opc.auth.ratelimit import serialize, wait_message
from opc.core.db import retrying, transaction, utcnow
from opc.core.errors import RateLimited


def delay(failures: int, free: int) -> float:
    """Seconds to wait after the last of `failures`: none up to `free`, then growing twice as
    long with each further failure, capped."""
    if failures < free:
        return 0.0
    config = current_app.config
    doublings = min(failures - free, 40)  # 2**40 s is past any cap
    return float(min(config["LOGIN_DELAY_BASE_S"] * 2**doublings, config["LOGIN_DELAY_MAX_S"]))


def _failures(session: Session, *where: Any) -> tuple[int, datetime | None]:
    """How many failed attempts match, and when the last of them was."""
    count, last = session.execute(
        select(func.count(), func.max(LoginAttempt.at)).where(
            LoginAttempt.succeeded.is_(False), *where
        )
    ).one()
    return int(count), last


def wait_for(session: Session, email: str, address: str, now: datetime) -> int:
    """Whole seconds this account and address must still wait before an attempt; 0: none."""
    config = current_app.config
    since = now - timedelta(hours=config["LOGIN_WINDOW_HOURS"])
    pair = (LoginAttempt.email == email, LoginAttempt.address == address)
    last_success = session.scalar(  # attempts are counted in the order they were made
        select(func.max(LoginAttempt.id)).where(
            *pair, LoginAttempt.succeeded.is_(True), LoginAttempt.at >= since
        )
    )
    pair_count, pair_last = _failures(
        session, *pair, LoginAttempt.at >= since, LoginAttempt.id > (last_success or 0)
    )
    counts = [(pair_count, pair_last, config["LOGIN_FREE_FAILURES"])]
    if last_success is None:  # a known account of this address skips the address's count
        address_count, address_last = _failures(
            session, LoginAttempt.address == address, LoginAttempt.at >= since
        )
        counts.append((address_count, address_last, config["LOGIN_FREE_FAILURES_PER_ADDRESS"]))
    waits = [0.0]
    for count, last, free in counts:
        if last is not None and count >= free:
            waits.append((last - now).total_seconds() + delay(count, free))
    return max(0, math.ceil(max(waits)))


@retrying
def begin_attempt(email: str, address: str) -> int:
    """Count a password check of `email` from `address` as a failure until it succeeds
    (`succeeded`); its id. RateLimited (429) while the pair or the address must wait."""
    email, address = email[:254], address[:64]
    with transaction() as session:
        serialize(session, f"login:{address}")  # the pair's and the address's counts
        now = utcnow()
        seconds = wait_for(session, email, address, now)
        if seconds:
            raise RateLimited(
                "login_throttled",
                _("Too many failed logins.") + " " + wait_message(seconds),
                retry_after=seconds,
            )
        attempt = LoginAttempt(email=email, address=address, succeeded=False, at=now)
        session.add(attempt)
        session.flush()
        return attempt.id


@retrying
def succeeded(attempt_id: int) -> None:
    """Mark an attempt a success (the pair's failures before it count no more); joins the
    caller's transaction, which does what the success is for."""
    with transaction() as session:
        attempt = session.get(LoginAttempt, attempt_id)
        if attempt is not None:
            attempt.succeeded = True


def forgive(email: str, address: str) -> None:
    """Count a success of the account from `address` (its password was just set through a
    reset link, which proves the mailbox): the pair's earlier failures count no more.
    Joins the caller's transaction."""
    with transaction() as session:
        session.add(
            LoginAttempt(email=email[:254], address=address[:64], succeeded=True, at=utcnow())
        )

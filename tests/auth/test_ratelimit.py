"""The database-backed rate limit that public forms share (opc.auth.ratelimit)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from opc.auth import ratelimit
from opc.auth.models import RateLimitHit
from opc.core.errors import RateLimited
from opc.extensions import db
from tests.auth.helpers import count

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def test_uses_are_counted_per_bucket_and_key_in_a_sliding_window(ctx, time_machine):
    time_machine.move_to(START, tick=False)
    for minutes in (0, 20):
        time_machine.move_to(START + timedelta(minutes=minutes), tick=False)
        ratelimit.hit("apply", "198.51.100.1", limit=2, window=HOUR)

    with pytest.raises(RateLimited) as refused:
        ratelimit.hit("apply", "198.51.100.1", limit=2, window=HOUR)

    assert refused.value.status == 429 and refused.value.code == "rate_limited"
    assert refused.value.retry_after == 40 * 60  # the first use leaves the window then
    ratelimit.hit("apply", "198.51.100.2", limit=2, window=HOUR)  # another address
    ratelimit.hit("register", "198.51.100.1", limit=2, window=HOUR)  # another form
    time_machine.move_to(START + HOUR + timedelta(seconds=1), tick=False)
    ratelimit.hit("apply", "198.51.100.1", limit=2, window=HOUR)
    assert db.session.query(RateLimitHit).count() == 5  # refused uses are not counted


def test_old_uses_are_pruned_by_the_daily_housekeeping(app, ctx, time_machine):
    time_machine.move_to(START, tick=False)
    ratelimit.hit("apply", "198.51.100.1", limit=5, window=HOUR)
    time_machine.move_to(START + timedelta(hours=23), tick=False)
    ratelimit.hit("apply", "198.51.100.1", limit=5, window=HOUR)

    deleted = ratelimit.prune(START + timedelta(days=1, hours=1))

    assert deleted == 1
    assert count(app, RateLimitHit) == 1


@pytest.mark.slow
def test_concurrent_uses_cannot_slip_past_the_limit(app):
    """Eight requests at once from one address with room for three: three pass."""
    passed, refused, errors = [], [], []
    start = threading.Barrier(8)

    def use() -> None:
        with app.app_context():
            try:
                start.wait(timeout=10)
                ratelimit.hit("apply", "203.0.113.9", limit=3, window=HOUR)
                passed.append(1)
            except RateLimited:
                refused.append(1)
            except Exception as exc:
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=use) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert (len(passed), len(refused)) == (3, 5)
    assert count(app, RateLimitHit) == 3

"""Two schedulers delivering at the same moment, each with its own database connection
(threads of one process, and two processes): every delivery is posted exactly once.
PostgreSQL: the second skips the rows the first holds (FOR UPDATE SKIP LOCKED); SQLite: it
waits for the first's write to end."""

from __future__ import annotations

import multiprocessing
import threading
from collections import Counter
from typing import Any

import pytest

from opc.webhooks.models import DeliveryStatus
from tests.webhooks.helpers import deliver, deliveries, event, hook


@pytest.mark.slow
def test_two_schedulers_post_each_delivery_once(app, make, receiver):
    park, admin = make.park(), make.user("admin")
    hook(app, park, admin, receiver.url("generic"))
    hook(app, park, admin, receiver.url("feishu"), preset="feishu")
    for n in range(4):
        event(app, n, park_id=park.id)
    receiver.delay_s = 0.2
    start = threading.Barrier(2)
    tallies = []

    def scheduler() -> None:
        start.wait()
        tallies.append(deliver(app, limit=4))

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(t.delivered for t in tallies) == [4, 4]  # neither took what the other held
    posted = Counter(
        (r.path.split("?")[0], r.json().get("id") or r.json()["content"]["text"])
        for r in receiver.received
    )
    assert len(receiver.received) == 8 and set(posted.values()) == {1}
    assert all(r.verdict == "ok" for r in receiver.received)
    assert {d.status for d in deliveries(app)} == {DeliveryStatus.DELIVERED}
    assert all(d.attempts == 1 for d in deliveries(app))


def _scheduler_process(database_url: str, start: Any, results: Any) -> None:
    """A scheduler of its own: its own interpreter, app and connections."""
    from opc.webhooks.delivery import deliver_due
    from tests.conftest import make_app

    app = make_app(database_url, WEBHOOK_ALLOW_PRIVATE=True, WEBHOOK_TIMEOUT_S=5.0)
    with app.app_context():
        start.wait(timeout=60)
        results.put(deliver_due(limit=3).delivered)


@pytest.mark.slow
def test_two_scheduler_processes_post_each_delivery_once(app, make, receiver, database_url):
    park, admin = make.park(), make.user("admin")
    hook(app, park, admin, receiver.url("generic"))
    for n in range(6):
        event(app, n, park_id=park.id)
    receiver.delay_s = 0.2
    spawn = multiprocessing.get_context("spawn")
    start, results = spawn.Barrier(2), spawn.Queue()
    workers = [
        spawn.Process(target=_scheduler_process, args=(database_url, start, results))
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert [w.exitcode for w in workers] == [0, 0]
    assert sorted(results.get(timeout=5) for _ in workers) == [3, 3]
    ids = Counter(r.json()["id"] for r in receiver.received)
    assert len(ids) == 6 and set(ids.values()) == {1}
    assert {d.status for d in deliveries(app)} == {DeliveryStatus.DELIVERED}

"""Two schedulers delivering at the same moment, each with its own database connection:
every delivery is posted exactly once. PostgreSQL: the second skips the rows the first
holds (FOR UPDATE SKIP LOCKED); SQLite: it waits for the first's write to end."""

from __future__ import annotations

import threading
from collections import Counter

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

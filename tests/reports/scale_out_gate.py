"""For the scale-out test's scheduler processes (JOB_MODULES names this module, so opc.jobs
imports it last, once every domain's jobs are declared):

* a quick schedule for `webhooks.deliver`: every two seconds instead of every minute (the
  same job and the same claim per period, the period being the two-second slot), so that
  the delivery of the report's event is posted within seconds, not at the next minute;
* a gate: the process says it is waiting (a file `waiting-<pid>` in OPC_TEST_GATE) and
  waits until the test opens the gate (a file `open` there). The scheduler then starts and
  fires the monthly job on start, at the moment the test's clicks begin, however long
  each process took to boot on a loaded machine.
"""

from __future__ import annotations

import dataclasses
import os
import time
from datetime import datetime
from pathlib import Path

from opc.jobs import registry
from opc.webhooks.tasks import JOB as DELIVER
from opc.webhooks.tasks import deliver_webhooks

GATE_WAIT_S = 120.0


def two_seconds(now: datetime) -> str:
    """The two-second slot of `now`: 2026-03-01T10:00:04."""
    return now.replace(second=now.second - now.second % 2, microsecond=0).isoformat()[:19]


def deliver_by_the_minute(slot: str) -> None:
    """The job as declared, given the minute of the slot (it keeps its runs by minutes)."""
    deliver_webhooks(slot[:16])


found = registry.get(DELIVER)
if found is not None:
    quick = {"cron": {"second": "*/2"}, "period": two_seconds, "func": deliver_by_the_minute}
    registry.register(dataclasses.replace(found, **quick))


def _wait() -> None:
    folder = os.environ.get("OPC_TEST_GATE")
    if not folder:
        return
    gate = Path(folder)
    (gate / f"waiting-{os.getpid()}").touch()
    deadline = time.monotonic() + GATE_WAIT_S
    while not (gate / "open").exists():
        if time.monotonic() > deadline:
            raise SystemExit("the scale-out test never opened the gate")
        time.sleep(0.02)


_wait()

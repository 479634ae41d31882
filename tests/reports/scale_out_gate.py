"""A gate for the scale-out test's scheduler processes (JOB_MODULES names it, so it is
imported last by opc.jobs, once every domain's jobs are declared): it says it is waiting
(a file `waiting-<pid>` in OPC_TEST_GATE) and waits until the test opens the gate (a file
`open` there). The schedulers then start and fire the monthly job on start, at the moment
the test's clicks begin, however long each process took to boot on a loaded machine."""

from __future__ import annotations

import os
import time
from pathlib import Path

GATE_WAIT_S = 120.0


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

"""A job that writes, then sleeps OPC_TEST_JOB_SLEEP seconds (to be killed midway)."""

from __future__ import annotations

import os
import time
from datetime import timedelta

from opc.extensions import db
from opc.jobs.registry import job
from opc.jobs.runner import holder_name
from tests.jobs.helpers import mark


@job(
    "test.crash",
    cron={"hour": 0, "minute": 0},
    period=lambda _now: "once",
    lease=timedelta(seconds=3),
)
def slow(period: str) -> None:
    mark(period, "crash.test", holder_name())
    db.session.flush()  # the row is written (uncommitted) before the process is killed
    time.sleep(float(os.environ.get("OPC_TEST_JOB_SLEEP", "0")))

"""The scheduler process for real: `flask --app opc scheduler` processes on the run's test
database. Two of them run each due run exactly once, and catch up on start; a run killed
midway leaves nothing behind and is taken over by another process after its lease."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from opc.auth.models import LoginAttempt
from opc.jobs.models import JobRun
from tests.conftest import ROOT, TEST_SECRET
from tests.core.helpers import rows

pytestmark = pytest.mark.slow

HOUSEKEEPING = {"auth.prune-login-records", "teams.prune-invitations"}


class Scheduler:
    """One `flask --app opc scheduler` process, its output in a file."""

    def __init__(
        self, database_url: str, workdir: Path, name: str, modules: list[str], **env: str
    ) -> None:
        config = workdir / f"{name}.toml"
        config.write_text(f"JOB_MODULES = {modules!r}\n".replace("'", '"'), encoding="utf-8")
        self.log = workdir / f"{name}.log"
        environment = (
            os.environ
            | {
                "OPC_DATABASE_URL": database_url,
                "OPC_SECRET_KEY": TEST_SECRET,
                "OPC_CONFIG": str(config),
                "PYTHONUNBUFFERED": "1",
            }
            | env
        )
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "opc", "scheduler"],
                cwd=ROOT,
                env=environment,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.holder = f"{os.uname().nodename}:{self.process.pid}"

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> int:
        """SIGTERM: stop as Ctrl+C does, letting a run in progress finish."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(30)

    def kill(self) -> None:
        self.process.kill()  # SIGKILL: no chance to clean up
        self.process.wait(30)


@pytest.fixture
def scheduler(database_url, tmp_path, app) -> Iterator[Callable[..., Scheduler]]:
    started: list[Scheduler] = []

    def start(name: str, modules: list[str], **env: str) -> Scheduler:
        started.append(Scheduler(database_url, tmp_path, name, modules, **env))
        return started[-1]

    yield start
    for process in started:
        if process.process.poll() is None:
            process.kill()


def wait_for(condition: Callable[[], Any], timeout: float, what: str, *logs: Scheduler) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.2)
    output = "\n".join(f"--- {s.log.name}\n{s.output()}" for s in logs)
    pytest.fail(f"timed out waiting for {what}\n{output}")


def runs(app, job: str) -> list[JobRun]:
    return rows(app, JobRun, JobRun.job == job, order_by=JobRun.period)


def marks(app, domain: str) -> list[LoginAttempt]:
    return rows(app, LoginAttempt, LoginAttempt.email.like(f"%@{domain}"))


def test_two_schedulers_run_each_due_run_once(app, scheduler):
    a = scheduler("a", ["tests.jobs.fast_tasks"])
    b = scheduler("b", ["tests.jobs.fast_tasks"])
    # test.tick fires every two seconds in both; its period is the two-second slot.
    wait_for(lambda: len(runs(app, "test.tick")) >= 4, 40, "four ticks", a, b)
    assert (a.stop(), b.stop()) == (0, 0), a.output() + b.output()
    ticks = runs(app, "test.tick")
    written = [m.email.split("@")[0] for m in marks(app, "tick.test")]
    assert sorted(written) == [r.period for r in ticks]  # once each: no period twice
    assert {(r.state, r.attempts) for r in ticks} == {("succeeded", 1)}
    assert {r.claimed_by for r in ticks} <= {a.holder, b.holder}
    # On start each scheduler caught up on the housekeeping of the day: one of them ran it.
    housekeeping = [r for r in rows(app, JobRun) if r.job in HOUSEKEEPING]
    assert sorted(r.job for r in housekeeping) == sorted(HOUSEKEEPING)
    assert {(r.state, r.attempts) for r in housekeeping} == {("succeeded", 1)}
    for process in (a, b):
        assert f"scheduler {process.holder} started" in process.output()
        assert f"scheduler {process.holder} stopped" in process.output()


def test_a_run_killed_midway_is_retried_after_its_lease_and_leaves_nothing_half_done(
    app, scheduler
):
    a = scheduler("a", ["tests.jobs.crash_tasks"], OPC_TEST_JOB_SLEEP="120")
    killed = wait_for(
        lambda: [r for r in runs(app, "test.crash") if r.state == "running"],
        30,
        "test.crash to run",
        a,
    )[0]
    time.sleep(0.5)  # well inside the job: its row is written, not committed
    a.kill()
    assert (killed.claimed_by, killed.attempts) == (a.holder, 1)
    assert marks(app, "crash.test") == []  # the killed run's write was rolled back
    [still] = runs(app, "test.crash")
    assert still.state == "running" and still.finished_at is None

    b = scheduler("b", ["tests.jobs.crash_tasks"])
    done = wait_for(
        lambda: [r for r in runs(app, "test.crash") if r.state == "succeeded"],
        30,
        "the run to be taken over",
        b,
    )[0]
    assert b.stop() == 0
    assert (done.claimed_by, done.attempts) == (b.holder, 2)
    assert done.started_at >= killed.lease_until  # not before the lease had passed
    assert [m.address for m in marks(app, "crash.test")] == [b.holder]

"""`flask --app opc scheduler` (the scheduler process) and `flask --app opc jobs list|run`."""

from __future__ import annotations

import logging
import signal
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from opc.jobs import registry, scheduler
from opc.jobs.runner import Outcome, current_period, holder_name, run_due

jobs = AppGroup("jobs", help="The scheduled jobs: list them, run one now.")


def _stop(_signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt  # SIGTERM stops the scheduler as Ctrl+C does


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the scheduled jobs in this process, in the foreground (Ctrl+C or SIGTERM stops).

    Run it as a process of its own, beside the web workers; several on one database run
    each job's period once.
    """
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    holder = holder_name()
    running = scheduler.build(current_app._get_current_object(), holder)  # type: ignore[attr-defined]
    names = ", ".join(job.name for job in registry.all_jobs()) or "none"
    click.echo(f"scheduler {holder} started; jobs: {names}")
    signal.signal(signal.SIGTERM, _stop)
    try:
        running.start()
    except KeyboardInterrupt:
        pass
    finally:
        if running.running:
            running.shutdown(wait=True)  # a run in progress finishes (or rolls back) first
    click.echo(f"scheduler {holder} stopped")


@jobs.command("list")
def list_jobs() -> None:
    """The declared jobs, their schedules and the period due now."""
    for job in registry.all_jobs():
        cron = " ".join(f"{k}={v}" for k, v in job.cron.items())
        click.echo(f"{job.name}\t{cron}\tdue: {current_period(job)}")


@jobs.command("run")
@click.argument("name")
@click.option("--period", help="The period to run (default: the one due now).")
def run(name: str, period: str | None) -> None:
    """Run a job's period now, in this process, unless it ran already or is held."""
    job = registry.get(name)
    if job is None:
        known = ", ".join(j.name for j in registry.all_jobs())
        raise click.ClickException(f"no job named {name} (known: {known})")
    period = period or current_period(job)
    outcome = run_due(job, holder=holder_name(), period=period)
    messages = {
        Outcome.SUCCEEDED: "succeeded",
        Outcome.DONE: "succeeded already; not run again",
        Outcome.FAILED: "failed (the error is on the jobs page)",
        Outcome.HELD: "held by another process; not run",
        Outcome.EXHAUSTED: "failed too often; not run again",
    }
    click.echo(f"{name} {period}: {messages[outcome]}")
    if outcome in (Outcome.FAILED, Outcome.HELD, Outcome.EXHAUSTED):
        raise SystemExit(1)


def init_app(app: Flask) -> None:
    app.cli.add_command(scheduler_command)
    app.cli.add_command(jobs)

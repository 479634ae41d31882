"""`flask --app opc jobs list|run`: one run now, through the same claim as the scheduler."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from opc.jobs.models import JobRun
from tests.core.helpers import rows
from tests.jobs.helpers import declared


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=list(args))


def test_jobs_list_names_the_jobs_and_the_period_due(cli, time_machine):
    time_machine.move_to(datetime(2026, 3, 1, 17, 0, tzinfo=UTC), tick=False)
    result = cli("jobs", "list")
    assert result.exit_code == 0, result.output
    assert "auth.prune-login-records\thour=3 minute=20\tdue: 2026-03-02" in result.output
    assert "teams.prune-invitations" in result.output


def test_jobs_run_runs_the_period_due_once(app, cli, time_machine):
    time_machine.move_to(datetime(2026, 3, 1, 2, 0, tzinfo=UTC), tick=False)
    result = cli("jobs", "run", "teams.prune-invitations")
    assert result.exit_code == 0, result.output
    assert "teams.prune-invitations 2026-03-01: succeeded" in result.output
    again = cli("jobs", "run", "teams.prune-invitations")
    assert again.exit_code == 0
    assert "succeeded already; not run again" in again.output
    [run] = rows(app, JobRun)
    assert (run.period, run.state, run.attempts) == ("2026-03-01", "succeeded", 1)


def test_jobs_run_takes_a_period(app, cli):
    result = cli("jobs", "run", "auth.prune-login-records", "--period", "2025-12-31")
    assert result.exit_code == 0, result.output
    assert [r.period for r in rows(app, JobRun)] == ["2025-12-31"]


def test_a_failing_job_exits_non_zero(app, cli):
    def broken(period: str) -> None:
        raise RuntimeError("broken")

    with declared("test.broken", broken):
        result = cli("jobs", "run", "test.broken")
    assert result.exit_code == 1
    assert "failed" in result.output
    [run] = rows(app, JobRun)
    assert run.state == "failed" and "RuntimeError: broken" in run.error


def test_an_unknown_job_is_refused(app, cli):
    result = cli("jobs", "run", "no.such-job")
    assert result.exit_code != 0
    assert "no job named no.such-job" in result.output
    assert rows(app, JobRun) == []

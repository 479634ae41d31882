"""Each run of a job for a period is claimed in the database first: one claim wins, a run
that succeeded is never run again, a run whose lease has passed is taken over, and a run
that fails leaves none of its writes behind."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from opc.auth.models import LoginAttempt
from opc.extensions import db
from opc.jobs import registry
from opc.jobs.models import JobRun, RunState
from opc.jobs.runner import Claim, Outcome, claim, current_period, execute, run_due
from tests.core.helpers import count, rows
from tests.jobs.helpers import declared, mark

T0 = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(T0, tick=False)
    return time_machine


def marks(app, period: str = "2026-03-01") -> list[str]:
    """The holders that wrote the job's row for `period`."""
    return [a.address for a in rows(app, LoginAttempt, LoginAttempt.email == f"{period}@job")]


def the_run(app, name: str = "test.job") -> JobRun:
    [run] = rows(app, JobRun, JobRun.job == name)
    return run


def writer(period: str) -> None:
    mark(period, "job")


def test_the_first_claim_wins_and_a_second_is_refused_while_the_lease_holds(app, ctx, clock):
    with declared("test.job", writer) as job:
        first = claim(job, "2026-03-01", "host-a:1")
        assert isinstance(first, Claim) and first.attempt == 1
        assert claim(job, "2026-03-01", "host-b:2") == Outcome.HELD
        clock.move_to(T0 + job.lease - timedelta(seconds=1))
        assert claim(job, "2026-03-01", "host-b:2") == Outcome.HELD
        assert isinstance(claim(job, "2026-03-02", "host-b:2"), Claim)  # another period
    run = rows(app, JobRun, JobRun.period == "2026-03-01")[0]
    assert (run.state, run.attempts, run.claimed_by) == ("claimed", 1, "host-a:1")
    assert run.lease_until == T0 + timedelta(minutes=5)


def test_the_database_refuses_a_second_row_for_a_job_and_period(app, ctx):
    def add() -> None:
        db.session.add(
            JobRun(
                job="j",
                period="p",
                state="claimed",
                attempts=1,
                lease_until=T0,
                claimed_by="x",
                started_at=T0,
            )
        )
        db.session.commit()

    add()
    with pytest.raises(IntegrityError) as refused:
        add()
    assert "uq_job_runs_job_period" in str(refused.value) or "UNIQUE" in str(refused.value)
    db.session.rollback()


def test_a_run_whose_lease_passed_is_taken_over_and_the_old_claim_cannot_finish(app, ctx, clock):
    with declared("test.job", writer) as job:
        stale = claim(job, "2026-03-01", "host-a:1")
        clock.move_to(T0 + job.lease + timedelta(seconds=1))
        fresh = claim(job, "2026-03-01", "host-b:2")
        assert isinstance(fresh, Claim) and fresh.attempt == 2
        assert execute(job, stale) == Outcome.HELD  # its lease was taken over: it does nothing
        assert marks(app) == []
        assert execute(job, fresh) == Outcome.SUCCEEDED
    assert marks(app) == ["test"]
    run = the_run(app)
    assert (run.state, run.attempts, run.claimed_by) == ("succeeded", 2, "host-b:2")
    assert run.finished_at == T0 + timedelta(minutes=5, seconds=1)


def test_a_succeeded_run_is_not_run_again_even_after_its_lease(app, ctx, clock):
    calls = []

    def counted(period: str) -> None:
        calls.append(period)
        writer(period)

    with declared("test.job", counted) as job:
        assert run_due(job, holder="a:1") == Outcome.SUCCEEDED
        assert run_due(job, holder="b:2") == Outcome.DONE
        clock.move_to(T0 + timedelta(hours=12))  # 22:00 in Shanghai: still 1 March
        assert run_due(job, holder="b:2") == Outcome.DONE
        assert claim(job, "2026-03-01", "b:2") == Outcome.DONE
        assert run_due(job, holder="b:2", takeover_only=True) == Outcome.DONE
    assert calls == ["2026-03-01"]
    assert marks(app) == ["test"]
    run = the_run(app)
    assert (run.state, run.attempts, run.error) == ("succeeded", 1, None)


def test_a_failed_run_leaves_nothing_written_and_is_retried_after_its_lease(app, ctx, clock):
    fail = [True]

    def flaky(period: str) -> None:
        writer(period)
        db.session.flush()
        if fail[0]:
            raise RuntimeError("the mail server is down")

    with declared("test.job", flaky) as job:
        assert run_due(job, holder="a:1") == Outcome.FAILED
        assert marks(app) == []
        run = the_run(app)
        assert (run.state, run.attempts) == ("failed", 1)
        assert "RuntimeError: the mail server is down" in run.error
        assert run_due(job, holder="a:1") == Outcome.HELD  # not before the lease passed
        fail[0] = False
        clock.move_to(T0 + job.lease + timedelta(seconds=1))
        assert run_due(job, holder="b:2", takeover_only=True) == Outcome.SUCCEEDED
    assert marks(app) == ["test"]
    run = the_run(app)
    assert (run.state, run.attempts, run.error, run.claimed_by) == ("succeeded", 2, None, "b:2")


def test_a_run_that_keeps_failing_stops_after_max_attempts(app, ctx, clock):
    def broken(period: str) -> None:
        raise ValueError("bug")

    with declared("test.job", broken, max_attempts=2) as job:
        assert run_due(job, holder="a:1") == Outcome.FAILED
        clock.move_to(T0 + job.lease + timedelta(seconds=1))
        assert run_due(job, holder="a:1") == Outcome.FAILED
        clock.move_to(T0 + 3 * job.lease)
        assert run_due(job, holder="a:1") == Outcome.EXHAUSTED
    assert (the_run(app).state, the_run(app).attempts) == ("failed", 2)


def test_the_sweep_takes_over_only_runs_that_were_claimed(app, ctx, clock):
    with declared("test.job", writer) as job:
        assert run_due(job, holder="a:1", takeover_only=True) == Outcome.NOT_DUE
    assert count(app, JobRun) == 0


def test_the_period_is_the_day_in_the_default_timezone(app, ctx):
    with declared("test.job", writer) as job:
        # 16:30 UTC is half past midnight the next day in Shanghai.
        assert current_period(job, datetime(2026, 3, 1, 15, 59, tzinfo=UTC)) == "2026-03-01"
        assert current_period(job, datetime(2026, 3, 1, 16, 30, tzinfo=UTC)) == "2026-03-02"


def test_the_housekeeping_jobs_are_declared_by_their_domains(app):
    names = [job.name for job in registry.all_jobs()]
    assert "auth.prune-login-records" in names
    assert "teams.prune-invitations" in names


@pytest.mark.slow
def test_of_many_concurrent_claims_exactly_one_wins(app):
    """Threads with connections of their own claim one period at the same moment."""
    outcomes: list[object] = []
    barrier = threading.Barrier(6)

    def contend(n: int) -> None:
        with app.app_context():
            barrier.wait()
            outcomes.append(claim(job, "2026-03-01", f"host:{n}"))
            db.session.remove()

    with declared("test.job", writer) as job:
        threads = [threading.Thread(target=contend, args=(n,)) for n in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    claims = [o for o in outcomes if isinstance(o, Claim)]
    assert len(outcomes) == 6 and len(claims) == 1, outcomes
    assert all(o == Outcome.HELD for o in outcomes if not isinstance(o, Claim))
    with app.app_context():
        assert db.session.scalar(select(JobRun.claimed_by)) == claims[0].holder
        db.session.remove()
    assert RunState.CLAIMED == "claimed"

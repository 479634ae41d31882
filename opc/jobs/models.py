"""Runs of scheduled jobs: one row per job and period, claimed before the job acts."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import gettext as _
from sqlalchemy import CheckConstraint, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from opc.core import constraints
from opc.core.db import UTCDateTime
from opc.extensions import db


class RunState(StrEnum):
    CLAIMED = "claimed"  # a scheduler holds the lease; the work has not begun
    RUNNING = "running"  # the work transaction is open (or its process died: see lease_until)
    SUCCEEDED = "succeeded"  # committed together with the job's own writes; never run again
    FAILED = "failed"  # the job raised; its writes were rolled back


STATE_VALUES = ", ".join(f"'{s.value}'" for s in RunState)


class JobRun(db.Model):
    """The run of one job for one period (a day, a month): the unique key makes it happen once.

    A scheduler inserts the row (or takes over a row whose lease has passed) in a short
    transaction of its own before it runs the job; `attempts` counts the claims, so that a
    process whose lease was taken over cannot finish someone else's attempt.
    """

    __tablename__ = "job_runs"
    __table_args__ = (
        UniqueConstraint("job", "period", name="uq_job_runs_job_period"),
        CheckConstraint(f"state IN ({STATE_VALUES})", name="state_known"),
        CheckConstraint("attempts >= 1", name="attempts_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(100))
    period: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    # Until then the claim is its holder's; after it, another scheduler may take the run over.
    lease_until: Mapped[datetime] = mapped_column(UTCDateTime())
    claimed_by: Mapped[str] = mapped_column(String(100))  # host:pid of the latest claim
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())  # of the latest attempt
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<JobRun {self.job} {self.period} {self.state} #{self.attempts}>"


# What the constraints above refuse, when a race gets past the checks (opc.core.constraints).
constraints.register(
    "uq_job_runs_job_period",
    "job_run_claimed",
    lambda: _("This run of the job is claimed already."),
)
constraints.register(
    "ck_job_runs_state_known",
    "unknown_state",
    lambda: _("The state is not one of the known states."),
)
constraints.register(
    "ck_job_runs_attempts_positive",
    "attempts_not_positive",
    lambda: _("A run has at least one attempt."),
)

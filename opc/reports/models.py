"""Report runs and their files.

A run is one production of a report (kind, park, period) under a version: version 1 is
the report of the period; staff may re-produce it as version 2, 3…, the earlier ones kept.
UNIQUE(park, kind, period, version) and a partial unique index (at most one run of a park,
kind and period is running) let only one producer win, whatever the number of web and
scheduler processes (opc.reports.operations).

Files are written to storage first and recorded here in the transaction that marks the run
done: a run is `done` only with all its files; a run that failed or died has none.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import gettext as _
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from opc.core import constraints
from opc.core.db import UTCDateTime
from opc.core.models import Audited, CreatedMixin
from opc.extensions import db


class RunStatus(StrEnum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ReportKind(StrEnum):
    MONTHLY_SUBSIDY = "monthly_subsidy"


class Source(StrEnum):
    SCHEDULER = "scheduler"
    MANUAL = "manual"


FORMATS = ("csv", "xlsx")
_STATUSES = ", ".join(f"'{s}'" for s in RunStatus)
_KINDS = ", ".join(f"'{k}'" for k in ReportKind)
RUNNING_ONLY = "status = 'running'"


class ReportRun(Audited, CreatedMixin, db.Model):
    """One production of a report; `attempts` counts the claims, so that a producer whose
    lease was taken over cannot finish someone else's attempt (as opc.jobs' runs)."""

    __tablename__ = "report_runs"
    __table_args__ = (
        UniqueConstraint(
            "park_id", "kind", "period", "version", name="uq_report_runs_park_id_kind_period"
        ),
        CheckConstraint(f"status IN ({_STATUSES})", name="status_known"),
        CheckConstraint(f"kind IN ({_KINDS})", name="kind_known"),
        CheckConstraint("source IN ('scheduler', 'manual')", name="source_known"),
        CheckConstraint("version >= 1 AND attempts >= 1", name="counts_positive"),
        # At most one run of a park's report for a period in progress.
        Index(
            "uq_report_runs_park_id_running",
            "park_id",
            "kind",
            "period",
            unique=True,
            sqlite_where=text(RUNNING_ONLY),
            postgresql_where=text(RUNNING_ONLY),
        ),
        Index("ix_report_runs_park_id_period", "park_id", "period"),
    )
    __audit_exclude__ = frozenset({"lease_until", "attempts", "started_at"})

    id: Mapped[int] = mapped_column(primary_key=True)
    park_id: Mapped[int] = mapped_column(ForeignKey("parks.id"))
    kind: Mapped[str] = mapped_column(String(32))
    period: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), default=RunStatus.RUNNING)
    error: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(12))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    # Until then the run is its producer's; after it, another may take a running run over.
    lease_until: Mapped[datetime] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    files: Mapped[list[ReportFile]] = relationship(
        order_by="ReportFile.format", back_populates="run"
    )

    def __repr__(self) -> str:
        return f"<ReportRun {self.kind} park={self.park_id} {self.period} v{self.version}>"


class ReportFile(db.Model):
    """A file of a done run, kept in storage (opc.core.storage) under `storage_key`.

    Not audited: it is written once with the run's `done`, which the audit log records."""

    __tablename__ = "report_files"
    __table_args__ = (
        UniqueConstraint("run_id", "format", name="uq_report_files_run_id_format"),
        CheckConstraint("format IN ('csv', 'xlsx')", name="format_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("report_runs.id", ondelete="CASCADE"))
    format: Mapped[str] = mapped_column(String(8))
    storage_key: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))

    run: Mapped[ReportRun] = relationship(back_populates="files")


# What the constraints refuse when a race gets past the checks (opc.core.constraints).
constraints.register(
    "uq_report_runs_park_id_kind_period",
    "report_version_taken",
    lambda: _("This version of the report exists already."),
)
constraints.register(
    "uq_report_runs_park_id_running",
    "report_running",
    lambda: _("The report of this period is being produced already."),
)
constraints.register(
    "ck_report_runs_status_known", "invalid_status", lambda: _("Unknown report status.")
)
constraints.register("ck_report_runs_kind_known", "invalid_kind", lambda: _("Unknown report kind."))
constraints.register(
    "ck_report_runs_source_known", "invalid_source", lambda: _("Unknown report source.")
)
constraints.register(
    "ck_report_runs_counts_positive",
    "invalid_version",
    lambda: _("A report's version and attempts are at least 1."),
)
constraints.register(
    "uq_report_files_run_id_format",
    "report_file_exists",
    lambda: _("The run has a file of this format already."),
)
constraints.register(
    "ck_report_files_format_known", "invalid_format", lambda: _("Unknown file format.")
)

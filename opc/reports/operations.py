"""Producing a report: exactly once per park, kind and period (and version).

1. Claim, in a transaction that locks the park's row (PostgreSQL: FOR UPDATE; SQLite: the
   write lock), so that producers of one park queue: the latest run of the period is
   returned as it is when it is done or running under a live lease; a failed run, or a
   running one whose producer died (its lease passed), is taken over (same version, one
   more attempt); otherwise a new run is inserted. UNIQUE(park, kind, period, version) and
   the partial unique index on running runs hold even if the lock were missed.
2. Produce the files outside any transaction (temporary files, then storage).
3. Finish: a transaction that checks the run is still this attempt's, records the files and
   marks the run done, last. A producer killed before it leaves the run running without
   files, taken over after LEASE; one that raised marks it failed with the error.

The scheduler's job (opc.reports.tasks) produces one park after the other, each in
transactions of its own beside the job's (PostgreSQL), so a park's row is held only while
its run is claimed; on SQLite (one writer) the three steps join the job's transaction.
"""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from opc.compute.usage_queries import has_ended, is_month
from opc.core.dates import local_today
from opc.core.db import lock, retrying, transaction, utcnow
from opc.core.errors import NotFound, ValidationFailed
from opc.core.permissions import require_actor
from opc.extensions import db
from opc.parks.models import Park
from opc.reports import files, monthly_subsidy
from opc.reports.models import ReportFile, ReportKind, ReportRun, RunStatus, Source
from opc.reports.notify import notify_ready
from opc.reports.permissions import can_produce_reports

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)
KINDS = tuple(k.value for k in ReportKind)


@dataclass(frozen=True)
class Claim:
    run_id: int
    attempt: int


def check_request(park: Park, kind: str, period: str) -> None:
    """A known kind and a month that is over in the park's time zone; 422 otherwise."""
    if kind not in KINDS:
        raise ValidationFailed({"kind": [_("Unknown report kind.")]})
    if not is_month(period):
        raise ValidationFailed({"period": [_("A month written YYYY-MM, from 2000 on.")]})
    if not has_ended(period, local_today(park.timezone)):
        raise ValidationFailed({"period": [_("The month is not over yet.")]})


def _latest(park_id: int, kind: str, period: str) -> ReportRun | None:
    stmt = (
        select(ReportRun)
        .where(ReportRun.park_id == park_id, ReportRun.kind == kind, ReportRun.period == period)
        .order_by(ReportRun.version.desc())
        .limit(1)
        .execution_options(populate_existing=True)
    )
    return db.session.scalar(stmt)


@retrying
def _claim(
    park_id: int, kind: str, period: str, actor: Any, new_version: bool
) -> tuple[ReportRun, bool, Claim | None]:
    with transaction(actor) as session:
        park = lock(Park, park_id)  # producers of one park queue here
        if park is None:
            raise NotFound("not_found", _("Not found."))
        require_actor(can_produce_reports, actor, park)
        check_request(park, kind, period)
        now = utcnow()
        latest = _latest(park_id, kind, period)
        live = latest is not None and latest.status == RunStatus.RUNNING
        if latest is not None and live and latest.lease_until > now:
            return latest, False, None  # someone is producing it: theirs
        if latest is not None and not new_version:
            if latest.status == RunStatus.DONE:
                return latest, False, None
            # Failed, or its producer died: take it over as one more attempt.
            latest.status = RunStatus.RUNNING
            latest.attempts += 1
            latest.lease_until = now + LEASE
            latest.started_at = now
            latest.finished_at = None
            latest.error = None
            session.flush()
            return latest, False, Claim(latest.id, latest.attempts)
        if latest is not None and live:  # a dead run gives way to the new version
            latest.status = RunStatus.FAILED
            latest.error = "abandoned: its producer stopped before it finished"
            latest.finished_at = now
            session.flush()
        run = ReportRun(
            park_id=park_id,
            kind=kind,
            period=period,
            version=latest.version + 1 if latest is not None else 1,
            status=RunStatus.RUNNING,
            source=Source.MANUAL if actor is not None else Source.SCHEDULER,
            created_by_id=getattr(actor, "id", None),
            attempts=1,
            lease_until=now + LEASE,
            started_at=now,
        )
        session.add(run)
        session.flush()
        return run, True, Claim(run.id, 1)


def _own(claim: Claim) -> ReportRun | None:
    """The run, locked, if it is still this attempt's."""
    stmt = (
        select(ReportRun)
        .where(
            ReportRun.id == claim.run_id,
            ReportRun.attempts == claim.attempt,
            ReportRun.status == RunStatus.RUNNING,
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return db.session.scalar(stmt)


def _finish(claim: Claim, stored: dict[str, files.StoredFile]) -> bool:
    with transaction() as session:
        run = _own(claim)
        if run is None:
            return False  # taken over meanwhile: the other attempt's files count
        for fmt, file in stored.items():
            session.add(
                ReportFile(
                    run_id=run.id,
                    format=fmt,
                    storage_key=file.key,
                    size=file.size,
                    sha256=file.sha256,
                )
            )
        run.status = RunStatus.DONE  # last: done only with all its files
        run.finished_at = utcnow()
        run.error = None
        notify_ready(session, run)  # once: only the attempt that owns the run gets here
    return True


def _fail(claim: Claim, error: str) -> None:
    with transaction():
        run = _own(claim)
        if run is not None:
            run.status = RunStatus.FAILED
            run.finished_at = utcnow()
            run.error = error[-4000:]


def title_of(run: ReportRun) -> str:
    return f"{run.period} v{run.version}"


def _produce(claim: Claim) -> None:
    run = db.session.get(ReportRun, claim.run_id)
    park = db.session.get(Park, run.park_id) if run is not None else None
    if run is None or park is None:
        return
    stored: dict[str, files.StoredFile] = {}
    try:
        stored = files.produce_files(monthly_subsidy.rows(park, run.period), title_of(run))
        if _finish(claim, stored):
            return
        files.discard(stored.values())
    except Exception:
        files.discard(stored.values())
        error = traceback.format_exc()
        log.error("report %s: attempt %d failed\n%s", claim.run_id, claim.attempt, error)
        _fail(claim, error)


def produce_report(
    *,
    park_id: int,
    kind: str = ReportKind.MONTHLY_SUBSIDY,
    period: str,
    actor: Any = None,
    new_version: bool = False,
) -> tuple[ReportRun, bool]:
    """The run of the park's report for `period`: the existing one (done, or being produced
    by another), or a new one produced now (`created`). `new_version` makes version N+1,
    the earlier ones kept. A failed or abandoned run is produced again (not created)."""
    run, created, claim = _claim(park_id, kind, period, actor, new_version)
    if claim is not None:
        _produce(claim)
    fresh = db.session.get(ReportRun, run.id, populate_existing=True)
    return fresh or run, created

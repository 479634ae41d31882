"""What each voucher paid per park-local day of its usage: the 30 days' burn a voucher's
forecast reads (opc.compute.queries.burned), from 30 rows a voucher instead of a team's
thousand records of the month and their draws.

Derived data like the monthly rollup (opc.compute.usage_months): not audited, kept by the
ingestion in the transaction that writes the draws, one upsert per voucher and day. The day
is the park-local day the record started, as the records' month is its park-local month.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, UniqueConstraint, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from opc.compute.usage_months import upsert_sums
from opc.core import constraints
from opc.extensions import db


class VoucherDay(db.Model):
    """The subsidy one voucher paid for the usage records that started on one day."""

    __tablename__ = "voucher_days"
    __table_args__ = (
        UniqueConstraint("voucher_id", "day", name="uq_voucher_days_voucher_id_day"),
        CheckConstraint("subsidy_fen > 0", name="subsidy_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    voucher_id: Mapped[int] = mapped_column(ForeignKey("vouchers.id"))
    day: Mapped[date] = mapped_column(Date)  # park-local, of the records' start
    subsidy_fen: Mapped[int] = mapped_column(BigInteger)


def add_to_voucher_days(session: Session, draws: Iterable[tuple[int, date, int]]) -> None:
    """Add draws, each given as (voucher, day, subsidy), in the session's transaction: one
    upsert per voucher and day."""
    found: dict[tuple[int, date], list[int]] = {}
    for voucher_id, day, fen in draws:
        found.setdefault((voucher_id, day), [0])[0] += fen
    if found:
        upsert_sums(session, VoucherDay, ("voucher_id", "day"), found, ("subsidy_fen",))


# Every draw with its record's start and its park's zone (the day is local: SQLite has no
# time zones, so it is worked out here).
_DRAWS = (
    "SELECT d.voucher_id, r.started_at, p.timezone, d.subsidy_fen FROM usage_draws d"
    " JOIN usage_records r ON r.id = d.record_id JOIN parks p ON p.id = r.park_id"
)


def local_day(started_at: Any, zone: str) -> date:
    """The park-local day of a stored start (a datetime, or SQLite's UTC text)."""
    if isinstance(started_at, str):
        started_at = datetime.fromisoformat(started_at).replace(tzinfo=UTC)
    return started_at.astimezone(ZoneInfo(zone)).date()


def rebuild_voucher_days(session: Session) -> None:
    """The table made again from the draws, in the session's transaction (draws written
    around the ingestion: a benchmark's seed, a repair)."""
    session.execute(text("DELETE FROM voucher_days"))
    rows = session.execute(text(_DRAWS))
    add_to_voucher_days(
        session, ((v, local_day(start, zone), fen) for v, start, zone, fen in rows.tuples())
    )


constraints.register(
    "uq_voucher_days_voucher_id_day",
    "voucher_day_exists",
    lambda: _("The voucher's draws of this day are summed already."),
)
constraints.register(
    "ck_voucher_days_subsidy_positive",
    "invalid_draw",
    lambda: _("A draw must be greater than zero."),
)

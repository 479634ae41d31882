"""The monthly rollup of usage: per park, park-local month, team, provider and GPU type, the
records' count and sums (`UsageMonth`), and the same per park, month and team only
(`UsageTeamMonth`, a twelfth of the rows: what a chart of a park's months sums). The
explorer's totals and chart, the monthly report and GET /usage's total read them: a few rows
per team and month, where the records are 80,000 a month.

They are derived data, not audited (the usage batch is): `add_to_months` adds a batch's sums
in the transaction that stores its records, under the teams' locks the ingestion holds, one
upsert per key and table; nothing else changes a record's key or sums (a settlement only
marks the records settled). `rebuild_months` makes them again from the records (migration
0014 keeps its own copy of that SQL); the subsidy is the records' `subsidy_fen`, the sum
of their draws.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from opc.core import constraints
from opc.extensions import db

KEY = ("park_id", "month", "team_id", "provider_id", "gpu_type")
TEAM_KEY = KEY[:3]
SUMS = ("records", "gpu_hours_hundredths", "cost_fen", "subsidy_fen")


class UsageMonth(db.Model):
    """The sums of the usage records of one key (park, month, team, provider, GPU type)."""

    __tablename__ = "usage_months"
    __table_args__ = (
        UniqueConstraint(*KEY, name="uq_usage_months_key"),
        CheckConstraint(
            "records > 0 AND cost_fen >= 0 AND subsidy_fen >= 0 AND subsidy_fen <= cost_fen",
            name="sums_valid",
        ),
        Index("ix_usage_months_team_id_month", "team_id", "month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    park_id: Mapped[int] = mapped_column(ForeignKey("parks.id"))
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM, park-local, as UsageRecord.month
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"))
    gpu_type: Mapped[str] = mapped_column(String(40))
    records: Mapped[int] = mapped_column(BigInteger)
    gpu_hours_hundredths: Mapped[int] = mapped_column(BigInteger)
    cost_fen: Mapped[int] = mapped_column(BigInteger)
    subsidy_fen: Mapped[int] = mapped_column(BigInteger)


class UsageTeamMonth(db.Model):
    """The sums of the usage records of one park, month and team (every provider and GPU
    type): UsageMonth's rows of the key summed."""

    __tablename__ = "usage_team_months"
    __table_args__ = (
        UniqueConstraint(*TEAM_KEY, name="uq_usage_team_months_key"),
        CheckConstraint(
            "records > 0 AND cost_fen >= 0 AND subsidy_fen >= 0 AND subsidy_fen <= cost_fen",
            name="sums_valid",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    park_id: Mapped[int] = mapped_column(ForeignKey("parks.id"))
    month: Mapped[str] = mapped_column(String(7))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    records: Mapped[int] = mapped_column(BigInteger)
    gpu_hours_hundredths: Mapped[int] = mapped_column(BigInteger)
    cost_fen: Mapped[int] = mapped_column(BigInteger)
    subsidy_fen: Mapped[int] = mapped_column(BigInteger)


Key = tuple[int, str, int, int, str]  # KEY's values


def add_to_months(session: Session, rows: Iterable[tuple[Key, int, int, int]]) -> None:
    """Add records, each given as (key, GPU-hours, cost, subsidy), to the rollup in the
    session's transaction: summed per key here, then one upsert per key of each table, in
    key order."""
    found: dict[Key, list[int]] = {}
    for key, hours, cost, subsidy in rows:
        sums = found.get(key)
        if sums is None:
            found[key] = [1, hours, cost, subsidy]
        else:
            sums[0] += 1
            sums[1] += hours
            sums[2] += cost
            sums[3] += subsidy
    add_sums(session, found)


def add_sums(session: Session, found: dict[Key, list[int]]) -> None:
    """Add sums already made per key ([records, GPU-hours, cost, subsidy]) to the rollup:
    one upsert per key of each table, in key order."""
    if not found:
        return
    by_team: dict[tuple[Any, ...], list[int]] = {}
    for key, sums in found.items():
        into = by_team.setdefault(key[:3], [0, 0, 0, 0])
        for n, value in enumerate(sums):
            into[n] += value
    upsert_sums(session, UsageMonth, KEY, found)
    upsert_sums(session, UsageTeamMonth, TEAM_KEY, by_team)


def upsert_sums(
    session: Session,
    model: Any,
    key: tuple[str, ...],
    found: dict[Any, list[int]],
    sums: tuple[str, ...] = SUMS,
) -> None:
    """INSERT … ON CONFLICT (key) DO UPDATE, one row per key: each key's `sums` columns
    added to what is stored (a rollup's upkeep, on SQLite and PostgreSQL alike)."""
    table = model.__table__
    dialect = session.connection().dialect.name
    stmt = (pg_insert if dialect == "postgresql" else sqlite_insert)(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=list(key),
        set_={name: table.c[name] + stmt.excluded[name] for name in sums},
    )
    values = [
        dict(zip(key, k, strict=True)) | dict(zip(sums, values, strict=True))
        for k, values in sorted(found.items())
    ]
    session.execute(stmt, values)


_SUMS_SQL = "count(*), sum(gpu_hours_hundredths), sum(cost_fen), sum(subsidy_fen)"
REBUILD = (
    "INSERT INTO usage_months (park_id, month, team_id, provider_id, gpu_type, records,"
    " gpu_hours_hundredths, cost_fen, subsidy_fen)"
    f" SELECT park_id, month, team_id, provider_id, gpu_type, {_SUMS_SQL} FROM usage_records"
    " GROUP BY park_id, month, team_id, provider_id, gpu_type",
    "INSERT INTO usage_team_months (park_id, month, team_id, records, gpu_hours_hundredths,"
    f" cost_fen, subsidy_fen) SELECT park_id, month, team_id, {_SUMS_SQL} FROM usage_records"
    " GROUP BY park_id, month, team_id",
)


def rebuild_months(session: Session) -> None:
    """The rollup made again from the records, in the session's transaction (records
    written around the ingestion: a benchmark's seed, a repair)."""
    session.execute(text("DELETE FROM usage_months"))
    session.execute(text("DELETE FROM usage_team_months"))
    for sql in REBUILD:
        session.execute(text(sql))


def month_key(values: Any) -> Key:
    """The rollup's key of a record (anything with UsageRecord's columns)."""
    return (values.park_id, values.month, values.team_id, values.provider_id, values.gpu_type)


for _table in ("usage_months", "usage_team_months"):
    constraints.register(
        f"uq_{_table}_key",
        "usage_month_exists",
        lambda: _("This month's usage of the team is summed already."),
    )
    constraints.register(
        f"ck_{_table}_sums_valid",
        "invalid_usage",
        lambda: _("The subsidy must not exceed the cost."),
    )

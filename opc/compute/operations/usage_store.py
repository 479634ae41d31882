"""Writing a checked batch of usage: draw it down, then store it in bulk in the running
transaction (opc.compute.operations.usage checks it and holds the teams' locks).

The records and their draws are many (50,000 a batch) and not audited one by one: they are
written with COPY on PostgreSQL and one executemany on SQLite; the draws then name the ids
their records were given. The batch itself is audited (through the ORM), and so are the
vouchers, whose used amounts the audit log leaves out (`__audit_exclude__`). The monthly
rollup (opc.compute.usage_months) gets the batch's sums, and each voucher's day
(opc.compute.voucher_days) its draws, one upsert per key: derived data, kept exact here,
under the teams' locks, so that no other batch adds to the same keys.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import String, any_, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from opc.compute.drawdown import Balance, draw, rate_hundredths, reached
from opc.compute.models import (
    Programme,
    Provider,
    UsageBatch,
    UsageDraw,
    UsageRecord,
    Voucher,
    VoucherAlert,
    programme_providers,
    voucher_providers,
)
from opc.compute.operations.usage_input import Record
from opc.compute.signals import voucher_alerted
from opc.compute.usage_months import add_to_months
from opc.compute.voucher_days import add_to_voucher_days
from opc.core.csvio import chunks
from opc.core.db import utcnow

_RECORD_COLUMNS = (
    "batch_id", "provider_id", "external_id", "team_id", "park_id", "gpu_type",
    "started_at", "ended_at", "month", "gpu_hours_hundredths", "cost_fen", "subsidy_fen",
)  # fmt: skip
DRAW_COLUMNS = ("record_id", "voucher_id", "subsidy_fen", "gpu_hours_hundredths")
Teams = dict[int, tuple[int, ZoneInfo, str]]  # id: park, its zone, status


def write_batch(
    session: Session,
    provider: Provider,
    fresh: list[tuple[int, Record]],
    days: dict[int, Any],
    teams: Teams,
    duplicates: int,
    source: str,
    actor: Any,
) -> UsageBatch:
    """Draw the fresh records down, in the order they started, and store them with the
    batch (in the order they came: their ids and job ids mostly grow, and so the indexes
    grow at their ends) and their monthly sums (opc.compute.usage_months); the vouchers'
    used amounts and alerts follow."""
    vouchers = balances(session, teams, provider.id)
    paid = [0] * len(fresh)
    draws = []
    starts = [record.started_at for _index, record in fresh]
    for k in sorted(range(len(fresh)), key=starts.__getitem__):  # stable: ties in batch order
        index, record = fresh[k]
        theirs = vouchers.get(record.team_id)
        if not theirs:
            continue  # unsubsidised
        day = days[index].date()
        for voucher, fen, hours in draw(record.cost_fen, record.hours, theirs, provider.id, day):
            draws.append((k, voucher.id, fen, hours))
            paid[k] += fen
    cost = sum(record.cost_fen for _index, record in fresh)
    batch = new_batch(session, provider, (len(fresh), duplicates, cost, sum(paid)), source, actor)
    instant = _instant(session)
    months = [f"{days[index].year:04d}-{days[index].month:02d}" for index, _record in fresh]
    records = (
        (
            batch.id, provider.id, record.external_id, record.team_id,
            teams[record.team_id][0], record.gpu_type, instant(record.started_at),
            instant(record.ended_at), month, record.hours, record.cost_fen, subsidy,
        )
        for (_index, record), month, subsidy in zip(fresh, months, paid, strict=True)
    )  # fmt: skip
    insert_rows(session, UsageRecord, _RECORD_COLUMNS, records)
    add_to_months(
        session,
        (
            (
                (teams[record.team_id][0], month, record.team_id, provider.id, record.gpu_type),
                record.hours, record.cost_fen, subsidy,
            )
            for (_index, record), month, subsidy in zip(fresh, months, paid, strict=True)
        ),
    )  # fmt: skip
    ids = record_ids(session, [fresh[k][1].external_id for k in {k for k, *_rest in draws}])
    rows = sorted((ids[fresh[k][1].external_id], *rest) for k, *rest in draws)
    insert_rows(session, UsageDraw, DRAW_COLUMNS, rows)
    add_to_voucher_days(
        session, ((voucher_id, days[fresh[k][0]].date(), fen) for k, voucher_id, fen, _h in draws)
    )
    drawn = {voucher_id for _k, voucher_id, _f, _h in draws}
    settle(session, [v for team in vouchers.values() for v in team if v.id in drawn])
    return batch


def new_batch(
    session: Session, provider: Provider, sums: tuple[int, int, int, int], source: str, actor: Any
) -> UsageBatch:
    """The batch's row (audited), written: `sums` are its records stored, duplicates, cost
    and subsidy."""
    stored, duplicates, cost, subsidy = sums
    batch = UsageBatch(
        provider_id=provider.id,
        source=source,
        stored=stored,
        duplicates=duplicates,
        cost_fen=cost,
        subsidy_fen=subsidy,
        submitted_by_id=getattr(actor, "id", None),
    )
    session.add(batch)
    session.flush()
    return batch


def balances(
    session: Session, teams: dict[int, tuple[int, ZoneInfo, str]], provider_id: int
) -> dict[int, list[Balance]]:
    """Each team's vouchers redeemable at the provider, in drawing order (read after the
    teams' rows are locked: what other batches drew is in them)."""
    found: dict[int, list[Balance]] = defaultdict(list)
    rows = []
    for some in chunks(list(teams)):
        stmt = (
            select(Voucher, Programme.rate_percent)
            .join(Programme, Programme.id == Voucher.programme_id)
            .where(Voucher.team_id.in_(some))
        )
        rows += session.execute(stmt.execution_options(populate_existing=True)).all()
    where = _redeemable(session, [v.id for v, _r in rows], {v.programme_id for v, _r in rows})
    for voucher, rate in rows:
        providers = where["voucher"].get(voucher.id) or where["programme"].get(voucher.programme_id)
        if providers is not None and provider_id not in providers:
            continue
        found[voucher.team_id].append(
            Balance(
                id=voucher.id,
                valid_from=voucher.valid_from,
                valid_to=voucher.valid_to,
                rate=rate_hundredths(rate),
                amount_fen=voucher.amount_fen,
                used_fen=voucher.used_fen,
                hours=voucher.gpu_hours_hundredths,
                used_hours=voucher.used_hundredths,
                providers=providers,
            )
        )
    for theirs in found.values():
        theirs.sort(key=lambda b: b.order)
    return found


def _redeemable(
    session: Session, voucher_ids: list[int], programme_ids: set[int]
) -> dict[str, dict[int, frozenset[int]]]:
    """Where vouchers are redeemable: the providers each lists, else its programme's (a
    programme that lists none is redeemable at every provider)."""
    where: dict[str, dict[int, set[int]]] = {
        "voucher": defaultdict(set),
        "programme": defaultdict(set),
    }
    for kind, table, key, ids in (
        ("voucher", voucher_providers, voucher_providers.c.voucher_id, voucher_ids),
        ("programme", programme_providers, programme_providers.c.programme_id, list(programme_ids)),
    ):
        for some in chunks(ids):
            for owner, provider_id in session.execute(
                select(key, table.c.provider_id).where(key.in_(some))
            ):
                where[kind][owner].add(provider_id)
    return {kind: {k: frozenset(v) for k, v in found.items()} for kind, found in where.items()}


def record_ids(session: Session, external_ids: list[str]) -> dict[str, int]:
    """The ids the records of these job ids were given."""
    if not external_ids:
        return {}
    stmt = select(UsageRecord.external_id, UsageRecord.id).where(
        among(session, UsageRecord.external_id, external_ids)
    )
    return dict(session.execute(stmt).tuples().all())


def among(session: Session, column: Any, values: list[str]) -> Any:
    """`column IN values` with the values as one parameter, not one each (a batch has 50,000
    job ids): an array on PostgreSQL, a JSON array read by json_each on SQLite."""
    if _dialect(session) == "postgresql":
        return column == any_(bindparam("among", values, type_=ARRAY(String)))
    given = func.json_each(bindparam("among", json.dumps(values))).table_valued("value")
    return column.in_(select(given.c.value))


def _dialect(session: Session) -> str:
    return session.connection().dialect.name


def _instant(session: Session) -> Callable[[datetime], Any]:
    """A UTC datetime as the driver takes it: psycopg takes the datetime itself; on SQLite,
    the text SQLAlchemy writes for the column ("2026-03-01 09:00:00.000000": a range in SQL
    compares texts), made by isoformat, a third of the time of the column's processor,
    once a probe shows that the two agree."""
    dialect = session.connection().dialect
    if dialect.name != "sqlite":
        return _same
    column = UsageRecord.__table__.c.started_at.type
    bind = column.dialect_impl(dialect).bind_processor(dialect)
    if bind is None:
        return _same
    probe = datetime(2001, 2, 3, 4, 5, 6, 7, tzinfo=UTC)
    return _sqlite_text if bind(probe) == _sqlite_text(probe) else bind


def _sqlite_text(value: datetime) -> str:
    return value.replace(tzinfo=None).isoformat(" ", "microseconds")


def _same(value: Any) -> Any:
    return value


def insert_rows(
    session: Session, model: Any, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> None:
    """Rows written in bulk on the session's connection, in its transaction: COPY on
    PostgreSQL, one executemany on SQLite. The values are as the driver takes them."""
    connection = session.connection()
    cursor = connection.connection.driver_connection.cursor()
    names = ", ".join(columns)
    if connection.dialect.name == "postgresql":
        with cursor.copy(f"COPY {model.__tablename__} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" * len(columns))
    cursor.executemany(f"INSERT INTO {model.__tablename__} ({names}) VALUES ({marks})", rows)


def settle(session: Session, balances: list[Balance]) -> None:
    """The drawn vouchers' used amounts, and their alerts: each kind recorded once (the
    unique key; a concurrent batch that recorded it first wins) and announced once, in
    this transaction (opc.compute.signals: its receivers write in it)."""
    if not balances:
        return
    by_id = {b.id: b for b in balances}
    vouchers = session.scalars(select(Voucher).where(Voucher.id.in_(list(by_id)))).all()
    for voucher in vouchers:  # as read under the team's lock (balances)
        drawn = by_id[voucher.id]
        # Added to the stored amounts, not set: were the lock ever missed, the database's
        # CHECK (never above the amount) would refuse an overdraw, not hide it.
        voucher.used_fen = Voucher.used_fen + (drawn.used_fen - voucher.used_fen)
        voucher.used_hundredths = Voucher.used_hundredths + (
            drawn.used_hours - voucher.used_hundredths
        )
    session.flush()
    now = utcnow()
    alerts = [
        {"voucher_id": b.id, "kind": kind.value, "sent_at": now}
        for b in balances
        for kind in reached(b)
    ]
    if not alerts:
        return
    dialect_insert = pg_insert if _dialect(session) == "postgresql" else sqlite_insert
    stmt = (
        dialect_insert(VoucherAlert)
        .values(alerts)
        .on_conflict_do_nothing(index_elements=["voucher_id", "kind"])
        .returning(VoucherAlert.voucher_id, VoucherAlert.kind)
    )
    recorded = session.execute(stmt).all()
    loaded = {voucher.id: voucher for voucher in vouchers}
    for voucher_id, kind in sorted(recorded):
        voucher_alerted.send(loaded[voucher_id], kind=kind)

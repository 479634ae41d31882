"""Helpers for the compute tests: providers, programmes and vouchers made by the system,
and usage written straight into the tables (with its draws and the vouchers' used amounts)
for the tests of balances and forecasts. Others may add to this module."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from opc.compute.models import Provider, UsageBatch, UsageDraw, UsageRecord, Voucher, VoucherAlert
from opc.compute.operations.programmes import create_programme
from opc.compute.operations.vouchers import grant_voucher
from opc.compute.usage_months import add_to_months, month_key
from opc.compute.voucher_days import add_to_voucher_days, local_day
from opc.extensions import db
from opc.teams.models import Team
from tests.core.helpers import count, error_of, post_form, rows

__all__ = ["D", "count", "error_of", "post_form", "rows"]

D = date.fromisoformat
_jobs = itertools.count(1)


def provider(make: Any, name: str = "星河算力") -> Any:
    """A provider user (API only) and its provider record; the record is returned with its
    `user` set."""
    user = make.user("provider", password=None)
    record = make._save(Provider(user_id=user.id, name=name))
    record.user = user
    return record


def programme(app: Any, park: Any, **kw: Any) -> Any:
    """A programme of the park made by the system: ¥100,000 at 50% from 2026-01-01 to
    2026-12-31 unless told otherwise. Returns its id, code and park_id."""
    values: dict[str, Any] = {
        "name_zh": "成都算力券",
        "budget_fen": 10_000_000,
        "rate_percent": Decimal("50"),
        "valid_from": D("2026-01-01"),
        "valid_to": D("2026-12-31"),
    }
    values.update(kw)
    with app.app_context():
        created = create_programme(actor=None, park_id=park.id, **values)
        result = SimpleNamespace(id=created.id, code=created.code, park_id=created.park_id)
        db.session.remove()
    return result


def voucher(app: Any, programme: Any, team: Any, amount_fen: int = 1_000_000, **kw: Any) -> Any:
    """A voucher granted by the system (2026-01-01 to 2026-12-31 unless told otherwise)."""
    values: dict[str, Any] = {"valid_from": D("2026-01-01"), "valid_to": D("2026-12-31")}
    values.update(kw)
    with app.app_context():
        created = grant_voucher(
            actor=None, programme_id=programme.id, team_id=team.id, amount_fen=amount_fen, **values
        )
        result = SimpleNamespace(id=created.id, team_id=team.id, programme_id=programme.id)
        db.session.remove()
    return result


def draw(
    app: Any,
    voucher: Any,
    provider: Any,
    subsidy_fen: int,
    started_at: datetime,
    *,
    cost_fen: int | None = None,
    hours_hundredths: int = 100,
) -> int:
    """A usage record of the voucher's team that drew `subsidy_fen` from the voucher (the
    voucher's used amount and its day's sum follow), written straight into the tables; its
    id."""
    cost = cost_fen if cost_fen is not None else subsidy_fen * 2
    team = SimpleNamespace(id=voucher.team_id)
    record_id = record(
        app,
        team,
        provider,
        started_at,
        cost_fen=cost,
        subsidy_fen=subsidy_fen,
        hours_hundredths=hours_hundredths,
    )
    with app.app_context(), Session(db.engine) as session:
        session.add(
            UsageDraw(
                record_id=record_id,
                voucher_id=voucher.id,
                subsidy_fen=subsidy_fen,
                gpu_hours_hundredths=hours_hundredths,
            )
        )
        session.get(Voucher, voucher.id).used_fen += subsidy_fen
        # As the ingestion does: the voucher's day follows its draws (opc.compute.voucher_days).
        usage = session.get(UsageRecord, record_id)
        day = local_day(usage.started_at, session.get(Team, usage.team_id).park.timezone)
        add_to_voucher_days(session, [(voucher.id, day, subsidy_fen)])
        session.commit()
    return record_id


def alert(app: Any, voucher: Any, kind: str, sent_at: datetime | None = None) -> None:
    """A VoucherAlert row, as the alerts helper's operation would record it."""
    with app.app_context(), Session(db.engine) as session:
        session.add(
            VoucherAlert(
                voucher_id=voucher.id,
                kind=kind,
                sent_at=sent_at or datetime(2026, 6, 1, tzinfo=UTC),
            )
        )
        session.commit()


def record(
    app: Any,
    team: Any,
    provider: Any,
    started_at: datetime | str,
    *,
    cost_fen: int,
    subsidy_fen: int = 0,
    hours_hundredths: int = 100,
    gpu_type: str = "A100",
) -> int:
    """A usage record of the team reported by the provider, written straight into the table
    (and its monthly sums into the rollup) with the subsidy given (settlements and the
    explorer read the records' sums, not the draws); `started_at` a datetime or ISO text
    with offset. Its id."""
    started = datetime.fromisoformat(started_at) if isinstance(started_at, str) else started_at
    started = started if started.tzinfo else started.replace(tzinfo=UTC)
    with app.app_context(), Session(db.engine) as session:
        found = session.get(Team, team.id)
        batch = UsageBatch(
            provider_id=provider.id,
            source="api",
            stored=1,
            duplicates=0,
            cost_fen=cost_fen,
            subsidy_fen=subsidy_fen,
        )
        session.add(batch)
        session.flush()
        local = started.astimezone(ZoneInfo(found.park.timezone))
        usage = UsageRecord(
            batch_id=batch.id,
            provider_id=provider.id,
            external_id=f"job-{next(_jobs)}",
            team_id=found.id,
            park_id=found.park_id,
            gpu_type=gpu_type,
            started_at=started,
            ended_at=started + timedelta(hours=1),
            month=local.strftime("%Y-%m"),
            gpu_hours_hundredths=hours_hundredths,
            cost_fen=cost_fen,
            subsidy_fen=subsidy_fen,
        )
        session.add(usage)
        session.flush()
        # As the ingestion does: the record's monthly sums follow it (opc.compute.usage_months).
        add_to_months(session, [(month_key(usage), hours_hundredths, cost_fen, subsidy_fen)])
        session.commit()
        return usage.id

"""Helpers for the usage tests: providers, programmes and vouchers written straight into the
tables (so that these tests hold the draw-down to its rule whatever the grant operation
checks), records as a provider sends them, and ingestion called as the API calls it."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from opc.compute.models import Programme, Provider, UsageRecord, Voucher
from opc.compute.operations.usage import Ingested, ingest_usage
from opc.extensions import db
from tests.core.helpers import count, error_of, rows
from tests.rent.helpers import resident

__all__ = ["count", "error_of", "resident", "rows"]

D = date.fromisoformat
_seq = itertools.count(1)


def provider(make: Any, name: str | None = None) -> Any:
    """A provider user (API only) and its provider record, returned with `user` set."""
    name = name or f"算力平台{next(_seq)}"
    user = make.user("provider", password=None)
    record = make._save(Provider(user_id=user.id, name=name))
    record.user = user
    return record


def programme(make: Any, park: Any, rate: str = "50", providers: tuple[Any, ...] = ()) -> Any:
    """A programme of the park (¥1,000,000 pool, 2026) at `rate` percent."""
    with make.app.app_context(), Session(db.engine, expire_on_commit=False) as session:
        found = Programme(
            park_id=park.id,
            code=f"SLQ{next(_seq)}",
            name_zh="算力券",
            budget_fen=100_000_000,
            rate_percent=Decimal(rate),
            valid_from=D("2026-01-01"),
            valid_to=D("2026-12-31"),
            tracks=[],
        )
        found.providers = [session.get(Provider, p.id) for p in providers]
        session.add(found)
        session.commit()
        return SimpleNamespace(id=found.id, park_id=park.id)


def voucher(
    make: Any,
    programme: Any,
    team: Any,
    amount_fen: int,
    *,
    valid_from: str = "2026-01-01",
    valid_to: str = "2026-12-31",
    hours: int | None = None,
    providers: tuple[Any, ...] = (),
) -> Any:
    """A voucher of the team under the programme; `hours` in hundredths of GPU-hours."""
    with make.app.app_context(), Session(db.engine, expire_on_commit=False) as session:
        found = Voucher(
            programme_id=programme.id,
            team_id=team.id,
            amount_fen=amount_fen,
            gpu_hours_hundredths=hours,
            valid_from=D(valid_from),
            valid_to=D(valid_to),
            used_fen=0,
            used_hundredths=0,
        )
        found.providers = [session.get(Provider, p.id) for p in providers]
        session.add(found)
        session.commit()
        return SimpleNamespace(id=found.id)


def record(team: Any, **kw: Any) -> dict[str, Any]:
    """A record as a provider sends it: a 2-hour job on 2026-03-10 (Beijing time) costing
    ¥100.00, with a fresh job id."""
    values = {
        "external_id": f"job-{next(_seq)}",
        "team_id": team.id,
        "gpu_type": "A100-80G",
        "start": "2026-03-10T09:00:00+08:00",
        "end": "2026-03-10T11:00:00+08:00",
        "gpu_hours": "16.00",
        "cost_yuan": "100.00",
    }
    values.update(kw)
    return values


def ingest(app: Any, provider: Any, records: list[Any], actor: Any = None, **kw: Any) -> Ingested:
    """ingest_usage in an app context of its own (source api, the system acting)."""
    with app.app_context():
        try:
            return ingest_usage(provider.id, records, source=kw.pop("source", "api"), actor=actor)
        finally:
            db.session.remove()


def used(app: Any, voucher: Any) -> tuple[int, int]:
    """A voucher's used fen and hundredths of hours, as stored."""
    with app.app_context():
        found = db.session.get(Voucher, voucher.id)
        result = (found.used_fen, found.used_hundredths)
        db.session.remove()
    return result


def subsidies(app: Any) -> dict[str, int]:
    """Each stored record's subsidy, by job id."""
    with app.app_context():
        found = dict(
            db.session.execute(select(UsageRecord.external_id, UsageRecord.subsidy_fen))
            .tuples()
            .all()
        )
        db.session.remove()
    return found

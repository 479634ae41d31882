"""What a team's vouchers page shows beside the vouchers themselves, in one statement: each
voucher's alerts, the providers where it is redeemable (its own, else all of its
programme's) and what it paid in the last days (the vouchers' days, opc.compute.
voucher_days). A few rows a voucher, read as one UNION ALL: one round trip instead of four
(on PostgreSQL each round trip cost the app more CPU than the database takes to answer).
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import (
    BigInteger,
    Integer,
    String,
    bindparam,
    cast,
    exists,
    func,
    literal_column,
    null,
    select,
    union_all,
)

from opc.compute.models import (
    Provider,
    Voucher,
    VoucherAlert,
    programme_providers,
    voucher_providers,
)
from opc.compute.voucher_days import VoucherDay
from opc.core.db import UTCDateTime
from opc.extensions import db

ALERT, PROVIDER, BURN = range(3)  # the kinds of row, in the order they come


class Alert(NamedTuple):
    """An alert as the pages read it (VoucherAlert's columns)."""

    id: int
    voucher_id: int
    kind: str
    sent_at: Any


class Redeemable(NamedTuple):
    """A provider where a voucher is redeemable (Provider's columns the pages read)."""

    id: int
    name: str


@dataclass
class VoucherFacts:
    alerts: dict[int, list[Alert]] = field(default_factory=lambda: defaultdict(list))
    providers: dict[int, list[Redeemable]] = field(default_factory=lambda: defaultdict(list))
    burned: dict[int, int] = field(default_factory=dict)


def _kind(kind: int) -> Any:
    return literal_column(str(kind), Integer).label("kind")


@functools.cache
def _statement() -> Any:
    """Built once, run with the team and the first day of the burn."""
    team = bindparam("team_id")
    mine = Voucher.team_id == team
    alerts = (
        select(
            _kind(ALERT),
            VoucherAlert.voucher_id.label("voucher_id"),
            VoucherAlert.sent_at.label("at"),
            VoucherAlert.id.label("id"),
            VoucherAlert.kind.label("text"),
            cast(null(), BigInteger).label("fen"),
        )
        .join(Voucher, Voucher.id == VoucherAlert.voucher_id)
        .where(mine)
    )
    no_time, no_fen = cast(null(), UTCDateTime()), cast(null(), BigInteger)
    named = voucher_providers.c
    own = (
        select(_kind(PROVIDER), named.voucher_id, no_time, Provider.id, Provider.name, no_fen)
        .join(Provider, Provider.id == named.provider_id)
        .join(Voucher, Voucher.id == named.voucher_id)
        .where(mine)
    )
    names_none = ~exists().where(named.voucher_id == Voucher.id)
    of_programme = (
        select(_kind(PROVIDER), Voucher.id, no_time, Provider.id, Provider.name, no_fen)
        .join(programme_providers, programme_providers.c.programme_id == Voucher.programme_id)
        .join(Provider, Provider.id == programme_providers.c.provider_id)
        .where(mine, names_none)
    )
    burn = (
        select(
            _kind(BURN),
            VoucherDay.voucher_id,
            no_time,
            cast(null(), Integer),
            cast(null(), String),
            func.sum(VoucherDay.subsidy_fen),
        )
        .join(Voucher, Voucher.id == VoucherDay.voucher_id)
        .where(mine, VoucherDay.day >= bindparam("first_day"))
        .group_by(VoucherDay.voucher_id)
    )
    return union_all(alerts, own, of_programme, burn).order_by(
        literal_column("kind"), literal_column("voucher_id"), literal_column("at"),
        literal_column("id"),
    )  # fmt: skip


def voucher_facts(team_id: int, burn_from: date) -> VoucherFacts:
    """The team's vouchers' alerts (in the order sent: rows with kind and sent_at), where
    each is redeemable (rows with id and name, by id) and what each paid on the park-local
    days from `burn_from` on (vouchers that paid nothing are absent)."""
    found = VoucherFacts()
    rows = db.session.execute(_statement(), {"team_id": team_id, "first_day": burn_from})
    for kind, voucher_id, at, id_, text, fen in rows.tuples():
        if kind == ALERT:
            found.alerts[voucher_id].append(Alert(id_, voucher_id, text, at))
        elif kind == PROVIDER:
            found.providers[voucher_id].append(Redeemable(id_, text))
        else:
            found.burned[voucher_id] = int(fen)
    return found

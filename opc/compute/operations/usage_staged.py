"""SQLite's way through a usual batch: checked a column at a time, stored by one statement.

Checked record by record in Python, a batch of 50,000 costs three times what SQLite takes
to store it (the benchmark's floor). So on SQLite a batch of the usual shape
(opc.compute.operations.usage_usual: checked a column at a time, by C functions mapped over
the batch) is stored by one executemany of its values as they came, whose statement
converts each record (the UTC text the ORM writes, the park-local month, hundredths); the
table's NOT NULL, CHECK and unique key refuse what SQLite cannot convert, an end not after
its start, and a job id stored before. Residency is read in Python only for the teams that
moved in or left within the batch's days; the draw-down (opc.compute.drawdown) only for
the records a voucher could pay; the monthly sums from the batch's columns.

Anything else declines (`Declined`, the transaction rolled back) and the batch takes the
record-by-record path (opc.compute.operations.usage), which names every problem: a job id
sent before (a duplicate or a refusal), a team unknown or not resident, teams of several
parks or zones, a zone whose offset changes within the batch's days, an offset SQLite
does not take. tests/compute/test_usage_staged.py holds the two ways to the same results.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from operator import itemgetter
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from opc.compute.drawdown import Balance, draw
from opc.compute.models import Provider, UsageBatch, UsageDraw
from opc.compute.operations import usage_store
from opc.compute.operations.usage_usual import OFFSET, Usual
from opc.compute.usage_months import Key, add_sums
from opc.compute.voucher_days import add_to_voucher_days


class Declined(Exception):
    """The batch is not a usual one: the record-by-record path takes it."""


class Resident(NamedTuple):
    """A team of the batch: its park, zone, and the days it was resident [since, until)."""

    team_id: int
    park_id: int
    zone: ZoneInfo
    since: date | None  # None: from before histories were kept
    until: date | None  # None: still resident


def offset_of(zone: ZoneInfo, first: date, last: date) -> timedelta | None:
    """The zone's offset from UTC when it is one and the same from two days before `first`
    to two after `last` (checked every 12 hours: no zone changes it twice in a day), in
    whole minutes; None when it changes (daylight saving time)."""
    moment = datetime(first.year, first.month, first.day, tzinfo=UTC) - timedelta(days=2)
    end = datetime(last.year, last.month, last.day, tzinfo=UTC) + timedelta(days=3)
    offsets = set()
    while moment <= end:
        offsets.add(moment.astimezone(zone).utcoffset())
        moment += timedelta(hours=12)
    if len(offsets) != 1:
        return None
    (offset,) = offsets
    return offset if offset is not None and offset.total_seconds() % 60 == 0 else None


# The values are bound by place: ?1 … ?7 the fields in FIELDS' order, ?8 the subsidy.
_UTC = "datetime({}) || '.000000'"  # the UTC text the ORM writes (whole seconds)
_STORE = (
    "INSERT INTO main.usage_records (batch_id, provider_id, external_id, team_id, park_id,"
    " gpu_type, started_at, ended_at, month, gpu_hours_hundredths, cost_fen, subsidy_fen)"
    " VALUES ({batch}, {provider}, ?1, ?2, {park}, ?3,"
    f" {_UTC.format('?4')}, {_UTC.format('?5')}, substr({{day}}, 1, 7),"
    " CAST(?6 * 100 + 0.5 AS INTEGER), CAST(?7 * 100 + 0.5 AS INTEGER), ?8)"
)  # x * 100 is within a millionth of the whole number of hundredths: + 0.5, truncated
_MONTH = itemgetter(slice(0, 7))


class Place(NamedTuple):
    """Where the batch's teams are: one park, one zone and its offset over the batch's days."""

    park_id: int
    zone: ZoneInfo
    minutes: int
    local: bool  # every start written in that offset: its park-local day is the day written


def store_staged(
    session: Session,
    provider: Provider,
    records: list[Any],
    teams: list[Resident],
    batch: Usual,
    source: str,
    actor: Any,
) -> UsageBatch:
    """Draw down and store a usual batch in the running transaction (whose caller holds the
    teams' locks), or raise Declined (the caller rolls the transaction back)."""
    cursor = session.connection().connection.driver_connection.cursor()
    place = _place(teams, batch)
    _check_residency(teams, batch, place)
    vouchers = usage_store.balances(session, {t.team_id: t for t in teams}, provider.id)
    drawn = _draw_down(batch, place, vouchers, provider.id)
    paid: dict[int, int] = {}
    for index, _voucher, fen, _hours, _day in drawn:
        paid[index] = paid.get(index, 0) + fen
    months = _months(batch, place, paid, provider.id)
    cost = sum(sums[2] for sums in months.values())
    sums = (len(records), 0, cost, sum(paid.values()))
    stored = usage_store.new_batch(session, provider, sums, source, actor)
    before = cursor.execute("SELECT coalesce(max(id), 0) FROM main.usage_records").fetchone()[0]
    start_day = "?4" if place.local else f"date(?4, '{place.minutes:+d} minutes')"
    statement = _STORE.replace("{day}", start_day).format(
        batch=int(stored.id), provider=int(provider.id), park=int(place.park_id)
    )
    subsidies = [0] * len(records)
    for index, fen in paid.items():
        subsidies[index] = fen
    try:
        cursor.executemany(statement, zip(*batch.columns.values(), subsidies, strict=True))
    except (sqlite3.IntegrityError, UnicodeEncodeError) as exc:
        raise Declined(str(exc)) from exc  # a job id stored before; an offset SQLite refuses
    ids = _record_ids(session, cursor, before, batch.columns["external_id"], set(paid))
    add_sums(session, months)
    rows = sorted((ids[i], voucher_id, fen, hours) for i, voucher_id, fen, hours, _d in drawn)
    usage_store.insert_rows(session, UsageDraw, usage_store.DRAW_COLUMNS, rows)
    add_to_voucher_days(session, ((v, day, fen) for _i, v, fen, _h, day in drawn))
    used = {v for _i, v, _f, _h, _d in drawn}
    usage_store.settle(session, [v for team in vouchers.values() for v in team if v.id in used])
    return stored


def _place(teams: list[Resident], batch: Usual) -> Place:
    """The batch's park and zone (one each, or declined), the zone's offset (one and the
    same over the batch's days, or declined), and whether the starts are written in it."""
    parks, zones = {team.park_id for team in teams}, {team.zone for team in teams}
    if len(parks) != 1 or len(zones) != 1:
        raise Declined("teams of several parks or zones")
    (zone,) = zones
    offset = offset_of(zone, batch.first, batch.last)
    if offset is None:
        raise Declined("the zone's offset changes within the batch's days")
    minutes = int(offset.total_seconds()) // 60
    written = "{}{:02d}:{:02d}".format("-" if minutes < 0 else "+", *divmod(abs(minutes), 60))
    local = set(map(OFFSET, batch.columns["start"])) == {written}
    return Place(parks.pop(), zone, minutes, local)


def _days(batch: Usual, place: Place, indexes: Iterable[int]) -> dict[int, date]:
    """The park-local start day of these records."""
    starts = batch.columns["start"]
    if not place.local:
        return {i: datetime.fromisoformat(starts[i]).astimezone(place.zone).date() for i in indexes}
    known: dict[str, date] = {}
    days = {}
    for i in indexes:
        written = starts[i][:10]
        days[i] = known.get(written) or known.setdefault(written, date.fromisoformat(written))
    return days


def _months(
    batch: Usual, place: Place, paid: dict[int, int], provider_id: int
) -> dict[Key, list[int]]:
    """The batch's sums per key of the monthly rollup (opc.compute.usage_months)."""
    columns = batch.columns
    teams, gpus = columns["team_id"], columns["gpu_type"]
    if place.local:
        months = list(map(_MONTH, columns["start"]))
    else:
        months = [
            f"{d.year:04d}-{d.month:02d}" for d in _days(batch, place, range(len(teams))).values()
        ]
    found: dict[tuple[int, str, str], list[Any]] = {}
    hours, costs = map(Decimal, columns["gpu_hours"]), map(Decimal, columns["cost_yuan"])
    keys = zip(teams, months, gpus, strict=True)
    for key, time, cost in zip(keys, hours, costs, strict=True):
        sums = found.get(key)
        if sums is None:
            found[key] = [1, time, cost, 0]
        else:
            sums[0] += 1
            sums[1] += time
            sums[2] += cost
    for i, fen in paid.items():
        found[(teams[i], months[i], gpus[i])][3] += fen
    return {
        (place.park_id, month, team_id, provider_id, gpu): [n, int(h * 100), int(c * 100), fen]
        for (team_id, month, gpu), (n, h, c, fen) in found.items()
    }


def _check_residency(teams: list[Resident], batch: Usual, place: Place) -> None:
    """Each record's team resident on its park-local start day: read for the records of the
    teams that moved in or left within the batch's days (give or take a day), else Declined."""
    low, high = batch.first - timedelta(days=2), batch.last + timedelta(days=2)
    bounded = {
        t.team_id: t
        for t in teams
        if (t.since is not None and t.since > low) or (t.until is not None and t.until <= high)
    }
    if not bounded:
        return
    indexes = [i for i, team_id in enumerate(batch.columns["team_id"]) if team_id in bounded]
    for i, day in _days(batch, place, indexes).items():
        team = bounded[batch.columns["team_id"][i]]
        if (team.since is not None and day < team.since) or (
            team.until is not None and day >= team.until
        ):
            raise Declined("a team not resident on a record's day")


def _draw_down(
    batch: Usual, place: Place, vouchers: dict[int, list[Balance]], provider_id: int
) -> list[tuple[int, int, int, int, date]]:
    """The records a voucher could pay (of a team with a voucher left, valid on the record's
    park-local start day) drawn down in the order they started (ties: in the batch's
    order): [(index, voucher, fen, hours, day)]."""
    windows = {}
    for team_id, theirs in vouchers.items():
        left = [b for b in theirs if b.used_fen < b.amount_fen]
        left = [b for b in left if b.hours is None or b.used_hours < b.hours]
        if left:
            windows[team_id] = (min(b.valid_from for b in left), max(b.valid_to for b in left))
    teams, starts = batch.columns["team_id"], batch.columns["start"]
    indexes = [i for i, team_id in enumerate(teams) if team_id in windows]
    days = {
        i: day
        for i, day in _days(batch, place, indexes).items()
        if windows[teams[i]][0] <= day <= windows[teams[i]][1]
    }
    # In one offset, the texts sort as the instants do.
    began = {i: starts[i] if place.local else datetime.fromisoformat(starts[i]) for i in days}
    hours, costs = batch.columns["gpu_hours"], batch.columns["cost_yuan"]
    drawn = []
    for i in sorted(days, key=began.__getitem__):  # stable: ties in the batch's order
        cost, time = _hundredths(costs[i]), _hundredths(hours[i])
        for voucher, fen, part in draw(cost, time, vouchers[teams[i]], provider_id, days[i]):
            drawn.append((i, voucher.id, fen, part, days[i]))
    return drawn


def _hundredths(text: str) -> int:
    """A decimal string of the usual pattern (at most two places), in hundredths."""
    whole, _dot, places = text.partition(".")
    return int(whole) * 100 + int(places.ljust(2, "0"))


def _record_ids(
    session: Session, cursor: sqlite3.Cursor, before: int, ids: list[str], indexes: set[int]
) -> dict[int, int]:
    """The ids the records of these indexes were given: in the batch's order after the
    largest id there was (SQLite's next rowid), as the largest id now shows; else looked up."""
    if not indexes:
        return {}
    after = cursor.execute("SELECT max(id) FROM main.usage_records").fetchone()[0]
    if after - before == len(ids):
        return {i: before + 1 + i for i in indexes}
    found = usage_store.record_ids(session, [ids[i] for i in indexes])
    return {i: found[ids[i]] for i in indexes}

"""Usage ingestion: a provider's batch of records, checked whole, stored once, drawn down.

`ingest_usage` is what the API (POST /api/v1/usage) and the upload page both call:

* Every record is checked (opc.compute.operations.usage_input), then, in the transaction,
  against the database: the team exists (for staff uploading on a provider's behalf: a
  team of their parks), it was resident on the record's park-local start day (move-in
  included, exit day excluded, opc.teams.rules), and its job id is not another provider's.
  One bad record refuses the batch: 422 `invalid_records` lists every problem.
* Idempotent per job id: a record this provider stored before counts as a duplicate and
  is not stored again (re-sent with other values it is refused: a correction is not made
  by re-sending). A batch of duplicates only stores nothing at all, not even a batch.
* The rest is drawn down (opc.compute.drawdown), records in the order they started, and
  stored in bulk: the batch (audited), the records, their draws, the vouchers' used
  amounts, and the alerts at 80 % and 100 % of a voucher, each sent once as
  `voucher_alerted` (opc.compute.signals). What no voucher covers is stored with a
  subsidy of 0: unsubsidised, owed by the team to the provider in full.

On SQLite a batch of the usual shape takes SQLite's way (opc.compute.operations
.usage_staged: checked a column at a time, converted and stored by one statement); any
other batch, and every batch on PostgreSQL, the record-by-record way described above. Both
store the same.

Locks: the rows of the batch's teams, in id order, before anything is read (two batches
for one team, from two providers, draw one after the other and never overdraw; batches
for other teams do not wait). SQLite's write lock is the database's anyway. The vouchers'
CHECK constraints refuse an overdraw whatever happens.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from opc.compute.models import Provider, UsageRecord
from opc.compute.operations.usage_input import (
    BatchTooLarge,
    InvalidRecords,
    Problems,
    Record,
    check_records,
)
from opc.compute.operations.usage_staged import Declined, Resident, store_staged
from opc.compute.operations.usage_store import among, write_batch
from opc.compute.operations.usage_usual import Usual, usual
from opc.compute.permissions import can_write_usage
from opc.core.csvio import chunks
from opc.core.dates import format_day
from opc.core.db import retrying, transaction
from opc.core.errors import ValidationFailed
from opc.core.permissions import Role, require_actor
from opc.core.values import is_id
from opc.extensions import db
from opc.parks.models import Park
from opc.parks.permissions import staff_park_ids
from opc.teams.models import Team, TeamStatus
from opc.teams.rules import exit_dates, move_in_dates

SOURCES = ("api", "csv")
# A usual batch takes SQLite's way on SQLite (tests turn it off to compare the two ways).
STAGING = True


@dataclass(frozen=True)
class Ingested:
    """What a batch stored: records and duplicates, its batch (None: nothing new), and the
    cost and subsidy of the records stored."""

    stored: int
    duplicates: int
    batch_id: int | None
    cost_fen: int
    subsidy_fen: int


def ingest_usage(
    provider: Provider | int,
    records: Sequence[Any],
    *,
    source: str,
    actor: Any,
    known_problems: Sequence[tuple[int, str, str]] = (),
) -> Ingested:
    """Store a provider's batch of usage records, all or none (see the module's doc).
    `known_problems` are problems its reader found already (a CSV row with too many cells):
    the batch is refused with them."""
    if source not in SOURCES:
        raise ValueError(f"unknown source of usage: {source!r}")
    limit = current_app.config["USAGE_BATCH_MAX_RECORDS"]
    if not records:
        raise ValidationFailed({"records": [_("Send at least one record.")]})
    if len(records) > limit:
        raise BatchTooLarge(len(records), limit)
    problems: Problems = list(known_problems)
    provider_id = provider.id if isinstance(provider, Provider) else provider
    records = list(records)
    with _collector_paused():
        span = usual(records) if not problems and _staging() else None
        if span is not None:
            done = _store_staged(provider_id, records, span, source=source, actor=actor)
            if done is not None:
                return done
        good, repeats = check_records(records, problems)
        return _store(provider_id, good, repeats, problems, source=source, actor=actor)


def _staging() -> bool:
    """Whether a usual batch may take SQLite's way (opc.compute.operations.usage_staged)."""
    return STAGING and db.engine.dialect.name == "sqlite"


@retrying
def _store_staged(
    provider_id: Any, records: list[Any], span: Usual, *, source: str, actor: Any
) -> Ingested | None:
    """A usual batch checked and stored by SQLite; None when it declined (nothing written)."""
    try:
        with transaction(actor) as session:
            provider = _provider(session, provider_id, actor)
            teams = _lock_teams(session, span.team_ids, actor)
            residency = _residency(session, teams)
            resident = [
                Resident(team_id, park_id, zone, days.move_in, days.left)
                for team_id, (park_id, zone, _status) in teams.items()
                if (days := residency[team_id]).resident
            ]
            if len(resident) != len(span.team_ids):
                raise Declined("a team unknown, not resident, or not of the staff's parks")
            batch = store_staged(session, provider, records, resident, span, source, actor)
            return Ingested(batch.stored, 0, batch.id, batch.cost_fen, batch.subsidy_fen)
    except Declined:
        return None


def _provider(session: Session, provider_id: Any, actor: Any) -> Provider:
    provider = session.get(Provider, provider_id) if is_id(provider_id) else None
    if provider is None:
        raise ValidationFailed({"provider_id": [_("No such provider.")]})
    require_actor(can_write_usage, actor, provider)
    return provider


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector paused while a batch is processed: its ten-odd objects per
    record (none in a cycle; reference counting frees them) would have the collector walk
    the batch again and again, a fifth of the time of a 50,000-record batch. Whoever paused
    it starts it again."""
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()


@retrying
def _store(
    provider_id: Any,
    good: list[tuple[int, Record]],
    repeats: int,
    checked: Problems,
    *,
    source: str,
    actor: Any,
) -> Ingested:
    problems = list(checked)  # a retry starts again from the records' own problems
    with transaction(actor) as session:
        provider = _provider(session, provider_id, actor)
        team_ids = sorted({record.team_id for _index, record in good})
        teams = _lock_teams(session, team_ids, actor)
        residency = _residency(session, teams)
        stored = _stored(session, [record.external_id for _index, record in good])
        days = {}
        duplicates = repeats
        for index, record in good:
            team = teams.get(record.team_id)
            if team is None:
                problems.append((index, "team_id", _("No such team.")))
                continue
            local = record.started_at.astimezone(team[1])
            days[index] = local
            problem = residency[record.team_id].problem(local.date())
            if problem:
                problems.append((index, "start", problem))
            earlier = stored.get(record.external_id)
            if earlier is None:
                continue
            if earlier[0] != provider.id:
                problems.append((index, "external_id", _("This job id is another provider's.")))
            elif earlier[1] != record:
                reason = _("This job id is stored with other values: it cannot be changed.")
                problems.append((index, "external_id", reason))
            else:
                duplicates += 1
                days.pop(index)
        if problems:
            raise InvalidRecords(problems)
        fresh = [(i, r) for i, r in good if i in days]
        if not fresh:
            return Ingested(0, duplicates, None, 0, 0)
        batch = write_batch(session, provider, fresh, days, teams, duplicates, source, actor)
        return Ingested(batch.stored, duplicates, batch.id, batch.cost_fen, batch.subsidy_fen)


class _Residency:
    """A team's residency: from its move-in (None: resident before histories were kept)
    to the day it left (excluded), or never."""

    def __init__(self, move_in: date | None, left: date | None, resident: bool) -> None:
        self.move_in, self.left, self.resident = move_in, left, resident

    def problem(self, day: date) -> str | None:
        if not self.resident:
            return _("The team was not resident on %(day)s.", day=format_day(day))
        if self.move_in is not None and day < self.move_in:
            return _(
                "The team moved in on %(move_in)s: it was not resident on %(day)s.",
                move_in=format_day(self.move_in),
                day=format_day(day),
            )
        if self.left is not None and day >= self.left:
            return _(
                "The team left on %(left)s: it was not resident on %(day)s.",
                left=format_day(self.left),
                day=format_day(day),
            )
        return None


def _lock_teams(
    session: Session, team_ids: list[int], actor: Any
) -> dict[int, tuple[int, ZoneInfo, str]]:
    """The batch's teams (park, zone, status), their rows locked in id order. Staff
    uploading for a provider see only the teams of their parks."""
    parks = staff_park_ids(actor) if getattr(actor, "role", None) == Role.STAFF else None
    zones: dict[str, ZoneInfo] = {}
    teams = {}
    for some in chunks(team_ids):
        stmt = (
            select(Team.id, Team.park_id, Team.status, Park.timezone)
            .join(Park, Park.id == Team.park_id)
            .where(Team.id.in_(some))
            .order_by(Team.id)
            .with_for_update(of=Team)
        )
        for team_id, park_id, status, zone in session.execute(stmt):
            if parks is None or park_id in parks:
                teams[team_id] = (park_id, zones.setdefault(zone, ZoneInfo(zone)), status)
    return teams


def _residency(
    session: Session, teams: dict[int, tuple[int, ZoneInfo, str]]
) -> dict[int, _Residency]:
    """Each team's residency, from its history (opc.teams.rules)."""
    found = {}
    for some in chunks(list(teams)):
        moved_in = move_in_dates(session, list(some))
        left = exit_dates(session, list(some))
        for team_id in some:
            move_in = moved_in.get(team_id)
            # No move-in in its history: a team resident before histories were kept.
            resident = move_in is not None or teams[team_id][2] == TeamStatus.RESIDENT
            exit_day = left[team_id][0] if team_id in left else None
            found[team_id] = _Residency(move_in, exit_day, resident)
    return found


def _stored(session: Session, external_ids: list[str]) -> dict[str, tuple[int, Record]]:
    """The records stored under these job ids: provider, and the record as it was sent."""
    r = UsageRecord
    stmt = select(
        r.provider_id, r.external_id, r.team_id, r.gpu_type, r.started_at, r.ended_at,
        r.gpu_hours_hundredths, r.cost_fen,
    ).where(among(session, r.external_id, external_ids))  # fmt: skip
    return {
        values[0]: (provider_id, Record(*values)) for provider_id, *values in session.execute(stmt)
    }

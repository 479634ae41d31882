"""Usage ingestion benchmark: a year of usage through ingest_usage, beside the raw floor.

    .venv/bin/python -m bench.compute_ingest [--records 1000000] [--batch 50000]
                                             [--database-url URL]

Seeds a fresh database (SQLite in a temporary directory unless --database-url names a
PostgreSQL server, where databases are created and dropped) with one park of 100 resident
teams (ten of them moving in during the year), three providers, two programmes and 120
vouchers (some on GPU-hours, some expiring mid-year, one programme redeemable at two of the
providers only), then ingests --records usage records covering the last 12 months in
batches of --batch through the service the API calls (opc.compute.operations.usage
.ingest_usage: every record checked, teams locked, residency, job ids looked up, draw-down,
the batch, records, draws, vouchers and alerts written in one transaction per batch).

The floor, in the same run, writes the same rows into a second fresh database with the same
schema and indexes, one bare `executemany` (SQLite) or `COPY` (PostgreSQL) and a commit per
batch, no validation and no draw-down. Each side runs in a process of its own, so that its
peak memory (ru_maxrss) is its own; the time counted is the writing alone (the records are
generated before each batch's clock starts). Target: the service at least half the floor's
records per second, and memory flat in the number of batches (RSS after the first batch,
half-way and at the end).

Records: teams chosen with a Zipf-like spread (a few heavy users, a long tail), jobs of
1–8 GPUs lasting minutes to two days (log-normal around two hours), four GPU types at
their own prices per GPU-hour, each provider sending its batches in time order.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.harness import ROOT, SECRET, database
from bench.usage_workload import PROVIDERS, TZ, Workload, seed_park

# --- the two sides ---------------------------------------------------------------------


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _service(url: str, records: int, batch: int) -> dict[str, Any]:
    """Every batch through ingest_usage, as the API calls it (the provider's user acting)."""
    os.environ.update({"OPC_DATABASE_URL": url, "OPC_SECRET_KEY": SECRET})
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from opc import create_app
    from opc.auth.models import User
    from opc.compute.models import UsageDraw, UsageRecord, VoucherAlert
    from opc.compute.operations.usage import ingest_usage
    from opc.core.dates import local_today
    from opc.extensions import db

    app = create_app({"SEED_DEMO_ON_START": False})
    with app.app_context():
        upgrade()
        today = local_today()
        seeded = seed_park(today, vouchers=True)
        work = Workload(records, batch, today, seeded["team_ids"])
        took, cpu, rss = 0.0, 0.0, []
        for number in range(work.batches):
            provider, rows = work.batch_records(number)
            provider_id, user_id = seeded["providers"][provider]
            actor = db.session.get(User, user_id)
            db.session.rollback()
            started, clock = time.perf_counter(), time.process_time()
            done = ingest_usage(provider_id, rows, source="api", actor=actor)
            took += time.perf_counter() - started
            cpu += time.process_time() - clock
            assert done.stored == len(rows), done
            db.session.remove()
            rss.append(_rss_mb())
            del rows
        totals = db.session.execute(
            select(func.count(), func.sum(UsageRecord.cost_fen), func.sum(UsageRecord.subsidy_fen))
        ).one()
        draws = db.session.scalar(select(func.count()).select_from(UsageDraw))
        alerts = db.session.scalar(select(func.count()).select_from(VoucherAlert))
    return {
        "seconds": took,
        "cpu": cpu,
        "records": totals[0],
        "cost_fen": int(totals[1]),
        "subsidy_fen": int(totals[2]),
        "draws": draws,
        "alerts": alerts,
        "rss": rss,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "vouchers": seeded["vouchers"],
        "programmes": seeded["programmes"],
    }


def _floor(url: str, records: int, batch: int) -> dict[str, Any]:
    """The same rows with no checks: one executemany (SQLite) or COPY (PostgreSQL) a batch."""
    os.environ.update({"OPC_DATABASE_URL": url, "OPC_SECRET_KEY": SECRET})
    from flask_migrate import upgrade

    from opc import create_app
    from opc.compute.models import UsageBatch
    from opc.core.dates import local_today
    from opc.extensions import db

    app = create_app({"SEED_DEMO_ON_START": False})
    columns = (
        "batch_id",
        "provider_id",
        "external_id",
        "team_id",
        "park_id",
        "gpu_type",
        "started_at",
        "ended_at",
        "month",
        "gpu_hours_hundredths",
        "cost_fen",
        "subsidy_fen",
    )
    with app.app_context():
        upgrade()
        today = local_today()
        seeded = seed_park(today, vouchers=False)
        work = Workload(records, batch, today, seeded["team_ids"])
        sqlite = db.engine.dialect.name == "sqlite"
        took, cpu, rss = 0.0, 0.0, []
        for number in range(work.batches):
            provider, rows = work.batch_records(number)
            provider_id = seeded["providers"][provider][0]
            record = UsageBatch(
                provider_id=provider_id,
                source="api",
                stored=len(rows),
                duplicates=0,
                cost_fen=0,
                subsidy_fen=0,
            )
            db.session.add(record)
            db.session.commit()
            batch_id = record.id
            db.session.remove()  # no read transaction of its own in the way of the write
            values = [_row(batch_id, provider_id, seeded["park_id"], r, sqlite) for r in rows]
            del rows
            raw = db.engine.raw_connection()
            try:
                started, clock = time.perf_counter(), time.process_time()
                cursor = raw.cursor()
                if sqlite:
                    cursor.execute("BEGIN IMMEDIATE")
                    marks = ", ".join("?" * len(columns))
                    cursor.executemany(
                        f"INSERT INTO usage_records ({', '.join(columns)}) VALUES ({marks})",
                        values,
                    )
                else:
                    with cursor.copy(
                        f"COPY usage_records ({', '.join(columns)}) FROM STDIN"
                    ) as copy:
                        for value in values:
                            copy.write_row(value)
                raw.commit()
                took += time.perf_counter() - started
                cpu += time.process_time() - clock
            finally:
                raw.close()
            rss.append(_rss_mb())
            del values
    return {
        "seconds": took,
        "cpu": cpu,
        "records": records,
        "rss": rss,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _row(
    batch_id: int, provider_id: int, park_id: int, r: dict[str, Any], sqlite: bool
) -> tuple[Any, ...]:
    """A record as the table holds it (what the service would write, unsubsidised)."""
    start = datetime.fromisoformat(r["start"]).astimezone(UTC)
    end = datetime.fromisoformat(r["end"]).astimezone(UTC)
    local = start.astimezone(TZ)
    if sqlite:  # as SQLAlchemy stores a DateTime on SQLite
        start, end = (d.replace(tzinfo=None).isoformat(" ", "microseconds") for d in (start, end))
    hours = int(Decimal(r["gpu_hours"]) * 100)
    cost = int(Decimal(r["cost_yuan"]) * 100)
    return (
        batch_id,
        provider_id,
        r["external_id"],
        r["team_id"],
        park_id,
        r["gpu_type"],
        start,
        end,
        f"{local.year:04d}-{local.month:02d}",
        hours,
        cost,
        0,
    )


# --- the run ---------------------------------------------------------------------------


def _side(kind: str, url: str, args: argparse.Namespace) -> dict[str, Any]:
    """One side in a process of its own (its own peak memory)."""
    command = [
        sys.executable,
        "-m",
        "bench.compute_ingest",
        "--side",
        kind,
        "--url",
        url,
        "--records",
        str(args.records),
        "--batch",
        str(args.batch),
    ]
    out = subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def _print(
    backend: str,
    args: argparse.Namespace,
    service: dict[str, Any],
    floor: dict[str, Any],
    load: float,
) -> None:
    batches = len(service["rss"])
    print(
        f"\nUsage ingestion — {backend}, {args.records:,} records in {batches} batches of "
        f"{args.batch:,} (100 teams, {len(PROVIDERS)} providers, 12 months, "
        f"{service['programmes']} programmes, {service['vouchers']} vouchers); 1-min load "
        f"average before the run: {load:.1f}\n"
    )
    print(
        "| run | records/s | vs floor | seconds | client CPU s | RSS MB after batch 1 / "
        "half-way / last | peak RSS MB | target |"
    )
    print("|---|---:|---:|---:|---:|---|---:|---|")
    floor_rate = floor["records"] / floor["seconds"]
    for name, side in (
        ("floor: bare " + ("executemany" if backend == "sqlite" else "COPY"), floor),
        ("ingest_usage (the API's service)", service),
    ):
        rate = side["records"] / side["seconds"]
        rss = side["rss"]
        marks = f"{rss[0]:.0f} / {rss[len(rss) // 2]:.0f} / {rss[-1]:.0f}"
        ratio = rate / floor_rate
        target = "floor" if side is floor else ("met" if ratio >= 0.5 else "MISSED")
        print(
            f"| {name} | {rate:,.0f} | {ratio:.2f} | {side['seconds']:.1f} | {side['cpu']:.1f} | "
            f"{marks} | {side['peak_mb']:.0f} | {target} |"
        )
    print(
        f"\nStored by the service: {service['records']:,} records, cost "
        f"¥{service['cost_fen'] / 100:,.2f}, subsidy ¥{service['subsidy_fen'] / 100:,.2f} in "
        f"{service['draws']:,} draws, {service['alerts']} voucher alerts"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=50_000)
    parser.add_argument("--database-url", help="a PostgreSQL server URL (databases are created)")
    parser.add_argument("--side", choices=("service", "floor"), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side:
        run = _service if args.side == "service" else _floor
        print(json.dumps(run(args.url, args.records, args.batch)))
        return
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        results = {}
        for kind in ("floor", "service"):
            Path(tmp, kind).mkdir()
            url, drop = database(args.database_url, str(Path(tmp, kind)))
            try:
                results[kind] = _side(kind, url, args)
            finally:
                if drop:
                    drop()
    backend = "sqlite" if not args.database_url else "postgresql"
    _print(backend, args, results["service"], results["floor"], load)


if __name__ == "__main__":
    main()

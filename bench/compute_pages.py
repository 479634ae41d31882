"""Compute pages at a year of usage: the usage explorer, a team's vouchers and the usage API
with 1,000,000 usage records stored, served by gunicorn under load beside the bare-Flask
floor (bench.run's harness and writer), and the monthly subsidy totals per team in SQL
beside the bare GROUP BY on the same data.

    .venv/bin/python -m bench.compute_pages [--records 1000000] [--seconds 6] [--rounds 3]
                                            [--writes 10] [--database-url URL]

Data: bench.seed's park (100 resident teams, 20 staff, 400 units, 20,000 allocations,
120,000 audit entries), 3 providers, a programme at 50% with a voucher for two teams in
three, and --records usage records over the 12 months before this one, written in bulk
(executemany on SQLite, COPY on PostgreSQL) in the order they started, each subsidised
record with its draw, then the rollups made from them. The 11 oldest months are
settled through the operation (opc.compute.operations.settlements, timed); last month is
not (a park in the days before it issues). Then ANALYZE. SQLite in a temporary directory
unless --database-url names a PostgreSQL server (a database is created and dropped). Each
endpoint keeps its best round.

--reuse FILE keeps the seeded database for the next runs: when FILE does not exist the
database is seeded as above, kept (SQLite beside FILE), and FILE records its URL and the
seed's facts; when it does, the run measures that database without seeding it again (the
writer's few thousand writes a run accumulate in it). --cost-only skips the load and
prints the app's CPU per request only.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bench.harness import ROOT, SECRET, app_costs, database, load, login, serving, writing
from opc.compute.usage_queries import add_months, first_day, month_of

PROVIDERS = ("星河算力", "天府智算", "西部云")
# (GPU type, fen per GPU-hour, weight)
GPUS = (("H100", 2_500, 3), ("A100", 1_200, 4), ("H800", 2_200, 2), ("L40S", 800, 2))
TZ = "Asia/Shanghai"
COLUMNS = (
    "batch_id, provider_id, external_id, team_id, park_id, gpu_type, started_at, ended_at,"
    " month, gpu_hours_hundredths, cost_fen, subsidy_fen"
)
BARE = (
    "SELECT team_id, month, count(id), sum(gpu_hours_hundredths), sum(cost_fen),"
    " sum(subsidy_fen) FROM usage_records WHERE park_id = :p AND month >= :a AND month <= :b"
    " GROUP BY team_id, month ORDER BY team_id, month"
)


def _local(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), ZoneInfo(TZ))


def _records(month: str, n: int, ids: dict[str, Any], rng: random.Random) -> list[tuple]:
    """n records of the month by start time, as rows of COLUMNS; subsidised (50%) for the
    teams with a voucher (two in three)."""
    kinds = [(gpu, price) for gpu, price, weight in GPUS for _ in range(weight)]
    first = _local(first_day(month))
    span = int((_local(first_day(add_months(month, 1))) - first).total_seconds())
    rows = []
    for local in sorted(first + timedelta(seconds=rng.randrange(span)) for _ in range(n)):
        team, provider = rng.choice(ids["teams"]), rng.choice(ids["providers"])
        gpu, price = rng.choice(kinds)
        hours = rng.randrange(25, 2_400)
        cost = hours * price // 100
        start = local.astimezone(UTC)
        end = start + timedelta(minutes=rng.randrange(10, 600))
        subsidy = (cost + 1) // 2 if team in ids["vouchers"] else 0
        job = f"bench-{month}-{len(rows)}"
        row = (provider, job, team, ids["park"], gpu, start, end, month, hours, cost, subsidy)
        rows.append((ids["batches"][provider], *row))
    return rows


def _bulk(db: Any, sql: str, rows: list[tuple]) -> None:
    """Bare executemany (SQLite) or COPY (PostgreSQL): seeding, not the ingestion under test."""
    conn = db.engine.raw_connection()
    try:
        cur = conn.cursor()
        if db.engine.dialect.name == "postgresql":
            cur.execute("SET statement_timeout = 0")  # the app's limit is for requests
            with cur.copy(f"COPY {sql} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            text = "%Y-%m-%d %H:%M:%S.%f"  # as SQLAlchemy writes a datetime to SQLite
            rows = [
                tuple(v.strftime(text) if isinstance(v, datetime) else v for v in r) for r in rows
            ]
            cur.executemany(f"INSERT INTO {sql} VALUES ({', '.join('?' * len(rows[0]))})", rows)
        conn.commit()
    finally:
        conn.close()


def seed_compute(info: dict[str, Any], count: int) -> dict[str, Any]:
    """Providers, a programme, vouchers, `count` records with their draws, the settlements
    of the 11 oldest months (timed), the sums compared; inside the app's context."""
    from sqlalchemy import text

    from opc.auth.models import User
    from opc.compute.models import Programme, Provider, UsageBatch, Voucher
    from opc.compute.operations.settlements import issue_settlement
    from opc.compute.usage_months import rebuild_months
    from opc.compute.voucher_days import rebuild_voucher_days
    from opc.extensions import db

    park_id, teams = int(info["park_id"]), [int(t) for t in info["team_ids"].split(",")]
    months = [add_months(month_of(datetime.now(ZoneInfo(TZ)).date()), -n) for n in range(12, 0, -1)]
    users = [
        User(email=f"provider{n}@bench.cn", name=name, role="provider")
        for n, name in enumerate(PROVIDERS)
    ]
    db.session.add_all(users)
    db.session.flush()
    providers = [Provider(user_id=u.id, name=u.name) for u in users]
    db.session.add_all(providers)
    db.session.flush()
    batches = [
        UsageBatch(
            provider_id=p.id, source="api", stored=0, duplicates=0, cost_fen=0, subsidy_fen=0
        )
        for p in providers
    ]
    window = {"valid_from": first_day(months[0]), "valid_to": first_day(add_months(months[-1], 3))}
    programme = Programme(
        park_id=park_id,
        code="BENCH",
        name_zh="基准算力券",
        budget_fen=10**13,
        rate_percent=50,
        tracks=[],
        providers=providers,
        **window,
    )
    db.session.add_all([*batches, programme])
    db.session.flush()
    vouchers = [
        Voucher(programme_id=programme.id, team_id=t, amount_fen=10**11, **window)
        for t in teams
        if t % 3
    ]
    db.session.add_all(vouchers)
    db.session.flush()
    ids = {
        "park": park_id,
        "teams": teams,
        "providers": [p.id for p in providers],
        "batches": {b.provider_id: b.id for b in batches},
        "vouchers": {v.team_id: v.id for v in vouchers},
    }
    db.session.commit()
    started, rng = time.monotonic(), random.Random(9)
    for n, month in enumerate(months):  # a month at a time: memory flat in the records
        share = count * (n + 1) // len(months) - count * n // len(months)
        _bulk(db, f"usage_records ({COLUMNS})", _records(month, share, ids, rng))
    found = db.session.execute(
        text(
            "SELECT id, team_id, subsidy_fen, gpu_hours_hundredths FROM usage_records"
            " WHERE subsidy_fen > 0"
        )
    ).tuples()
    draws = [(r, ids["vouchers"][t], fen, hours) for r, t, fen, hours in found]
    db.session.rollback()
    _bulk(db, "usage_draws (record_id, voucher_id, subsidy_fen, gpu_hours_hundredths)", draws)
    with db.engine.begin() as conn:  # the vouchers' balances: their draws' sums
        conn.execute(
            text(
                "UPDATE vouchers SET used_fen = (SELECT coalesce(sum(subsidy_fen), 0)"
                " FROM usage_draws WHERE voucher_id = vouchers.id)"
            )
        )
    rebuild_months(db.session)  # the rollups the ingestion would have kept
    rebuild_voucher_days(db.session)
    db.session.commit()
    written, issues = time.monotonic() - started, []
    for month in months[:-1]:
        for provider in ids["providers"]:
            t0 = time.perf_counter()
            issue_settlement(park_id, provider, month, actor=None)
            issues.append(round((time.perf_counter() - t0) * 1000, 1))
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if conn.dialect.name == "postgresql" else "ANALYZE"))
    first_voucher = min(ids["vouchers"])
    sums = _sums(park_id, months)
    return {
        "months": months,
        "team_id": str(first_voucher),
        "written_s": written,
        "issue_ms": issues,
        "sums": sums,
    }


def _sums(park_id: int, months: list[str], runs: int = 7) -> dict[str, Any]:
    """opc.compute.usage_queries.team_month_subsidies over every record, beside the bare SQL
    GROUP BY of the same sums: best and median of `runs` each, alternating."""
    from sqlalchemy import text

    from opc.compute.usage_queries import team_month_subsidies
    from opc.extensions import db

    times: dict[str, list[float]] = {"app": [], "bare": []}
    for _ in range(runs):
        t0 = time.perf_counter()
        found = team_month_subsidies(park_id, months[0], months[-1])
        times["app"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        bare = db.session.execute(text(BARE), {"p": park_id, "a": months[0], "b": months[-1]})
        rows = bare.all()
        times["bare"].append(time.perf_counter() - t0)
        db.session.rollback()
    assert [(t, m, x.subsidy_fen) for t, m, x in found] == [(r[0], r[1], r[5]) for r in rows]
    return {
        k: {"best": min(v) * 1000, "median": statistics.median(v) * 1000, "rows": len(found)}
        for k, v in times.items()
    }


def _prepare(database_url: str, records: int) -> dict[str, Any]:
    env = {**os.environ, "OPC_DATABASE_URL": database_url, "OPC_SECRET_KEY": SECRET}
    upgrade = [sys.executable, "-m", "flask", "--app", "opc", "db", "upgrade"]
    subprocess.run(upgrade, cwd=ROOT, env=env, check=True, capture_output=True)
    code = (
        "import json; from opc import create_app; from bench.seed import seed\n"
        "from bench.compute_pages import seed_compute\n"
        "app = create_app()\n"
        f"with app.app_context(): info = seed(); info.update(seed_compute(info, {records}))\n"
        "print(json.dumps(info))"
    )
    run = [sys.executable, "-c", code]
    out = subprocess.run(run, cwd=ROOT, env=env, check=True, stdout=subprocess.PIPE, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _endpoints(info: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    park, team, months = info["park_id"], info["team_id"], info["months"]
    explorer = f"/parks/{park}/compute/usage?month={months[-1]}"
    return [
        ("floor: bare Flask", "/floor/", None),
        ("explorer, last month (not settled)", explorer, "session"),
        ("explorer, a settled month", f"/parks/{park}/compute/usage?month={months[-4]}", "session"),
        ("explorer, last month, GPU type H100", f"{explorer}&gpu_type=H100", "session"),
        ("explorer, last month, page 100", f"{explorer}&page=100", "session"),
        ("explorer, one team", f"/teams/{team}/usage?month={months[-1]}", "session"),
        ("team's vouchers page", f"/teams/{team}/vouchers", "session"),
        ("usage API, a month", f"/api/v1/usage?park_id={park}&month={months[-1]}", "token"),
    ]


def _measure(database_url: str, info: dict[str, Any], args: argparse.Namespace) -> list[Any]:
    """Each endpoint under load (bench.run._load) in turn, for --rounds rounds, beside the
    writer of bench.run; each keeps its round with the lowest p99."""
    with serving(database_url) as (port, env):
        cookie = login(port, info["email"], info["password"])
        auth = {
            "session": {"Cookie": cookie},
            "token": {"Authorization": f"Bearer {info['token']}"},
        }
        best: dict[str, Any] = {}
        with writing(port, info, args.writes):
            for _round in range(args.rounds):
                for name, path, kind in _endpoints(info):
                    queue: Any = multiprocessing.Queue()
                    headers = auth.get(kind or "", {})
                    job = (port, path, headers, args.seconds, args.concurrency, queue)
                    proc = multiprocessing.Process(target=load, args=job)
                    proc.start()
                    result = queue.get()
                    proc.join()
                    if name not in best or result["p99_ms"] < best[name]["p99_ms"]:
                        best[name] = result
        costs = app_costs(env, info, _endpoints(info))
        return [
            (name, path, best[name], costs.get(name, 0.0)) for name, path, _a in _endpoints(info)
        ]


def _print(info: dict[str, Any], rows: list[Any], backend: str, args: Any) -> None:
    print(
        f"\nOPC Ops compute pages — {backend}, {args.records:,} usage records over 12 months "
        f"(11 settled), gunicorn 2 workers × 4 threads, {args.concurrency} connections, best "
        f"of {args.rounds} × {args.seconds:g} s, writer at {args.writes:g} writes/s; 1-min "
        f"load average before the run: {args.load_before:.1f}\n"
    )
    print("| endpoint | req/s | median ms | p99 ms | SQL/request | app CPU ms/request | target |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for name, path, r, cost in rows:
        ok = "floor" if path == "/floor/" else ("met" if r["p99_ms"] < 100 else "MISSED")
        ok += f" ({r['errors']} errors {r['statuses']})" if r["errors"] else ""
        print(
            f"| {name} `{path}` | {r['rps']:.0f} | {r['median_ms']:.1f} | {r['p99_ms']:.1f} | "
            f"{r['queries']:.0f} | {cost:.2f} | {ok} |"
        )
    app, bare = info["sums"]["app"], info["sums"]["bare"]
    ratio = app["best"] / bare["best"]
    print(
        f"\nMonthly subsidy totals per team over {args.records:,} records ({app['rows']:,} "
        f"team-months): team_month_subsidies best {app['best']:.0f} ms (median "
        f"{app['median']:.0f}), the bare GROUP BY best {bare['best']:.0f} ms (median "
        f"{bare['median']:.0f}): {ratio:.2f}× ({'met' if ratio <= 1.5 else 'MISSED'}: ≤ 1.5×)"
    )
    issues = sorted(info["issue_ms"])
    print(
        f"Records and draws written in {info['written_s']:.0f} s; {len(issues)} settlements "
        f"issued (a provider's month, ≈{args.records // 36:,} records): median "
        f"{statistics.median(issues):.0f} ms, slowest {issues[-1]:.0f} ms"
    )


def _reused(path: str, given_url: str | None, records: int) -> tuple[str, dict[str, Any]]:
    """The database and seed facts recorded in `path` (--reuse), seeding and recording
    them first when `path` does not exist yet."""
    if os.path.exists(path):
        with open(path) as f:
            kept = json.load(f)
        return kept["database_url"], kept["info"]
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    database_url, _drop = database(given_url, directory)  # kept: never dropped
    if not given_url:
        database_url = f"sqlite:///{os.path.abspath(path)}.sqlite3"
    started = time.monotonic()
    info = _prepare(database_url, records)
    print(f"seeded in {time.monotonic() - started:.0f} s (kept)", file=sys.stderr)
    with open(path, "w") as f:
        json.dump({"database_url": database_url, "info": info}, f)
    return database_url, info


def _print_costs(database_url: str, info: dict[str, Any], args: Any) -> None:
    """--cost-only: the app's CPU per request of each endpoint (bench.appcost), no load."""
    env = {**os.environ, "OPC_DATABASE_URL": database_url, "OPC_SECRET_KEY": SECRET}
    env["OPC_CONFIG"] = str(ROOT / "bench" / "bench.toml")
    costs = app_costs(env, info, _endpoints(info))
    print(f"\napp CPU ms/request ({database_url.split(':')[0]}, load {args.load_before:.1f})")
    for name, path, _a in _endpoints(info):
        print(f"| {name} `{path}` | {costs.get(name, 0.0):.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=6, help="per endpoint (default 6)")
    parser.add_argument("--rounds", type=int, default=3, help="each endpoint keeps its best")
    parser.add_argument("--concurrency", type=int, default=8, help="connections (default 8)")
    parser.add_argument("--writes", type=float, default=10, help="writer's writes/s (0: none)")
    parser.add_argument("--database-url", help="a PostgreSQL server URL (a database is created)")
    parser.add_argument("--reuse", metavar="FILE", help="keep the seeded database for next runs")
    parser.add_argument("--cost-only", action="store_true", help="the app's CPU only, no load")
    args = parser.parse_args()
    args.load_before = os.getloadavg()[0]
    if args.reuse:
        database_url, info = _reused(args.reuse, args.database_url, args.records)
        if args.cost_only:
            _print_costs(database_url, info, args)
            return
        rows = _measure(database_url, info, args)
        _print(info, rows, database_url.split(":")[0].split("+")[0], args)
        return
    with tempfile.TemporaryDirectory() as tmp:
        database_url, drop = database(args.database_url, tmp)
        try:
            started = time.monotonic()
            info = _prepare(database_url, args.records)
            print(f"seeded in {time.monotonic() - started:.0f} s", file=sys.stderr)
            rows = _measure(database_url, info, args)
            _print(info, rows, database_url.split(":")[0].split("+")[0], args)
        finally:
            if drop:
                drop()


if __name__ == "__main__":
    main()

"""The monthly subsidy report at a year of usage: opc.reports producing each month's rows
and files (CSV and XLSX) beside the bare SQL aggregation of the same sums, and the peak
memory of producing the files (flat: rows stream from the database to the files).

    .venv/bin/python -m bench.monthly_report [--records 1000000] [--rounds 3]
                                             [--database-url URL] [--reuse FILE]

Data: bench.compute_pages' seed (bench.seed's park of 100 resident teams, 3 providers, a
programme at 50% with vouchers for two teams in three, --records usage records with their
draws over the 12 months before this one). --reuse FILE shares compute_pages' kept
database. For each of the 12 months, best of --rounds: "bare" runs the report's four
GROUP BYs as plain SQL text (rent waiver lines, compute draws joined to their records and
vouchers, approvals, paid tranches) and fetches the rows; "rows" is opc.reports.
monthly_subsidy.rows() (the same GROUP BYs with names and totals) consumed; "files" is
rows() written to both files in temporary files (opc.reports.files.write). Peak memory is
tracemalloc's over the largest month's files.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from typing import Any

from bench.compute_pages import _prepare, _reused
from bench.harness import ROOT, SECRET, database

TARGET = 1.5

BARE = (
    "SELECT s.team_id, l.policy_id, sum(-l.amount_fen) FROM statement_lines l"
    " JOIN statements s ON s.id = l.statement_id"
    " WHERE s.park_id = :p AND s.month = :m AND l.kind = 'waiver' GROUP BY s.team_id, l.policy_id",
    "SELECT r.team_id, v.programme_id, sum(d.gpu_hours_hundredths), sum(d.subsidy_fen)"
    " FROM usage_draws d JOIN usage_records r ON r.id = d.record_id"
    " JOIN vouchers v ON v.id = d.voucher_id"
    " WHERE r.park_id = :p AND r.month = :m GROUP BY r.team_id, v.programme_id",
    "SELECT team_id, call_id, sum(approved_fen) FROM applications"
    " WHERE park_id = :p AND approved_fen IS NOT NULL AND decided_at >= :a AND decided_at < :b"
    " GROUP BY team_id, call_id",
    "SELECT a.team_id, a.call_id, sum(t.amount_fen) FROM disbursements t"
    " JOIN applications a ON a.id = t.application_id WHERE a.park_id = :p"
    " AND t.status = 'paid' AND t.paid_on >= :f AND t.paid_on < :n GROUP BY a.team_id, a.call_id",
)


def measure(park_id: int, months: list[str], rounds: int) -> dict[str, Any]:
    """Inside the app's context: per month the best of `rounds` of each way."""
    import tracemalloc

    from sqlalchemy import text

    from opc.compute.usage_queries import add_months, first_day
    from opc.extensions import db
    from opc.parks.models import Park
    from opc.reports import files, monthly_subsidy

    park = db.session.get(Park, park_id)
    result: dict[str, Any] = {"months": {}}
    for month in months:
        start, end = monthly_subsidy.month_window(park, month)
        params = {
            "p": park_id,
            "m": month,
            "a": start,
            "b": end,
            "f": first_day(month),
            "n": first_day(add_months(month, 1)),
        }
        best = {"bare": float("inf"), "rows": float("inf"), "files": float("inf")}
        count = 0
        for _ in range(rounds):
            t0 = time.perf_counter()
            for sql in BARE:
                db.session.execute(text(sql), params).all()
            best["bare"] = min(best["bare"], time.perf_counter() - t0)
            db.session.rollback()
            t0 = time.perf_counter()
            count = sum(1 for _row in monthly_subsidy.rows(park, month))
            best["rows"] = min(best["rows"], time.perf_counter() - t0)
            db.session.rollback()
            with tempfile.TemporaryFile() as c, tempfile.TemporaryFile() as x:
                t0 = time.perf_counter()
                files.write(monthly_subsidy.rows(park, month), month, c, x)
                best["files"] = min(best["files"], time.perf_counter() - t0)
            db.session.rollback()
        result["months"][month] = {k: v * 1000 for k, v in best.items()} | {"rows_out": count}
    largest = max(months, key=lambda m: result["months"][m]["rows_out"])
    tracemalloc.start()
    with tempfile.TemporaryFile() as c, tempfile.TemporaryFile() as x:
        files.write(monthly_subsidy.rows(park, largest), largest, c, x)
    result["peak_kib"] = tracemalloc.get_traced_memory()[1] / 1024
    tracemalloc.stop()
    records = db.session.scalar(
        text("SELECT count(*) FROM usage_records WHERE park_id = :p"), {"p": park_id}
    )
    result["records"] = int(records or 0)
    return result


def _run(database_url: str, info: dict[str, Any], rounds: int) -> dict[str, Any]:
    env = {**os.environ, "OPC_DATABASE_URL": database_url, "OPC_SECRET_KEY": SECRET}
    code = (
        "import json; from opc import create_app; from bench.monthly_report import measure\n"
        "app = create_app()\n"
        f"with app.app_context(): out = measure({int(info['park_id'])}, "
        f"{json.dumps(info['months'])}, {rounds})\n"
        "print(json.dumps(out))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _print(result: dict[str, Any], backend: str) -> None:
    months = result["months"]
    total = {k: sum(m[k] for m in months.values()) for k in ("bare", "rows", "files")}
    print(f"monthly subsidy report, {backend}, {result['records']:,} usage records, 12 months")
    print(f"{'month':<9}{'bare SQL ms':>13}{'rows ms':>10}{'files ms':>10}{'rows out':>10}")
    for month, m in months.items():
        print(
            f"{month:<9}{m['bare']:>13.1f}{m['rows']:>10.1f}{m['files']:>10.1f}{m['rows_out']:>10}"
        )
    ratio = total["rows"] / total["bare"] if total["bare"] else float("nan")
    met = "met" if ratio <= TARGET else "missed"
    print(
        f"{'12 months':<9}{total['bare']:>13.1f}{total['rows']:>10.1f}{total['files']:>10.1f}"
        f"   rows/bare {ratio:.2f}x (target {TARGET}x: {met})"
    )
    print(f"peak memory writing the largest month's files: {result['peak_kib']:.0f} KiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", help="a PostgreSQL server (default: SQLite)")
    parser.add_argument("--reuse", metavar="FILE", help="keep the seeded database for next runs")
    args = parser.parse_args()
    if args.reuse:
        database_url, info = _reused(args.reuse, args.database_url, args.records)
        drop = None
    else:
        with tempfile.TemporaryDirectory() as folder:
            database_url, drop = database(args.database_url, folder)
            try:
                started = time.monotonic()
                info = _prepare(database_url, args.records)
                print(f"seeded in {time.monotonic() - started:.0f} s", file=sys.stderr)
                result = _run(database_url, info, args.rounds)
            finally:
                if drop:
                    drop()
        _print(result, "PostgreSQL" if args.database_url else "SQLite")
        return
    result = _run(database_url, info, args.rounds)
    _print(result, "PostgreSQL" if "postgresql" in database_url else "SQLite")
    del drop


if __name__ == "__main__":
    main()

"""Page and API benchmark: gunicorn serving OPC Ops uncached, a load from a second process
and a steady writer from a third.

    .venv/bin/python -m bench.run [--seconds 10] [--concurrency 8] [--writes 10]
                                  [--database-url URL]

Seeds a park at five years' scale (bench.seed: 100 teams, 400 units, 20,000 allocations,
20 staff, 120,000 audit entries) in a fresh database (SQLite in a temporary directory
unless --database-url names a PostgreSQL server, where a database is created and dropped),
serves the app with gunicorn (2 workers × 4 threads, as on a 2-core park server), and
drives each endpoint with keep-alive HTTP connections from another process, while a
writer process creates and ends allocations through the API at --writes per second for
the whole run. It prints requests/second, median and p99 latency and SQL statements per
request for each endpoint beside the floor (a bare Flask endpoint served by the same
gunicorn in the same run), the writes/second the writer achieved meanwhile, and the app's
own CPU time per request measured in-process afterwards (bench.appcost: the part of the
cost that is the app's, not the server's, the client's or other work on the machine).
Targets: each page ≥ 1/5 of the floor's requests/second, p99 < 100 ms.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from typing import Any

from bench.harness import (
    ROOT,
    SECRET,
    app_costs,
    auth_headers,
    database,
    load,
    login,
    serving,
    writing,
)

SCALE = "100 teams / 400 units / 20,000 allocations / 20 staff / 120,000 audit entries"

# (name, path template, auth): auth is "session" (a staff login), "admin" (an admin's
# login), "token" (a staff member's read token) or None.
ENDPOINTS = (
    ("floor: bare Flask", "/floor/", None),
    ("park dashboard page", "/parks/{park_id}", "session"),
    ("team list page", "/teams/?park_id={park_id}", "session"),
    ("occupancy page", "/parks/{park_id}/occupancy", "session"),
    ("floor view page", "/parks/{park_id}/floors", "session"),
    ("audit log page (admin)", "/audit/", "admin"),
    ("allocations API", "/api/v1/allocations?park_id={park_id}&per_page=50", "token"),
)


def _prepare(database_url: str) -> dict[str, str]:
    env = {**os.environ, "OPC_DATABASE_URL": database_url, "OPC_SECRET_KEY": SECRET}
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "opc", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    code = (
        "import json; from opc import create_app; from bench.seed import seed\n"
        "app = create_app()\n"
        "with app.app_context(): print(json.dumps(seed()))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


# --- the run ---------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10, help="per endpoint (default 10)")
    parser.add_argument("--concurrency", type=int, default=8, help="connections (default 8)")
    parser.add_argument(
        "--writes", type=float, default=10, help="writer's writes/second (default 10; 0: none)"
    )
    parser.add_argument(
        "--rounds", type=int, default=1, help="measure each endpoint this often, keep the best"
    )
    parser.add_argument("--database-url", help="a PostgreSQL server URL (a database is created)")
    parser.add_argument("--only", help="measure only the endpoints whose name contains this")
    args = parser.parse_args()
    args.load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        database_url, drop = database(args.database_url, tmp)
        try:
            started = time.monotonic()
            info = _prepare(database_url)
            print(f"seeded in {time.monotonic() - started:.0f} s", file=sys.stderr)
            _serve_and_measure(database_url, info, args)
        finally:
            if drop:
                drop()


def _serve_and_measure(database_url: str, info: dict[str, str], args: argparse.Namespace) -> None:
    with serving(database_url) as (port, env):
        cookies = {
            "session": login(port, info["email"], info["password"]),
            "admin": login(port, info["admin_email"], info["password"]),
        }
        chosen = [
            (name, template.format(park_id=info["park_id"]), auth_headers(auth, cookies, info))
            for name, template, auth in ENDPOINTS
            if not args.only or args.only in name or template == "/floor/"
        ]
        best: dict[str, Any] = {}
        notes: dict[str, str] = {}
        with writing(port, info, args.writes) as writes:
            # Each round measures every endpoint; an endpoint keeps its best round (other
            # work on a shared machine only ever slows a round down). The floor is measured
            # every round.
            for _round in range(args.rounds):
                for name, path, headers in chosen:
                    probe = http.client.HTTPConnection("127.0.0.1", port)
                    probe.request("GET", path, headers=headers)
                    status = probe.getresponse().status
                    if status != 200:
                        notes[name] = f"HTTP {status}: not measured"
                        continue
                    queue: Any = multiprocessing.Queue()
                    job = (port, path, headers, args.seconds, args.concurrency, queue)
                    proc = multiprocessing.Process(target=load, args=job)
                    proc.start()
                    result = queue.get()
                    proc.join()
                    if name not in best or result["rps"] > best[name]["rps"]:
                        best[name] = result
        rows = [(name, path, best.get(name), notes.get(name, "")) for name, path, _h in chosen]
        auths = {name: auth for name, _t, auth in ENDPOINTS}
        measured = [(name, path, auths[name]) for name, path, _h in chosen if name in best]
        costs = app_costs(env, info, measured)
        _print(rows, writes, costs, database_url, args)


def _print(
    rows: list[Any],
    writes: list[tuple[float, int, float]],
    costs: dict[str, float],
    database_url: str,
    args: Any,
) -> None:
    floor = rows[0][2]["rps"] if rows and rows[0][2] else None
    backend = database_url.split(":")[0].split("+")[0]
    print(
        f"\nOPC Ops benchmark — {backend}, uncached, gunicorn 2 workers × 4 threads, "
        f"{args.concurrency} connections, best of {args.rounds} × {args.seconds:g} s per endpoint, "
        f"{SCALE}, writer at {args.writes:g} writes/s; 1-min load average before the run "
        f"(other work on the machine): {args.load_before:.1f}\n"
    )
    print(
        "| endpoint | req/s | vs floor | median ms | p99 ms | SQL/request | writes/s "
        "meanwhile | app CPU ms/request | target |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for name, path, r, note in rows:
        if r is None:
            print(f"| {name} `{path}` | — | — | — | — | — | — | — | {note} |")
            continue
        share = r["rps"] / floor if floor else 0
        t0, t1 = r["window"]
        during = sum(1 for at, status, _s in writes if t0 <= at <= t1 and status < 400)
        is_floor = path == "/floor/"
        ok = is_floor or (share >= 0.2 and r["p99_ms"] < 100 and not r["errors"])
        target = "floor" if is_floor else ("met" if ok else "MISSED")
        if r["errors"]:
            target += f" ({r['errors']} errors {r['statuses']})"
        print(
            f"| {name} `{path}` | {r['rps']:.0f} | {share:.2f} | {r['median_ms']:.1f} | "
            f"{r['p99_ms']:.1f} | {r['queries']:.0f} | {during / (t1 - t0):.1f} | "
            f"{costs.get(name, 0):.2f} | {target} |"
        )
    if not writes:
        print("\nWriter: off.")
        return
    span = writes[-1][0] - writes[0][0] if len(writes) > 1 else 0
    failed = Counter(status for _at, status, _s in writes if status >= 400)
    ok_writes = [s for _at, status, s in writes if status < 400]
    lat = sorted(s * 1000 for s in ok_writes) or [0.0]
    p99 = lat[max(0, int(len(lat) * 0.99) - 1)]
    print(
        f"\nWriter: {len(ok_writes)} writes in {span:.0f} s = "
        f"{len(ok_writes) / span if span else 0:.1f} writes/s achieved (target {args.writes:g}); "
        f"write median {statistics.median(lat):.1f} ms, p99 {p99:.1f} ms; "
        f"write errors: {dict(failed) if failed else 'none'}"
    )


if __name__ == "__main__":
    main()

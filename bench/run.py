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
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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


def _login(port: int, email: str, password: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.request("GET", "/login")
    resp = conn.getresponse()
    html = resp.read().decode()
    cookie = resp.getheader("Set-Cookie", "").split(";")[0]
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)
    body = f"email={email}&password={password}&csrf_token={token}"
    conn.request(
        "POST",
        "/login",
        body=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )
    resp = conn.getresponse()
    resp.read()
    if resp.status != 302:
        raise SystemExit(f"bench login failed: {resp.status}")
    return resp.getheader("Set-Cookie", "").split(";")[0]


# --- the reading load ------------------------------------------------------------------


def _worker(
    port: int,
    path: str,
    headers: dict[str, str],
    stop_at: float,
    latencies: list[float],
    queries: list[int],
    errors: list[int],
) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port)
    while time.monotonic() < stop_at:
        t0 = time.perf_counter()
        conn.request("GET", path, headers=headers)
        resp = conn.getresponse()
        resp.read()
        latencies.append(time.perf_counter() - t0)
        if resp.status != 200:
            errors.append(resp.status)
        queries.append(int(resp.getheader("X-Query-Count", "0")))


def _load(
    port: int, path: str, headers: dict[str, str], seconds: float, concurrency: int, result: Any
) -> None:
    """Runs in its own process: the client must not share the server's interpreter."""
    latencies: list[float] = []
    queries: list[int] = []
    errors: list[int] = []
    _worker(port, path, headers, time.monotonic() + 1.0, [], [], [])  # warm-up
    stop_at = time.monotonic() + seconds
    threads = [
        threading.Thread(
            target=_worker, args=(port, path, headers, stop_at, latencies, queries, errors)
        )
        for _ in range(concurrency)
    ]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    t1 = time.monotonic()
    lat = sorted(latencies)
    result.put(
        {
            "window": (t0, t1),
            "requests": len(lat),
            "rps": len(lat) / (t1 - t0),
            "median_ms": statistics.median(lat) * 1000,
            "p99_ms": lat[max(0, int(len(lat) * 0.99) - 1)] * 1000,
            "queries": statistics.median(queries) if queries else 0,
            "errors": len(errors),
            "statuses": sorted(set(errors)),
        }
    )


# --- the concurrent writer -------------------------------------------------------------


WRITER_THREADS = 4


def _write(port: int, info: dict[str, str], rate: float, stop: Any, result: Any) -> None:
    """Create and end allocations through the API at `rate` writes/second until `stop`.

    Each free unit (bench.seed leaves 100) gets, in turn, an open allocation from its next
    free day, then that allocation is ended a week later: two writes, each a transaction
    with the park's lock, the overlap check and an audit entry. WRITER_THREADS threads share
    the rate and the units, each on its own connection, so that a slow write does not hold
    the next one back while it is not longer than WRITER_THREADS / rate. Runs in its own
    process; reports each write's completion time, status and duration.
    """
    teams = [int(t) for t in info["team_ids"].split(",")]
    units = [int(u) for u in info["free_unit_ids"].split(",")]
    done: list[tuple[float, int, float]] = []  # (monotonic end, status, seconds)

    def writer(mine: list[int], interval: float, offset: float) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port)
        headers = {
            "Authorization": f"Bearer {info['write_token']}",
            "Content-Type": "application/json",
        }
        next_day = {u: date.today() + timedelta(days=1) for u in mine}

        def call(path: str, body: dict[str, Any]) -> tuple[int, Any]:
            t0 = time.monotonic()
            conn.request("POST", path, body=json.dumps(body), headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            t1 = time.monotonic()
            done.append((t1, resp.status, t1 - t0))
            return resp.status, data

        due = time.monotonic() + offset
        n = 0
        pending: tuple[int, int, date] | None = None  # (allocation id, unit id, start)
        while not stop.is_set():
            pause = due - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            due = max(due + interval, time.monotonic() - 1.0)  # never a burst of over 1 s
            if pending is None:
                unit = mine[n % len(mine)]
                n += 1
                start = next_day[unit]
                status, data = call(
                    "/api/v1/allocations",
                    {
                        "team_id": teams[(unit + n) % len(teams)],
                        "unit_id": unit,
                        "start": str(start),
                    },
                )
                if status == 201:
                    pending = (json.loads(data)["id"], unit, start)
            else:
                ident, unit, start = pending
                end = start + timedelta(days=7)
                call(f"/api/v1/allocations/{ident}/end", {"end": end.isoformat()})
                next_day[unit] = end
                pending = None

    interval = WRITER_THREADS / rate
    threads = [
        threading.Thread(
            target=writer, args=(units[i::WRITER_THREADS], interval, i / rate), daemon=True
        )
        for i in range(WRITER_THREADS)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.put(sorted(done))


# --- the run ---------------------------------------------------------------------------


def _database(url: str | None, tmp: str) -> tuple[str, Any]:
    if not url:
        return f"sqlite:///{tmp}/bench.sqlite3", None
    import sqlalchemy as sa

    server = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    name = f"opc_bench_{uuid.uuid4().hex[:8]}"
    with server.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with server.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    return server.url.set(database=name).render_as_string(hide_password=False), drop


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
        database_url, drop = _database(args.database_url, tmp)
        try:
            started = time.monotonic()
            info = _prepare(database_url)
            print(f"seeded in {time.monotonic() - started:.0f} s", file=sys.stderr)
            _serve_and_measure(database_url, info, args)
        finally:
            if drop:
                drop()


def _headers(auth: str | None, cookies: dict[str, str], info: dict[str, str]) -> dict[str, str]:
    if auth == "token":
        return {"Authorization": f"Bearer {info['token']}"}
    if auth in cookies:
        return {"Cookie": cookies[auth]}
    return {}


@contextmanager
def serving(database_url: str) -> Iterator[tuple[int, dict[str, str]]]:
    """gunicorn serving bench.wsgi (2 workers × 4 threads, as on a 2-core park server) on a
    free port, once it answers /healthz: the port and the server's environment (which
    bench.appcost's in-process measure shares). Stopped on leaving."""
    port = _free_port()
    env = {
        **os.environ,
        "OPC_DATABASE_URL": database_url,
        "OPC_SECRET_KEY": SECRET,
        "OPC_CONFIG": str(ROOT / "bench" / "bench.toml"),
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--worker-class",
            "gthread",
            "--log-level",
            "warning",
            "bench.wsgi:application",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.2)
        yield port, env
    finally:
        server.terminate()
        server.wait(timeout=10)


@contextmanager
def writing(port: int, info: dict[str, str], rate: float) -> Iterator[list[Any]]:
    """The writer (`_write`) at `rate` writes/second in its own process while inside (none
    at 0), at its pace before the first measurement; on leaving, the list holds its
    writes (completion time, status, duration)."""
    writes: list[Any] = []
    if rate <= 0:
        yield writes
        return
    stop, written = multiprocessing.Event(), multiprocessing.Queue()
    writer = multiprocessing.Process(target=_write, args=(port, info, rate, stop, written))
    writer.start()
    time.sleep(1.0)
    try:
        yield writes
        stop.set()
        writes.extend(written.get())
        writer.join()
    finally:
        if writer.is_alive():
            writer.terminate()


def _serve_and_measure(database_url: str, info: dict[str, str], args: argparse.Namespace) -> None:
    with serving(database_url) as (port, env):
        cookies = {
            "session": _login(port, info["email"], info["password"]),
            "admin": _login(port, info["admin_email"], info["password"]),
        }
        chosen = [
            (name, template.format(park_id=info["park_id"]), _headers(auth, cookies, info))
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
                    load = (port, path, headers, args.seconds, args.concurrency, queue)
                    proc = multiprocessing.Process(target=_load, args=load)
                    proc.start()
                    result = queue.get()
                    proc.join()
                    if name not in best or result["rps"] > best[name]["rps"]:
                        best[name] = result
        rows = [(name, path, best.get(name), notes.get(name, "")) for name, path, _h in chosen]
        auths = {name: auth for name, _t, auth in ENDPOINTS}
        measured = [(name, path, auths[name]) for name, path, _h in chosen if name in best]
        costs = _app_costs(env, info, measured)
        _print(rows, writes, costs, database_url, args)


def _app_costs(env: dict[str, str], info: dict[str, str], endpoints: list[Any]) -> Any:
    """The app's CPU time per request of each endpoint, in-process (bench.appcost)."""
    out = subprocess.run(
        [sys.executable, "-m", "bench.appcost"],
        input=json.dumps({"info": info, "endpoints": endpoints}),
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


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

"""Page and API benchmark: gunicorn serving OPC Ops, a load from a second process.

    .venv/bin/python -m bench.run [--seconds 10] [--concurrency 8] [--database-url URL]

Seeds a park with 100 teams, 400 units and 20,000 historical allocations in a fresh
database (SQLite in a temporary directory unless --database-url names a PostgreSQL server
database to create), serves the app with gunicorn (2 workers × 4 threads, as on a 2-core
park server), and drives each endpoint with keep-alive HTTP connections from another
process. It prints requests/second, median and p99 latency and SQL queries per request
for each endpoint beside the floor: a bare Flask endpoint served by the same gunicorn in
the same run. Targets: each page ≥ 1/5 of the floor's requests/second, p99 < 100 ms.
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
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"

# (name, path template, auth): auth is "session" (a staff login), "token" or None.
ENDPOINTS = (
    ("floor: bare Flask", "/floor/", None),
    ("park dashboard page", "/parks/{park_id}", "session"),
    ("team list page", "/teams/?park_id={park_id}", "session"),
    ("occupancy page", "/parks/{park_id}/occupancy", "session"),
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
    while time.perf_counter() < stop_at:
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
    _worker(port, path, headers, time.perf_counter() + 1.0, [], [], [])  # warm-up
    stop_at = time.perf_counter() + seconds
    threads = [
        threading.Thread(
            target=_worker, args=(port, path, headers, stop_at, latencies, queries, errors)
        )
        for _ in range(concurrency)
    ]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    lat = sorted(latencies)
    result.put(
        {
            "requests": len(lat),
            "rps": len(lat) / elapsed,
            "median_ms": statistics.median(lat) * 1000,
            "p99_ms": lat[max(0, int(len(lat) * 0.99) - 1)] * 1000,
            "queries": statistics.median(queries) if queries else 0,
            "errors": len(errors),
            "statuses": sorted(set(errors)),
        }
    )


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
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--database-url", help="a PostgreSQL server URL (a database is created)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        database_url, drop = _database(args.database_url, tmp)
        try:
            _run(database_url, args)
        finally:
            if drop:
                drop()


def _run(database_url: str, args: argparse.Namespace) -> None:
    info = _prepare(database_url)
    _serve_and_measure(database_url, info, "bench.toml", args)


def _serve_and_measure(
    database_url: str, info: dict[str, str], config: str, args: argparse.Namespace
) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "OPC_DATABASE_URL": database_url,
        "OPC_SECRET_KEY": SECRET,
        "OPC_CONFIG": str(ROOT / "bench" / config),
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
        cookie = _login(port, info["email"], info["password"])
        rows = []
        for name, template, auth in ENDPOINTS:
            path = template.format(park_id=info["park_id"])
            headers = (
                {"Cookie": cookie}
                if auth == "session"
                else ({"Authorization": f"Bearer {info['token']}"} if auth == "token" else {})
            )
            probe = http.client.HTTPConnection("127.0.0.1", port)
            probe.request("GET", path, headers=headers)
            status = probe.getresponse().status
            if status != 200:
                rows.append((name, path, None, f"HTTP {status}: not measured"))
                continue
            queue: Any = multiprocessing.Queue()
            proc = multiprocessing.Process(
                target=_load, args=(port, path, headers, args.seconds, args.concurrency, queue)
            )
            proc.start()
            result = queue.get()
            proc.join()
            rows.append((name, path, result, ""))
        _print(rows, database_url, args)
    finally:
        server.terminate()
        server.wait(timeout=10)


def _print(rows: list[Any], database_url: str, args: argparse.Namespace) -> None:
    floor = rows[0][2]["rps"] if rows and rows[0][2] else None
    backend = database_url.split(":")[0].split("+")[0]
    print(
        f"\nOPC Ops benchmark — {backend}, gunicorn 2 workers × 4 threads, "
        f"{args.concurrency} connections, {args.seconds:g} s per endpoint, "
        f"100 teams / 400 units / 20,000 allocations\n"
    )
    print("| endpoint | req/s | vs floor | median ms | p99 ms | SQL/request | target |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for name, path, r, note in rows:
        if r is None:
            print(f"| {name} `{path}` | — | — | — | — | — | {note} |")
            continue
        share = r["rps"] / floor if floor else 0
        is_floor = name.startswith("floor")
        ok = is_floor or (share >= 0.2 and r["p99_ms"] < 100 and not r["errors"])
        target = "floor" if is_floor else ("met" if ok else "MISSED")
        if r["errors"]:
            target += f" ({r['errors']} errors {r['statuses']})"
        print(
            f"| {name} `{path}` | {r['rps']:.0f} | {share:.2f} | {r['median_ms']:.1f} | "
            f"{r['p99_ms']:.1f} | {r['queries']:.0f} | {target} |"
        )


if __name__ == "__main__":
    main()

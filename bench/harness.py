"""The benchmarks' harness: gunicorn serving the app, logins, a load of keep-alive HTTP
connections from other processes, a steady writer through the API, the app's own CPU per
request (bench.appcost), and a fresh database (SQLite in a directory, or PostgreSQL)."""

from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"


WRITER_THREADS = 4


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def login(port: int, email: str, password: str) -> str:
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


def worker(
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


def load(
    port: int, path: str, headers: dict[str, str], seconds: float, concurrency: int, result: Any
) -> None:
    """Runs in its own process: the client must not share the server's interpreter."""
    latencies: list[float] = []
    queries: list[int] = []
    errors: list[int] = []
    worker(port, path, headers, time.monotonic() + 1.0, [], [], [])  # warm-up
    stop_at = time.monotonic() + seconds
    threads = [
        threading.Thread(
            target=worker, args=(port, path, headers, stop_at, latencies, queries, errors)
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


def write_loop(port: int, info: dict[str, str], rate: float, stop: Any, result: Any) -> None:
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


def database(url: str | None, tmp: str) -> tuple[str, Any]:
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


def auth_headers(auth: str | None, cookies: dict[str, str], info: dict[str, str]) -> dict[str, str]:
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
    port = free_port()
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
    """The writer (`write_loop`) at `rate` writes/second in its own process while inside (none
    at 0), at its pace before the first measurement; on leaving, the list holds its
    writes (completion time, status, duration)."""
    writes: list[Any] = []
    if rate <= 0:
        yield writes
        return
    stop, written = multiprocessing.Event(), multiprocessing.Queue()
    writer = multiprocessing.Process(target=write_loop, args=(port, info, rate, stop, written))
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


def app_costs(env: dict[str, str], info: dict[str, str], endpoints: list[Any]) -> Any:
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

"""A real gunicorn serving the app, for the tests of what only a real server shows (chunked
bodies, worker timeouts): started on a free port with its own settings, logging to a file."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import ROOT, TEST_SECRET


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Gunicorn:
    """gunicorn with one worker of four threads on 127.0.0.1; `settings` go in its OPC_CONFIG
    file. Stop it with stop()."""

    def __init__(
        self, workdir: Path, database_url: str, *, timeout: int = 20, **settings: object
    ) -> None:
        self.port = _free_port()
        config = workdir / "site.toml"
        config.write_text(
            "".join(f"{k} = {json.dumps(v)}\n" for k, v in settings.items()), encoding="utf-8"
        )
        self.log = workdir / "gunicorn.log"
        env = os.environ | {
            "OPC_DATABASE_URL": database_url,
            "OPC_SECRET_KEY": TEST_SECRET,
            "OPC_CONFIG": str(config),
        }
        command = [sys.executable, "-m", "gunicorn", "--workers", "1", "--threads", "4"]
        command += ["--timeout", str(timeout), "--bind", f"127.0.0.1:{self.port}"]
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [*command, "opc:create_app()"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if self.request("GET", "/login")[0]:
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise AssertionError("gunicorn did not start:\n" + self.output())

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def request(
        self, method: str, path: str, *, headers: str = "", timeout: float = 10
    ) -> tuple[int, bytes]:
        """(status, head and whatever of the body came with it); status 0: no answer."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as conn:
            head = f"{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{headers}\r\n"
            conn.sendall(head.encode())
            return read_response(conn)

    def send_chunked(
        self, path: str, total: int, content_type: str, chunk: int = 64 * 1024
    ) -> tuple[int, int, float]:
        """POST `total` bytes in chunks; (status, bytes sent before the server answered and
        closed, seconds taken)."""
        started = time.monotonic()
        with socket.create_connection(("127.0.0.1", self.port), timeout=20) as conn:
            conn.sendall(
                f"POST {path} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                f"Content-Type: {content_type}\r\nAccept: application/json\r\n\r\n".encode()
            )
            sent, piece = 0, b"a" * chunk
            try:
                while sent < total:
                    conn.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
                    sent += len(piece)
                conn.sendall(b"0\r\n\r\n")
            except OSError:  # the server answered and closed: it reads no more
                pass
            status, _head = read_response(conn)
        return status, sent, time.monotonic() - started

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


def read_response(conn: socket.socket) -> tuple[int, bytes]:
    """The status and the head of an HTTP response (0 when the server closed silently)."""
    data = b""
    while b"\r\n\r\n" not in data:
        try:
            piece = conn.recv(65536)
        except (ConnectionResetError, TimeoutError):
            break
        if not piece:
            break
        data += piece
    if not data.startswith(b"HTTP/"):
        return 0, data
    return int(data.split(b" ", 2)[1]), data

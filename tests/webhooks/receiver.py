"""A local HTTP server (http.server in a thread) that receives webhooks and checks each the
way its receiver would: the generic signature and its 5-minute window, WeCom's key, the
DingTalk sign in the query (timestamp within an hour), the Feishu sign in the body.

The path says which receiver it plays: /generic, /wecom?key=K, /dingtalk?access_token=T,
/feishu. `answer` picks its reply: "ok" (200 and the vendor's success), "error" (500),
"bot_error" (200 with the vendor's error code), "hang" (no reply before `hang_s`);
`delay_s` slows every answer. `received` keeps every request that came (path, headers,
body, verdict); `wait_for(n)` waits for them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

SECRET = "s3cret-of-the-park-0123456789"
WECOM_KEY = "wecom-key-693a91f6"


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    verdict: str  # "ok" or why the vendor would refuse it

    def json(self) -> Any:
        return json.loads(self.body)


def check_generic(headers: dict[str, str], body: bytes, secret: str, now: float) -> str:
    stamp = headers.get("X-OPC-Timestamp", "")
    if not stamp.isdigit() or abs(now - int(stamp)) > 300:
        return "stale or missing timestamp"
    expected = (
        "sha256="
        + hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    )
    if not hmac.compare_digest(expected, headers.get("X-OPC-Signature", "")):
        return "bad signature"
    payload = json.loads(body)
    if set(payload) != {"id", "kind", "park_id", "occurred_at", "data", "text"}:
        return f"unexpected fields {sorted(payload)}"
    return "ok"


def check_dingtalk(query: dict[str, list[str]], body: bytes, secret: str, now: float) -> str:
    # DingTalk: timestamp (ms) within an hour; sign = base64(HMAC(secret, "ts\nsecret")),
    # URL-encoded in the query (parse_qs decodes it back).
    stamp = (query.get("timestamp") or [""])[0]
    if not stamp.isdigit() or abs(now * 1000 - int(stamp)) > 3600 * 1000:
        return "310000 stale timestamp"
    digest = hmac.new(secret.encode(), f"{stamp}\n{secret}".encode(), hashlib.sha256).digest()
    if (query.get("sign") or [""])[0] != base64.b64encode(digest).decode():
        return "310000 sign not match"
    payload = json.loads(body)
    if payload.get("msgtype") != "text" or not payload["text"].get("content"):
        return "40035 bad message"
    return "ok"


def check_feishu(body: bytes, secret: str, now: float) -> str:
    # Feishu: HMAC keyed by "ts\nsecret" over an empty message; timestamp in seconds.
    payload = json.loads(body)
    stamp = str(payload.get("timestamp", ""))
    if not stamp.isdigit() or abs(now - int(stamp)) > 3600:
        return "19021 stale timestamp"
    digest = hmac.new(f"{stamp}\n{secret}".encode(), b"", hashlib.sha256).digest()
    if payload.get("sign") != base64.b64encode(digest).decode():
        return "19021 sign match fail"
    if payload.get("msg_type") != "text" or not payload["content"].get("text"):
        return "9499 bad message"
    return "ok"


def check_wecom(query: dict[str, list[str]], body: bytes) -> str:
    if (query.get("key") or [""])[0] != WECOM_KEY:
        return "93000 invalid webhook url"
    payload = json.loads(body)
    if payload.get("msgtype") != "markdown" or not payload["markdown"].get("content"):
        return "40008 bad message"
    return "ok"


class Receiver:
    def __init__(self) -> None:
        self.received: list[Received] = []
        self.answer = "ok"
        self.hang_s = 2.0
        self.delay_s = 0.0  # before every answer: a slow receiver
        self.secret = SECRET
        self._arrived = threading.Condition()
        self.server: ThreadingHTTPServer | None = None

    @property
    def base(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def url(self, preset: str) -> str:
        return {
            "generic": f"{self.base}/generic",
            "wecom": f"{self.base}/wecom?key={WECOM_KEY}",
            "dingtalk": f"{self.base}/dingtalk?access_token=ding-token",
            "feishu": f"{self.base}/feishu",
        }[preset]

    def verdict(self, path: str, headers: dict[str, str], body: bytes) -> str:
        parts = urlsplit(path)
        query, now = parse_qs(parts.query), time.time()
        preset = parts.path.strip("/")
        if preset == "generic":
            return check_generic(headers, body, self.secret, now)
        if preset == "dingtalk":
            return check_dingtalk(query, body, self.secret, now)
        if preset == "feishu":
            return check_feishu(body, self.secret, now)
        if preset == "wecom":
            return check_wecom(query, body)
        return "unknown path"

    def reply(self, preset: str, verdict: str) -> tuple[int, dict[str, Any]]:
        failed = verdict != "ok" or self.answer == "bot_error"
        code = int(verdict.split()[0]) if verdict[:1].isdigit() else (310000 if failed else 0)
        if self.answer == "error":
            return 500, {"error": "boom"}
        if preset == "feishu":
            return 200, {"code": code if failed else 0, "msg": verdict if failed else "success"}
        if preset == "generic":
            return (401 if failed else 200), {"verdict": verdict}
        return 200, {"errcode": code if failed else 0, "errmsg": verdict if failed else "ok"}

    def wait_for(self, count: int, timeout: float = 10.0) -> None:
        with self._arrived:
            assert self._arrived.wait_for(lambda: len(self.received) >= count, timeout), (
                f"{len(self.received)} of {count} requests arrived"
            )

    def handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                headers = dict(self.headers.items())
                verdict = receiver.verdict(self.path, headers, body)
                with receiver._arrived:
                    receiver.received.append(Received(self.path, headers, body, verdict))
                    receiver._arrived.notify_all()
                if receiver.answer == "hang":
                    time.sleep(receiver.hang_s)
                time.sleep(receiver.delay_s)
                status, answer = receiver.reply(urlsplit(self.path).path.strip("/"), verdict)
                data = json.dumps(answer).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up (a hang)

            def log_message(self, *_args: Any) -> None:
                pass

        return Handler


@pytest.fixture
def receiver(app, monkeypatch) -> Iterator[Receiver]:
    """A receiver on a free local port; the app may post to 127.0.0.1 while it runs."""
    found = Receiver()
    found.server = ThreadingHTTPServer(("127.0.0.1", 0), found.handler())
    found.server.daemon_threads = True
    thread = threading.Thread(target=found.server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", True)
    monkeypatch.setitem(app.config, "WEBHOOK_TIMEOUT_S", 1.0)
    try:
        yield found
    finally:
        found.server.shutdown()
        found.server.server_close()

"""What a delivery sends, per preset: the body, the headers and the URL, signed as its
receiver checks; and whether the receiver's answer means it took the message.

generic (the park's own tools)
    POST a JSON body {"id", "kind", "park_id", "occurred_at", "data", "text"} with
    X-OPC-Timestamp (Unix seconds) and
    X-OPC-Signature: "sha256=" + hex(HMAC-SHA256(secret, f"{timestamp}.{body}")),
    the body as sent (UTF-8 bytes). A receiver computes the same over the raw body, compares
    in constant time, and rejects a timestamp more than 5 minutes from its clock (a replay).
    `id` is the delivery's: a retry sends the same id, so a receiver can drop repeats.
WeCom (企业微信) group bot
    POST {"msgtype": "markdown", "markdown": {"content": …}} to the bot's URL, whose `key`
    parameter is its only credential: WeCom bots are not signed. 20 messages a minute at
    most; content up to 4096 bytes. Answer {"errcode": 0, "errmsg": "ok"}.
    (developer.work.weixin.qq.com/document/path/99110, 群机器人配置说明)
DingTalk (钉钉) custom robot, 加签
    timestamp = Unix milliseconds; sign = urlEncode(base64(HMAC-SHA256(key=secret,
    msg=f"{timestamp}\\n{secret}"))), both added to the URL's query; the timestamp may be
    an hour off at most. Body {"msgtype": "text", "text": {"content": …}}. Answer
    {"errcode": 0, "errmsg": "ok"}; errcode 310000 is a refused signature.
    (open.dingtalk.com/document/robots/customize-robot-security-settings, 自定义机器人安全设置)
Feishu (飞书) custom bot, 签名校验
    timestamp = Unix seconds (a string); sign = base64(HMAC-SHA256(key=f"{timestamp}\\n{secret}",
    msg=b"")) -- the key is the string to sign and the message is empty, unlike DingTalk;
    both go in the body: {"timestamp", "sign", "msg_type": "text", "content": {"text": …}}.
    An hour off at most. Answer {"code": 0, "msg": "success"} (older bots: "StatusCode": 0).
    (open.feishu.cn/document/client-docs/bot-v3/add-custom-bot, 自定义机器人使用指南)

The bots' secrets are optional (a bot may rely on keywords or an IP list instead): without
one, nothing is signed. The generic preset always has one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from opc.webhooks.models import Preset

SIGNATURE_HEADER = "X-OPC-Signature"
TIMESTAMP_HEADER = "X-OPC-Timestamp"
REPLAY_WINDOW_S = 300  # what a receiver of the generic preset should accept
WECOM_MAX_BYTES = 4096
USER_AGENT = "OPC-Ops-Webhooks/1"


@dataclass(frozen=True)
class Outgoing:
    url: str
    body: bytes
    headers: dict[str, str]


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def _hmac(key: str | bytes, message: str | bytes) -> bytes:
    key = key.encode() if isinstance(key, str) else key
    message = message.encode() if isinstance(message, str) else message
    return hmac.new(key, message, hashlib.sha256).digest()


def generic_signature(secret: str, timestamp: str, body: bytes) -> str:
    """X-OPC-Signature of a body sent at `timestamp` (Unix seconds, as sent)."""
    return "sha256=" + _hmac(secret, timestamp.encode() + b"." + body).hex()


def dingtalk_sign(secret: str, timestamp_ms: str) -> str:
    """DingTalk's sign, before the URL encoding: base64 of HMAC(secret, "ts\\nsecret")."""
    return base64.b64encode(_hmac(secret, f"{timestamp_ms}\n{secret}")).decode()


def feishu_sign(secret: str, timestamp_s: str) -> str:
    """Feishu's sign: base64 of HMAC keyed by "ts\\nsecret" over an empty message."""
    return base64.b64encode(_hmac(f"{timestamp_s}\n{secret}", b"")).decode()


def _with_query(url: str, **params: str) -> str:
    return url + ("&" if "?" in url else "?") + urlencode(params)  # quote_plus, as DingTalk's


def _clip(text: str, limit: int) -> str:
    """`text` cut to `limit` UTF-8 bytes, on a character boundary."""
    data = text.encode()
    return text if len(data) <= limit else data[:limit].decode(errors="ignore")


def outgoing(preset: str, url: str, secret: str, event: dict[str, Any], now: datetime) -> Outgoing:
    """The request of one attempt at `now`: the generic body is the event itself
    ({"id", "kind", "park_id", "occurred_at", "data", "text"}); the bots get its text."""
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT}
    text = str(event.get("text") or "")
    if preset == Preset.WECOM:
        content = _clip(text, WECOM_MAX_BYTES)
        return Outgoing(
            url, _json({"msgtype": "markdown", "markdown": {"content": content}}), headers
        )
    if preset == Preset.DINGTALK:
        body = _json({"msgtype": "text", "text": {"content": text}})
        if secret:
            stamp = str(int(now.timestamp() * 1000))
            url = _with_query(url, timestamp=stamp, sign=dingtalk_sign(secret, stamp))
        return Outgoing(url, body, headers)
    if preset == Preset.FEISHU:
        message: dict[str, Any] = {}
        if secret:
            stamp = str(int(now.timestamp()))
            message = {"timestamp": stamp, "sign": feishu_sign(secret, stamp)}
        message |= {"msg_type": "text", "content": {"text": text}}
        return Outgoing(url, _json(message), headers)
    body = _json(event)
    stamp = str(int(now.timestamp()))
    headers |= {
        TIMESTAMP_HEADER: stamp,
        SIGNATURE_HEADER: generic_signature(secret, stamp, body),
        "X-OPC-Event": str(event.get("kind", "")),
        "X-OPC-Delivery": str(event.get("id", "")),
    }
    return Outgoing(url, body, headers)


def refusal(preset: str, status: int, body: bytes) -> str | None:
    """Why the receiver did not take the message (None: it did). The bots answer 200 and
    say in the body whether they posted it (a bad signature, a rate limit, a bad key)."""
    if not 200 <= status < 300:
        return f"HTTP {status}"
    if preset == Preset.GENERIC:
        return None
    try:
        answer = json.loads(body or b"{}")
    except ValueError:
        return "the bot's answer is not JSON"
    if not isinstance(answer, dict):
        return "the bot's answer is not a JSON object"
    if preset == Preset.FEISHU:
        code = answer.get("code", answer.get("StatusCode", 0))
        message = answer.get("msg", answer.get("StatusMessage", ""))
    else:
        code, message = answer.get("errcode", 0), answer.get("errmsg", "")
    return None if code == 0 else f"bot error {code}: {message}"

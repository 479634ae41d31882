"""The check-in token: it round-trips, names its registration only, and anything else —
tampered, garbled, another key's, huge, NUL bytes — is no token."""

from __future__ import annotations

from typing import Any

import pytest
from itsdangerous import URLSafeSerializer

from opc.events.qr import (
    MAX_TOKEN,
    SALT,
    checkin_token,
    qr_png,
    qr_svg,
    registration_of_token,
    token_fits,
)
from tests.events.checkin_helpers import registration


class _Reg:
    def __init__(self, id: int, secret: str) -> None:
        self.id, self.secret = id, secret


def test_token_round_trips_and_is_short(ctx: Any) -> None:
    reg = _Reg(42, "s" * 43)
    token = checkin_token(reg)
    assert registration_of_token(token) == 42
    assert registration_of_token(f"  {token}\n") == 42  # pasted with spaces
    assert token_fits(token, reg)
    assert len(token) < 80


def test_token_is_bound_to_its_registrations_secret(ctx: Any) -> None:
    token = checkin_token(_Reg(42, "a" * 43))
    assert not token_fits(token, _Reg(42, "b" * 43))  # another registration with that id
    assert not token_fits(token, _Reg(43, "a" * 43))


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "garbage",
        "a.b",
        "\x00",
        "WzQyLCJhYmMiXQ\x00.sig",
        "x" * (MAX_TOKEN + 1),
        "令牌.签名",
        None,
        42,
        ["token"],
    ],
)
def test_anything_else_is_no_token(ctx: Any, bad: Any) -> None:
    assert registration_of_token(bad) is None


def test_a_tampered_or_foreign_token_is_refused(ctx: Any, app: Any) -> None:
    token = checkin_token(_Reg(42, "s" * 43))
    payload, _dot, signature = token.rpartition(".")
    assert registration_of_token(payload + "." + signature[::-1]) is None
    other = URLSafeSerializer("another-secret-key-that-is-long-enough-0123", salt=SALT)
    assert registration_of_token(other.dumps([43, "0" * 12])) is None
    ours = URLSafeSerializer(app.config["SECRET_KEY"], salt="another-salt")
    assert registration_of_token(ours.dumps([43, "0" * 12])) is None
    # Well signed but not the shape of a ticket.
    shaped = URLSafeSerializer(app.config["SECRET_KEY"], salt=SALT)
    for payload in ([0, "0" * 12], [True, "0" * 12], [2**31, "0" * 12], [5, "short"], {"id": 5}):
        assert registration_of_token(shaped.dumps(payload)) is None


def test_qr_code_holds_the_token(ctx: Any, make: Any) -> None:
    event = make.event(make.park())
    reg = registration(make, event)
    svg = str(qr_svg(reg))
    assert svg.startswith("<svg") and "</svg>" in svg and "<?xml" not in svg
    png = qr_png(reg)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")

"""The check-in token of a registration and its QR code.

The token is short (it is what the QR code holds and what staff may type): the
registration's id and a check over its random secret, signed with the app's SECRET_KEY
(itsdangerous, salt "event-checkin"). The signature stops a forged token; the check over the
secret binds it to that one registration, so a token cannot be moved to another (nor survive
its registration, should ids ever be given again). No timestamp: a ticket holds as long as
the registration does, and whether it is confirmed is checked at the door.
"""

from __future__ import annotations

import hashlib
import hmac
import io
from typing import Any

import segno
from flask import current_app
from itsdangerous import BadData, URLSafeSerializer
from markupsafe import Markup

from opc.core.values import is_id

SALT = "event-checkin"
MAX_TOKEN = 200  # a real token has about 50 characters; anything longer is not one
_CHECK_CHARS = 12


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _check(secret: str) -> str:
    """A short digest of the registration's secret (the secret itself stays off the ticket)."""
    return hashlib.sha256(f"{SALT}:{secret}".encode()).hexdigest()[:_CHECK_CHARS]


def checkin_token(registration: Any) -> str:
    """The registration's signed check-in token."""
    return str(_serializer().dumps([registration.id, _check(registration.secret)]))


def parse_token(token: Any) -> tuple[int, str] | None:
    """(registration id, check) of a well-signed token; None for anything else."""
    if not isinstance(token, str):
        return None
    token = token.strip()
    if not token or len(token) > MAX_TOKEN or not token.isascii() or not token.isprintable():
        return None
    try:
        payload = _serializer().loads(token)
    except (BadData, ValueError, UnicodeError):
        return None
    if not (isinstance(payload, list) and len(payload) == 2):
        return None
    registration_id, check = payload
    if isinstance(registration_id, bool) or not is_id(registration_id):
        return None
    if not isinstance(check, str) or len(check) != _CHECK_CHARS:
        return None
    return registration_id, check


def registration_of_token(token: Any) -> int | None:
    """The id of the registration a token names, if the token is well signed; else None."""
    parsed = parse_token(token)
    return parsed[0] if parsed else None


def token_fits(token: Any, registration: Any) -> bool:
    """Whether the token is this registration's (its id and the check over its secret)."""
    parsed = parse_token(token)
    return (
        parsed is not None
        and parsed[0] == registration.id
        and hmac.compare_digest(parsed[1], _check(registration.secret))
    )


def _code(registration: Any) -> segno.QRCode:
    return segno.make(checkin_token(registration), error="m", micro=False)


def qr_svg(registration: Any, *, scale: int = 5) -> Markup:
    """The ticket's QR code as an inline SVG element (no XML declaration), for a page."""
    svg = _code(registration).svg_inline(
        scale=scale, title="QR", dark="#000", light="#fff", border=4
    )
    return Markup(svg)  # segno's own markup; the token is base64url and a dot only


def qr_png(registration: Any, *, scale: int = 6) -> bytes:
    """The ticket's QR code as PNG (segno writes PNG itself), for a mail's attachment."""
    buffer = io.BytesIO()
    _code(registration).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()

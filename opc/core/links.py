"""Links that leave the site (mail, a link staff pass on) are built from EXTERNAL_URL.

Never from the request: its Host header is whatever the sender wrote, so `url_for(...,
_external=True)` would let a forged Host send an invitee to someone else's server with the
invitation token in the link.
"""

from __future__ import annotations

from typing import Any

from flask import current_app


def has_external_url() -> bool:
    """Whether EXTERNAL_URL is configured, i.e. whether external_url() gives full links."""
    return bool(current_app.config.get("EXTERNAL_URL"))


def external_url(endpoint: str, **values: Any) -> str:
    """The full address of a page: EXTERNAL_URL followed by the page's path.

    Without EXTERNAL_URL (allowed in debug and testing, and without mail) the path alone,
    which the people who pass it on prefix with the address they use.
    """
    path = current_app.url_map.bind("").build(endpoint, values)
    base = (current_app.config.get("EXTERNAL_URL") or "").rstrip("/")
    return base + path

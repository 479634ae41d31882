"""Addresses a browser can come back to: no dead ends after a form was sent.

A page rendered in answer to a POST (a refused form, 422) has the POST's address, which a
GET answers with 405. Switching the language, or opening that address again, must land on a
page instead: the page the form was on (the referrer), else the nearest address above it
that answers a GET (/users/5/reset-password → /users/5).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, request
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from opc.core.security import safe_next


def answers_get(path: str) -> bool:
    """Whether a page of this site answers a GET of `path` (a path, without the query)."""
    if path.startswith("/api/"):
        return False  # the API answers machines, not a browser coming back
    adapter = current_app.url_map.bind("localhost")
    try:
        endpoint, _values = adapter.match(path, method="GET")
    except RequestRedirect:  # /teams → /teams/: a GET answers, with a redirect
        return True
    except HTTPException:  # 404, 405
        return False
    return endpoint != "static"


def nearest_page(target: str | None, default: str) -> str:
    """`target` (a path on this site, with its query) when a GET answers it; else the nearest
    address above it that a GET answers (without the query); else `default`."""
    target = safe_next(target, "")
    if not target:
        return default
    path = urlsplit(target).path
    if answers_get(path):
        return target
    parts = path.rstrip("/").split("/")
    while len(parts) > 1:
        parts.pop()
        above = "/".join(parts) or "/"
        if answers_get(above):  # (/teams answers with a redirect to /teams/)
            return above
    return default


def return_path() -> str:
    """Where this page can be opened again by GET (the language switch's `next`): itself after
    a GET; after another method, the page that sent the form when it is this site's, else
    the nearest page above this address."""
    if request.method in ("GET", "HEAD"):
        return request.full_path.rstrip("?")
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path:
        sender = referrer.path + (f"?{referrer.query}" if referrer.query else "")
        if answers_get(referrer.path):
            return sender
    return nearest_page(request.full_path.rstrip("?"), "/")

"""Helpers for the team home tests: the due items and notifications a page shows."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from tests.conftest import login
from tests.core.helpers import text

EN = {"Accept-Language": "en"}


def _plain(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def due_card(html: str) -> str | None:
    """The "What's due" card of a team page, or None when the page has none."""
    card = re.search(r"<section[^>]*data-due-card>(.*?)</section>", html, re.S)
    return card.group(1) if card else None


def due_items(html: str) -> list[dict[str, str]]:
    """Each due item in order: its urgency, kind, link, text and the whole line's text."""
    card = due_card(html)
    assert card is not None, "no due card"
    items = []
    for urgency, body in re.findall(r'<li data-due="(\w+)">(.*?)</li>', card, re.S):
        kind = re.search(r'<span class="badge[^"]*">(.*?)</span>', body, re.S)
        link = re.search(r'<a href="([^"]+)">(.*?)</a>', body, re.S)
        assert kind and link, body
        items.append(
            {
                "urgency": urgency,
                "kind": _plain(kind.group(1)),
                "href": unescape(link.group(1)),
                "text": _plain(link.group(2)),
                "line": _plain(body),
            }
        )
    return items


def home_of(client: Any, member: Any, **headers: Any) -> str:
    """The team page a member lands on from "/", in English unless told."""
    login(client, member.email)
    response = client.get("/", headers=headers or EN, follow_redirects=True)
    assert response.status_code == 200
    return text(response)

"""Helpers for the tests of lists that sort, filter and page (issue 14): a page read in
English, the ids of its rows in their order, the link of a sortable heading."""

from __future__ import annotations

import re
from contextlib import nullcontext
from datetime import datetime
from typing import Any

import time_machine

from tests.conftest import csrf_token, login

EN = {"Accept-Language": "en"}
# Orders a list does not offer: each must give the list's default, never an error.
UNKNOWN_ORDERS = ("sort=password&dir=asc", "sort=&dir=desc", "sort=%00&dir=%00")


def page(client: Any, url: str, at: datetime | None = None) -> str:
    """The page at `url` in English (at the instant `at`, when given); it must answer 200."""
    with time_machine.travel(at, tick=False) if at else nullcontext():
        response = client.get(url, headers=EN)
    assert response.status_code == 200, url
    return str(response.get_data(as_text=True))


def log_in_at(client: Any, user: Any, at: datetime) -> None:
    """The client logged out and in again as `user`, at the instant `at`."""
    with time_machine.travel(at, tick=False):
        client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
        login(client, user.email)


def row_ids(html: str, attribute: str) -> list[int]:
    """The ids of the rows `<tr data-<attribute>="id">`, in the page's order."""
    return [int(n) for n in re.findall(rf'<tr data-{attribute}="(\d+)"', html)]


def sort_link(html: str, key: str) -> str:
    """The address of the heading that sorts by `key` (HTML entities undone)."""
    found = re.search(rf'<a class="sort[^"]*" href="([^"]+sort={key}[^"]*)"', html)
    assert found, f"no heading sorts by {key}"
    return found[1].replace("&amp;", "&")

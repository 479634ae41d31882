"""Issue 14: no page writes a day as 2026-11-23 for people to read. The seeded demo's pages,
reached by following links as each role, show days as 2026年11月23日 / 23 Nov 2026; ISO stays
only where machines read it (attributes: input values, <time datetime>, links, data-*)."""

from __future__ import annotations

import re
from collections import deque
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
import time_machine

from tests.browser.walk import endpoint_of, html_endpoints
from tests.conftest import login

ISO_DAY = re.compile(r"\b(?:19|20|21)[0-9]{2}-[0-9]{2}-[0-9]{2}\b")
# Pages to leave out: what they show as ISO is the machine's own text (a job's period key).
_MACHINE_TEXT = {"jobs.index"}
# A statement's lines are stored as issued (opc.rent: frozen text, one language for all
# readers); a room booking's line still carries its ISO day (left for the statement's
# own issue: it changes what an issued document says).
_FROZEN = re.compile(r"^\S+ [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}–[0-9]{2}:[0-9]{2} \(")
_VISITED: set[str] = set()


class _Text(HTMLParser):
    """The page's text nodes (outside script and style) and its links."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.hrefs: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "textarea"):
            self._skip += 1
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "textarea") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.text.append(data.strip())


def _iso_days_shown(app, client, start: str) -> dict[str, list[str]]:
    """{path: the text nodes with an ISO day} over the pages reachable from `start`."""
    pages = html_endpoints(app)
    seen: set[str] = set()
    queue = deque([start])
    found: dict[str, list[str]] = {}
    while queue:
        path = queue.popleft()
        response = client.get(path, follow_redirects=True)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        _VISITED.add(path)
        parser = _Text()
        parser.feed(response.get_data(as_text=True))
        if endpoint_of(app, path) not in _MACHINE_TEXT:
            shown = [t for t in parser.text if ISO_DAY.search(t) and not _FROZEN.match(t)]
            if shown:
                found[path] = shown[:3]
        for href in parser.hrefs:
            parts = urlsplit(href)
            if parts.netloc or not parts.path.startswith("/"):
                continue
            endpoint = endpoint_of(app, parts.path)
            # One visit per endpoint: the same template with other records says nothing new.
            if endpoint in pages and endpoint not in seen:
                seen.add(endpoint)
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


@pytest.mark.slow
@pytest.mark.parametrize("email", ["admin@opc-demo.cn", "staff@opc-demo.cn", "member@opc-demo.cn"])
def test_no_page_shows_a_day_in_iso(app, client, demo_data, email):
    from opc.demo import DEMO_PASSWORD

    demo_data()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert login(client, email, DEMO_PASSWORD).status_code == 302
    shown = _iso_days_shown(app, client, "/")
    assert len(_VISITED) > 20  # the walk reached the pages, not just the start
    assert shown == {}, "\n".join(f"{k}: {v}" for k, v in shown.items())


def _shown(response) -> str:
    """The page's text for people (attributes left out: ISO stays in values and links)."""
    parser = _Text()
    parser.feed(response.get_data(as_text=True))
    return "\n".join(parser.text)


@pytest.mark.parametrize(
    ("language", "day", "moment"),
    [("zh", "2026年11月23日", "2026年11月23日 14:05"), ("en", "23 Nov 2026", "23 Nov 2026, 14:05")],
)
def test_days_and_times_read_in_the_pages_language(client, make, as_user, language, day, moment):
    """Where pages wrote 2026-11-23 before: a team's founding day, the team list's lease end,
    an event's time (the park's zone: 06:05 UTC is 14:05 in Shanghai) and the events
    calendar's days."""
    with time_machine.travel(datetime(2026, 11, 20, 4, tzinfo=UTC), tick=False):
        pages = _pages_in(client, make, as_user, {"Accept-Language": language})
    assert day in pages["team"] and day in pages["list"] and day in pages["calendar"]
    assert moment in pages["event"]
    for name, shown in pages.items():
        assert not ISO_DAY.search(shown), (name, ISO_DAY.findall(shown))


def _pages_in(client, make, as_user, headers) -> dict[str, str]:
    """The four pages as a park's staff read them, their text only."""
    park = make.park(timezone="Asia/Shanghai")
    team = make.team(park, status="resident", founded_on=date(2026, 11, 23))
    make.allocation(team, make.unit(park), date(2026, 1, 1), date(2026, 11, 24))
    starts = datetime(2026, 11, 23, 6, 5, tzinfo=UTC)
    event = make.event(
        park,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        registration_opens_at=starts - timedelta(days=7),
    )
    as_user("staff", parks=[park])
    return {
        "team": _shown(client.get(f"/teams/{team.id}", headers=headers)),
        "list": _shown(client.get("/teams/", headers=headers)),
        "event": _shown(client.get(f"/events/{event.id}", headers=headers)),
        "calendar": _shown(client.get("/events?month=2026-11", headers=headers)),
    }

"""Issue 14: the service queue and a team's requests sort by their columns (?sort=&dir= in
the URL, kept by the filters; the former sort menu's links still work), and an empty list
says what to do next."""

from __future__ import annotations

import re

from tests.core.listing import log_in_at, page, row_ids
from tests.service import helpers as h
from tests.service.helpers import at

NOW = at(2026, 3, 3, 9, 0)


def _ids(html: str) -> list[int]:
    return row_ids(html, "request")


def _get(client, url: str) -> str:
    return page(client, url, at=NOW)


def _login(client, user) -> None:
    log_in_at(client, user, NOW)


def _requests(app, make):
    d = h.desk(make)
    first = h.opened(app, d, at(2026, 3, 2, 9, 0), title="Beta", category="financing")
    second = h.opened(app, d, at(2026, 3, 2, 10, 0), title="Alpha")
    third = h.opened(app, d, at(2026, 3, 2, 11, 0), title="Gamma", category="financing")
    return d, [first.id, second.id, third.id]


def test_the_queue_sorts_by_its_headings_and_old_links_keep_their_order(app, make, client):
    d, (first, second, third) = _requests(app, make)
    _login(client, d.staff)
    assert _ids(_get(client, "/service/queue")) == [third, second, first]  # the newest first
    html = _get(client, "/service/queue?sort=title")
    assert _ids(html) == [second, first, third]
    assert 'aria-sort="ascending"' in html and '<select name="sort">' not in html
    assert _ids(_get(client, "/service/queue?sort=title&dir=desc")) == [third, first, second]
    assert _ids(_get(client, "/service/queue?sort=oldest")) == [first, second, third]
    for query in ("sort=password&dir=asc", "sort=opened&dir=sideways", "sort=%00&dir=%00"):
        assert _ids(_get(client, f"/service/queue?{query}")) == [third, second, first]


def test_the_queues_filters_stay_in_the_headings_and_the_order_in_the_form(app, make, client):
    d, (first, _, third) = _requests(app, make)
    _login(client, d.staff)
    html = _get(client, "/service/queue?category=financing&sort=opened&dir=asc&page=2")
    assert _ids(html) == [first, third]
    link = re.search(r'<a class="sort" href="([^"]+sort=title[^"]*)"', html)
    assert link
    assert "category=financing" in link[1] and "page=" not in link[1]
    assert '<input type="hidden" name="sort" value="opened">' in html
    assert '<input type="hidden" name="dir" value="asc">' in html


def test_empty_lists_say_what_to_do_next(app, make, client):
    d = h.desk(make)
    _login(client, d.staff)
    assert "No requests yet. Teams open them" in _get(client, "/service/queue")
    h.opened(app, d, at(2026, 3, 2, 9, 0))
    html = _get(client, "/service/queue?status=closed")
    assert "No requests match these filters" in html and 'href="/service/queue"' in html

    _login(client, d.member)
    html = _get(client, "/service/requests?status=closed")
    assert "No requests with this status" in html
    assert _ids(_get(client, "/service/requests?sort=title")) != []


def test_a_team_without_requests_is_shown_how_to_open_one(make, client):
    d = h.desk(make)
    _login(client, d.member)
    html = _get(client, "/service/requests")
    assert "No requests yet. Ask the park for help" in html
    assert 'href="/service/requests/new"' in html

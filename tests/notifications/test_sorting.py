"""Issue 14: one's notifications sort by their columns (?sort=&dir= in the URL, kept by the
All/Unread tabs and by marking read), and an empty list says what to do next."""

from __future__ import annotations

import re

from opc.notifications import operations as ops
from tests.core.listing import EN, page, row_ids
from tests.notifications.helpers import note, post_form, text


def _ids(client, path: str) -> list[int]:
    return row_ids(page(client, path), "notification")


def test_notifications_sort_by_status_and_date(app, client, as_user):
    me = as_user("staff")
    first, second, third = (note(app, me)[0] for _ in range(3))
    with app.app_context():
        ops.mark_read(second, actor=me)
    assert _ids(client, "/notifications/") == [third, second, first]  # the newest first
    assert _ids(client, "/notifications/?sort=received&dir=asc") == [first, second, third]
    # Unread first, then those read; the newest first among equals.
    assert _ids(client, "/notifications/?sort=status&dir=asc") == [first, third, second]
    assert _ids(client, "/notifications/?sort=status&dir=desc") == [second, third, first]
    for query in ("sort=password&dir=asc", "sort=received&dir=sideways", "sort=%00&dir=%00"):
        assert _ids(client, f"/notifications/?{query}") == [third, second, first]


def test_the_tabs_headings_and_marking_read_keep_filter_and_order(app, client, as_user):
    me = as_user("staff")
    [nid] = note(app, me)
    html = text(client.get("/notifications/?unread=1&sort=received&dir=asc&page=2", headers=EN))
    link = re.search(r'<a class="sort" href="([^"]+sort=status[^"]*)"', html)
    assert link and "unread=1" in link[1] and "page=" not in link[1]
    assert 'href="/notifications/?sort=received&amp;dir=asc"' in html  # the All tab
    response = post_form(
        client,
        f"/notifications/{nid}/read?unread=1&sort=received&dir=asc",
        {},
        page="/notifications/",
    )
    assert response.headers["Location"] == "/notifications/?unread=1&sort=received&dir=asc"
    response = post_form(
        client, f"/notifications/{nid}/read?sort=password&dir=x", {}, page="/notifications/"
    )
    assert response.headers["Location"] == "/notifications/"


def test_an_empty_list_says_what_to_do_next(app, client, as_user):
    me = as_user("member")
    html = text(client.get("/notifications/", headers=EN))
    assert "No notifications yet. They arrive here" in html
    [nid] = note(app, me)
    with app.app_context():
        ops.mark_read(nid, actor=me)
    html = text(client.get("/notifications/?unread=1", headers=EN))
    assert "No unread notifications: you are up to date" in html
    # The Unread tab is the current one even with nothing unread (base.html's badge count
    # once shadowed the page's filter).
    assert '<a href="/notifications/?unread=1" aria-current="page">' in html
    assert "Show all notifications" in html and 'href="/notifications/"' in html

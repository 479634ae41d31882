"""Issue 14: the upcoming events sort by their columns (?sort=&dir= in the URL, kept by the
filters, the pages and the month's links), and an empty list says what to do next."""

from __future__ import annotations

import re
from datetime import timedelta

from opc.core.db import utcnow
from tests.core.listing import page as _get
from tests.core.listing import row_ids


def _ids(html: str) -> list[int]:
    return row_ids(html, "event-id")


def _events(make):
    park = make.park()
    soon = utcnow().replace(microsecond=0) + timedelta(days=2)
    events = [
        make.event(park, title_zh="乙", starts_at=soon, capacity=5),
        make.event(park, title_zh="甲", starts_at=soon + timedelta(days=1), capacity=50),
        make.event(park, title_zh="丙", starts_at=soon + timedelta(days=2), capacity=20),
    ]
    return park, [e.id for e in events]


def test_upcoming_events_sort_by_their_columns(client, make, as_user):
    park, (b, a, c) = _events(make)
    as_user("staff", parks=[park])
    assert _ids(_get(client, "/events")) == [b, a, c]  # the soonest first
    html = _get(client, "/events?sort=places")
    assert _ids(html) == [a, c, b]  # the most places left first
    assert _ids(_get(client, "/events?sort=places&dir=asc")) == [b, c, a]
    assert _ids(_get(client, "/events?sort=when&dir=desc")) == [c, a, b]
    for query in ("sort=password&dir=asc", "sort=when&dir=sideways", "sort=%00&dir=%00"):
        assert _ids(_get(client, f"/events?{query}")) == [b, a, c]


def test_the_filters_and_the_order_stay_in_each_others_links(client, make, as_user):
    park, _ = _events(make)
    as_user("staff", parks=[park])
    html = _get(client, "/events?kind=workshop&audience=public&sort=places&dir=asc&page=2")
    link = re.search(r'<a class="sort" href="([^"]+sort=title[^"]*)"', html)
    assert link
    url = link[1].replace("&amp;", "&")
    assert "kind=workshop" in url and "audience=public" in url and "page=" not in url
    # The filter form and the month's links keep the reader's order.
    assert '<input type="hidden" name="sort" value="places">' in html
    assert '<input type="hidden" name="dir" value="asc">' in html
    following = re.search(r'<a href="([^"]+)" rel="next">', html)
    assert following and "sort=places" in following[1] and "dir=asc" in following[1]


def test_an_empty_list_says_what_to_do_next(client, make, as_user):
    park = make.park()
    as_user("staff", parks=[park])
    html = _get(client, "/events")
    assert "No upcoming events. Plan the next one" in html
    assert f'href="/events/new?park_id={park.id}"' in html
    make.event(park)
    html = _get(client, "/events?kind=forum")
    assert "No upcoming events match these filters" in html and "Clear the filters" in html


def test_a_member_without_events_is_told_where_new_ones_appear(client, make, as_user):
    park = make.park()
    as_user("member", team=make.team(park, status="resident"))
    html = _get(client, "/events")
    assert "New ones appear here" in html and "/events/new" not in html

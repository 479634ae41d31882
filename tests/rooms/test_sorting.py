"""Issue 14: the rooms and a team's bookings sort by their columns (?sort=&dir= in the URL,
kept by the park filter), rates are ¥ right-aligned, and empty lists say what to do next."""

from __future__ import annotations

import re

from opc.rooms.operations import bookings as ops
from tests.core.listing import log_in_at, page
from tests.core.listing import row_ids as _ids
from tests.rooms import helpers as h
from tests.rooms.helpers import NOW, at


def _get(client, url: str) -> str:
    return page(client, url, at=NOW)


def _login(client, user) -> None:
    log_in_at(client, user, NOW)


def test_rooms_sort_by_their_rates_and_keep_the_park(make, client):
    p = h.place(make, rate_fen_per_hour=10_000, free_hours_per_month=10)
    dear = make.room(p.park, rate_fen_per_hour=50_000, free_hours_per_month=2)
    free = make.room(p.park, rate_fen_per_hour=None, free_hours_per_month=40)
    other = make.park()
    staff = make.user("staff", parks=[p.park, other])
    _login(client, staff)
    url = f"/rooms?park_id={p.park.id}"
    by_code = _ids(_get(client, url), "room")
    assert sorted(by_code) == sorted([p.room.id, dear.id, free.id])

    html = _get(client, f"{url}&sort=rate")
    assert _ids(html, "room") == [p.room.id, dear.id, free.id]  # no rate: last
    assert '<td class="num">¥500.00</td>' in html
    assert _ids(_get(client, f"{url}&sort=rate&dir=desc"), "room") == [dear.id, p.room.id, free.id]
    assert _ids(_get(client, f"{url}&sort=free_hours"), "room") == [free.id, p.room.id, dear.id]
    for query in ("sort=password&dir=asc", "sort=room&dir=sideways", "sort=%00&dir=%00"):
        assert _ids(_get(client, f"{url}&{query}"), "room") == by_code

    html = _get(client, f"{url}&sort=rate&dir=desc")
    link = re.search(r'<a class="sort" href="([^"]+sort=free_hours[^"]*)"', html)
    assert link and f"park_id={p.park.id}" in link[1]
    assert '<input type="hidden" name="sort" value="rate">' in html


def test_a_parks_empty_room_list_says_how_to_open_one(make, client):
    park = make.park()
    staff = make.user("staff", parks=[park])
    _login(client, staff)
    html = _get(client, "/rooms")
    assert "No bookable rooms yet. Add a unit" in html
    assert f'href="/parks/{park.id}/units/new"' in html
    unit = make.unit(park, kind="shared_room", rent_fen_per_m2=0)
    html = _get(client, "/rooms")
    assert "Make one of the park’s shared rooms bookable" in html
    assert f'href="/rooms/units/{unit.id}/settings"' in html


def test_a_teams_bookings_sort_and_say_what_to_do_next(app, make, client):
    p = h.place(make)
    _login(client, p.member)
    html = _get(client, "/rooms/bookings")
    assert "No upcoming bookings" in html and 'href="/rooms"' in html
    assert "No past or cancelled bookings yet" in html

    late = h.book(app, p, at(2027, 3, 3, 10, 0), at(2027, 3, 3, 11, 0), title="Beta")
    soon = h.book(app, p, at(2027, 3, 2, 10, 0), at(2027, 3, 2, 11, 0), title="Alpha")
    gone = h.book(app, p, at(2027, 3, 4, 10, 0), at(2027, 3, 4, 11, 0), title="Gamma")
    h.act(app, ops.cancel_booking, gone, actor=p.member)
    assert _ids(_get(client, "/rooms/bookings"), "booking") == [soon, late, gone]
    html = _get(client, "/rooms/bookings?sort=title&dir=desc")
    assert _ids(html, "booking") == [late, soon, gone]
    assert 'aria-sort="descending"' in html
    for query in ("sort=password&dir=asc", "sort=%00&dir=%00"):
        assert _ids(_get(client, f"/rooms/bookings?{query}"), "booking") == [soon, late, gone]

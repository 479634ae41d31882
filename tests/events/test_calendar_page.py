"""The month calendar of the events page: each event on its park's local day (00:30 in
Shanghai on the 1st is on the 1st, not on UTC's 31st), the month in the URL with previous
and next, the filters kept, a bad month ignored and one outside the calendar refused, and
the grid that collapses to a list on a phone."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.conftest import login
from tests.core.helpers import text

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _event_at(make, park, local: datetime, **kw):
    starts = local.replace(tzinfo=SHANGHAI)
    return make.event(
        park,
        starts_at=starts,
        registration_opens_at=starts - timedelta(days=30),
        title_en="",
        **kw,
    )


def _day(page: str, day: str) -> str:
    match = re.search(
        rf'<li class="cal-day[^"]*" data-day="{day}">(.*?)</li>\s*(?=<li class="cal-day|</ol>)',
        page,
        re.S,
    )
    assert match, day
    return match[1]


def test_an_event_is_on_its_parks_local_day(app, make, client):
    park = make.park(timezone="Asia/Shanghai")
    early = _event_at(make, park, datetime(2026, 1, 1, 0, 30), title_zh="元旦早场")
    late = _event_at(make, park, datetime(2026, 1, 31, 23, 45), title_zh="月末夜场")
    login(client, make.user("staff", parks=[park]).email)
    page = text(client.get("/events?month=2026-01"))
    first = _day(page, "2026-01-01")
    assert f'data-event-id="{early.id}"' in first and "00:30" in first and "元旦早场" in first
    assert f'data-event-id="{early.id}"' not in _day(page, "2025-12-31")
    assert f'data-event-id="{late.id}"' in _day(page, "2026-01-31")
    assert f'data-event-id="{late.id}"' not in _day(page, "2026-02-01")
    # The grid's days outside the month are marked; the week starts on Monday.
    assert re.search(r'class="cal-day cal-out[^"]*" data-day="2025-12-29"', page)
    assert "month=2025-12" in page and "month=2026-02" in page


def test_the_park_of_each_event_decides_its_day(app, make, client):
    shanghai = make.park(timezone="Asia/Shanghai")
    london = make.park(timezone="Europe/London")
    # 2026-03-01 01:00 in Shanghai is 2026-02-28 17:00 in London (and UTC).
    instant = datetime(2026, 3, 1, 1, 0, tzinfo=SHANGHAI)
    in_shanghai = make.event(
        shanghai, starts_at=instant, registration_opens_at=instant - timedelta(days=9)
    )
    in_london = make.event(
        london, starts_at=instant, registration_opens_at=instant - timedelta(days=9)
    )
    login(client, make.user("admin").email)
    march = text(client.get("/events?month=2026-03"))
    assert f'data-event-id="{in_shanghai.id}"' in _day(march, "2026-03-01")
    assert f'data-event-id="{in_london.id}"' not in _day(march, "2026-03-01")
    assert f'data-event-id="{in_london.id}"' in _day(march, "2026-02-28")  # the grid's Monday
    february = text(client.get("/events?month=2026-02"))
    assert f'data-event-id="{in_london.id}"' in _day(february, "2026-02-28")
    narrowed = text(client.get(f"/events?month=2026-03&park_id={london.id}"))
    assert f'data-event-id="{in_shanghai.id}"' not in narrowed
    assert f"park_id={london.id}" in narrowed.split('rel="prev"')[0].rsplit("<a", 1)[1]


def test_filters_narrow_the_calendar_and_the_list(app, make, client):
    park = make.park()
    forum = _event_at(make, park, datetime(2026, 5, 6, 9, 0), kind="forum", title_zh="论坛")
    closed = _event_at(
        make, park, datetime(2026, 5, 7, 9, 0), kind="salon", public=False, title_zh="沙龙"
    )
    login(client, make.user("staff", parks=[park]).email)
    kinds = text(client.get("/events?month=2026-05&kind=forum"))
    assert f'data-event-id="{forum.id}"' in kinds and f'data-event-id="{closed.id}"' not in kinds
    residents = text(client.get("/events?month=2026-05&audience=residents"))
    assert f'data-event-id="{closed.id}"' in residents
    assert f'data-event-id="{forum.id}"' not in residents
    unknown = text(client.get("/events?month=2026-05&kind=picnic"))  # no kind: no filter
    assert f'data-event-id="{forum.id}"' in unknown and f'data-event-id="{closed.id}"' in unknown


def test_a_member_sees_their_parks_events_only(app, make, client):
    park, other = make.park(), make.park()
    ours = _event_at(make, park, datetime(2026, 6, 10, 9, 0))
    theirs = _event_at(make, other, datetime(2026, 6, 10, 10, 0))
    member = make.user("member", team=make.team(park, status="resident"))
    login(client, member.email)
    page = text(client.get("/events?month=2026-06"))
    assert f'data-event-id="{ours.id}"' in page and f'data-event-id="{theirs.id}"' not in page
    assert client.get(f"/events?park_id={other.id}").status_code == 404


def test_a_month_that_is_none_is_this_month_and_one_outside_the_calendar_is_refused(
    app, make, client
):
    park = make.park()
    login(client, make.user("staff", parks=[park]).email)
    for bad in ("abc", "2026-13", "2026-1", ""):
        assert client.get(f"/events?month={bad}").status_code == 200
    assert client.get("/events?month=1800-01").status_code == 422
    assert client.get("/events?month=0000-01").status_code == 422
    edge = text(client.get("/events?month=2200-12"))
    assert 'rel="next"' not in edge and "month=2200-11" in edge


def test_the_grid_collapses_to_a_list_on_a_phone():
    css = Path(__file__).resolve().parents[2].joinpath("opc/static/css/app.css").read_text()
    block = css.split("--- events:", 1)[1]
    phone = block.split("@media (max-width: 760px)", 1)[1]
    assert ".cal-grid { display: block" in phone
    assert ".cal-day.cal-empty, .cal-day.cal-out { display: none; }" in phone

"""Pages take and show the last day held; the records and the API keep [start, end).

A lease ending on 22 May is typed as 22 May, stored as 23 May, shown as 22 May on every
page, and the API still answers end 23 May. Ending asks for the last day; an allocation
that has not begun is cancelled instead."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from opc.audit.models import AuditEntry
from opc.core.dates import format_day, local_today
from opc.core.errors import Forbidden
from opc.space import operations as ops
from opc.space.models import Allocation
from tests.core.helpers import rows, text
from tests.space.helpers import D, count, post_form, stored

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh"}


@pytest.fixture
def s(make, as_user):
    park = make.park()
    team = make.team(park, status="resident", name_zh="未来剧场", name_en="Future Theatre")
    unit = make.unit(park, code="2-O01", floor=2)
    staff = as_user("staff", parks=[park])
    return {"park": park, "team": team, "unit": unit, "staff": staff}


def _allocate(client, s, start, last_day):
    page = f"/units/{s['unit'].id}"
    data = {"team_id": str(s["team"].id), "start": start, "last_day": last_day}
    return post_form(client, f"{page}/allocate", data, page)


def test_a_last_day_typed_is_stored_as_the_day_after_and_shown_as_typed(app, client, api, s):
    response = _allocate(client, s, "2027-01-01", "2027-05-22")
    assert response.status_code == 302, text(response)
    [allocation] = stored(app, Allocation)
    assert (allocation.start, allocation.end) == (D("2027-01-01"), D("2027-05-23"))

    # Every page that shows the allocation shows its last day, never the stored end.
    team_id, park_id = s["team"].id, s["park"].id
    for path in (
        f"/units/{s['unit'].id}",
        f"/teams/{team_id}",
        f"/space/teams/{team_id}",
        f"/parks/{park_id}/floors?on=2027-03-01",
        f"/allocations/{allocation.id}/end",
    ):
        html = text(client.get(path, headers=EN))
        assert "22 May 2027" in html and "23 May 2027" not in html, path
        assert "2027-05-23" not in html, path
    floors = text(client.get(f"/parks/{park_id}/floors?on=2027-03-01", headers=EN))
    assert "Future Theatre · through 22 May 2027" in floors
    row = re.search(
        r'<tr data-allocation="\d+"[^>]*>.*?</tr>',
        text(client.get(f"/teams/{team_id}", headers={"Accept-Language": "zh"})),
        re.S,
    )
    assert row and "2027年5月22日" in row.group(0)

    # The API keeps its documented exclusive end.
    body = api(s["staff"]).get(f"/allocations/{allocation.id}").get_json()
    assert (body["start"], body["end"]) == ("2027-01-01", "2027-05-23")


def test_an_end_given_to_the_api_is_shown_as_the_day_before(client, api, s):
    today = local_today(s["park"].timezone)
    end = today + timedelta(days=10)
    created = api(s["staff"]).post(
        "/allocations",
        json={
            "team_id": s["team"].id,
            "unit_id": s["unit"].id,
            "start": today.isoformat(),
            "end": end.isoformat(),
        },
    )
    assert created.status_code == 201 and created.get_json()["end"] == end.isoformat()
    last = format_day(end - timedelta(days=1), "en")
    units = text(client.get(f"/parks/{s['park'].id}/units", headers=EN))
    assert f"through {last}" in units and format_day(end, "en") not in units
    floors = text(client.get(f"/parks/{s['park'].id}/floors", headers=EN))
    assert f"through {last}" in floors


def test_the_forms_and_columns_say_last_day_in_both_languages(client, make, s):
    make.allocation(s["team"], s["unit"], D("2027-01-01"), D("2027-05-23"))
    unit_page = f"/units/{s['unit'].id}"
    english = text(client.get(unit_page, headers=EN))
    assert "Last day" in english and "exclusive" not in english
    chinese = text(client.get(unit_page, headers=ZH))
    assert "最后一天" in chinese and "不含当日" not in chinese
    team_page = text(client.get(f"/teams/{s['team'].id}", headers=ZH))
    assert "<th>最后一天</th>" in team_page and "截止日期" not in team_page


def test_ending_asks_for_the_last_day(app, client, s):
    _allocate(client, s, "2027-01-01", "")
    [allocation] = stored(app, Allocation)
    page = f"/allocations/{allocation.id}/end"
    form = text(client.get(page, headers=EN))
    [field] = re.findall(r'<input[^>]*name="last_day"[^>]*>', form)
    assert 'value="2' not in field and "required" in field  # no silent today
    assert 'class="danger"' in form

    missing = post_form(client, page, {"last_day": ""}, headers=EN)
    assert missing.status_code == 422 and stored(app, Allocation)[0].end is None

    before = post_form(client, page, {"last_day": "2026-12-31"}, headers=EN)
    assert before.status_code == 422
    assert "The end must be after the start (1 Jan 2027)." in text(before)
    assert stored(app, Allocation)[0].end is None

    one_day = post_form(client, page, {"last_day": "2027-01-01"}, headers=EN)
    assert one_day.status_code == 302  # held on its first day only
    assert stored(app, Allocation)[0].end == D("2027-01-02")
    ended = post_form(client, page, {"last_day": "2027-06-30"}, headers=EN, follow_redirects=True)
    assert stored(app, Allocation)[0].end == D("2027-07-01")
    assert "未来剧场 holds 2-O01 through 30 Jun 2027." in text(ended)


def test_an_allocation_not_begun_is_cancelled_not_ended(app, client, make, s):
    today = local_today(s["park"].timezone)
    start = today + timedelta(days=10)
    future = make.allocation(s["team"], s["unit"], start, start + timedelta(days=30))
    unit_page = text(client.get(f"/units/{s['unit'].id}", headers=EN))
    assert f"/allocations/{future.id}/cancel" in unit_page

    # Ending it today fails: a period must end after it starts. Cancelling is the way.
    end_page = f"/allocations/{future.id}/end"
    refused = post_form(client, end_page, {"last_day": today.isoformat()}, headers=EN)
    assert refused.status_code == 422 and "The end must be after the start" in text(refused)
    assert "cancel it instead" in text(refused)

    cancel_page = f"/allocations/{future.id}/cancel"
    assert 'class="danger"' in text(client.get(cancel_page, headers=EN))
    response = post_form(client, cancel_page, {}, headers=EN, follow_redirects=True)
    assert [r.status_code for r in response.history] == [302]
    assert (
        f"The allocation of 2-O01 to 未来剧场 from {format_day(start, 'en')} is cancelled."
        in text(response)
    )
    assert count(app, Allocation) == 0
    [entry] = rows(
        app, AuditEntry, AuditEntry.entity == "allocations", AuditEntry.action == "delete"
    )
    assert entry.entity_id == future.id and entry.actor_id == s["staff"].id


def test_an_allocation_that_began_is_not_cancelled(app, client, make, s):
    today = local_today(s["park"].timezone)
    begun = make.allocation(s["team"], s["unit"], today)
    page = f"/allocations/{begun.id}/cancel"
    assert "it can be ended, not cancelled" in text(client.get(page, headers=EN))
    refused = post_form(client, page, {}, headers=EN)
    assert refused.status_code == 422
    assert f"The allocation began on {format_day(today, 'en')}: it can be ended" in text(refused)
    assert count(app, Allocation) == 1


def test_only_staff_of_the_park_cancel(app, ctx, make):
    park = make.park()
    team = make.team(park, status="resident")
    outsider = make.user("staff", parks=[make.park()])
    future = make.allocation(team, make.unit(park), local_today() + timedelta(days=3))
    with pytest.raises(Forbidden):
        ops.cancel_allocation(future, actor=outsider)
    assert count(app, Allocation) == 1
    ops.cancel_allocation(future, actor=make.user("staff", parks=[park]))
    assert count(app, Allocation) == 0

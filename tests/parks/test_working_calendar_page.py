"""The working calendar page of a park: staff of the park read it, staff of another park do
not find it, only admins change it (overrides, complete years, hours), every change audited,
refusals answer 422 or 409 and write nothing, and in December admins are warned that next
year is unknown."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from opc.audit.models import AuditEntry
from opc.parks.settings import ParkSetting
from opc.parks.workdays import NoWorkingHours, add_working_minutes, working_minutes
from opc.parks.workdays.models import CalendarOverride, CalendarYear
from tests.core.helpers import count, post_form, rows, table_counts, text


def page(client, park, year=2026):
    return client.get(f"/parks/{park.id}/calendar?year={year}")


def test_staff_of_the_park_read_it_staff_of_another_park_do_not_find_it(client, make, as_user):
    park, other = make.park(), make.park()
    as_user("staff", parks=[park])
    response = page(client, park)
    assert response.status_code == 200
    body = text(response)
    assert 'data-day="2026-02-14" data-kind="working"' in body  # 调休 Saturday
    assert 'data-day="2026-02-17" data-kind="off"' in body  # Spring Festival
    assert 'data-day="2026-02-21" data-kind="off"' in body
    assert "calendar/overrides" not in body  # no forms for staff
    assert page(client, other).status_code == 404
    before = table_counts(make.app)
    refused = post_form(
        client,
        f"/parks/{park.id}/calendar/overrides",
        {"day": "2026-03-02", "kind": "off", "note": ""},
        page=f"/parks/{park.id}/calendar",
    )
    assert refused.status_code == 403
    assert table_counts(make.app) == before


def test_a_member_of_a_team_may_not_change_it(client, make, as_user):
    park = make.park()
    team = make.team(park)
    as_user("member", team=team)
    response = client.post(f"/parks/{park.id}/calendar/years/2027", data={"complete": "y"})
    assert response.status_code in (400, 403, 404)
    assert count(make.app, CalendarYear) == 0


def test_an_admin_adds_and_removes_overrides_and_each_change_is_audited(app, client, make, as_user):
    park = make.park()
    as_user("admin")
    url = f"/parks/{park.id}/calendar"
    added = post_form(
        client,
        f"{url}/overrides",
        {"day": "2026-03-02", "kind": "off", "note": "闭园检修"},
        page=url,
    )
    assert added.status_code == 302
    half = post_form(
        client,
        f"{url}/overrides",
        {"day": "2026-12-31", "kind": "half", "works_until": "12:00"},
        page=url,
    )
    assert half.status_code == 302
    overrides = rows(app, CalendarOverride, order_by=CalendarOverride.day)
    assert [(o.day, o.kind, o.works_until, o.note) for o in overrides] == [
        (date(2026, 3, 2), "off", None, "闭园检修"),
        (date(2026, 12, 31), "half", 12 * 60, ""),
    ]
    body = text(page(client, park))
    assert 'data-day="2026-03-02" data-kind="off"' in body and "<mark>" in body
    assert 'data-day="2026-12-31" data-kind="half"' in body and "until 12:00" in body
    assert count(app, AuditEntry, AuditEntry.entity == "calendar_overrides") == 2
    assert count(app, AuditEntry, AuditEntry.entity == "calendar_years") == 1

    removed = post_form(client, f"{url}/overrides/{overrides[0].id}/delete?year=2026", {}, page=url)
    assert removed.status_code == 302
    assert count(app, CalendarOverride) == 1
    assert count(app, AuditEntry, AuditEntry.entity == "calendar_overrides") == 3
    assert 'data-day="2026-03-02" data-kind="working"' in text(page(client, park))
    gone = post_form(client, f"{url}/overrides/{overrides[0].id}/delete", {}, page=url)
    assert gone.status_code == 404


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"day": "2026-03-02", "kind": "half"}, "works_until"),  # a half day needs its end
        ({"day": "2026-03-02", "kind": "off", "works_until": "12:00"}, "works_until"),
        ({"day": "2026-03-02", "kind": "half", "works_until": "00:00"}, "works_until"),
        ({"day": "2026-03-02", "kind": "holiday"}, "kind"),
        ({"day": "not a day", "kind": "off"}, "day"),
        ({"day": "2300-01-01", "kind": "off"}, "day"),
        ({"day": "2026-03-02", "kind": "off", "note": "x" * 201}, "note"),
        ({"day": "2026-03-02", "kind": "off", "note": "bad\x07"}, "note"),
    ],
)
def test_a_bad_override_is_refused_on_its_field_and_writes_nothing(
    client, make, as_user, data, field
):
    park = make.park()
    as_user("admin")
    before = table_counts(make.app)
    url = f"/parks/{park.id}/calendar"
    response = post_form(client, f"{url}/overrides", data, page=url)
    assert response.status_code == 422
    assert f'id="{field}-err"' in text(response)
    assert table_counts(make.app) == before


def test_a_second_override_of_a_day_is_refused(client, make, as_user):
    park = make.park()
    as_user("admin")
    url = f"/parks/{park.id}/calendar"
    data = {"day": "2026-03-02", "kind": "off"}
    assert post_form(client, f"{url}/overrides", data, page=url).status_code == 302
    again = post_form(client, f"{url}/overrides", {**data, "kind": "working"}, page=url)
    assert again.status_code == 422
    assert "has an override already" in text(again)
    assert count(make.app, CalendarOverride) == 1


def test_working_hours_are_set_together_and_kept_in_order(app, client, make, as_user):
    park = make.park()
    as_user("admin")
    url = f"/parks/{park.id}/calendar"
    hours = {
        "workday_starts": "08:30",
        "lunch_starts": "12:00",
        "lunch_ends": "13:00",
        "workday_ends": "17:30",
    }
    assert post_form(client, f"{url}/hours", hours, page=url).status_code == 302
    assert "08:30–12:00, 13:00–17:30" in text(page(client, park))
    stored = {s.key: s.value for s in rows(app, ParkSetting, ParkSetting.park_id == park.id)}
    assert stored["workday_starts"] == "08:30" and stored["workday_ends"] == "17:30"
    before = table_counts(app)
    bad = post_form(client, f"{url}/hours", {**hours, "lunch_ends": "19:00"}, page=url)
    assert bad.status_code == 422 and 'id="lunch_starts-err"' in text(bad)
    unknown = post_form(client, f"{url}/hours", {**hours, "workday_ends": "17:31"}, page=url)
    assert unknown.status_code == 422
    assert table_counts(app) == before


def test_in_december_admins_are_warned_until_next_year_is_known(client, make, as_user):
    park = make.park()
    url = f"/parks/{park.id}/calendar"
    with time_machine.travel("2026-11-30 12:00:00+08:00", tick=False):
        as_user("admin")
        assert 'data-warning="next-year"' not in text(page(client, park))
    with time_machine.travel("2026-12-01 00:30:00+08:00", tick=False):
        as_user("admin")
        body = text(page(client, park))
        assert 'data-warning="next-year"' in body and "2027" in body
        unknown = text(page(client, park, 2027))
        assert 'data-warning="unknown-year"' in unknown
        assert 'data-day="2027-01-04" data-kind="unknown"' in unknown
        marked = post_form(client, f"{url}/years/2027", {"complete": "y"}, page=url)
        assert marked.status_code == 302
        assert 'data-warning="next-year"' not in text(page(client, park))
        known = text(page(client, park, 2027))
        assert 'data-day="2027-01-04" data-kind="working"' in known
        assert 'data-day="2027-01-02" data-kind="off"' in known
    [row] = rows(make.app, CalendarYear)
    assert (row.year, row.complete) == (2027, True)


def test_a_year_outside_the_calendar_is_refused(client, make, as_user):
    park = make.park()
    as_user("admin")
    assert client.get(f"/parks/{park.id}/calendar?year=2300").status_code == 422
    url = f"/parks/{park.id}/calendar"
    response = post_form(client, f"{url}/years/3000", {"complete": "y"}, page=url)
    assert response.status_code == 422
    assert count(make.app, CalendarYear) == 0


def test_the_calendars_page_leads_to_each_park_and_lists_the_december_warnings(
    client, make, as_user
):
    park, other = make.park(), make.park()
    with time_machine.travel("2026-12-03 10:00:00+08:00", tick=False):
        as_user("admin")
        body = text(client.get("/parks/calendars"))
        assert f"/parks/{park.id}/calendar" in body and f"/parks/{other.id}/calendar" in body
        assert body.count('data-warning="next-year"') == 2
        assert 'href="/parks/calendars"' in text(client.get("/parks/"))  # in the navigation


def test_staff_of_one_park_go_straight_to_its_calendar(client, make, as_user):
    park = make.park()
    as_user("staff", parks=[park])
    one = client.get("/parks/calendars")
    assert one.status_code == 302 and one.headers["Location"].endswith(f"/parks/{park.id}/calendar")


def test_in_chinese_the_holidays_have_their_chinese_names(client, make, as_user):
    park = make.park()
    as_user("staff", parks=[park])
    body = text(
        client.get(f"/parks/{park.id}/calendar?year=2026", headers={"Accept-Language": "zh-CN"})
    )
    assert 'data-day="2026-02-17" data-kind="off" title="春节"' in body
    assert 'data-day="2026-10-10" data-kind="working" title="国庆节"' in body  # 调休 Saturday
    assert "2026 年工作日历" in body


def test_hours_set_elsewhere_that_leave_no_time_are_refused_not_looped(app, make, api):
    park = make.park()
    changed = api(make.user("admin")).patch(
        f"/parks/{park.id}/settings",
        json={"values": {"workday_starts": "18:00", "workday_ends": "09:00"}},
    )
    assert changed.status_code == 200  # the settings API checks each value, not their order
    start = datetime(2026, 3, 2, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
    with app.app_context():
        assert working_minutes(park, start, start + timedelta(days=7)) == 0
        with pytest.raises(NoWorkingHours):
            add_working_minutes(park, start, 60)

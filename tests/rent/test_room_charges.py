"""A shared room's hours beyond the team's free quota land on its rent statement of the
booking's month as a `room` line (opc.rent.charges, registered by opc.rooms): on the draft
and on the issued statement, counted in gross, exact to the fen; a cancellation after the
month was issued is corrected on the next statement, once."""

from __future__ import annotations

from decimal import Decimal

import time_machine

from opc.rent.models import Statement
from opc.rooms.operations import bookings as ops
from tests.rent.helpers import D, resident, rows
from tests.rooms.helpers import act, at

ISSUE_DAY = at(2027, 3, 15, 12, 0)


def _setup(make, api):
    park = make.park()
    staff = make.user("staff", parks=[park])
    team = resident(make, park, "2026-01-01")
    make.allocation(team, make.unit(park, area_m2=Decimal("30")), D("2026-01-01"))
    bare = resident(make, park, "2026-01-01")  # no space: a statement for the room only
    room = make.room(park, free_hours_per_month=1, rate_fen_per_hour=3_333)
    return park, staff, team, bare, room, api(staff)


def _book(app, staff, room, team, start, end):
    return act(
        app, ops.book, actor=staff, unit_id=room.unit_id, team_id=team.id,
        starts_at=start, ends_at=end, when=at(2027, 3, 1, 8, 0),
    )  # fmt: skip


def _statement(client, team, month):
    listed = client.get(f"/statements?team_id={team.id}&month={month}").get_json()
    (item,) = listed["items"]
    return item


def test_charges_beyond_the_quota_show_on_the_draft_and_the_issued_statement(app, make, api):
    park, staff, team, bare, room, client = _setup(make, api)
    _book(app, staff, room, team, at(2027, 3, 2, 9, 0), at(2027, 3, 2, 11, 30))  # 1.5 h charged
    _book(app, staff, room, bare, at(2027, 3, 3, 9, 0), at(2027, 3, 3, 10, 30))  # 0.5 h charged
    with time_machine.travel(ISSUE_DAY, tick=False):
        draft = _statement(client, team, "2027-03")
        assert draft["status"] == "draft"
        room_lines = [line for line in draft["lines"] if line["kind"] == "room"]
        assert [line["amount_yuan"] for line in room_lines] == ["50.00"]  # 90 × 3333 ÷ 60 = 4999.5
        assert draft["gross_yuan"] == "2450.00"  # rent 2400.00 + the room
        bare_draft = _statement(client, bare, "2027-03")
        assert bare_draft["gross_yuan"] == bare_draft["net_yuan"] == "16.67"  # 1666.5 fen
        issued = client.post("/statements/issue", json={"park_id": park.id, "month": "2027-03"})
        assert issued.get_json() == {"issued": 2}
        stored = _statement(client, team, "2027-03")
        assert stored["status"] == "issued"
        assert [li["amount_yuan"] for li in stored["lines"] if li["kind"] == "room"] == ["50.00"]
        assert (stored["gross_yuan"], stored["net_yuan"]) == ("2450.00", "2450.00")
    statements = {s.team_id: s for s in rows(app, Statement)}
    assert statements[team.id].gross_fen == 245_000
    assert statements[bare.id].gross_fen == 1_667


def test_a_cancellation_after_the_month_was_issued_is_corrected_next_month(app, make, api):
    park, staff, team, _bare, room, client = _setup(make, api)
    late = _book(app, staff, room, team, at(2027, 3, 30, 9, 0), at(2027, 3, 30, 11, 0))
    with time_machine.travel(ISSUE_DAY, tick=False):
        client.post("/statements/issue", json={"park_id": park.id, "month": "2027-03"})
        act(app, ops.cancel_booking, late, actor=staff, reason="设备检修", when=ISSUE_DAY)
    with time_machine.travel(at(2027, 4, 2, 12, 0), tick=False):
        april = _statement(client, team, "2027-04")
        adjustments = [li for li in april["lines"] if li["kind"] == "adjustment"]
        assert [li["amount_yuan"] for li in adjustments] == ["-33.33"]  # 60 × 3333 ÷ 60
        assert not [li for li in april["lines"] if li["kind"] == "room"]

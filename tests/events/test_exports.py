"""Attendee files: CSV (UTF-8 with BOM) and XLSX with every registration, times in the
park's zone; staff of the park only."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

from openpyxl import load_workbook

from opc.core.db import utcnow
from tests.events.checkin_helpers import event_now, registration


def _setup(make: Any) -> tuple[Any, Any, list[Any]]:
    park = make.park()
    event = event_now(make, park)
    team = make.team(park, status="resident")
    at = utcnow().replace(second=0, microsecond=0) - timedelta(minutes=10)
    regs = [
        registration(make, event, name="张三", organisation="=HYPERLINK()", checked_in_at=at),
        registration(make, event, status="waitlisted", name="李四", team_id=team.id),
    ]
    return park, event, regs


def test_csv_has_a_bom_and_every_registration(client: Any, make: Any, as_user: Any) -> None:
    park, event, regs = _setup(make)
    as_user("staff", parks=[park])
    response = client.get(f"/events/{event.id}/attendees.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert len(rows) == 3 and len(rows[0]) == 8
    assert "Asia/Shanghai" in rows[0][6]
    first, second = rows[1], rows[2]
    assert first[0] == "张三" and first[1] == "'=HYPERLINK()"  # never a formula
    assert first[2] == regs[0].email and first[3] == "13800000000"
    shanghai = regs[0].checked_in_at + timedelta(hours=8)
    assert first[7] == shanghai.strftime("%Y-%m-%d %H:%M")
    assert second[0] == "李四" and second[4] and second[7] == ""


def test_xlsx_reads_back(client: Any, make: Any, as_user: Any) -> None:
    park, event, regs = _setup(make)
    as_user("staff", parks=[park])
    response = client.get(f"/events/{event.id}/attendees.xlsx", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][:3] == ["Name", "Organisation", "E-mail"]
    assert [v[0] for v in values[1:]] == ["张三", "李四"]
    assert values[1][1] == "=HYPERLINK()"  # a string cell, not a formula
    assert values[1][5] == "Confirmed" and values[2][5] == "On the waitlist"
    shanghai = (regs[0].checked_in_at + timedelta(hours=8)).replace(tzinfo=None)
    assert values[1][7] == shanghai


def test_another_parks_staff_do_not_see_the_event(client: Any, make: Any, as_user: Any) -> None:
    _park, event, _regs = _setup(make)
    as_user("staff", parks=[make.park()])
    assert client.get(f"/events/{event.id}/attendees.csv").status_code == 404


def test_members_do_not_export(client: Any, make: Any, as_user: Any) -> None:
    park, event, _regs = _setup(make)
    as_user("member", team=make.team(park, status="resident"))
    assert client.get(f"/events/{event.id}/attendees.xlsx").status_code == 403
    assert client.get(f"/events/{event.id}/attendees.pdf").status_code == 404

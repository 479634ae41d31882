"""Settlements with providers: hand-worked drafts, issuing all or nothing and once, late
records settled on the next settlement, frozen by the database, the month must have ended
in the park, who may see and issue, the CSV and XLSX downloads, the pages."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa
import time_machine
from openpyxl import load_workbook
from sqlalchemy.exc import IntegrityError

from opc.api.routing import token_allows
from opc.compute.models import UsageRecord
from opc.compute.settlement_models import Settlement, SettlementLine
from opc.core import constraints
from opc.extensions import db
from tests.compute.helpers import count, error_of, post_form, provider, record, rows

TODAY = "2026-11-15 04:00:00+00:00"


@pytest.fixture
def s(make, api):
    park = make.park()
    staff = make.user("staff", parks=[park])
    teams = [make.team(park, status="resident") for _ in range(2)]
    star, other = provider(make, "星河算力"), provider(make, "天府智算")
    return {
        "park": park,
        "staff": staff,
        "api": api(staff),
        "teams": teams,
        "star": star,
        "other": other,
    }


def september(app, s):
    """Hand-worked: Star's September for the park is three records of two teams."""
    t1, t2 = s["teams"]
    record(
        app,
        t1,
        s["star"],
        "2026-09-02T10:00:00+08:00",
        cost_fen=100_000,
        subsidy_fen=50_000,
        hours_hundredths=200,
    )
    record(app, t1, s["star"], "2026-09-30T23:30:00+08:00", cost_fen=33_333, hours_hundredths=150)
    record(
        app,
        t2,
        s["star"],
        "2026-09-01T00:00:00+08:00",
        cost_fen=25_050,
        subsidy_fen=12_525,
        hours_hundredths=75,
    )
    # Not September's for Star: another provider's, and October's in the park's time (it
    # started on 30 September at 16:30 UTC, 1 October 00:30 in Chengdu).
    record(app, t1, s["other"], "2026-09-10T10:00:00+08:00", cost_fen=9_999, subsidy_fen=1)
    record(app, t2, s["star"], "2026-09-30T16:30:00+00:00", cost_fen=7_000, subsidy_fen=700)


def query(s, month, provider_key="star"):
    path = f"/settlements?park_id={s['park'].id}&provider_id={s[provider_key].id}&month={month}"
    return s["api"].get(path)


def issue(s, month, provider_key="star", client=None):
    body = {"park_id": s["park"].id, "provider_id": s[provider_key].id, "month": month}
    return (client or s["api"]).post("/settlements/issue", json=body)


EXPECTED_LINES = [
    # team 1: 1,000.00 + 333.33; subsidy 500.00; 2.00 + 1.50 hours
    {"records": 2, "gpu_hours": "3.50", "cost_yuan": "1333.33", "subsidy_yuan": "500.00",
     "team_share_yuan": "833.33", "corrects_month": None},
    {"records": 1, "gpu_hours": "0.75", "cost_yuan": "250.50", "subsidy_yuan": "125.25",
     "team_share_yuan": "125.25", "corrects_month": None},
]  # fmt: skip


@time_machine.travel(TODAY, tick=False)
def test_a_draft_holds_the_hand_worked_sums_and_issuing_stores_them(app, s):
    september(app, s)
    (draft,) = query(s, "2026-09").get_json()["items"]
    assert draft["id"] is None and draft["status"] == "draft"
    assert (draft["records"], draft["gpu_hours"]) == (3, "4.25")
    assert (draft["cost_yuan"], draft["subsidy_yuan"], draft["team_share_yuan"]) == (
        "1583.83",
        "625.25",
        "958.58",
    )
    assert [line["team_id"] for line in draft["lines"]] == [t.id for t in s["teams"]]
    assert [{k: v for k, v in x.items() if k != "team_id"} for x in draft["lines"]] == (
        EXPECTED_LINES
    )
    response = issue(s, "2026-09")
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"issued": 1}
    (issued,) = query(s, "2026-09").get_json()["items"]
    assert issued["status"] == "issued" and issued["id"] and issued["issued_at"]
    assert {k: v for k, v in issued.items() if k not in ("id", "status", "issued_at")} == {
        k: v for k, v in draft.items() if k not in ("id", "status", "issued_at")
    }
    (stored,) = rows(app, Settlement)
    assert stored.subsidy_fen == 62_525 and stored.cost_fen == 158_383
    assert count(app, UsageRecord, UsageRecord.settlement_id == stored.id) == 3
    assert count(app, UsageRecord, UsageRecord.settlement_id.is_(None)) == 2  # other, October
    # The other provider's September is a draft of its own.
    (theirs,) = query(s, "2026-09", "other").get_json()["items"]
    assert (theirs["status"], theirs["subsidy_yuan"]) == ("draft", "0.01")


@time_machine.travel(TODAY, tick=False)
def test_issuing_again_issues_nothing(app, s):
    september(app, s)
    assert issue(s, "2026-09").get_json() == {"issued": 1}
    assert issue(s, "2026-09").get_json() == {"issued": 0}
    assert count(app, Settlement) == 1 and count(app, SettlementLine) == 2
    # A month with nothing to settle stores nothing either.
    assert issue(s, "2026-08", "other").get_json() == {"issued": 0}
    assert count(app, Settlement) == 1


@time_machine.travel(TODAY, tick=False)
def test_a_late_record_is_settled_on_the_next_settlement_once(app, s):
    september(app, s)
    issue(s, "2026-09")
    t2 = s["teams"][1]
    record(app, t2, s["star"], "2026-09-20T09:00:00+08:00", cost_fen=4_000, subsidy_fen=1_000)
    (september_again,) = query(s, "2026-09").get_json()["items"]
    assert september_again["subsidy_yuan"] == "625.25"  # the issued one never changes
    (october,) = query(s, "2026-10").get_json()["items"]
    assert october["status"] == "draft"
    assert [(x["team_id"], x["corrects_month"], x["subsidy_yuan"]) for x in october["lines"]] == [
        (t2.id, None, "7.00"),  # October's record of team 2
        (t2.id, "2026-09", "10.00"),  # the late September record
    ]
    assert october["subsidy_yuan"] == "17.00" and october["records"] == 2
    assert issue(s, "2026-10").get_json() == {"issued": 1}
    assert query(s, "2026-11").get_json()["items"] == []  # settled once
    # September keeps what it was issued with, in the database too.
    (stored,) = rows(app, Settlement, Settlement.month == "2026-09")
    assert (stored.records, stored.subsidy_fen) == (3, 62_525)


@time_machine.travel(TODAY, tick=False)
def test_a_month_settles_the_earlier_months_not_settled_and_they_stay_behind(app, s):
    t1 = s["teams"][0]
    record(app, t1, s["star"], "2026-08-31T12:00:00+08:00", cost_fen=2_000, subsidy_fen=600)
    september(app, s)
    (draft,) = query(s, "2026-09").get_json()["items"]
    assert [x["corrects_month"] for x in draft["lines"]] == [None, None, "2026-08"]
    assert issue(s, "2026-09").get_json() == {"issued": 1}
    assert query(s, "2026-08").get_json()["items"] == []  # settled on September's
    refused = issue(s, "2026-07")
    assert refused.status_code == 409
    assert error_of(refused)["code"] == "later_month_settled"
    assert error_of(refused)["conflict"] == {"month": "2026-09"}
    assert count(app, Settlement) == 1


@time_machine.travel(TODAY, tick=False)
def test_the_database_refuses_to_change_an_issued_settlement(app, s):
    september(app, s)
    issue(s, "2026-09")
    with app.app_context():
        for table, column in (("settlement_lines", "subsidy_fen"), ("settlements", "subsidy_fen")):
            with pytest.raises(IntegrityError) as refused, db.engine.begin() as conn:
                conn.execute(sa.text(f"UPDATE {table} SET {column} = 0"))
            assert constraints.constraint_name(refused.value) == "settlement_frozen"
            rule = constraints.rule_for_integrity_error(refused.value)
            assert (rule.code, rule.status) == ("settlement_frozen", 409)
    assert {line.subsidy_fen for line in rows(app, SettlementLine)} == {50_000, 12_525}


def test_a_month_not_ended_in_the_park_is_refused(app, s):
    september(app, s)
    # 30 September 23:00 in Chengdu: September has not ended there.
    with time_machine.travel("2026-09-30 15:00:00+00:00", tick=False):
        refused = issue(s, "2026-09")
        assert refused.status_code == 409
        assert error_of(refused)["code"] == "month_not_ended"
        assert error_of(refused)["conflict"] == {"month": "2026-09", "settle_from": "2026-10-01"}
        assert issue(s, "2026-12").status_code == 409  # nor one that has not begun
        assert query(s, "2026-09").get_json()["items"][0]["status"] == "draft"
    assert count(app, Settlement) == 0
    # 1 October 01:00 in Chengdu, still 30 September in UTC: it has.
    with time_machine.travel("2026-09-30 17:00:00+00:00", tick=False):
        assert issue(s, "2026-09").get_json() == {"issued": 1}


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize("month", ["2026-13", "2026-1", "26-01", "1999-12"])
def test_bad_months_are_refused(app, s, month):
    september(app, s)
    response = issue(s, month)
    assert response.status_code == 422, response.get_json()
    assert "month" in error_of(response)["fields"]
    assert query(s, month).status_code == 422
    assert count(app, Settlement) == 0


@time_machine.travel(TODAY, tick=False)
def test_who_may_issue_and_see_settlements(app, make, api, s):
    september(app, s)
    issue(s, "2026-09")
    member = api(make.user("member", team=s["teams"][0]))
    assert member.get("/settlements?month=2026-09").status_code == 403
    assert issue(s, "2026-10", client=member).status_code == 403
    stranger = api(make.user("staff", parks=[make.park()]))
    assert issue(s, "2026-10", client=stranger).status_code == 404
    assert stranger.get(f"/settlements?park_id={s['park'].id}").status_code == 404
    assert stranger.get("/settlements?month=2026-09").get_json()["items"] == []
    (settlement,) = rows(app, Settlement)
    assert stranger.get(f"/settlements/{settlement.id}").status_code == 404
    # The provider reads its own with the token it writes usage with, and nothing else.
    star = api(s["star"].user, scope="usage:write")
    mine = star.get("/settlements").get_json()["items"]
    assert [x["id"] for x in mine] == [settlement.id]
    assert star.get(f"/settlements/{settlement.id}").get_json()["subsidy_yuan"] == "625.25"
    assert star.get("/settlements?month=2026-10").get_json()["items"][0]["status"] == "draft"
    assert star.get(f"/settlements?provider_id={s['other'].id}").status_code == 404
    refused = issue(s, "2026-10", client=star)
    assert refused.status_code == 403 and error_of(refused)["code"] == "insufficient_scope"
    other = api(s["other"].user, scope="usage:write")
    assert other.get(f"/settlements/{settlement.id}").status_code == 404
    assert [x["status"] for x in other.get("/settlements?month=2026-09").get_json()["items"]] == [
        "draft"
    ]
    assert count(app, Settlement) == 1


def test_a_write_scope_covers_its_own_reads_only():
    assert token_allows("usage:write", "usage:read")
    assert not token_allows("usage:write", "compute:read")
    assert not token_allows("usage:write", "parks:read")
    assert token_allows("read", "usage:read") and not token_allows("read", "usage:write")


@time_machine.travel(TODAY, tick=False)
def test_the_downloads_hold_every_line_and_the_totals(app, make, client, as_user, s):
    september(app, s)
    issue(s, "2026-09")
    (settlement,) = rows(app, Settlement)
    as_user("staff", parks=[s["park"]])
    response = client.get(f"/compute/settlements/{settlement.id}.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for Chinese
    table = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    t1, t2 = s["teams"]
    assert table[1] == [t1.name_zh, t1.name_en, "2026-09", "2", "3.50", "1333.33", "500.00",
                        "833.33"]  # fmt: skip
    assert table[2][0] == t2.name_zh and table[2][6] == "125.25"
    assert table[-1] == ["Total", "", "2026-09", "3", "4.25", "1583.83", "625.25", "958.58"]
    response = client.get(f"/compute/settlements/{settlement.id}.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    sheet = book.worksheets[0]
    assert sheet.freeze_panes == "A2"
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][0] == "Team" and sheet.cell(row=1, column=1).font.bold
    assert values[1][:4] == [t1.name_zh, t1.name_en, "2026-09", 2]
    assert [float(v) for v in values[-1][4:]] == [4.25, 1583.83, 625.25, 958.58]
    assert sheet.cell(row=len(values), column=7).number_format == '"¥"#,##0.00'
    assert sheet.cell(row=len(values), column=1).font.bold
    member = make.user("member", team=t1)
    other = app.test_client()
    from tests.conftest import login

    assert login(other, member.email).status_code == 302
    assert other.get(f"/compute/settlements/{settlement.id}.csv").status_code == 404


@time_machine.travel(TODAY, tick=False)
def test_the_pages_list_months_show_a_settlement_and_issue_it(app, client, as_user, s):
    september(app, s)
    as_user("staff", parks=[s["park"]])
    park, star = s["park"].id, s["star"].id
    listing = client.get(f"/parks/{park}/compute/settlements").get_data(as_text=True)
    assert "星河算力" in listing and "天府智算" in listing
    months = client.get(f"/parks/{park}/compute/providers/{star}/settlements")
    assert months.status_code == 200
    assert "Draft: ready to issue" in months.get_data(as_text=True)
    path = f"/parks/{park}/compute/providers/{star}/settlements/2026-09"
    page = client.get(path).get_data(as_text=True)
    assert "¥625.25" in page and "¥958.58" in page and "Issue the settlement of 2026-09" in page
    response = post_form(client, f"{path}/issue", {}, page=path)
    assert response.status_code == 302 and response.headers["Location"].endswith(path)
    assert count(app, Settlement) == 1
    again = client.get(path).get_data(as_text=True)
    assert "Issue the settlement" not in again and "Issued" in again and ".xlsx" in again
    running = f"/parks/{park}/compute/providers/{star}/settlements/2026-11"
    record(app, s["teams"][0], s["star"], "2026-11-02T10:00:00+08:00", cost_fen=100)
    assert "not over yet" in client.get(running).get_data(as_text=True)
    refused = post_form(client, f"{running}/issue", {}, page=running)
    assert refused.status_code == 422
    assert "has not ended" in refused.get_data(as_text=True)
    assert count(app, Settlement) == 1
    assert client.get(
        f"/parks/{park}/compute/providers/{star}/settlements/2026-99"
    ).status_code == (404)


@time_machine.travel(TODAY, tick=False)
def test_members_and_other_staff_have_no_settlement_pages(app, make, client, as_user, s):
    path = f"/parks/{s['park'].id}/compute/settlements"
    as_user("member", team=s["teams"][0])
    assert client.get(path).status_code in (403, 404)
    other = app.test_client()
    from tests.conftest import login

    stranger = make.user("staff", parks=[make.park()])
    assert login(other, stranger.email).status_code == 302
    assert other.get(path).status_code == 404


@pytest.mark.slow
@time_machine.travel(TODAY, tick=True)
def test_two_staff_issue_a_settlement_at_once(app, s, monkeypatch):
    """On two real connections: one issues it, the other finds it issued (issued 0), and
    the records are settled once."""
    from opc.compute.operations import settlements as operation
    from tests.core.helpers import race_as, slowed

    september(app, s)
    slowed(monkeypatch, operation, "draft_of")  # the window between the sums and the write
    results: list[int] = []

    def issue_it(*, actor):
        results.append(
            operation.issue_settlement(s["park"].id, s["star"].id, "2026-09", actor=actor)
        )

    outcomes = race_as(app, s["staff"].id, [issue_it, issue_it])
    assert outcomes == ["ok", "ok"], outcomes
    assert sorted(results) == [0, 1]
    assert count(app, Settlement) == 1 and count(app, SettlementLine) == 2
    (settlement,) = rows(app, Settlement)
    assert count(app, UsageRecord, UsageRecord.settlement_id == settlement.id) == 3

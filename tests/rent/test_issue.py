"""Issuing a park's month: all or nothing, safe to repeat; issued statements are frozen by
the database; corrections after issue land on the next statement, once; bad input."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa
import time_machine
from sqlalchemy.exc import IntegrityError

from opc.core import constraints
from opc.extensions import db
from opc.rent.models import Statement, StatementLine
from tests.conftest import login
from tests.rent.helpers import D, approved, count, error_of, post_form, resident, rows

TODAY = "2026-11-15 04:00:00+00:00"


@pytest.fixture
def s(make, api):
    park = make.park()
    staff = make.user("staff", parks=[park])
    teams = [resident(make, park, "2026-01-01") for _ in range(3)]
    for team in teams:
        make.allocation(team, make.unit(park, area_m2=Decimal("30")), D("2026-01-01"))
    return {"park": park, "staff": staff, "api": api(staff), "teams": teams}


def issue(s, month):
    return s["api"].post("/statements/issue", json={"park_id": s["park"].id, "month": month})


@time_machine.travel(TODAY, tick=False)
def test_issue_a_month_then_again(app, s):
    first = issue(s, "2026-09")
    assert first.status_code == 200, first.get_json()
    assert first.get_json() == {"issued": 3}
    assert issue(s, "2026-09").get_json() == {"issued": 0}
    assert count(app, Statement) == 3
    listed = s["api"].get(f"/statements?park_id={s['park'].id}&month=2026-09").get_json()
    assert [i["status"] for i in listed["items"]] == ["issued"] * 3
    assert all(i["net_yuan"] == "2400.00" and i["id"] for i in listed["items"])
    assert {i["due_on"] for i in listed["items"]} == {"2026-10-15"}  # the park's due day
    history = s["api"].get(f"/statements?team_id={s['teams'][0].id}").get_json()
    assert [i["month"] for i in history["items"]] == ["2026-09"]


@time_machine.travel(TODAY, tick=False)
def test_the_database_refuses_to_change_an_issued_statement(app, s):
    issue(s, "2026-09")
    with app.app_context():
        for table, column in (("statement_lines", "amount_fen"), ("statements", "net_fen")):
            with pytest.raises(IntegrityError) as refused, db.engine.begin() as conn:
                conn.execute(sa.text(f"UPDATE {table} SET {column} = 1"))
            assert constraints.constraint_name(refused.value) == "statement_frozen"
            assert constraints.rule_for_integrity_error(refused.value).code == "statement_frozen"
    assert {line.amount_fen for line in rows(app, StatementLine)} == {240000}


@time_machine.travel(TODAY, tick=False)
def test_a_late_allocation_is_corrected_on_the_next_statement_once(app, make, s):
    team = s["teams"][0]
    issue(s, "2026-09")
    # Entered after September was issued: 10 m² at 100.00 from 16 September.
    make.allocation(
        team, make.unit(s["park"], area_m2=Decimal("10"), rent_fen_per_m2=10000), D("2026-09-16")
    )
    october = s["api"].get(f"/statements?team_id={team.id}&month=2026-10").get_json()["items"][0]
    # September again: 2,400.00 + 10 × 100.00 × 15 ÷ 30 = 2,900.00; issued 2,400.00: +500.00
    adjustments = [x for x in october["lines"] if x["kind"] == "adjustment"]
    assert [(x["amount_yuan"], x["corrects_month"]) for x in adjustments] == [("500.00", "2026-09")]
    assert october["gross_yuan"] == "3400.00" and october["net_yuan"] == "3900.00"
    assert issue(s, "2026-10").get_json() == {"issued": 3}
    november = s["api"].get(f"/statements?team_id={team.id}&month=2026-11").get_json()["items"][0]
    assert [x["kind"] for x in november["lines"]] == ["rent", "rent"]  # corrected once
    (september,) = rows(app, Statement, Statement.team_id == team.id, Statement.month == "2026-09")
    assert september.net_fen == 240000  # the issued statement never changed


@time_machine.travel(TODAY, tick=False)
def test_a_waiver_approved_after_the_month_is_credited_on_the_next(app, s):
    team = s["teams"][1]
    issue(s, "2026-09")
    approved(app, team, percent="50", start=D("2026-09-01"), end=D("2026-10-01"), reason="补贴")
    october = s["api"].get(f"/statements?team_id={team.id}&month=2026-10").get_json()["items"][0]
    adjustments = [x for x in october["lines"] if x["kind"] == "adjustment"]
    assert [(x["amount_yuan"], x["corrects_month"]) for x in adjustments] == [
        ("-1200.00", "2026-09")
    ]
    assert october["net_yuan"] == "1200.00"


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize("month", ["2026-12", "2026-13", "2026-1", "26-01", "1999-12"])
def test_bad_months_are_refused(app, s, month):
    response = issue(s, month)
    assert response.status_code == 422, response.get_json()
    assert "month" in error_of(response)["fields"]
    listed = s["api"].get(f"/statements?park_id={s['park'].id}&month={month}")
    assert listed.status_code == 422
    assert count(app, Statement) == 0


@time_machine.travel(TODAY, tick=False)
def test_another_park_is_not_found_and_members_see_their_own(app, make, api, s):
    other = make.park()
    assert (
        s["api"]
        .post("/statements/issue", json={"park_id": other.id, "month": "2026-09"})
        .status_code
        == 404
    )
    stranger = resident(make, other, "2026-01-01")
    assert s["api"].get(f"/statements?team_id={stranger.id}&month=2026-09").status_code == 404
    issue(s, "2026-09")
    member = api(make.user("member", team=s["teams"][0]))
    mine = member.get("/statements?month=2026-09").get_json()
    assert [i["team_id"] for i in mine["items"]] == [s["teams"][0].id]
    assert member.get(f"/statements?team_id={s['teams'][1].id}").status_code == 404
    refused = member.post("/statements/issue", json={"park_id": s["park"].id, "month": "2026-09"})
    assert refused.status_code == 403


@time_machine.travel(TODAY, tick=False)
def test_the_month_page_issues_and_the_team_sees_its_statements(app, client, make, as_user, s):
    as_user("staff", parks=[s["park"]])
    path = f"/parks/{s['park'].id}/rent/statements?month=2026-09"
    page = client.get(path)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Issue 3 statements for 2026-09" in text and "¥7,200.00" in text  # 3 × 2,400.00
    response = post_form(
        client, f"/parks/{s['park'].id}/rent/statements/issue", {"month": "2026-09"}, page=path
    )
    assert response.status_code == 302
    assert count(app, Statement) == 3
    again = client.get(path).get_data(as_text=True)
    assert "Issue 3" not in again and "Issued" in again
    refused = post_form(
        client, f"/parks/{s['park'].id}/rent/statements/issue", {"month": "2027-01"}, page=path
    )
    assert refused.status_code == 422
    member = make.user("member", team=s["teams"][0])
    client = app.test_client()
    assert login(client, member.email).status_code == 302
    mine = client.get(f"/teams/{s['teams'][0].id}/rent")
    assert mine.status_code == 200
    assert "Statement 2026-09" in mine.get_data(as_text=True)
    assert client.get(f"/teams/{s['teams'][1].id}/rent").status_code == 404


@time_machine.travel(TODAY, tick=False)
def test_a_policy_reports_whom_it_reached_and_what_it_waived(app, make, s):
    from tests.rent.helpers import policy

    grant = policy(app, s["park"], [(12, "50")], code="SF13-4")
    for team in s["teams"][:2]:
        approved(app, team, policy_id=grant.id)
    issue(s, "2026-09")
    issue(s, "2026-10")
    # Two teams × two months × 50% of 2,400.00 = 4,800.00
    (item,) = s["api"].get(f"/policies?park_id={s['park'].id}").get_json()["items"]
    assert item["teams_covered"] == 2 and item["waived_yuan"] == "4800.00"


@time_machine.travel(TODAY, tick=False)
def test_the_printable_statement_names_the_park_the_team_and_the_policy(app, make, client, s):
    from tests.rent.helpers import policy

    grant = policy(app, s["park"], [(12, "50")], code="SF13-4", document="成都市科幻产业13条")
    approved(app, s["teams"][0], policy_id=grant.id)
    issue(s, "2026-09")
    (statement,) = rows(app, Statement, Statement.team_id == s["teams"][0].id)
    member = make.user("member", team=s["teams"][0])
    assert login(client, member.email).status_code == 302
    page = client.get(f"/statements/{statement.id}/print")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert s["teams"][0].name_zh in text and s["park"].name_zh in text
    assert "SF13-4" in text and "成都市科幻产业13条" in text and "¥1,200.00" in text
    (other,) = rows(app, Statement, Statement.team_id == s["teams"][1].id)
    assert client.get(f"/statements/{other.id}/print").status_code == 404


@time_machine.travel(TODAY, tick=False)
def test_the_pdf_holds_the_teams_chinese_name_as_text(app, make, client, s):
    import io

    from pypdf import PdfReader

    from tests.rent.helpers import policy

    grant = policy(app, s["park"], [(12, "50")], code="SF13-4", document="科幻13条")
    approved(app, s["teams"][0], policy_id=grant.id)
    issue(s, "2026-09")
    (statement,) = rows(app, Statement, Statement.team_id == s["teams"][0].id)
    member = make.user("member", team=s["teams"][0])
    assert login(client, member.email).status_code == 302
    rent_page = client.get(f"/teams/{s['teams'][0].id}/rent").get_data(as_text=True)
    assert "SF13-4" in rent_page.split('id="waivers"', 1)[1]  # the policy it benefits from
    response = client.get(f"/statements/{statement.id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert s["teams"][0].name_zh in text and s["park"].name_zh in text
    assert "SF13-4" in text and "1,200.00" in text and "Net due" in text

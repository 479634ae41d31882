"""Issue 8 through the pages in a real browser: staff grant a team a policy (proposed on the
waivers page, approved from the queue), issue the park's month from the statements page, and
the team's member opens its rent page and downloads the statement's PDF, whose text holds the
team's Chinese name. Every rent page is checked with axe-core and for console errors."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session

from opc.extensions import db
from opc.teams.models import TeamStatusChange
from tests.browser.test_pages import axe_violations, log_in
from tests.rent.helpers import D, policy

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def _resident(app: Any, make: Any, park: Any) -> Any:
    team = make.team(
        park, status="resident", track="aigc_film", name_zh="星云工作室", name_en="Nebula Studio"
    )
    with app.app_context(), Session(db.engine) as session:
        session.add(
            TeamStatusChange(
                team_id=team.id, from_status="admitted", to_status="resident", on=D("2026-01-01")
            )
        )
        session.commit()
    return team


def test_grant_a_policy_issue_a_month_and_download_the_pdf(app, make, page, tmp_path):
    park = make.park(name_zh="成都OPC孵化园", name_en="Chengdu OPC Hub")
    team = _resident(app, make, park)
    make.allocation(team, make.unit(park, code="A101", area_m2=Decimal("30")), D("2026-01-01"))
    policy(app, park, [(12, "50")], code="SF13-4", name_zh="科幻13条 第4条")
    staff = make.user("staff", parks=[park])
    member = make.user("member", team=team)
    month = "2026-01"

    log_in(page, staff.email)
    page.goto(f"/parks/{park.id}/rent/waivers")
    page.locator("#team_id").select_option(str(team.id))
    page.locator("#kind").select_option("policy")
    page.locator("#policy_id").select_option(label="SF13-4 科幻13条 第4条")
    with page.expect_navigation():
        page.locator("form:has(#kind) button[type=submit]").click()
    assert page.locator("#queue tr[data-waiver]").count() == 1
    assert not axe_violations(page), axe_violations(page)
    with page.expect_navigation():
        page.locator("#queue button.primary").click()
    assert page.locator("#queue tr[data-waiver]").count() == 0

    page.goto(f"/parks/{park.id}/rent/statements?month={month}")
    assert "¥1,200.00" in page.content()  # 2,400.00 less 50%
    assert not axe_violations(page), axe_violations(page)
    with page.expect_navigation():
        page.locator("form[action$='/issue'] button").click()
    assert "Issued" in page.locator("table.statements").inner_text()
    page.log.assert_clean(page)

    page.context.clear_cookies()
    log_in(page, member.email)
    page.goto("/rent/mine")
    assert f"Statement {month}" in page.content()
    assert not axe_violations(page), axe_violations(page)
    with page.expect_download() as download:
        page.locator("a", has_text="PDF").first.click()
    path = tmp_path / "statement.pdf"
    download.value.save_as(path)
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(path.read_bytes())).pages)
    assert "星云工作室" in text and "SF13-4" in text

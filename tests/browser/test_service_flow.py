"""Issue 12 through the pages in a real browser: a team's member opens a service request
with a file and sees it in their list; staff find it in the queue with its SLA state, set
its category, take it, write an internal note and ask the team; the member sees the
question but never the note, and answers; staff resolve it; the member confirms and rates
it 5; staff see the rating. Each state is read off the page; axe-core on every page.

The clock is set to a Tuesday morning (ticking) so the SLA arithmetic does not depend on
the day the suite runs: the working calendar only knows the years its package covers."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.browser.test_pages import axe_violations, log_in

pytestmark = [pytest.mark.slow, pytest.mark.browser]

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
TUESDAY_MORNING = datetime(2026, 3, 3, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
TITLE = "软件著作权登记"
NOTE = "内部备注：先查一下材料清单XYZ"
QUESTION = "请提供软件的源代码前后各30页。"
ANSWER = "已上传，见附件。"


def _accessible(page: Any) -> None:
    violations = axe_violations(page)
    assert not violations, "\n".join(violations)


def _submit(page: Any, action: str) -> None:
    """Send one of the request page's forms and wait for the page it redirects to."""
    with page.expect_navigation():
        page.locator(f"form[data-action='{action}'] button[type=submit]").click()
    page.wait_for_load_state("load")


def _status(page: Any) -> str | None:
    return page.locator("h1 [data-status]").get_attribute("data-status")


def _member_opens(page: Any, email: str, plan: Any) -> int:
    """The member's side up to the request's page: the form, the file, the list."""
    log_in(page, email)
    page.goto("/service/requests")
    assert page.locator("table.service-requests tbody tr[data-request]").count() == 0
    _accessible(page)
    # The heading's button and the empty list's next step both lead to the form.
    page.locator("a.button.primary[href$='/service/requests/new']").first.click()
    page.wait_for_load_state("load")
    _accessible(page)
    page.locator("#category").select_option("other")
    page.locator("#title").fill(TITLE)
    page.locator("#description").fill("我们的 AIGC 工具需要登记软件著作权，请指导流程。")
    with page.expect_navigation():
        page.locator("main form button.primary").click()
    assert "/service/requests/" in page.url
    request_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    assert _status(page) == "open"
    assert page.locator("h1 [data-sla]").get_attribute("data-sla") == "on_time"
    page.locator("form[data-action='attach'] input[type=file]").set_input_files(str(plan))
    _submit(page, "attach")
    assert page.locator("ul.attachments li").inner_text().startswith("材料清单.pdf")
    # A member's comment form has no internal-note box.
    assert page.locator("form[data-action='comment'] [name=internal]").count() == 0
    _accessible(page)

    page.goto("/service/requests")
    row = page.locator(f"tr[data-request='{request_id}']")
    assert TITLE in row.inner_text() and "Other" in row.inner_text()
    assert row.locator("[data-status]").get_attribute("data-status") == "open"
    assert row.locator("[data-sla]").get_attribute("data-sla") == "on_time"
    page.log.assert_clean(page)
    return request_id


def _staff_take_and_ask(page: Any, staff: Any, request_id: int) -> None:
    """Staff: the queue with the SLA state, then category, assignee, a note, a question."""
    log_in(page, staff.email)
    page.goto("/service/queue")
    row = page.locator(f"tr[data-request='{request_id}']")
    assert TITLE in row.inner_text() and "Nebula Studio" in row.inner_text()
    assert row.locator("[data-status]").get_attribute("data-status") == "open"
    assert row.locator("[data-sla]").get_attribute("data-sla") == "on_time"
    assert "On time" in row.locator("[data-sla]").inner_text()
    _accessible(page)
    row.locator(f"a[href$='/service/requests/{request_id}']").click()
    page.wait_for_load_state("load")
    assert page.locator("ul.attachments li").count() == 1
    _accessible(page)

    page.locator("form[data-action='triage'] select").select_option("ip_copyright")
    _submit(page, "triage")
    assert _status(page) == "triaged"
    assert "IP and copyright" in page.locator("dl.facts").inner_text()

    page.locator("form[data-action='assign'] select").select_option(str(staff.id))
    _submit(page, "assign")
    assert _status(page) == "assigned"
    assert (
        page.locator("li[data-entry='assigned']")
        .last.inner_text()
        .endswith(f"assigned to {staff.name}")
    )

    page.locator("form[data-action='comment'] textarea").fill(NOTE)
    page.locator("form[data-action='comment'] [name=internal]").check()
    _submit(page, "comment")
    note = page.locator("li[data-internal='1']")
    assert note.count() == 1 and NOTE in note.inner_text()
    assert _status(page) == "assigned"  # a note is no answer to the team

    page.locator("form[data-action='wait'] textarea").fill(QUESTION)
    _submit(page, "wait")
    assert _status(page) == "waiting_on_team"
    assert "paused" in page.locator("h1 [data-sla]").inner_text()
    _accessible(page)
    page.log.assert_clean(page)


def _member_answers(page: Any, email: str, request_id: int) -> None:
    log_in(page, email)
    page.goto("/service/requests")
    row = page.locator(f"tr[data-request='{request_id}']")
    assert row.locator("[data-status]").get_attribute("data-status") == "waiting_on_team"
    page.goto(f"/service/requests/{request_id}")
    assert _status(page) == "waiting_on_team"
    assert QUESTION in page.locator("ol.timeline").inner_text()
    html = page.content()
    assert NOTE not in html and "XYZ" not in html and "data-internal" not in html
    _accessible(page)
    page.locator("form[data-action='comment'] textarea").fill(ANSWER)
    _submit(page, "comment")
    assert _status(page) == "in_progress"
    assert ANSWER in page.locator("ol.timeline").inner_text()
    page.log.assert_clean(page)


def _member_confirms_and_rates(page: Any, email: str, request_id: int) -> None:
    log_in(page, email)
    page.goto(f"/service/requests/{request_id}")
    assert _status(page) == "resolved"
    assert "登记申请已提交版权中心" in page.locator("ol.timeline").inner_text()
    assert NOTE not in page.content()
    _accessible(page)
    _submit(page, "confirm")
    assert _status(page) == "closed"
    page.locator("form[data-action='rate'] select").select_option("5")
    page.locator("form[data-action='rate'] textarea").fill("回复及时，流程清楚。")
    _submit(page, "rate")
    assert page.locator("dd[data-rating]").get_attribute("data-rating") == "5"
    assert page.locator("form[data-action='rate']").count() == 0  # once only
    _accessible(page)
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the request's page scrolls sideways on a phone ({width} px)"
    _accessible(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/service/requests?status=closed")
    row = page.locator(f"tr[data-request='{request_id}']")
    assert row.locator("[data-status]").get_attribute("data-status") == "closed"
    page.log.assert_clean(page)


def test_a_team_opens_a_request_and_staff_resolve_it(make, page, tmp_path, screenshot_dir, backend):
    park = make.park(name_zh="成都OPC孵化园", name_en="Chengdu OPC Hub")
    team = make.team(park, name_zh="星云工作室", name_en="Nebula Studio", status="resident")
    member = make.user("member", team=team)
    staff = make.user("staff", parks=[park], name="王服务")
    plan = tmp_path / "材料清单.pdf"
    plan.write_bytes(PDF)

    with time_machine.travel(TUESDAY_MORNING, tick=True):
        request_id = _member_opens(page, member.email, plan)
        page.screenshot(path=screenshot_dir / f"service-mine-{backend}.png", full_page=True)

        page.context.clear_cookies()
        _staff_take_and_ask(page, staff, request_id)
        page.screenshot(path=screenshot_dir / f"service-request-{backend}.png", full_page=True)

        page.context.clear_cookies()
        _member_answers(page, member.email, request_id)

        page.context.clear_cookies()
        log_in(page, staff.email)
        page.goto(f"/service/requests/{request_id}")
        page.locator("form[data-action='resolve'] textarea").fill("登记申请已提交版权中心。")
        _submit(page, "resolve")
        assert _status(page) == "resolved"
        assert page.locator("h1 [data-sla]").get_attribute("data-sla") == "on_time"

        page.context.clear_cookies()
        _member_confirms_and_rates(page, member.email, request_id)
        page.screenshot(path=screenshot_dir / f"service-rated-{backend}.png", full_page=True)

        page.context.clear_cookies()
        log_in(page, staff.email)
        page.goto(f"/service/requests/{request_id}")
        rating = page.locator("dd[data-rating]")
        assert rating.get_attribute("data-rating") == "5"
        assert "★★★★★" in rating.inner_text() and "回复及时，流程清楚。" in rating.inner_text()
        assert page.locator("li[data-entry='rated']").count() == 1
        page.goto("/service/queue?status=closed")
        row = page.locator(f"tr[data-request='{request_id}']")
        assert row.locator("[data-status]").get_attribute("data-status") == "closed"
        page.goto(f"/service/dashboard?park_id={park.id}")
        assert page.locator("#category-table tr[data-key='ip_copyright'] td").last.inner_text() == (
            "5.0 (1)"
        )
        _accessible(page)
        page.log.assert_clean(page)

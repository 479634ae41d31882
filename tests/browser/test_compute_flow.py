"""Issue 9 through the pages in a real browser: a team's member sees its ¥1,000.00 voucher
untouched, a provider posts a batch to POST /api/v1/usage over HTTP, and on reload the member
sees it drawn down to 85 % with the 80 % alert and its notification; the park's staff see the
batch in the usage explorer with its totals. Every page is checked with axe-core."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest

from tests.browser.test_pages import axe_violations, log_in
from tests.compute.usage_helpers import programme, provider, record, resident, voucher

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def _post_usage(live_server: str, token: str, records: list[dict[str, Any]]) -> dict[str, Any]:
    """The provider's batch as it would send it: JSON over HTTP with its bearer token."""
    request = urllib.request.Request(
        f"{live_server}/api/v1/usage",
        data=json.dumps({"records": records}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=15) as response:
        assert response.status == 200
        return json.loads(response.read())


def _assert_accessible(page: Any) -> None:
    violations = axe_violations(page)
    assert not violations, "\n".join(violations)


def test_a_providers_batch_draws_the_teams_voucher_down(
    make, page, live_server, screenshot_dir, backend
):
    park = make.park(name_zh="成都OPC孵化园", name_en="Chengdu OPC Hub")
    team = resident(make, park, "2026-01-01", name_zh="星云工作室", name_en="Nebula Studio")
    source = provider(make, name="星河算力")
    granted = voucher(make, programme(make, park, rate="50"), team, 100_000)  # ¥1,000.00
    member = make.user("member", team=team)
    staff = make.user("staff", parks=[park])
    token = make.token(source.user, scope="usage:write")
    card = f"section[data-voucher='{granted.id}']"

    log_in(page, member.email)
    page.goto("/compute/mine")
    assert page.url.endswith(f"/teams/{team.id}/vouchers")
    assert "¥1,000.00 left" in page.locator(card).inner_text()
    assert "¥0.00 used of ¥1,000.00" in page.locator(card).inner_text()
    assert page.locator(f"{card} [data-alert]").count() == 0
    _assert_accessible(page)

    body = _post_usage(
        live_server,
        token,
        [record(team, cost_yuan="1000.00"), record(team, cost_yuan="700.00")],
    )
    assert (body["stored"], body["cost_yuan"], body["subsidy_yuan"]) == (2, "1700.00", "850.00")

    page.reload()
    text = page.locator(card).inner_text()
    assert "¥150.00 left" in text and "¥850.00 used of ¥1,000.00" in text
    assert page.locator(f"{card} progress").get_attribute("value") == "85000"
    assert page.locator(f"{card} [data-alert='used_80']").count() == 1
    assert page.locator(f"{card} [data-alert='used_100']").count() == 0
    assert page.locator(".notifications-link .badge").inner_text().startswith("1")
    _assert_accessible(page)
    page.screenshot(path=screenshot_dir / f"compute-vouchers-{backend}.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the vouchers page scrolls sideways on a phone ({width} px)"
    _assert_accessible(page)
    page.screenshot(path=screenshot_dir / f"compute-vouchers-phone-{backend}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto("/notifications/")
    rows = page.locator("table.notifications tr.unread")
    assert rows.count() == 1
    entry = rows.first.inner_text()
    assert "Nebula Studio" in entry and "is 80% used" in entry, entry
    assert "Used ¥850.00 of ¥1,000.00, ¥150.00 left" in entry, entry
    _assert_accessible(page)
    page.log.assert_clean(page)

    page.context.clear_cookies()
    log_in(page, staff.email)
    page.goto(f"/parks/{park.id}/compute/usage?month=2026-03")
    assert page.locator("#records .value").inner_text() == "2"
    assert page.locator("#cost .value").inner_text() == "¥1,700.00"
    assert page.locator("#subsidy .value").inner_text() == "¥850.00"
    assert page.locator("#share .value").inner_text() == "¥850.00"
    assert page.locator("tr[data-record]").count() == 2
    _assert_accessible(page)
    page.screenshot(path=screenshot_dir / f"compute-usage-{backend}.png", full_page=True)
    page.log.assert_clean(page)

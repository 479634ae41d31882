"""The pages in a real browser: log in, switch the language, the dashboard and its chart,
accessibility (axe-core), no console errors, no CSP violations, nothing fetched off-site."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from tests.fixtures.factories import PASSWORD

pytestmark = [pytest.mark.slow, pytest.mark.browser]

BLOCKING_IMPACTS = {"serious", "critical"}


def axe_violations(page: Any) -> list[str]:
    """axe-core's serious and critical violations on the page, one line per element."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {', '.join(map(str, n['target']))}"
        for v in results.response["violations"]
        if v["impact"] in BLOCKING_IMPACTS
        for n in v["nodes"]
    ]


def seed_park(make: Any) -> tuple[Any, Any]:
    """A park with units, resident teams on three tracks (one allocated) and its staff user."""
    park = make.park(name_zh="成都OPC孵化园", name_en="Chengdu OPC Hub", team_cap=12)
    units = [make.unit(park, floor=f, area_m2=a) for f, a in ((1, 40), (1, 60), (2, 120))]
    teams = [
        make.team(park, status="resident", track=track)
        for track in ("aigc_film", "aigc_film", "aigc_film", "ai_agents", "ai_agents", "games")
    ]
    make.team(park, status="applicant")
    make.allocation(teams[0], units[2], date(2026, 1, 1))
    staff = make.user("staff", parks=[park])
    return park, staff


def log_in(page: Any, email: str) -> None:
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form[action$='/login'] button[type=submit]").click()
    page.wait_for_load_state("load")


def switch_language(page: Any, lang: str) -> None:
    with page.expect_navigation():
        page.locator(f"form.lang button[value={lang}]").click()
    page.wait_for_load_state("load")


def assert_language(page: Any, html_lang: str, pressed: str) -> None:
    assert page.locator("html").get_attribute("lang") == html_lang
    buttons = page.locator("form.lang button")
    assert buttons.count() == 2
    for i in range(2):
        button = buttons.nth(i)
        is_pressed = button.get_attribute("value") == pressed
        assert (button.get_attribute("aria-pressed") == "true") is is_pressed, (
            button.get_attribute("value"),
            button.get_attribute("aria-pressed"),
        )


def wait_for_chart(page: Any) -> None:
    page.wait_for_function(
        "() => { const c = document.querySelector('canvas[data-chart]');"
        " return c && window.Chart && window.Chart.getChart(c); }"
    )


def chart_state(page: Any) -> dict[str, Any]:
    """Whether Chart.js owns the dashboard's canvas and how many pixels it painted."""
    return page.evaluate(
        """() => {
          const canvas = document.querySelector("canvas[data-chart]");
          if (!canvas) { return {canvas: false}; }
          const chart = window.Chart ? window.Chart.getChart(canvas) : undefined;
          const ctx = canvas.getContext("2d");
          const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
          let painted = 0;
          for (let i = 3; i < data.length; i += 4) { if (data[i] !== 0) { painted++; } }
          return {
            canvas: true, chart: Boolean(chart), type: chart ? chart.config.type : null,
            labels: chart ? chart.data.labels.length : 0,
            values: chart ? chart.data.datasets[0].data : [],
            width: canvas.width, height: canvas.height, painted: painted,
          };
        }"""
    )


def boxes_outside_main(page: Any) -> list[str]:
    """Cards and sections that stick out of main's content box (wider than the column)."""
    return page.evaluate(
        """() => {
          const main = document.querySelector("main");
          const style = getComputedStyle(main);
          const box = main.getBoundingClientRect();
          const left = box.left + parseFloat(style.paddingLeft) - 0.5;
          const right = box.right - parseFloat(style.paddingRight) + 0.5;
          return Array.from(main.querySelectorAll(".card, .kpi, section, table, canvas"))
            .filter((el) => {
              const r = el.getBoundingClientRect();
              return r.width > 0 && (r.left < left || r.right > right);
            })
            .map((el) => {
              const r = el.getBoundingClientRect();
              return `${el.tagName.toLowerCase()}.${el.className}: ${r.left}-${r.right}`;
            });
        }"""
    )


def test_login_page_is_accessible_and_clean(page):
    page.goto("/login")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("main h1").count() == 1
    # Password managers and autofill know the fields (WCAG 1.3.5).
    assert page.locator("#email").get_attribute("autocomplete") == "username"
    assert page.locator("#password").get_attribute("autocomplete") == "current-password"
    violations = axe_violations(page)
    assert not violations, "\n".join(violations)

    # Sent empty: the errors are tied to their fields and still pass the checks.
    page.locator("form[action$='/login'] button[type=submit]").click()
    page.wait_for_load_state("load")
    email = page.locator("#email")
    assert email.get_attribute("aria-invalid") == "true"
    assert page.locator(f"#{email.get_attribute('aria-describedby')} li").count() >= 1
    violations = axe_violations(page)
    assert not violations, "\n".join(violations)

    page.log.assert_clean(page)


def test_staff_logs_in_switches_language_and_sees_the_dashboard(
    page, make, screenshot_dir, backend
):
    park, staff = seed_park(make)

    log_in(page, staff.email)
    # A staff member of one park lands straight on its dashboard.
    assert re.search(rf"/parks/{park.id}$", page.url), page.url
    assert_language(page, "en", pressed="en")
    assert "Chengdu OPC Hub" in page.locator("main h1").inner_text()

    switch_language(page, "zh")
    assert re.search(rf"/parks/{park.id}$", page.url), page.url  # stays on the page
    assert_language(page, "zh-CN", pressed="zh")
    assert "成都OPC孵化园" in page.locator("main h1").inner_text()
    page.screenshot(path=screenshot_dir / f"dashboard-zh-{backend}.png", full_page=True)

    switch_language(page, "en")
    assert_language(page, "en", pressed="en")

    # The language is kept by the session: opening the dashboard again keeps English.
    page.goto(f"/parks/{park.id}")
    assert_language(page, "en", pressed="en")
    wait_for_chart(page)
    chart = chart_state(page)
    assert chart["canvas"] and chart["chart"], chart
    assert chart["type"] == "bar"
    assert chart["labels"] == 3 and chart["values"] == [3, 2, 1], chart
    assert chart["painted"] > 1000, chart  # the bars and axes, not a blank canvas

    figures = page.locator(".kpi .value").all_inner_texts()
    assert figures[0].replace(" ", "") == "6/12", figures

    page.screenshot(path=screenshot_dir / f"dashboard-{backend}.png", full_page=True)

    assert not boxes_outside_main(page), boxes_outside_main(page)

    violations = axe_violations(page)
    assert not violations, "\n".join(violations)

    # On a phone the columns stack: nothing wider than the screen, nothing out of the column.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    wait_for_chart(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width} px)"
    assert not boxes_outside_main(page), boxes_outside_main(page)
    page.screenshot(path=screenshot_dir / f"dashboard-phone-{backend}.png", full_page=True)

    page.log.assert_clean(page)
    chart_js = [u for u in page.log.requests if u.endswith("/static/vendor/chart.umd.min.js")]
    assert chart_js, page.log.requests  # Chart.js came from the app itself


def test_page_log_sees_csp_violations(page):
    """The checks above are not vacuous: an inline style is refused and reported."""
    page.goto("/login")
    page.evaluate(
        "() => { const d = document.createElement('div');"
        " d.innerHTML = '<p style=\"color: red\">x</p>'; document.body.append(d); }"
    )
    page.wait_for_function("() => window.__cspViolations.length > 0")
    assert page.log.csp_violations(page)

"""Issue 3 through the pages in a real browser: a park's staff member finds an admitted team
in the team list, moves it in (resident) with the lifecycle button, allocates it a unit on
the unit's page, and sees the allocation on the team page, the occupancy page and the floor
view. Refusals (the park's cap, an overlapping allocation) say why and keep the input.
Every page is checked with axe-core, for console errors and CSP violations, and for
requests off 127.0.0.1."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest

from opc.core.dates import format_day, parse_day
from opc.space.models import Allocation
from tests.browser.test_pages import axe_violations, log_in
from tests.core.helpers import rows

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def seed(make: Any) -> dict[str, Any]:
    """A park with a cap of 3: two residents (one holding B201), two admitted teams."""
    park = make.park(name_zh="成都OPC孵化园", name_en="Chengdu OPC Hub", team_cap=3)
    a101 = make.unit(park, code="A101", floor=1, area_m2=40)
    a102 = make.unit(park, code="A102", floor=1, area_m2=60)
    b201 = make.unit(park, code="B201", floor=2, area_m2=120)
    holder = make.team(
        park, status="resident", track="aigc_film", name_zh="光影映画", name_en="Lumen Films"
    )
    make.team(park, status="resident", track="ai_agents")
    make.allocation(holder, b201, date(2026, 1, 1))
    nebula = make.team(
        park,
        status="admitted",
        track="games",
        name_zh="星云工作室",
        name_en="Nebula Studio",
        name_pinyin="xingyungongzuoshi",
    )
    late = make.team(
        park, status="admitted", track="games", name_zh="晚到团队", name_en="Late Crew"
    )
    make.team(park, status="applicant")
    staff = make.user("staff", parks=[park])
    return {
        "park": park,
        "units": {"A101": a101, "A102": a102, "B201": b201},
        "holder": holder,
        "nebula": nebula,
        "late": late,
        "staff": staff,
    }


def assert_accessible(page: Any, where: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"{where}:\n" + "\n".join(violations)


# Like boxes_outside_main, except that a wide table may scroll inside a box of its own
# (.table-scroll) that stays in the column.
_OUTSIDE_UNSCROLLED = """() => {
  const main = document.querySelector("main");
  const style = getComputedStyle(main);
  const box = main.getBoundingClientRect();
  const left = box.left + parseFloat(style.paddingLeft) - 0.5;
  const right = box.right - parseFloat(style.paddingRight) + 0.5;
  const out = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && (r.left < left || r.right > right);
  };
  const scrolled = (el) => {
    for (let p = el.parentElement; p && p !== main; p = p.parentElement) {
      if (["auto", "scroll"].includes(getComputedStyle(p).overflowX)) { return !out(p); }
    }
    return false;
  };
  return Array.from(main.querySelectorAll(".card, .kpi, section, table, canvas, form"))
    .filter((el) => out(el) && !scrolled(el))
    .map((el) => {
      const r = el.getBoundingClientRect();
      return `${el.tagName.toLowerCase()}.${el.className}: ${r.left}-${r.right}`;
    });
}"""


def outside_column(page: Any, where: str) -> list[str]:
    """What sticks out of main's column, and whether the page scrolls sideways."""
    problems = [f"{where}: {box}" for box in page.evaluate(_OUTSIDE_UNSCROLLED)]
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    if width > viewport:
        problems.append(f"{where} scrolls sideways ({width} > {viewport} px)")
    return problems


def assert_in_column(page: Any, where: str) -> None:
    problems = outside_column(page, where)
    assert not problems, "\n".join(problems)


def click_and_wait(page: Any, locator: Any) -> None:
    with page.expect_navigation():
        locator.click()
    page.wait_for_load_state("load")


def main_nav(page: Any, name: str) -> Any:
    return page.get_by_role("navigation", name="Main").get_by_role("link", name=name)


def flashes(page: Any, category: str) -> list[str]:
    return page.locator(f".flashes .flash-{category}").all_inner_texts()


def figures(page: Any) -> dict[str, str]:
    """The occupancy page's key figures, by name, spaces squeezed out."""
    out = {}
    for el in page.locator("[data-figure]").all():
        out[el.get_attribute("data-figure")] = el.inner_text().replace(" ", "")
    return out


def wait_for_charts(page: Any, count: int) -> None:
    page.wait_for_function(
        """(n) => {
          const canvases = document.querySelectorAll("canvas[data-chart]");
          return canvases.length === n && window.Chart
            && Array.from(canvases).every((c) => window.Chart.getChart(c));
        }""",
        arg=count,
    )


def charts_painted(page: Any) -> list[dict[str, Any]]:
    """Per canvas: its chart type, its data and how many pixels it painted."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll("canvas[data-chart]")).map((c) => {
          const chart = window.Chart.getChart(c);
          const data = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
          let painted = 0;
          for (let i = 3; i < data.length; i += 4) { if (data[i] !== 0) { painted++; } }
          return {type: chart.config.type, data: chart.data.datasets.map((d) => d.data),
                  height: c.height, painted: painted};
        })"""
    )


def unit_box(page: Any, code: str) -> Any:
    return page.locator(f".unit-box[data-unit='{code}']")


def test_staff_admits_a_team_and_allocates_it_a_unit(page, make, screenshot_dir, backend):
    s = seed(make)
    park, nebula, late = s["park"], s["nebula"], s["late"]
    a101, b201 = s["units"]["A101"], s["units"]["B201"]

    log_in(page, s["staff"].email)
    assert re.search(rf"/parks/{park.id}$", page.url), page.url

    # --- before: the occupancy page and the floor view -----------------------------------
    page.goto(f"/parks/{park.id}/occupancy")
    before = figures(page)
    assert before == {
        "allocated": "120.00m²",
        "free": "100.00m²",
        "units": "1/3",
        "residents": "2/3",
    }, before
    page.goto(f"/parks/{park.id}/floors")
    assert unit_box(page, "A101").get_attribute("data-state") == "free"
    assert unit_box(page, "B201").get_attribute("data-state") == "taken"

    # --- the team list: find the admitted team -------------------------------------------
    click_and_wait(page, main_nav(page, "Teams"))
    assert page.url.endswith("/teams/"), page.url
    assert page.locator(f"tr[data-team='{nebula.id}']").count() == 1
    assert_accessible(page, "team list")
    assert_in_column(page, "team list")

    page.locator("select[name=status]").select_option("admitted")
    page.locator("input[name=q]").fill("xingyun")  # pinyin finds 星云工作室
    click_and_wait(page, page.locator("form.filters button[type=submit]"))
    rows = page.locator("tbody tr[data-team]")
    assert rows.count() == 1, page.locator("tbody").inner_text()
    row = page.locator(f"tr[data-team='{nebula.id}']")
    assert "Admitted" in row.locator(".badge").inner_text()
    assert_accessible(page, "team list, filtered")
    click_and_wait(page, row.get_by_role("link", name="星云工作室"))

    # --- the team page: move in --------------------------------------------------------
    assert page.url.endswith(f"/teams/{nebula.id}"), page.url
    assert page.locator("[data-status]").get_attribute("data-status") == "admitted"
    assert "Holds no space today." in page.locator("main").inner_text()
    page.locator("#step-note").fill("Signed the lease")
    click_and_wait(page, page.get_by_role("button", name="Move in (resident)"))
    assert page.url.endswith(f"/teams/{nebula.id}"), page.url
    # The message says what changed.
    assert flashes(page, "success") == ["星云工作室: Admitted → Resident"], flashes(page, "success")
    assert page.locator("[data-status]").get_attribute("data-status") == "resident"
    history = page.locator("tr[data-history='resident']")
    assert history.count() == 1
    assert "Signed the lease" in history.inner_text()
    assert_accessible(page, "team page, resident")

    # --- the space pages: occupancy -> units -> A101 -> allocate -------------------------
    click_and_wait(page, main_nav(page, "Space"))
    assert page.url.endswith(f"/parks/{park.id}/occupancy"), page.url
    assert figures(page)["residents"] == "3/3"  # the move-in counts against the cap
    click_and_wait(page, page.locator("nav.tabs").get_by_role("link", name="Units", exact=True))
    unit_row = page.locator("tr[data-unit='A101']")
    assert "Free" in unit_row.inner_text()
    click_and_wait(page, unit_row.get_by_role("link", name="A101"))
    assert page.url.endswith(f"/units/{a101.id}"), page.url

    today = parse_day(page.locator("#start").input_value())  # the park's today
    team_select = page.locator("#team_id")
    offered = team_select.locator("option").all_inner_texts()
    names = [o.split(" (")[0] for o in offered]
    assert "Nebula Studio" in names, offered  # now resident, so it may hold space
    assert "Late Crew" not in names, offered  # admitted only: holds no space
    team_select.select_option(str(nebula.id))
    click_and_wait(page, page.get_by_role("button", name="Allocate", exact=True))
    assert page.url.endswith(f"/units/{a101.id}"), page.url
    assert flashes(page, "success") == [
        f"A101 allocated to 星云工作室 from {format_day(today, 'en')}, open-ended."
    ], flashes(page, "success")
    current = page.locator("#timeline-table tr.alloc-current")
    assert current.count() == 1 and "Nebula Studio" in current.inner_text()
    assert page.locator("svg.timeline g.bar.current").count() == 1
    assert_accessible(page, "unit page")

    # --- the team page shows the unit --------------------------------------------------
    page.goto(f"/teams/{nebula.id}")
    space = page.locator("section", has=page.get_by_role("heading", name="Space", exact=True))
    assert "Holds today: A101 (floor 1, 40.00 m²)" in space.inner_text(), space.inner_text()
    held = space.locator("tbody tr").all_inner_texts()
    assert held == [f"A101\t{format_day(today, 'en')}\topen"], held
    assert_accessible(page, "team page")
    assert_in_column(page, "team page")
    page.screenshot(path=screenshot_dir / f"team-{backend}.png", full_page=True)

    # --- the occupancy page: the numbers moved -----------------------------------------
    page.goto(f"/parks/{park.id}/occupancy")
    after = figures(page)
    assert after == {
        "allocated": "160.00m²",
        "free": "60.00m²",
        "units": "2/3",
        "residents": "3/3",
    }, after
    floor_1 = page.locator("tr[data-floor='1']").inner_text().split("\t")
    assert floor_1[:6] == ["1", "2", "1", "1", "100.00", "40.00"], floor_1
    games = page.locator("tr[data-track='games']").inner_text().split("\t")
    assert games[1:] == ["1", "1", "1", "40.00"], games
    wait_for_charts(page, 3)
    charts = charts_painted(page)
    assert [c["type"] for c in charts] == ["doughnut", "bar", "bar"], charts
    assert charts[0]["data"] == [[160, 60, 2280]], charts[0]
    assert charts[1]["data"] == [[40, 120], [60, 0]], charts[1]
    for chart in charts:
        assert chart["height"] > 100 and chart["painted"] > 1000, chart  # drawn, not blank
    assert_accessible(page, "occupancy page")
    assert_in_column(page, "occupancy page")
    page.screenshot(path=screenshot_dir / f"occupancy-{backend}.png", full_page=True)

    # --- the floor view: A101 is taken by the team -------------------------------------
    click_and_wait(page, page.locator("nav.tabs").get_by_role("link", name="Floor view"))
    box = unit_box(page, "A101")
    assert box.get_attribute("data-state") == "taken"
    assert "Nebula Studio" in box.locator(".holder").inner_text()
    assert unit_box(page, "A102").get_attribute("data-state") == "free"
    colours = page.evaluate(
        """() => Object.fromEntries(Array.from(document.querySelectorAll(".unit-box"))
             .map((b) => [b.dataset.unit, getComputedStyle(b).backgroundColor]))"""
    )
    assert colours["A101"] == colours["B201"] != colours["A102"], colours
    assert_accessible(page, "floor view")
    assert_in_column(page, "floor view")
    page.screenshot(path=screenshot_dir / f"floors-{backend}.png", full_page=True)

    # --- refused: an overlapping allocation says so and keeps the input ------------------
    page.goto(f"/units/{b201.id}")
    page.locator("#team_id").select_option(str(nebula.id))
    end = today + timedelta(days=30)
    page.locator("#last_day").fill(end.isoformat())
    with page.expect_navigation():
        page.get_by_role("button", name="Allocate", exact=True).click()
    # The refusal answers 422, which Chromium reports on the console: that one is expected.
    assert page.log.expect_error_status(422, f"/units/{b201.id}/allocate") == 1
    errors = flashes(page, "error")
    assert errors == ["Not allocated: B201 is held by 光影映画 with no end date."], errors
    assert page.locator("#team_id").input_value() == str(nebula.id)
    # Date fields show the day as the page writes it (app.js), and take it typed so.
    assert page.locator("#start").input_value() == format_day(today, "en")
    assert page.locator("#last_day").input_value() == format_day(end, "en")
    assert page.locator("#timeline-table tbody tr[data-allocation]").count() == 1  # unchanged
    assert_accessible(page, "unit page, refused allocation")

    # --- refused: the cap is reached, the next admission goes on the waitlist -----------
    page.goto(f"/teams/{late.id}")
    page.locator("#step-note").fill("Lease signed, waiting for a place")
    click_and_wait(page, page.get_by_role("button", name="Move in (resident)"))
    assert page.log.expect_error_status(422, f"/teams/{late.id}/transition") == 1
    # The refusal keeps what was typed.
    assert page.locator("#step-note").input_value() == "Lease signed, waiting for a place"
    errors = flashes(page, "error")
    assert errors == [
        "The park's cap of 3 resident teams is reached. 晚到团队 was put on the waitlist (place 1)."
    ], errors
    assert page.locator("[data-status]").get_attribute("data-status") == "admitted"
    assert "On the park's waitlist since" in page.locator("main").inner_text()
    assert_accessible(page, "team page, waitlisted")

    page.goto("/teams/")
    waitlist = page.locator("section[aria-label='Waitlist']").inner_text()
    assert "3 of 3 places taken" in waitlist and "1 on the waitlist" in waitlist, waitlist
    assert "on the waitlist" in page.locator(f"tr[data-team='{late.id}']").inner_text()

    # The database agrees with what the pages showed.
    page.goto(f"/space/teams/{nebula.id}")
    assert page.locator("tr.alloc-current").count() == 1

    page.log.assert_clean(page)


def test_space_pages_fit_a_phone(page, make, screenshot_dir, backend):
    """On a phone the floor view, the occupancy page and the team page stay in the screen."""
    s = seed(make)
    park = s["park"]
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, s["staff"].email)
    problems: list[str] = []
    for name, path in (
        ("occupancy", f"/parks/{park.id}/occupancy"),
        ("floors", f"/parks/{park.id}/floors"),
        ("teams", "/teams/"),
        ("team", f"/teams/{s['holder'].id}"),
        ("unit", f"/units/{s['units']['B201'].id}"),
    ):
        page.goto(path)
        if name == "occupancy":
            wait_for_charts(page, 3)
        page.screenshot(path=screenshot_dir / f"{name}-phone-{backend}.png", full_page=True)
        problems.extend(outside_column(page, f"{name} on a phone"))
    assert not problems, "\n".join(problems)
    page.log.assert_clean(page)


def test_staff_allocate_from_a_team_page_with_a_last_day(page, make, app, screenshot_dir, backend):
    """From a team's page: the free units that fit, allocated with the last day typed as
    people say it (stored as the day after; the API keeps that exclusive end); the floor
    view keeps the team in hand; a future allocation is cancelled; an applicant refused with
    a reason, after a page that asks first."""
    s = seed(make)
    park = s["park"]
    team = make.team(park, status="resident", name_zh="未来剧场", name_en="Future Theatre")
    applicant = make.team(park, status="applicant", name_zh="迟疑团队", name_en="Doubtful")
    log_in(page, s["staff"].email)

    # --- the team page -> the free units that fit --------------------------------------
    page.goto(f"/teams/{team.id}")
    click_and_wait(page, page.get_by_role("link", name="Allocate a unit"))
    assert page.url.endswith(f"/space/teams/{team.id}/allocate"), page.url
    assert page.get_by_role("heading", name="Allocate space to Future Theatre").count() == 1
    search = page.locator("form.unit-search")
    search.locator("select[name=floor]").select_option("1")
    search.locator("input[name=free_from]").fill("2030-03-01")
    search.locator("input[name=last_day]").fill("2030-05-22")
    click_and_wait(page, search.get_by_role("button", name="Find"))
    free = page.locator("table.free-units tbody tr[data-unit]")
    assert free.evaluate_all("rows => rows.map(r => r.dataset.unit)") == ["A101", "A102"]
    assert "Free from 1 Mar 2030 through 22 May 2030" in page.locator("main").inner_text()
    assert_accessible(page, "allocating from a team")
    assert_in_column(page, "allocating from a team")
    page.screenshot(path=screenshot_dir / f"team-allocate-{backend}.png", full_page=True)

    click_and_wait(page, page.get_by_role("button", name="Allocate A102 to Future Theatre"))
    assert page.url.endswith(f"/teams/{team.id}"), page.url
    assert flashes(page, "success") == [
        "A102 allocated to 未来剧场 from 1 Mar 2030 through 22 May 2030."
    ], flashes(page, "success")
    space = page.locator("section", has=page.get_by_role("heading", name="Space", exact=True))
    assert space.locator("thead th").all_inner_texts() == ["Unit", "First day", "Last day"]
    assert space.locator("tbody tr").all_inner_texts() == ["A102\t1 Mar 2030\t22 May 2030"]
    # Stored exclusive, as the API documents it.
    [stored] = rows(app, Allocation, Allocation.team_id == team.id)
    assert (stored.start, stored.end) == (date(2030, 3, 1), date(2030, 5, 23))
    api = page.request.get(f"/api/v1/allocations/{stored.id}")
    assert api.ok and api.json()["end"] == "2030-05-23", api.text()

    # --- the floor view keeps the team in hand ------------------------------------------
    page.goto(f"/space/teams/{team.id}/allocate?floor=1&free_from=2030-03-01&last_day=2030-05-22")
    click_and_wait(page, page.get_by_role("link", name="See them on the floor view"))
    assert "Finding space for Future Theatre" in page.locator(".in-hand").inner_text()
    boxes = page.locator(".unit-box").evaluate_all("boxes => boxes.map(b => b.dataset.unit)")
    assert boxes == ["A101"], boxes  # A102 is no longer free for the period
    assert_accessible(page, "floor view with a team in hand")
    click_and_wait(page, unit_box(page, "A101").locator("a"))
    assert page.locator("#team_id").input_value() == str(team.id)  # preselected
    assert page.locator("#start").input_value() == "1 Mar 2030"
    assert page.locator("#last_day").input_value() == "22 May 2030"
    click_and_wait(page, page.get_by_role("button", name="Allocate", exact=True))
    assert flashes(page, "success") == [
        "A101 allocated to 未来剧场 from 1 Mar 2030 through 22 May 2030."
    ], flashes(page, "success")
    row = page.locator("#timeline-table tr.alloc-future")
    assert "22 May 2030" in row.inner_text() and "23 May 2030" not in row.inner_text()

    # --- it has not begun: cancelled (asked first), not ended ----------------------------
    cancel = row.get_by_role("link", name="Cancel…")
    assert "danger" in (cancel.get_attribute("class") or "")
    click_and_wait(page, cancel)
    assert_accessible(page, "cancel an allocation")
    button = page.get_by_role("button", name="Cancel the allocation")
    assert button.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(180, 35, 24)"
    click_and_wait(page, button)
    assert flashes(page, "success") == [
        "The allocation of A101 to 未来剧场 from 1 Mar 2030 is cancelled."
    ], flashes(page, "success")
    assert page.locator("#timeline-table tr.alloc-future").count() == 0

    # --- refusing an applicant asks for the reason; the history keeps it -----------------
    page.goto(f"/teams/{applicant.id}")
    click_and_wait(page, page.get_by_role("link", name="Refuse…"))
    assert_accessible(page, "refusing an applicant")
    click_and_wait(page, page.get_by_role("button", name="Refuse", exact=True))
    assert page.log.expect_error_status(422, f"/teams/{applicant.id}/steps/exited") == 1
    assert "Give the reason for the refusal" in page.locator(".field.has-error").inner_text()
    page.locator("#note").fill("赛道不符")
    click_and_wait(page, page.get_by_role("button", name="Refuse", exact=True))
    assert flashes(page, "success") == ["迟疑团队: Applicant → Exited"], flashes(page, "success")
    refused = page.locator("tr[data-history='exited']")
    assert "赛道不符" in refused.inner_text() and "refused" in refused.inner_text()

    page.log.assert_clean(page)

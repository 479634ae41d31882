"""Issue 14's base, in a real browser at a phone's width (360 and 390 px), in both languages,
for a staff member and a team's member: nothing scrolls sideways, the navigation folds into a
menu that opens, tables are stacked cards whose cells name their column, and every button,
field, nav link and page link is at least 44 px high. A screenshot of each page is saved."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.browser.test_pages import log_in, switch_language
from tests.browser.test_rent_flow import _resident
from tests.rent.helpers import D

pytestmark = [pytest.mark.slow, pytest.mark.browser]

WIDTHS = (360, 390)
LANGUAGES = ("zh", "en")

# What a phone's visitor taps: controls, the links of the menu, of the pager and the trail.
TAP_TARGETS = (
    "button, .button, select, textarea, "
    "input:not([type=checkbox]):not([type=radio]):not([type=hidden]), "
    ".nav a, .tools a, .tabs a, .pager a, .breadcrumbs a"
)

SMALL_TARGETS = """(selector) => Array.from(document.querySelectorAll(selector))
  .filter((el) => el.getClientRects().length > 0)
  .map((el) => [el, el.getBoundingClientRect()])
  .filter(([el, r]) => r.width > 0 && r.height < 43.5)
  .map(([el, r]) => `${el.tagName.toLowerCase()}.${el.className} "${
    (el.textContent || el.value || el.name || "").trim().slice(0, 30)}": ${r.height} px`)"""

STACKED_CELLS = """() => Array.from(document.querySelectorAll("main table"))
  .filter((t) => t.tHead && t.getClientRects().length > 0 && !t.closest("[data-layout=grid]"))
  .map((t) => {
    // An empty cell is left out of its card (display: none); every other one is a line.
    const cells = Array.from(t.querySelectorAll("tbody td, tbody th, tfoot td, tfoot th"))
      .filter((c) => getComputedStyle(c).display !== "none");
    const labelled = cells.filter((c) => c.dataset.label);
    return {
      table: t.className,
      stacked: cells.length > 0 && cells.every((c) => getComputedStyle(c).display === "block"),
      head: getComputedStyle(t.querySelector("thead") || t).position,
      // A sortable table keeps its sort links above the cards, and only them.
      sortable: t.classList.contains("sortable"),
      headings: Array.from(t.querySelectorAll("thead th"))
        .filter((th) => getComputedStyle(th).display !== "none")
        .map((th) => th.querySelector("a.sort") !== null),
      labelled: labelled.length,
      label: labelled.length ? getComputedStyle(labelled[0], "::before").content : "",
    };
  })"""


def _seed(app: Any, make: Any) -> dict[str, Any]:
    """A park with a resident team in a unit (a rent statement to show), a few more teams
    for the list, its staff member and the team's member."""
    from tests.rent.helpers import policy

    park = make.park(name_zh="成都OPC孵化园", name_en="Chengdu OPC Hub", team_cap=12)
    team = _resident(app, make, park)
    make.allocation(team, make.unit(park, code="A101", area_m2=Decimal("30")), D("2026-01-01"))
    for track in ("ai_agents", "games", "aigc_film"):
        make.team(park, status="resident", track=track)
    policy(app, park, [(12, "50")], code="SF13-4", name_zh="科幻13条 第4条")
    return {
        "park": park,
        "team": team,
        "staff": make.user("staff", parks=[park]),
        "member": make.user("member", team=team),
    }


def _pages(role: str, seed: dict[str, Any]) -> dict[str, str]:
    park, team = seed["park"], seed["team"]
    if role == "staff":
        return {
            "dashboard": f"/parks/{park.id}",
            "team-list": f"/teams/?park_id={park.id}",
            "team": f"/teams/{team.id}",
            "statements": f"/parks/{park.id}/rent/statements?month=2026-01",
            "team-form": "/teams/new",
        }
    return {
        "team": f"/teams/{team.id}",
        "rent": "/rent/mine",
        "team-form": f"/teams/{team.id}/edit",
    }


def _check_page(page: Any, width: int, name: str) -> None:
    """The checks every phone page passes, with what went wrong in the message."""
    overflow = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert overflow[0] <= overflow[1], f"{name} scrolls sideways at {width} px: {overflow}"
    small = page.evaluate(SMALL_TARGETS, TAP_TARGETS)
    assert not small, f"{name} at {width} px: tap targets under 44 px: {small}"
    for table in page.evaluate(STACKED_CELLS):
        assert table["stacked"], (name, table)
        if table["sortable"]:
            assert table["headings"] and all(table["headings"]), (name, table)
        else:
            assert table["head"] == "absolute", (name, table)
        assert table["labelled"] and table["label"] not in ("", "none"), (name, table)


def _check_menu(page: Any) -> None:
    """The menu is folded, opens on a tap to show the nav's links, and folds again."""
    toggle = page.locator(".menu-toggle")
    links = page.locator(".nav a")
    assert toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
    assert links.count() and not links.first.is_visible()
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert all(links.nth(i).is_visible() for i in range(links.count()))
    toggle.click()
    assert not links.first.is_visible()


@pytest.mark.parametrize("role", ["staff", "member"])
def test_phone_pages_fit_fold_the_menu_and_stack_tables(
    app, make, browser, live_server, screenshot_dir, backend, role
):
    seed = _seed(app, make)
    for width in WIDTHS:
        context = browser.new_context(
            base_url=live_server, locale="en-US", viewport={"width": width, "height": 800}
        )
        context.set_default_timeout(15_000)
        page = context.new_page()
        try:
            log_in(page, seed[role].email)
            for lang in LANGUAGES:
                page.locator(".menu-toggle").click()  # the language is in the menu
                switch_language(page, lang)
                for name, path in _pages(role, seed).items():
                    response = page.goto(path)
                    assert response.status == 200, (path, response.status)
                    label = f"{role} {name} ({lang}, {width} px)"
                    _check_page(page, width, label)
                    page.screenshot(
                        path=screenshot_dir / f"phone-{role}-{name}-{lang}-{width}-{backend}.png",
                        full_page=True,
                    )
                _check_menu(page)
        finally:
            context.close()


def test_wide_screens_keep_the_bar_and_the_tables(page, app, make):
    """Above the phone's width nothing folds: the nav is in the bar, tables have columns."""
    seed = _seed(app, make)
    log_in(page, seed["staff"].email)
    page.goto(f"/teams/?park_id={seed['park'].id}")
    assert not page.locator(".menu-toggle").is_visible()
    assert page.locator(".nav a").first.is_visible()
    cell = page.locator("table tbody td").first
    assert cell.evaluate("c => getComputedStyle(c).display") == "table-cell"
    assert cell.get_attribute("data-label") == "Name"


def test_on_a_phone_the_filters_fold_and_the_list_still_sorts(browser, live_server, app, make):
    """The team list at 360 px: rows come first, the filters behind a button that counts the
    ones set; the sort links stay above the cards and sort."""
    seed = _seed(app, make)
    context = browser.new_context(
        base_url=live_server, locale="en-US", viewport={"width": 360, "height": 800}
    )
    page = context.new_page()
    try:
        log_in(page, seed["staff"].email)
        page.goto(f"/teams/?park_id={seed['park'].id}&status=resident&track=games")
        toggle = page.locator(".filters-toggle")
        search = page.locator("form.filters input[name=q]")
        assert toggle.is_visible() and toggle.text_content() == "Filters (2)"
        assert not search.is_visible()
        toggle.click()
        assert search.is_visible() and toggle.get_attribute("aria-expanded") == "true"
        sort = page.locator("thead a.sort", has_text="Since")
        assert sort.is_visible()
        sort.click()
        page.wait_for_url("**sort=since**")
        assert "status=resident" in page.url and "dir=desc" in page.url
    finally:
        context.close()
    wide = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 800})
    page = wide.new_page()
    try:
        log_in(page, seed["staff"].email)
        page.goto("/teams/")
        assert not page.locator(".filters-toggle").is_visible()
        assert page.locator("form.filters input[name=q]").is_visible()
    finally:
        wide.close()

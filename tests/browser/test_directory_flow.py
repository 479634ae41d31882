"""Issue 12's directory through the pages in a real browser: a team's member says on its
profile page what it offers and needs, then finds on its matches page the residents whose
offers meet those needs, ranked (shared skills, then track) and explained; it searches the
directory by pinyin; a team that hides itself is in neither list. axe-core on each page."""

from __future__ import annotations

from typing import Any

import pytest

from opc.core.pinyin import pinyin_of
from tests.browser.test_pages import axe_violations, log_in
from tests.directory.helpers import add_skills, set_profile

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def _accessible(page: Any) -> None:
    violations = axe_violations(page)
    assert not violations, "\n".join(violations)


def _resident(make: Any, park: Any, name_zh: str, name_en: str, track: str) -> Any:
    # The factory numbers the pinyin; the search needs the real one.
    return make.team(
        park,
        name_zh=name_zh,
        name_en=name_en,
        name_pinyin=pinyin_of(name_zh),
        track=track,
        status="resident",
    )


def test_a_team_says_what_it_needs_and_finds_its_matches(app, make, page, screenshot_dir, backend):
    add_skills(app)
    park = make.park(name_zh="成都OPC孵化园", name_en="Chengdu OPC Hub")
    ours = _resident(make, park, "星云工作室", "Nebula Studio", "games")
    mocap = _resident(make, park, "动捕工坊", "MoCap Works", "games")
    voices = _resident(make, park, "声音工厂", "Voice Factory", "aigc_film")
    # Offers both needs and its name answers the same search: only hiding keeps it out.
    hermit = _resident(make, park, "动捕隐士", "Hidden Hermit", "games")
    set_profile(app, mocap, offers=["motion_capture", "voice"], offers_text="Vicon 光学动捕棚")
    set_profile(app, voices, offers=["voice"])
    set_profile(app, hermit, offers=["motion_capture", "voice", "3d_assets"], hidden=True)
    member = make.user("member", team=ours)

    log_in(page, member.email)
    page.goto("/directory/")
    _accessible(page)
    page.locator(f"a.button[href$='/directory/teams/{ours.id}/profile']").click()
    page.wait_for_load_state("load")
    assert "/profile" in page.url
    _accessible(page)
    page.locator("#offers input[value='legal']").check()
    page.locator("#offers_text").fill("合同审查 and IP advice")
    page.locator("#needs input[value='motion_capture']").check()
    page.locator("#needs input[value='voice']").check()
    page.locator("#needs_text").fill("需要为短剧角色做动作捕捉")
    with page.expect_navigation():
        page.locator("main form button.primary").click()
    page.wait_for_load_state("load")
    assert page.url.endswith(f"/directory/teams/{ours.id}/matches")
    assert "The team's profile is saved." in page.locator("body").inner_text()
    needs = page.locator("main section.card").first.locator("[data-needs]")
    assert [needs.nth(i).get_attribute("data-needs") for i in range(needs.count())] == [
        "motion_capture",
        "voice",
    ]

    matches = page.locator("ol.matches > li[data-match]")
    assert [matches.nth(i).get_attribute("data-match") for i in range(matches.count())] == [
        str(mocap.id),
        str(voices.id),
    ]
    first, second = matches.nth(0), matches.nth(1)
    assert "MoCap Works" in first.locator("strong").inner_text()
    assert first.locator(".explanation").inner_text() == (
        "Offers motion capture and voice, which you need. In your track, too."
    )
    assert "Vicon 光学动捕棚" in first.inner_text()
    assert second.locator(".explanation").inner_text() == "Offers voice, which you need."
    assert "Hidden Hermit" not in page.content() and "动捕隐士" not in page.content()
    _accessible(page)
    page.screenshot(path=screenshot_dir / f"directory-matches-{backend}.png", full_page=True)

    page.goto(f"/directory/teams/{ours.id}/profile")  # the page shows what was saved
    assert page.locator("#offers input[value='legal']").is_checked()
    assert page.locator("#needs input[value='motion_capture']").is_checked()
    assert not page.locator("#needs input[value='3d_assets']").is_checked()
    assert page.locator("#needs_text").input_value() == "需要为短剧角色做动作捕捉"

    page.goto("/directory/")
    row = page.locator(f"tr[data-team='{ours.id}']")
    assert row.locator("[data-offers='legal']").count() == 1
    assert "合同审查 and IP advice" in row.inner_text()
    assert page.locator(f"tr[data-team='{hermit.id}']").count() == 0
    page.locator("form[role=search] input[name=q]").fill("dongbu")
    with page.expect_navigation():
        page.locator("form[role=search] button[type=submit]").click()
    page.wait_for_load_state("load")
    assert "q=dongbu" in page.url
    rows = page.locator("tbody tr[data-team]")
    assert [rows.nth(i).get_attribute("data-team") for i in range(rows.count())] == [str(mocap.id)]
    assert "动捕工坊" in rows.first.inner_text()
    assert "动捕隐士" not in page.content()
    _accessible(page)
    page.screenshot(path=screenshot_dir / f"directory-search-{backend}.png", full_page=True)
    page.log.assert_clean(page)

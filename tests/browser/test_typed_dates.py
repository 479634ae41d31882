"""Issue 14: a date field takes a day typed in the page's language, with the calendar one
tap away. app.js turns each date input into a text field showing the day as the page writes
it (2026年3月5日 / 5 Mar 2026) beside a button that opens the browser's calendar."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from opc.extensions import db
from opc.teams.models import Team
from tests.browser.test_pages import axe_violations, log_in, switch_language


def _founded(app: Any, team_id: int) -> date | None:
    with app.app_context():
        founded = db.session.get(Team, team_id).founded_on
        db.session.remove()
    return founded


@pytest.mark.parametrize(
    ("lang", "shown", "typed", "saved"),
    [
        ("zh", "2025年3月5日", "2026年11月23日", date(2026, 11, 23)),
        ("en", "5 Mar 2025", "23 Nov 2026", date(2026, 11, 23)),
    ],
)
def test_a_day_typed_in_the_page_s_language_is_saved(page, app, make, lang, shown, typed, saved):
    park = make.park()
    team = make.team(park, status="resident", founded_on=date(2025, 3, 5))
    log_in(page, make.user("staff", parks=[park]).email)
    switch_language(page, lang)
    page.goto(f"/teams/{team.id}/edit")
    field = page.locator("#founded_on")
    assert field.get_attribute("type") == "text" and field.input_value() == shown
    assert page.locator("input[type=date][name]").count() == 0  # the picker sends nothing
    assert not axe_violations(page)

    field.fill(typed)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state("load")
    assert _founded(app, team.id) == saved
    page.log.assert_clean(page)


def test_the_calendar_fills_the_field_and_a_refused_day_stays_as_typed(page, app, make):
    park = make.park()
    team = make.team(park, status="resident")
    log_in(page, make.user("staff", parks=[park]).email)
    page.goto(f"/teams/{team.id}/edit")
    button = page.locator(".day-button").first
    assert button.get_attribute("aria-label") == "Choose a date"
    # What choosing a day in the browser's calendar does: the hidden input changes.
    page.locator(".day-calendar").first.evaluate(
        "p => { p.value = '2026-02-01'; p.dispatchEvent(new Event('change')); }"
    )
    assert page.locator("#founded_on").input_value() == "1 Feb 2026"

    page.locator("#founded_on").fill("31 Feb 2026")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state("load")
    assert page.locator("#founded_on").input_value() == "31 Feb 2026"
    assert "Enter a date like" in page.locator(".field.has-error").first.text_content()
    assert _founded(app, team.id) is None
    page.log.expect_error_status(422, f"/teams/{team.id}/edit")
    page.log.assert_clean(page)

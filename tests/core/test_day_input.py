"""Issue 14: a date field takes a day as people type it in either language (2026年11月23日,
23 Nov 2026, …) as well as the ISO a browser's picker sends, and refuses anything else with
an example in the page's language; |localdt writes a datetime in the page's language."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask import render_template_string

from opc.core.dates import format_datetime, format_time, parse_day
from opc.core.errors import ValidationFailed
from opc.core.values import arg_date
from opc.teams.models import Team
from tests.core.helpers import one, post_form, text

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh"}
DAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    "typed",
    [
        "2026-11-23",
        "2026/11/23",
        "2026.11.23",
        "2026年11月23日",
        "2026 年 11 月 23 日",
        "２０２６年１１月２３日",  # full-width digits, as a Chinese input method types them
        "２０２６／１１／２３",
        "23 Nov 2026",
        "23 nov 2026",
        "23 November 2026",
        "Nov 23, 2026",
        "November 23, 2026",
        "Nov. 23 2026",
        "  23 Nov 2026  ",
    ],
)
def test_every_form_people_type_is_the_same_day(typed):
    assert parse_day(typed) == DAY


def test_single_digits_and_every_month_name():
    assert parse_day("2026-1-5") == parse_day("2026年1月5日") == date(2026, 1, 5)
    assert parse_day("5 Jan 2026") == parse_day("Jan 5, 2026") == date(2026, 1, 5)
    assert parse_day("3 Sep 2026") == parse_day("3 Sept 2026") == date(2026, 9, 3)
    assert parse_day("29 February 2028") == date(2028, 2, 29)  # a leap day


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "2026-02-30",  # no such day
        "2027-02-29",  # not a leap year
        "2026-13-01",
        "2026-00-10",
        "0000-01-01",  # no year 0
        "99999-01-01",  # huge years never reach date()
        "1" * 10_000,
        "10000000000-01-01",
        "2026-11-23\x00",  # a NUL byte
        "\x00",
        "2026-11",
        "20261123",
        "23/11/2026",  # ambiguous with 11/23: not taken
        "11/23/2026",
        "23 Foo 2026",
        "Foo 23, 2026",
        "tomorrow",
        "2026-11-23T10:00",
        "١٢-١١-٢٠٢٦",  # digits of other scripts are not taken
    ],
)
def test_anything_else_is_refused(typed):
    with pytest.raises(ValueError):
        parse_day(typed)


def test_a_datetime_reads_in_the_pages_language_in_the_zone():
    instant = datetime(2026, 11, 23, 6, 5, tzinfo=UTC)
    assert format_datetime(instant, "Asia/Shanghai", "zh") == "2026年11月23日 14:05"
    assert format_datetime(instant, "Asia/Shanghai", "en") == "23 Nov 2026, 14:05"
    assert format_datetime(instant, "America/Los_Angeles", "en") == "22 Nov 2026, 22:05"
    assert format_datetime(instant, "Asia/Shanghai", "en", seconds=True) == (
        "23 Nov 2026, 14:05:00"
    )
    assert format_time(instant, "Asia/Shanghai") == "14:05"


@pytest.mark.parametrize(
    ("language", "shown"), [("zh", "2026年11月23日 14:05"), ("en", "23 Nov 2026, 14:05")]
)
def test_the_localdt_filter_follows_the_request_language(app, language, shown):
    instant = datetime(2026, 11, 23, 6, 5, tzinfo=UTC)
    with app.test_request_context(headers={"Accept-Language": language}):
        assert render_template_string("{{ at|localdt }}", at=instant) == shown


@pytest.mark.parametrize("typed", ["2026年11月23日", "23 Nov 2026", "Nov 23, 2026", "2026/11/23"])
def test_a_typed_day_is_saved_through_a_real_form(app, client, make, as_user, typed):
    park = make.park()
    team = make.team(park, name_zh="星云")
    as_user("staff", parks=[park])
    values = {"name_zh": "星云", "track": "vfx", "kind": "company", "founded_on": typed}
    saved = post_form(client, f"/teams/{team.id}/edit", values)
    assert saved.status_code == 302, text(saved)
    assert one(app, Team, team.id).founded_on == DAY


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        (EN, "Enter a date like 2026-11-23 or 23 Nov 2026."),
        (ZH, "请输入日期，例如 2026-11-23 或 2026年11月23日。"),
    ],
)
@pytest.mark.parametrize("typed", ["next tuesday", "2026-02-30", "2026-11-23\x00", "9" * 50])
def test_a_day_not_understood_is_refused_with_an_example(
    app, client, make, as_user, headers, message, typed
):
    park = make.park()
    team = make.team(park, name_zh="星云")
    as_user("staff", parks=[park])
    values = {"name_zh": "星云", "track": "vfx", "kind": "company", "founded_on": typed}
    refused = post_form(client, f"/teams/{team.id}/edit", values, headers=headers)
    assert refused.status_code == 422
    assert message in text(refused)
    assert one(app, Team, team.id).founded_on is None


def test_a_refused_form_keeps_a_typed_day_as_iso_for_the_date_input(app, client, make, as_user):
    """Another field refused: the day typed as 23 Nov 2026 comes back as the ISO value a
    type="date" input keeps (a browser would blank any other text)."""
    park = make.park()
    team = make.team(park, name_zh="星云")
    as_user("staff", parks=[park])
    values = {"name_zh": "星云", "track": "vfx", "kind": "company", "founded_on": "23 Nov 2026"}
    refused = post_form(client, f"/teams/{team.id}/edit", {**values, "uscc": "bad"}, headers=EN)
    assert refused.status_code == 422
    assert 'value="2026-11-23"' in text(refused)


def test_a_date_filter_takes_the_same_forms(app):
    """A page's ?on= filter: ISO from a date input, or a day typed where the browser gives a
    text box; anything else is no filter, a day outside the calendar a 422."""
    for typed in ("2026-11-23", "2026年11月23日", "23 Nov 2026", "Nov 23, 2026"):
        with app.test_request_context("/", query_string={"on": typed}):
            assert arg_date("on") == DAY
    for junk in ("", "soon", "2026-02-30", "2026-11-23\x00", "9" * 5000):
        with app.test_request_context("/", query_string={"on": junk}):
            assert arg_date("on") is None
    with app.test_request_context("/", query_string={"on": "9999-12-31"}):
        with pytest.raises(ValidationFailed) as refused:
            arg_date("on")
        assert list(refused.value.fields) == ["on"]

"""Hostile input on the pages answers 4xx with a clear message, or succeeds, and writes
nothing — never 500 (issue 7): NUL and other control characters, integers beyond the
database's range, numbers with huge exponents or many digits, dates at the edges of the
calendar. And what still gets past the checks to the database answers 422, not 500."""

from __future__ import annotations

from decimal import Decimal

import pytest
from flask import Flask, request
from sqlalchemy import select, text

from opc.auth.models import LoginAttempt, UserSession
from opc.extensions import db
from opc.parks.models import Park
from opc.space.models import Allocation, Unit
from opc.teams.models import Team, TeamStatusChange
from tests.conftest import csrf_token, login, make_app
from tests.core.helpers import count, post_form, table_counts

NUL = "\x00"
HUGE = [str(2**31), str(2**63), str(2**64), "9" * 5000]


@pytest.fixture
def park(make):
    return make.park(total_area_m2=Decimal("1000"))


@pytest.fixture
def admin(client, make):
    user = make.user("admin")
    assert login(client, user.email).status_code == 302
    return user


def refused(response, status=422):
    body = response.get_data(as_text=True)
    assert response.status_code == status, body[-2000:]
    assert "Traceback" not in body
    return body


# --- control characters -----------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    ["/teams/?q=a%00b", "/teams/?q=%1b[31m", "/audit/?entity=parks%00", "/audit/?action=%00"],
)
def test_control_characters_in_search_and_filters_are_refused_clearly(client, admin, query):
    body = refused(client.get(query, headers={"Accept-Language": "en"}))
    assert "Control characters are not allowed" in body
    assert "The filter" in body


def test_nul_in_a_team_profile_is_a_field_error_and_nothing_is_written(app, client, park, admin):
    before = table_counts(app)
    data = {"park_id": park.id, "name_zh": f"星云{NUL}", "track": "aigc_film", "kind": "company"}
    body = refused(post_form(client, "/teams/new", data))
    assert "Control characters are not allowed (found U+0000)." in body
    description = {**data, "name_zh": "星云", "description": "line one\r\nline two\x07"}
    assert "U+0007" in refused(post_form(client, "/teams/new", description))
    assert table_counts(app) == before
    ok = {**description, "description": "line one\r\nline two\ttabbed"}
    assert post_form(client, "/teams/new", ok).status_code == 302  # multi-line text passes


def test_nul_in_a_unit_code_a_park_name_and_a_step_note(app, client, make, park, admin):
    before = table_counts(app)
    unit_form = {"code": f"A{NUL}1", "kind": "office", "floor": "1", "area_m2": "10"}
    page = f"/parks/{park.id}/units/new"
    assert "U+0000" in refused(post_form(client, page, {**unit_form, "seats": "0"}, page))
    park_form = {
        "code": "P9",
        "name_zh": f"园区{NUL}",
        "total_area_m2": "100",
        "team_cap": "5",
        "timezone": "Asia/Shanghai",
    }
    assert "U+0000" in refused(post_form(client, "/parks/new", park_form))
    assert count(app, Park) == 1
    team = make.team(park, status="admitted")
    before = table_counts(app)
    step = {"step-to": "resident", "step-note": f"moved in{NUL}"}
    refused(post_form(client, f"/teams/{team.id}/transition", step, f"/teams/{team.id}"))
    assert table_counts(app) == before
    assert count(app, TeamStatusChange, TeamStatusChange.to_status == "resident") == 0


def test_nul_in_the_login_e_mail_is_refused_before_any_query(app, client, make):
    user = make.user("staff", email="li@opc.cn")
    response = client.post(
        "/login",
        data={
            "email": f"{user.email}{NUL}",
            "password": "x" * 12,
            "csrf_token": csrf_token(client),
        },
    )
    assert 400 <= response.status_code < 500
    assert count(app, LoginAttempt) == 0 and count(app, UserSession) == 0


# --- integers beyond the database's range -------------------------------------------------


@pytest.mark.parametrize("value", HUGE)
def test_ids_in_query_strings_beyond_the_largest_id_are_refused(client, park, admin, value):
    for query in (f"/teams/?park_id={value}", f"/audit/?entity_id={value}"):
        assert "Must be between 1 and 2147483647." in refused(client.get(query)), query
    floor = refused(client.get(f"/parks/{park.id}/units?floor={value}"))
    assert "The filter floor is not valid" in floor


def test_values_that_are_no_numbers_are_no_filter(client, park, admin):
    for query in ("/teams/?park_id=x", "/audit/?entity_id=1e3", f"/parks/{park.id}/units?floor=٣"):
        assert client.get(query).status_code == 200, query


@pytest.mark.parametrize("value", [*HUGE, "0", "-1", "x"])
def test_any_page_number_shows_a_page(client, make, park, admin, value):
    make.team(park)
    assert client.get(f"/teams/?page={value}").status_code == 200


@pytest.mark.parametrize("value", HUGE)
def test_ids_in_form_fields_beyond_the_largest_id_are_no_choice(app, client, park, admin, value):
    data = {"park_id": value, "name_zh": "星云", "track": "aigc_film", "kind": "company"}
    refused(post_form(client, "/teams/new", data))
    assert count(app, Team) == 0


# --- numbers with huge exponents or many digits ----------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("area_m2", "1e999999"),
        ("area_m2", "9" * 5000),
        ("area_m2", "0." + "1" * 5000),
        ("rent_fen_per_m2", "9" * 5000),
        ("rent_fen_per_m2", "1" * 30),
        ("floor", "9" * 5000),
        ("seats", str(2**64)),
    ],
)
def test_huge_numbers_in_the_unit_form_answer_422(app, client, park, admin, field, value):
    form = {"code": "A1", "kind": "office", "floor": "1", "area_m2": "10", "seats": "0"}
    page = f"/parks/{park.id}/units/new"
    refused(post_form(client, page, {**form, field: value}, page))
    assert count(app, Unit) == 0


def test_huge_numbers_in_the_park_form_answer_422(app, client, admin):
    form = {"code": "P9", "name_zh": "园区", "timezone": "Asia/Shanghai", "team_cap": "5"}
    for area in ("1e999999", "9" * 5000):
        refused(post_form(client, "/parks/new", {**form, "total_area_m2": area}))
    refused(post_form(client, "/parks/new", {**form, "total_area_m2": "10", "team_cap": "9" * 99}))
    assert count(app, Park) == 0


# --- dates at the edges of the calendar ------------------------------------------------------


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1899-12-31", "2201-01-01"])
def test_dates_outside_the_calendar_in_filters_answer_422(client, park, admin, day):
    for query in (
        f"/parks/{park.id}/occupancy?on={day}",
        f"/parks/{park.id}/floors?on={day}",
        f"/audit/?on={day}",
    ):
        body = refused(client.get(query))
        assert "Dates from 1 Jan 1900 to 31 Dec 2200 only." in body, query


def test_dates_at_the_edges_of_the_calendar_are_accepted(client, park, admin):
    for day in ("1900-01-01", "2200-12-31"):
        assert client.get(f"/parks/{park.id}/floors?on={day}").status_code == 200
        assert client.get(f"/audit/?on={day}").status_code == 200


@pytest.mark.parametrize(
    ("start", "end"), [("0001-01-01", ""), ("9999-12-31", ""), ("2026-03-01", "9999-12-31")]
)
def test_an_allocation_in_year_1_or_9999_is_refused(app, client, make, park, admin, start, end):
    team = make.team(park, status="resident")
    unit = make.unit(park)
    data = {"team_id": team.id, "start": start, "last_day": end}  # the page takes the last day
    body = refused(post_form(client, f"/units/{unit.id}/allocate", data, f"/units/{unit.id}"))
    assert "Dates from 1 Jan 1900 to 31 Dec 2200 only." in body
    assert count(app, Allocation) == 0


def test_a_lifecycle_step_dated_in_year_1_is_refused(app, client, make, park, admin):
    team = make.team(park, status="admitted")
    step = {"step-to": "resident", "step-on": "0001-01-01"}
    body = refused(post_form(client, f"/teams/{team.id}/transition", step, f"/teams/{team.id}"))
    assert "Dates from 1 Jan 1900 to 31 Dec 2200 only." in body
    assert count(app, TeamStatusChange, TeamStatusChange.to_status == "resident") == 0


# --- the last line: what reaches the database still answers 422 ------------------------------


@pytest.fixture
def raw_app(database_url) -> Flask:
    """The app with a route that hands its input to the database unchecked, as a forgotten
    check would."""
    app = make_app(database_url)

    @app.route("/unchecked")
    def unchecked() -> str:
        kind, value = request.args.get("kind"), request.args["v"]
        if kind == "int":
            db.session.scalar(select(Park.id).where(Park.id == int(value)))
        else:
            value = value.replace("SURROGATE", "\ud800")
            db.session.execute(text("SELECT CAST(:v AS TEXT)"), {"v": value})
        return "stored"

    unchecked.public = True  # type: ignore[attr-defined]
    yield app
    with app.app_context():
        db.engine.dispose()


def test_an_integer_the_database_cannot_hold_answers_422(raw_app):
    response = raw_app.test_client().get(f"/unchecked?kind=int&v={2**64}")
    assert "A value is out of the range that can be stored." in refused(response)


def test_text_the_database_cannot_hold_answers_422(raw_app):
    client = raw_app.test_client()
    surrogate = client.get("/unchecked?v=aSURROGATEb")  # a lone surrogate, as JSON can carry
    assert "Text may not contain control characters." in refused(surrogate)
    nul = client.get("/unchecked?v=a%00b")
    if raw_app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        assert "Text may not contain control characters." in refused(nul)
    else:
        assert nul.status_code == 200  # SQLite stores NUL

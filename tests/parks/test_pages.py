"""Park pages: the admin's create/edit forms keep what was typed when they refuse it; the
dashboard shows residents against the cap, free places and space in use, in Chinese and English,
for the park's own today."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from opc.parks.models import Park
from tests.conftest import csrf_token
from tests.core.helpers import count, one, post_form, rows, table_counts, text


def form_data(**kw: Any) -> dict[str, Any]:
    data = {
        "code": "SG-SCIFI",
        "name_zh": "首钢科幻产业集聚区",
        "name_en": "Shougang Sci-Fi Cluster",
        "total_area_m2": "100000.00",
        "team_cap": "200",
        "timezone": "Asia/Shanghai",
    }
    data.update(kw)
    return data


def value_of(page: str, name: str) -> str | None:
    """The value a form's input shows (None when the input has no value)."""
    tag = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', page)
    assert tag, f"no input {name}"
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return html.unescape(value.group(1)) if value else None


def test_admin_creates_a_park_through_the_form(app, client, as_user):
    as_user("admin")
    assert client.get("/parks/new").status_code == 200
    response = post_form(client, "/parks/new", form_data(total_area_m2="100000.5"))
    assert response.status_code == 302
    [park] = rows(app, Park)
    assert response.headers["Location"].endswith(f"/parks/{park.id}")
    assert (park.code, park.total_area_m2, park.team_cap) == ("SG-SCIFI", Decimal("100000.50"), 200)


@pytest.mark.parametrize(
    ("field", "bad"),
    [
        ("total_area_m2", "lots"),
        ("total_area_m2", "2500.125"),  # a hundredth of a m² is the finest an area goes
        ("total_area_m2", "0"),
        ("total_area_m2", "NaN"),
        ("total_area_m2", "Infinity"),
        ("total_area_m2", "1e20"),  # more than the column holds
        ("team_cap", "-1"),
        ("team_cap", "3000000000"),
        ("team_cap", ""),
        ("timezone", "Mars/Olympus_Mons"),
        ("name_zh", ""),
    ],
)
def test_a_refused_create_form_keeps_the_input_and_writes_nothing(app, client, as_user, field, bad):
    as_user("admin")
    before = table_counts(app)
    data = form_data(**{field: bad})
    response = post_form(client, "/parks/new", data)
    assert response.status_code == 422
    page = text(response)
    assert 'class="field has-error"' in page
    assert 'aria-invalid="true"' in page
    for name, typed in data.items():
        assert value_of(page, name) in (typed, None if typed == "" else typed), name
    assert table_counts(app) == before


def test_a_duplicate_code_is_explained_on_the_form_which_keeps_the_input(
    app, client, make, as_user
):
    make.park(code="SG-SCIFI")
    as_user("admin")
    before = table_counts(app)
    response = post_form(client, "/parks/new", form_data(name_en="Typed name"))
    assert response.status_code == 422
    page = text(response)
    assert "A park with code SG-SCIFI exists." in page
    assert value_of(page, "name_en") == "Typed name"
    assert value_of(page, "total_area_m2") == "100000.00"
    assert table_counts(app) == before


def test_edit_refuses_an_area_below_the_units_and_keeps_the_input(app, client, make, as_user):
    park = make.park(total_area_m2=Decimal("1000"), team_cap=10, name_en="Old")
    make.unit(park, area_m2=Decimal("800"))
    as_user("admin")
    before = table_counts(app)
    data = form_data(code=park.code, name_en="New name", total_area_m2="700", team_cap="12")
    response = post_form(client, f"/parks/{park.id}/edit", data)
    assert response.status_code == 422
    page = text(response)
    assert "800" in page and "m²" in page  # the units' area, in the refusal
    assert value_of(page, "name_en") == "New name"
    assert value_of(page, "total_area_m2") == "700"
    assert value_of(page, "team_cap") == "12"
    assert table_counts(app) == before
    stored = one(app, Park, park.id)
    assert (stored.name_en, stored.total_area_m2, stored.team_cap) == ("Old", Decimal("1000"), 10)


def test_edit_refuses_a_cap_below_the_residents(app, client, make, as_user):
    park = make.park(team_cap=10)
    for _ in range(2):
        make.team(park, status="resident")
    as_user("admin")
    before = table_counts(app)
    response = post_form(client, f"/parks/{park.id}/edit", form_data(code=park.code, team_cap="1"))
    assert response.status_code == 422
    assert "The park already has 2 resident teams." in text(response)
    assert value_of(text(response), "team_cap") == "1"
    assert table_counts(app) == before


def test_edit_with_an_unknown_timezone_marks_the_field(app, client, make, as_user):
    park = make.park()
    as_user("admin")
    data = form_data(code=park.code, timezone="Asia/Atlantis")
    response = post_form(client, f"/parks/{park.id}/edit", data)
    assert response.status_code == 422
    assert "Unknown timezone." in text(response)
    assert value_of(text(response), "timezone") == "Asia/Atlantis"
    assert one(app, Park, park.id).timezone == "Asia/Shanghai"


def test_edit_saves_and_the_code_stays(app, client, make, as_user):
    park = make.park(code="KEEP")
    as_user("admin")
    data = form_data(code="CHANGED", name_en="Renamed", total_area_m2="3000.75", team_cap="50")
    response = post_form(client, f"/parks/{park.id}/edit", data)
    assert response.status_code == 302
    stored = one(app, Park, park.id)
    assert (stored.code, stored.name_en, stored.total_area_m2, stored.team_cap) == (
        "KEEP",
        "Renamed",
        Decimal("3000.75"),
        50,
    )
    assert count(app, Park) == 1


def test_only_admins_open_the_park_forms(client, make, as_user):
    mine, other = make.park(), make.park()
    as_user("staff", parks=[mine])
    assert client.get("/parks/new").status_code == 403
    assert client.get(f"/parks/{mine.id}/edit").status_code == 403
    assert client.get(f"/parks/{other.id}/edit").status_code == 404


# --- the dashboard ------------------------------------------------------------------------


@pytest.fixture
def busy_park(make) -> Any:
    """Cap 10 with 3 residents (7 free); 1,000 m² with 250.50 m² held today (25%)."""
    park = make.park(name_en="Chengdu Hub", name_zh="成都园区", total_area_m2=Decimal("1000"))
    park = one_park(make, park, team_cap=10)
    residents = [make.team(park, status="resident") for _ in range(3)]
    make.team(park, status="applicant")
    held, ended, later = (
        make.unit(park, area_m2=Decimal("250.50")),
        make.unit(park, area_m2=Decimal("100")),
        make.unit(park, area_m2=Decimal("300")),
    )
    make.allocation(residents[0], held, date(2025, 1, 1))
    make.allocation(residents[1], ended, date(2025, 1, 1), date(2025, 6, 1))
    make.allocation(residents[2], later, date(2099, 1, 1))
    return park


def one_park(make: Any, park: Any, **changes: Any) -> Any:
    from opc.extensions import db

    with make.app.app_context():
        fresh = db.session.get(Park, park.id)
        for key, value in changes.items():
            setattr(fresh, key, value)
        db.session.commit()
        db.session.refresh(fresh)
        db.session.expunge(fresh)
        db.session.remove()
    return fresh


def kpis(page: str) -> dict[str, str]:
    """{label: value} of the dashboard's key figures."""
    found = re.findall(
        r'<span class="value">([^<]*)</span><span class="label">([^<]*)</span>', page
    )
    return {html.unescape(label): html.unescape(value).strip() for value, label in found}


def test_dashboard_in_english(client, as_user, busy_park):
    as_user("staff", parks=[busy_park])
    response = client.get(f"/parks/{busy_park.id}", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    page = text(response)
    assert "Chengdu Hub" in page
    figures = kpis(page)
    assert figures["Resident teams / cap"] == "3 / 10"
    assert figures["Free places"] == "7"
    assert figures["Space in use"] == "25%"
    assert "250.50 m²" in page  # allocated today
    assert '<html lang="en">' in page


def test_dashboard_in_chinese_from_the_browser(client, as_user, busy_park):
    as_user("staff", parks=[busy_park])
    response = client.get(
        f"/parks/{busy_park.id}", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}
    )
    page = text(response)
    assert "成都园区" in page
    figures = kpis(page)
    assert figures["入驻团队 / 上限"] == "3 / 10"
    assert figures["剩余名额"] == "7"
    assert figures["空间使用率"] == "25%"
    assert "Free places" not in page
    assert '<html lang="zh-CN">' in page


def test_the_language_chosen_in_the_session_wins_over_the_browser(client, as_user, busy_park):
    as_user("staff", parks=[busy_park])
    token = csrf_token(client, f"/parks/{busy_park.id}")
    client.post("/lang", data={"lang": "zh", "csrf_token": token, "next": "/"})
    page = text(client.get(f"/parks/{busy_park.id}", headers={"Accept-Language": "en"}))
    assert kpis(page)["剩余名额"] == "7"
    client.post("/lang", data={"lang": "en", "csrf_token": token, "next": "/"})
    page = text(client.get(f"/parks/{busy_park.id}", headers={"Accept-Language": "zh"}))
    assert kpis(page)["Free places"] == "7"


def test_a_full_park_has_no_free_places(client, make, as_user):
    park = make.park(team_cap=2)
    for _ in range(2):
        make.team(park, status="resident")
    as_user("admin")
    assert kpis(text(client.get(f"/parks/{park.id}")))["Free places"] == "0"


@pytest.mark.parametrize(
    ("zone", "park_day", "in_use"),
    [
        ("Asia/Shanghai", "2 Mar 2026", "50%"),  # 01:30 on the 2nd: the allocation has begun
        ("America/Los_Angeles", "1 Mar 2026", "20%"),  # 09:30 on the 1st: not yet
    ],
)
def test_dashboard_counts_the_parks_own_today(
    client, make, as_user, time_machine, zone, park_day, in_use
):
    # 17:30 UTC on 1 March is already 2 March in Shanghai, still 1 March in Los Angeles.
    time_machine.move_to(datetime(2026, 3, 1, 17, 30, tzinfo=UTC), tick=False)
    park = make.park(total_area_m2=Decimal("1000"), timezone=zone)
    team = make.team(park, status="resident")
    make.allocation(team, make.unit(park, area_m2=Decimal("200")), date(2026, 1, 1))
    make.allocation(team, make.unit(park, area_m2=Decimal("300")), date(2026, 3, 2))
    as_user("admin")
    page = text(client.get(f"/parks/{park.id}", headers={"Accept-Language": "en"}))
    assert kpis(page)["Space in use"] == in_use
    assert park_day in page  # the day the figures are for, in the park's zone


def test_members_and_staff_see_only_their_dashboards(client, make, as_user):
    home, other = make.park(), make.park()
    as_user("member", team=make.team(home, status="resident"))
    assert client.get(f"/parks/{home.id}").status_code == 200
    assert client.get(f"/parks/{other.id}").status_code == 404


# Providers cannot log in to the pages at all (tests/auth/test_login.py).
@pytest.mark.parametrize("role", ["reviewer"])
def test_reviewers_and_providers_see_no_dashboard(client, make, as_user, role):
    park = make.park()
    as_user(role)
    assert client.get(f"/parks/{park.id}").status_code == 404

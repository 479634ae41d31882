"""The page cache serves repeated reads without re-rendering, and never a stale page."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, select

from opc.core.pagecache import CacheGeneration
from opc.extensions import db
from tests.conftest import csrf_token, login


@contextmanager
def statements(app: Any) -> Any:
    seen: list[str] = []
    with app.app_context():
        engine = db.engine

    def _count(_conn: Any, _cur: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", _count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", _count)


def _generation(app: Any) -> int:
    with app.app_context():
        return db.session.scalar(select(CacheGeneration.value))


@pytest.fixture
def park_page(app, client, make):
    park = make.park(name_en="Cached Park")
    make.team(park, status="resident")
    staff = make.user("staff", parks=[park])
    login(client, staff.email)
    client.get("/account")  # a first render puts the CSRF token in the session
    return park, f"/parks/{park.id}"


def test_a_repeated_read_is_served_without_rendering_again(app, client, park_page):
    _park, url = park_page
    with statements(app) as first:
        body = client.get(url, headers={"Accept-Language": "en"}).get_data()
    with statements(app) as second:
        again = client.get(url, headers={"Accept-Language": "en"}).get_data()
    assert again == body
    # Only the login session and the generation are read; the dashboard's queries are not.
    assert len(second) < len(first)
    assert len(second) <= 3, second


def test_any_write_makes_the_next_read_fresh(app, client, make, park_page):
    park, url = park_page
    client.get(url, headers={"Accept-Language": "en"})
    before = _generation(app)
    make.team(park, status="resident")  # an ORM write from anywhere bumps the generation
    assert _generation(app) == before + 1
    html = client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "2 / 100" in html


def test_a_write_through_the_api_is_seen_at_once(app, client, make, park_page, api):
    park, url = park_page
    client.get(url, headers={"Accept-Language": "en"})
    admin = make.user("admin")
    response = api(admin).patch(f"/parks/{park.id}", json={"name_en": "Renamed Park"})
    assert response.status_code == 200
    html = client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Renamed Park" in html


def test_a_refused_write_does_not_bump_the_generation(app, make, api):
    park = make.park()
    client = api(make.user("admin"))
    before = _generation(app)
    response = client.patch(f"/parks/{park.id}", json={"timezone": "Mars/Olympus"})
    assert response.status_code == 422
    assert _generation(app) == before


def test_users_never_share_an_entry(app, make):
    park = make.park()
    first, second = make.user("staff", parks=[park]), make.user("staff", parks=[park])
    pages = []
    for user in (first, second):
        client = app.test_client()
        login(client, user.email)
        client.get(f"/parks/{park.id}")
        pages.append(client.get(f"/parks/{park.id}").get_data(as_text=True))
    assert first.name in pages[0] and second.name not in pages[0]
    assert second.name in pages[1] and first.name not in pages[1]


def test_the_language_is_part_of_the_key(app, client, park_page):
    _park, url = park_page
    english = client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    client.post("/lang", data={"lang": "zh", "csrf_token": csrf_token(client, url)})
    chinese = client.get(url).get_data(as_text=True)
    assert 'lang="en"' in english and 'lang="zh-CN"' in chinese


def test_api_reads_are_keyed_by_token(app, make, api):
    park, other = make.park(), make.park()
    staff_a, staff_b = make.user("staff", parks=[park]), make.user("staff", parks=[other])
    for _ in range(2):
        a = api(staff_a).get("/parks").get_json()
        b = api(staff_b).get("/parks").get_json()
        assert [p["id"] for p in a["items"]] == [park.id]
        assert [p["id"] for p in b["items"]] == [other.id]


def test_size_zero_turns_it_off(database_url, make):
    from tests.conftest import make_app

    app = make_app(database_url, PAGE_CACHE_SIZE=0)
    park = make.park()
    staff = make.user("staff", parks=[park])
    client = app.test_client()
    login(client, staff.email)
    url = f"/parks/{park.id}"
    client.get(url)
    with statements(app) as first:
        client.get(url)
    with statements(app) as second:
        client.get(url)
    assert len(second) == len(first) > 3

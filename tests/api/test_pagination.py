"""Lists answer {"items", "total", "page", "per_page"}; ?page=&per_page= with at most 200 rows a
page (more is a 422 naming per_page); a page past the end is empty; total counts what the
caller may see."""

from __future__ import annotations

import pytest

from opc import domains
from opc.api.routing import ENDPOINTS
from tests.core.helpers import error_of


def _ids(response) -> list[int]:
    return [item["id"] for item in response.get_json()["items"]]


@pytest.fixture
def admin(make):
    return make.user("admin")


def test_parks_are_paged_with_an_exact_total(make, api, admin):
    parks = [make.park() for _ in range(7)]
    client = api(admin)
    seen: list[int] = []
    for page, size in ((1, 3), (2, 3), (3, 1)):
        response = client.get(f"/parks?page={page}&per_page=3")
        assert response.status_code == 200
        body = response.get_json()
        assert set(body) == {"items", "total", "page", "per_page"}
        assert (body["total"], body["page"], body["per_page"]) == (7, page, 3)
        assert len(body["items"]) == size
        seen += _ids(response)
    assert seen == [p.id for p in parks]  # every park once, in a stable order


def test_a_page_past_the_end_is_empty_but_keeps_the_total(make, api, admin):
    for _ in range(3):
        make.park()
    body = api(admin).get("/parks?page=5&per_page=2").get_json()
    assert body == {"items": [], "total": 3, "page": 5, "per_page": 2}


def test_the_default_page_size_is_the_configured_one(app, make, api, admin):
    for _ in range(3):
        make.park()
    body = api(admin).get("/parks").get_json()
    assert body["page"] == 1
    assert body["per_page"] == app.config["PER_PAGE"]
    assert body["total"] == 3 and len(body["items"]) == 3


def test_per_page_of_200_is_allowed_and_201_is_a_clear_422(make, api, admin):
    make.park()
    client = api(admin)
    assert client.get("/parks?per_page=200").get_json()["per_page"] == 200
    response = client.get("/parks?per_page=201")
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "invalid_fields"
    assert list(error["fields"]) == ["per_page"]
    assert "200" in " ".join(error["fields"]["per_page"])


@pytest.mark.parametrize(
    ("query", "field"),
    [("page=0", "page"), ("page=-1", "page"), ("per_page=0", "per_page"), ("page=two", "page")],
)
def test_bad_page_arguments_are_422_naming_them(make, api, admin, query, field):
    response = api(admin).get(f"/parks?{query}")
    assert response.status_code == 422
    assert field in error_of(response)["fields"]


def test_total_counts_only_what_the_caller_may_see(make, api):
    mine = [make.park(), make.park()]
    for _ in range(3):
        make.park()
    staff = make.user("staff", parks=mine)
    body = api(staff).get("/parks?per_page=1").get_json()
    assert body["total"] == 2
    assert _ids(api(staff).get("/parks?page=2&per_page=1")) == [mine[1].id]


def test_users_are_paged_with_an_exact_total(make, api, admin):
    others = [make.user("reviewer") for _ in range(4)]
    client = api(admin)
    first = client.get("/users?per_page=2").get_json()
    assert (first["total"], first["page"], first["per_page"]) == (5, 1, 2)
    ids = [u["id"] for u in first["items"]]
    ids += _ids(client.get("/users?page=2&per_page=2"))
    ids += _ids(client.get("/users?page=3&per_page=2"))
    assert ids == [admin.id] + [u.id for u in others]
    assert client.get("/users?page=4&per_page=2").get_json()["items"] == []
    assert client.get("/users?per_page=500").status_code == 422


def _paged_list_routes() -> list[str]:
    domains()  # imports every domain as create_app() does; parametrising precedes any app
    return sorted(
        ep.rule for ep in ENDPOINTS if ep.paged and "GET" in ep.methods and "<" not in ep.rule
    )


@pytest.mark.parametrize("rule", _paged_list_routes())
def test_every_list_route_has_the_envelope_and_the_ceiling(app, make, api, admin, rule):
    client = api(admin)
    body = client.get(f"{rule}?per_page=200").get_json()
    assert set(body) == {"items", "total", "page", "per_page"}
    assert isinstance(body["items"], list) and body["total"] >= len(body["items"])
    response = client.get(f"{rule}?per_page=201")
    assert response.status_code == 422
    assert "per_page" in error_of(response)["fields"]


def test_the_list_routes_include_parks_users_and_audit():
    assert {"/parks", "/users", "/audit"} <= set(_paged_list_routes())


def test_a_smaller_configured_ceiling_is_refused_as_clearly(app, make, api, admin, monkeypatch):
    for _ in range(3):
        make.park()
    monkeypatch.setitem(app.config, "MAX_PER_PAGE", 2)
    client = api(admin)
    assert client.get("/parks?per_page=2").get_json()["per_page"] == 2
    response = client.get("/parks?per_page=3")
    assert response.status_code == 422
    assert error_of(response)["fields"] == {"per_page": ["At most 2 rows a page."]}

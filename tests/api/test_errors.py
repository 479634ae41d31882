"""The API's one error format (API.md): 400 for what is not JSON or has the wrong JSON types,
422 for values, 404 alike for missing and hidden, 409 for a domain rule, 405, never a trace;
and a refused request writes nothing, not even an audit entry."""

from __future__ import annotations

from typing import Any

import pytest

from tests.core.helpers import error_of, table_counts


def new_park(**kw: Any) -> dict[str, Any]:
    body = {
        "code": "CD-NEW",
        "name_zh": "新园区",
        "name_en": "New Park",
        "total_area_m2": "2500.00",
        "team_cap": 100,
        "timezone": "Asia/Shanghai",
    }
    body.update(kw)
    return body


@pytest.fixture
def admin_api(make, api):
    return api(make.user("admin"))


def test_a_good_body_is_accepted_so_the_refusals_below_are_about_the_input(app, admin_api):
    before = table_counts(app)
    response = admin_api.post("/parks", json=new_park())
    assert response.status_code == 201, response.get_json()
    after = table_counts(app)
    assert after["parks"] == before["parks"] + 1
    assert after["audit_entries"] == before["audit_entries"] + 1


@pytest.mark.parametrize(
    "raw",
    ['{"code": "CD-NEW", ', "{'code': 'single quotes'}", "not json at all", ""],
    ids=["truncated", "single-quotes", "text", "empty"],
)
def test_malformed_json_is_400_malformed_json_and_writes_nothing(app, admin_api, raw):
    before = table_counts(app)
    response = admin_api.post("/parks", data=raw, content_type="application/json")
    assert response.status_code == 400
    assert error_of(response)["code"] == "malformed_json"
    assert table_counts(app) == before


@pytest.mark.parametrize(
    "content_type",
    ["application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x"],
)
def test_a_body_that_is_not_declared_json_is_400(app, admin_api, content_type):
    import json

    before = table_counts(app)
    response = admin_api.post("/parks", data=json.dumps(new_park()), content_type=content_type)
    assert response.status_code == 400
    assert error_of(response)["code"] == "expected_json"
    assert table_counts(app) == before


@pytest.mark.parametrize("body", [[new_park()], [], "a string", 42, None, True])
def test_a_json_body_that_is_not_an_object_is_400(app, admin_api, body):
    import json

    before = table_counts(app)
    response = admin_api.post("/parks", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert error_of(response)["code"] == "wrong_type"
    assert table_counts(app) == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("team_cap", "100"),  # a string that looks like a number is still a string
        ("team_cap", "ten"),
        ("team_cap", 10.5),
        ("team_cap", [100]),
        ("team_cap", True),
        ("code", 7),
        ("name_zh", {"zh": "新园区"}),
        ("total_area_m2", True),
        ("total_area_m2", ["2500.00"]),
    ],
)
def test_wrong_json_types_are_400_wrong_type_naming_the_field(app, admin_api, field, value):
    before = table_counts(app)
    response = admin_api.post("/parks", json=new_park(**{field: value}))
    assert response.status_code == 400, response.get_json()
    error = error_of(response)
    assert error["code"] == "wrong_type"
    assert list(error["fields"]) == [field]
    assert error["fields"][field] and all(isinstance(m, str) for m in error["fields"][field])
    assert table_counts(app) == before


def test_wrong_type_on_patch_is_400_too_and_changes_nothing(app, make, admin_api):
    park = make.park(team_cap=10)
    before = table_counts(app)
    response = admin_api.patch(f"/parks/{park.id}", json={"team_cap": "20"})
    assert response.status_code == 400
    assert error_of(response)["fields"].keys() == {"team_cap"}
    assert table_counts(app) == before
    assert admin_api.get(f"/parks/{park.id}").get_json()["team_cap"] == 10


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"team_cap": -1}, "team_cap"),
        ({"total_area_m2": "2500.001"}, "total_area_m2"),
        ({"total_area_m2": "0"}, "total_area_m2"),
        ({"total_area_m2": "-5.00"}, "total_area_m2"),
        ({"total_area_m2": "NaN"}, "total_area_m2"),
        ({"total_area_m2": "Infinity"}, "total_area_m2"),
        ({"total_area_m2": "lots"}, "total_area_m2"),
        ({"total_area_m2": "1e20"}, "total_area_m2"),
        ({"team_cap": 3_000_000_000}, "team_cap"),
        ({"code": ""}, "code"),
        ({"currency": "yuan"}, "currency"),
        ({"colour": "red"}, "colour"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
    ],
)
def test_unacceptable_values_are_422_invalid_fields_naming_the_field(
    app, admin_api, changes, field
):
    before = table_counts(app)
    response = admin_api.post("/parks", json=new_park(**changes))
    assert response.status_code == 422, response.get_json()
    error = error_of(response)
    assert error["code"] == "invalid_fields"
    assert field in error["fields"]
    assert table_counts(app) == before


def test_every_bad_field_is_listed_at_once(app, admin_api):
    body = new_park(team_cap=-3, total_area_m2="1.234", colour="red")
    del body["code"]
    response = admin_api.post("/parks", json=body)
    assert response.status_code == 422
    assert set(error_of(response)["fields"]) == {"team_cap", "total_area_m2", "colour", "code"}


def test_a_missing_and_a_hidden_park_get_identical_404_bodies(app, make, api):
    mine, theirs = make.park(), make.park()
    staff = api(make.user("staff", parks=[mine]))
    assert staff.get(f"/parks/{mine.id}").status_code == 200
    hidden = staff.get(f"/parks/{theirs.id}")
    missing = staff.get("/parks/987654")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.get_json() == missing.get_json()
    assert error_of(hidden)["code"] == "not_found"
    # Staff may change no park: a PATCH is the same 403 for every id (it confirms none),
    # answered before the body is read.
    before = table_counts(app)
    hidden_patch = staff.patch(f"/parks/{theirs.id}", json={"team_cap": 1})
    missing_patch = staff.patch("/parks/987654", json={"team_cap": "not even valid"})
    own_patch = staff.patch(f"/parks/{mine.id}", json={"team_cap": 1})
    assert hidden_patch.status_code == missing_patch.status_code == own_patch.status_code == 403
    assert hidden_patch.get_json() == missing_patch.get_json() == own_patch.get_json()
    assert table_counts(app) == before


def test_a_duplicate_park_code_is_409_with_a_stable_code_and_writes_nothing(app, admin_api):
    assert admin_api.post("/parks", json=new_park(code="SG-1")).status_code == 201
    before = table_counts(app)
    response = admin_api.post("/parks", json=new_park(code="SG-1", name_zh="另一个"))
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "park_code_taken"
    assert "SG-1" in error["message"]
    assert table_counts(app) == before


@pytest.mark.parametrize(
    ("method", "path"),
    [("delete", "/parks"), ("put", "/parks"), ("delete", "/parks/1"), ("post", "/users/me")],
)
def test_a_method_the_route_does_not_have_is_405_in_the_error_format(admin_api, method, path):
    response = getattr(admin_api, method)(path, json={})
    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"
    assert "GET" in response.headers["Allow"]


def test_an_unknown_api_path_is_404_json(admin_api):
    response = admin_api.get("/no-such-thing")
    assert response.status_code == 404
    assert response.mimetype == "application/json"
    assert error_of(response)["code"] == "not_found"


def test_not_logged_in_is_401_in_the_error_format(client):
    response = client.get("/api/v1/parks")
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthenticated"


def test_an_unexpected_error_is_500_json_without_a_traceback(app, make, admin_api, monkeypatch):
    from opc.parks import queries

    def explode(user: Any) -> Any:
        raise RuntimeError("secret internals: /srv/opc/parks.py line 42")

    monkeypatch.setattr(queries, "parks_for", explode)
    response = admin_api.get("/parks")
    assert response.status_code == 500
    error = error_of(response)
    assert error["code"] == "internal_error"
    assert "secret internals" not in response.get_data(as_text=True)


def test_an_unexpected_error_on_a_page_shows_a_page_without_a_traceback(
    client, as_user, monkeypatch
):
    from opc.parks import queries

    def explode(user: Any) -> Any:
        raise RuntimeError("secret internals")

    as_user("admin")
    monkeypatch.setattr(queries, "parks_for", explode)
    response = client.get("/parks/")
    assert response.status_code == 500
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "secret internals" not in html and "Traceback" not in html


def test_the_message_is_in_the_requests_language(make, api):
    reader = api(make.user("admin"))
    english = reader.client.get(
        "/api/v1/parks/987654", headers={**reader.headers, "Accept-Language": "en"}
    )
    chinese = reader.client.get(
        "/api/v1/parks/987654", headers={**reader.headers, "Accept-Language": "zh-CN,zh;q=0.9"}
    )
    assert error_of(english)["code"] == error_of(chinese)["code"] == "not_found"
    assert error_of(english)["message"] == "Not found."
    assert error_of(chinese)["message"] != "Not found."

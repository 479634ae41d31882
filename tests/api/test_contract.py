"""/api/v1/openapi.json says what the server enforces, and the server holds to it: every
number bounded, decimals as strings whose pattern the server applies exactly, dates as ISO
dates in the app's calendar, formats stated, unknown query parameters refused alike on every
route, 2.0 read as the integer JSON Schema says it is, the CSV imports described as the
multipart bodies they are, and the role checked before the input is looked at."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from typing import Any

import pytest

from opc.core.dates import MAX_DATE, MIN_DATE
from opc.core.values import MAX_ID
from tests.core.helpers import error_of, table_counts
from tests.teams.helpers import VALID_USCC

METHODS = {"get", "post", "patch", "put", "delete"}


@pytest.fixture(scope="module")
def document(app) -> dict[str, Any]:
    return app.test_client().get("/api/v1/openapi.json").get_json()


def resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, op)
        for path, item in document["paths"].items()
        for method, op in item.items()
        if method in METHODS
    ]


def request_values(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(where, schema) of every value a request may carry: parameters and body fields."""
    found: list[tuple[str, dict[str, Any]]] = []

    def walk(where: str, schema: dict[str, Any]) -> None:
        schema = resolve(document, schema)
        for option in schema.get("anyOf", []):
            walk(where, option)
        for name, prop in schema.get("properties", {}).items():
            walk(f"{where}.{name}", prop)
        if isinstance(schema.get("items"), dict):
            walk(f"{where}[]", schema["items"])
        if schema.get("type") in ("integer", "number", "string"):
            found.append((where, schema))

    for path, method, op in operations(document):
        for param in op.get("parameters", []):
            walk(f"{method} {path} {param['in']} {param['name']}", param["schema"])
        for media, content in op.get("requestBody", {}).get("content", {}).items():
            walk(f"{method} {path} {media}", content["schema"])
    return found


# --- the document ----------------------------------------------------------------------


def test_every_number_a_request_may_carry_is_bounded(document):
    values = request_values(document)
    assert len(values) > 40
    for where, schema in values:
        if schema["type"] in ("integer", "number"):
            assert "minimum" in schema and "maximum" in schema, where
            assert schema["maximum"] <= 2**63 - 1, where


def test_ids_are_1_to_2_31_minus_1_the_bound_of_the_url_converter(app, document):
    ids = [
        (where, schema)
        for where, schema in request_values(document)
        if re.search(r"_ids?(\[\])?$", where) or where.endswith("ids[]")
        if not where.endswith(".external_id")  # a provider's job id: text (API.md)
    ]
    assert len(ids) > 15
    for _where, schema in ids:
        assert (schema["type"], schema["minimum"], schema["maximum"]) == ("integer", 1, MAX_ID)
    assert MAX_ID == 2**31 - 1
    with app.test_request_context():
        converter = app.url_map.converters["int"](app.url_map)
        assert converter.max == MAX_ID  # the pages' bound is the same


def test_every_string_a_request_may_carry_states_its_shape(document):
    for where, schema in request_values(document):
        if schema["type"] == "string":
            if schema.get("format") == "binary":
                continue  # a file: its size is the body's limit (413)
            assert {"maxLength", "pattern", "enum", "const"} & set(schema), where


def test_free_text_states_that_control_characters_are_refused(document):
    team_in = document["components"]["schemas"]["TeamIn"]["properties"]
    assert re.fullmatch(team_in["name_zh"]["pattern"], "星云工作室")
    assert not re.fullmatch(team_in["name_zh"]["pattern"], "星云\x00")
    assert not re.fullmatch(team_in["name_zh"]["pattern"], "two\nlines")
    assert re.fullmatch(team_in["description"]["pattern"], "two\nlines\ttab")
    assert not re.fullmatch(team_in["description"]["pattern"], "bell\x07")


def test_money_and_areas_are_decimal_strings_with_their_precision(document):
    decimals = [
        (where, schema)
        for where, schema in request_values(document)
        if where.endswith(("_yuan", "_m2"))
    ]
    assert len(decimals) >= 5
    for where, schema in decimals:
        assert schema["type"] == "string" and "pattern" in schema, where
        assert r"\.[0-9]{1,2}" in schema["pattern"], where  # two places at most


def test_dates_are_iso_dates_within_the_calendar(document):
    dates = [(w, s) for w, s in request_values(document) if s.get("format") == "date"]
    names = {w.rsplit(".", 1)[-1].rsplit(" ", 1)[-1] for w, _ in dates}
    assert {"start", "end", "on", "active_on"} <= names
    for where, schema in dates:
        pattern = schema["pattern"]
        assert re.fullmatch(pattern, MIN_DATE.isoformat()), where
        assert re.fullmatch(pattern, MAX_DATE.isoformat()), where
        for outside in ("1899-12-31", f"{MAX_DATE.year + 1}-01-01", "0001-01-01", "9999-12-31"):
            assert not re.fullmatch(pattern, outside), (where, outside)
        assert not re.fullmatch(pattern, "0"), where


def test_formats_email_credit_code_timezone_currency(document):
    schemas = document["components"]["schemas"]
    assert schemas["UserIn"]["properties"]["email"]["format"] == "email"
    assert schemas["InviteIn"]["properties"]["email"]["format"] == "email"
    uscc = schemas["TeamIn"]["properties"]["uscc"]["anyOf"][0]
    assert re.fullmatch(uscc["pattern"], VALID_USCC)
    assert re.fullmatch(uscc["pattern"], VALID_USCC.lower())
    assert not re.fullmatch(uscc["pattern"], VALID_USCC[:-1])
    zone = schemas["ParkIn"]["properties"]["timezone"]
    assert "Asia/Shanghai" in zone["enum"] and "Mars/Olympus_Mons" not in zone["enum"]
    assert schemas["ParkIn"]["properties"]["currency"]["pattern"] == "^[A-Z]{3}$"


def test_page_bounds_follow_the_configuration(app, document, monkeypatch):
    per_page = next(
        p
        for p in document["paths"]["/api/v1/parks"]["get"]["parameters"]
        if p["name"] == "per_page"
    )
    assert per_page["schema"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": app.config["MAX_PER_PAGE"],
    }
    page = next(
        p for p in document["paths"]["/api/v1/parks"]["get"]["parameters"] if p["name"] == "page"
    )
    assert (page["schema"]["minimum"], page["schema"]["maximum"]) == (1, MAX_ID)
    monkeypatch.setitem(app.config, "MAX_PER_PAGE", 50)
    smaller = app.test_client().get("/api/v1/openapi.json").get_json()
    for _path, _method, op in operations(smaller):
        for param in op.get("parameters", []):
            if param["name"] == "per_page":
                assert param["schema"]["maximum"] == 50


def test_every_operation_lists_every_status_it_can_answer(document):
    for path, method, op in operations(document):
        codes = set(op["responses"])
        assert "422" in codes, (path, method)  # an unknown query parameter, at least
        if "{" in path:
            assert "404" in codes, (path, method)
        if "requestBody" in op:
            assert {"400", "413", "422"} <= codes, (path, method)
        if op.get("security"):
            assert {"401", "403", "503"} <= codes, (path, method)
            if method != "get":
                assert {"400", "409"} <= codes, (path, method)


def test_the_csv_imports_are_described_as_multipart_uploads(document):
    for path, extra in (
        ("/api/v1/teams/import", {"park_id"}),
        ("/api/v1/parks/{park_id}/units/import", set()),
    ):
        body = document["paths"][path]["post"]["requestBody"]
        schema = body["content"]["multipart/form-data"]["schema"]
        assert schema["properties"]["file"]["format"] == "binary"
        assert set(schema["required"]) == {"file"} | extra
        assert set(schema["properties"]) == {"file"} | extra
        assert schema["additionalProperties"] is False


def test_the_document_describes_its_promises(document):
    description = document["info"]["description"]
    for promise in ("unknown", "2.0", "YYYY-MM-DD", "decimal strings", "401", "403"):
        assert promise in description, promise


# --- the server holds to it ------------------------------------------------------------


@pytest.fixture
def admin_api(make, api):
    return api(make.user("admin"))


def new_park(**kw: Any) -> dict[str, Any]:
    return {"code": "CD", "name_zh": "园区", "total_area_m2": "2500.00", "team_cap": 10, **kw}


DECIMAL_CANDIDATES = [
    "0", "0.0", "0.00", "0.01", "0.1", "0.10", "1", "1.5", "1.50", "1.505", "-1", "-0.5",
    "+1", " 1", "1 ", "1e3", "1E3", "01", "00.5", ".5", "5.", "1,000", "１２", "NaN",
    "Infinity", "99999999.99", "100000000", "9999999999.99", "10000000000", "1e999999",
    "9" * 400, "",
]  # fmt: skip


@pytest.mark.parametrize(
    ("schema", "field", "route"),
    [
        ("ParkIn", "total_area_m2", "/parks"),
        ("UnitIn", "area_m2", "units"),
        ("UnitIn", "rent_per_m2_yuan", "units"),
    ],
)
def test_a_decimal_is_accepted_exactly_when_its_pattern_matches(
    app, make, document, admin_api, schema, field, route
):
    pattern = document["components"]["schemas"][schema]["properties"][field]["pattern"]
    park = make.park(total_area_m2=__import__("decimal").Decimal("9999999999.99"))
    path = "/parks" if route == "/parks" else f"/parks/{park.id}/units"
    for n, candidate in enumerate(DECIMAL_CANDIDATES):
        if route == "/parks":
            body = new_park(code=f"C{n}", total_area_m2=candidate)
        else:
            body = {"code": f"U{n}", "kind": "office", "floor": 1, "area_m2": "1.00"}
            body[field] = candidate
        response = admin_api.post(path, json=body)
        matches = re.fullmatch(pattern, candidate) is not None
        assert (response.status_code == 201) == matches, (candidate, response.get_json())
        if not matches:
            assert response.status_code == 422, (candidate, response.get_json())
            assert field in error_of(response)["fields"], candidate


@pytest.mark.parametrize("number", [5, 5.5, 1e3])
def test_a_json_number_for_a_decimal_string_is_a_wrong_type(admin_api, number):
    response = admin_api.post("/parks", json=new_park(total_area_m2=number))
    assert response.status_code == 400
    assert list(error_of(response)["fields"]) == ["total_area_m2"]


def test_a_whole_number_float_is_the_integer_json_schema_says_it_is(admin_api):
    created = admin_api.post(
        "/parks",
        data='{"code": "F", "name_zh": "园区", "total_area_m2": "10", "team_cap": 2.0}',
        content_type="application/json",
    )
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["team_cap"] == 2
    park_id = created.get_json()["id"]
    patched = admin_api.patch(
        f"/parks/{park_id}", data='{"team_cap": 3e0}', content_type="application/json"
    )
    assert patched.status_code == 200 and patched.get_json()["team_cap"] == 3
    fraction = admin_api.patch(f"/parks/{park_id}", json={"team_cap": 2.5})
    assert fraction.status_code == 400
    assert list(error_of(fraction)["fields"]) == ["team_cap"]


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("on=2026-03-01", 200),
        ("on=0", 422),  # once read as a Unix timestamp
        ("on=1700000000", 422),
        ("on=20260301", 422),
        ("on=2026-03-01T00:00:00", 422),
        ("on=2026-02-30", 422),
        ("on=1899-12-31", 422),
        ("on=0001-01-01", 422),
        ("on=9999-12-31", 422),
        (f"on={MAX_DATE.isoformat()}", 200),
        (f"on={MIN_DATE.isoformat()}", 200),
    ],
)
def test_dates_in_query_strings_are_iso_dates_in_the_calendar(make, admin_api, query, status):
    park = make.park()
    response = admin_api.get(f"/parks/{park.id}/occupancy?{query}")
    assert response.status_code == status, response.get_json()
    if status == 422:
        assert list(error_of(response)["fields"]) == ["on"]
    response = admin_api.get(f"/audit?{query}")
    assert response.status_code == status, response.get_json()


@pytest.mark.parametrize(
    ("value", "status"),
    [(0, 400), (20260301, 400), ("0", 422), ("2026-03-01T00:00", 422), ("0001-01-01", 422)],
)
def test_dates_in_bodies_are_iso_dates_too(app, make, admin_api, value, status):
    park = make.park()
    team = make.team(park, status="resident")
    unit = make.unit(park)
    before = table_counts(app)
    body = {"team_id": team.id, "unit_id": unit.id, "start": value}
    response = admin_api.post("/allocations", json=body)
    assert response.status_code == status, response.get_json()
    assert list(error_of(response)["fields"]) == ["start"]
    assert table_counts(app) == before


def _documented_gets(document) -> list[str]:
    return [p for p, m, _op in operations(document) if m == "get"]


def test_unknown_query_parameters_are_refused_on_every_route(app, make, document, admin_api):
    park = make.park()
    team = make.team(park)
    unit = make.unit(park)
    allocation = make.allocation(
        make.team(park, status="resident"), unit, __import__("datetime").date(2026, 1, 1)
    )
    ids = {
        "park_id": park.id,
        "team_id": team.id,
        "unit_id": unit.id,
        "allocation_id": allocation.id,
        "user_id": 1,
    }
    checked = 0
    for path, method, op in operations(document):
        # Any other id (a policy's, a waiver's …): the query string is refused before it is read.
        url = path.removeprefix("/api/v1").format_map(defaultdict(lambda: 1, ids)) + "?bogus=1"
        response = getattr(admin_api, method)(url, json={} if "requestBody" in op else None)
        assert response.status_code == 422, (method, path, response.get_json())
        assert "bogus" in error_of(response)["fields"], (method, path)
        checked += 1
    assert checked == len(operations(document))
    anonymous = app.test_client().get("/api/v1/openapi.json?bogus=1")
    assert anonymous.status_code == 422


def test_a_parameter_given_twice_is_refused_rather_than_guessed(admin_api):
    response = admin_api.get("/parks?page=1&page=2")
    assert response.status_code == 422
    assert list(error_of(response)["fields"]) == ["page"]


@pytest.mark.parametrize(
    "query",
    ["page=0", "page=2147483648", "page=1e3", "page=%201", "page=1_0", "per_page=" + "9" * 400],
)
def test_page_numbers_outside_their_bounds_or_not_numbers_are_422(admin_api, query):
    response = admin_api.get(f"/parks?{query}")
    assert response.status_code == 422
    assert list(error_of(response)["fields"]) == [query.split("=")[0]]


@pytest.mark.parametrize("value", [2**31, 2**63, 10**100, 0, -1])
def test_ids_outside_their_bounds_are_refused_everywhere(app, make, admin_api, value):
    park = make.park()
    before = table_counts(app)
    assert admin_api.get(f"/parks/{value}").status_code == 404
    # not 405: the path matches no rule at all, whatever other methods it has
    assert admin_api.patch(f"/parks/{value}", json={"team_cap": 1}).status_code == 404
    assert admin_api.post(f"/parks/{value}/units", json={}).status_code == 404
    assert admin_api.get(f"/teams?park_id={value}").status_code == 422
    body = {"park_id": value, "name_zh": "星云", "track": "vfx"}
    response = admin_api.post("/teams", json=body)
    assert response.status_code == 422 and "park_id" in error_of(response)["fields"]
    response = admin_api.patch(f"/parks/{park.id}", json={"team_cap": value})
    assert response.status_code in (200, 422)
    assert admin_api.get(f"/parks/{park.id}/units/{value}").status_code == 404
    assert table_counts(app)["teams"] == before["teams"]


def test_control_characters_are_refused_naming_the_field(app, make, admin_api):
    park = make.park()
    before = table_counts(app)
    body = {"park_id": park.id, "name_zh": "星云\x00", "track": "vfx", "description": "a\nb"}
    response = admin_api.post("/teams", json=body)
    assert response.status_code == 422
    assert list(error_of(response)["fields"]) == ["name_zh"]
    assert admin_api.get("/teams?q=a%00b").status_code == 422
    assert table_counts(app) == before


# --- access before input ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "method", "path", "body"),
    [
        ("member", "post", "/parks", {}),
        ("staff", "post", "/parks", {"code": 7}),
        ("staff", "patch", "/parks/{park}", {"team_cap": "many"}),
        ("member", "post", "/teams", {}),
        ("member", "post", "/allocations", {"start": 0}),
        ("member", "post", "/parks/{park}/units", {}),
        ("staff", "post", "/users", {}),
        ("reviewer", "patch", "/teams/{team}", {"colour": "red"}),
        ("member", "post", "/teams/{team}/transitions", {}),
        ("member", "post", "/teams/{team}/members", {}),
        ("staff", "get", "/audit?on=0", None),
        ("reviewer", "get", "/teams?park_id=x", None),
        ("member", "post", "/teams/import", None),
    ],
)
def test_the_role_is_checked_before_the_input(app, make, api, role, method, path, body):
    park = make.park()
    team = make.team(park)
    user = make.user(
        role, parks=[park] if role == "staff" else None, team=team if role == "member" else None
    )
    client = api(user)
    before = table_counts(app)
    url = path.format(park=park.id, team=team.id)
    kw = {"json": body} if body is not None else {}
    response = getattr(client, method)(url, **kw)
    assert response.status_code == 403, response.get_json()
    assert error_of(response)["code"] == "forbidden"
    assert table_counts(app) == before


def test_anonymous_callers_are_401_before_anything_else(client):
    response = client.post("/api/v1/parks", data="{not json", content_type="application/json")
    assert response.status_code == 401
    assert client.get("/api/v1/audit?on=0").status_code == 401


def test_an_import_names_a_missing_file_and_unknown_fields(app, make, api):
    park = make.park()
    staff = api(make.user("staff", parks=[park]))
    response = staff.post("/teams/import", data={"park_id": "x", "colour": "red"})
    assert response.status_code == 422
    assert set(error_of(response)["fields"]) == {"park_id", "colour", "file"}


def test_a_body_too_large_is_413_as_documented(app, admin_api):
    limit = app.config["MAX_CONTENT_LENGTH"]
    body = json.dumps({"code": "x" * limit})
    before = table_counts(app)
    response = admin_api.post("/parks", data=body, content_type="application/json")
    assert response.status_code == 413
    assert error_of(response)["code"]
    assert table_counts(app) == before

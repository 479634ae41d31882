"""/api/v1/openapi.json is a valid OpenAPI 3.1 document that documents every /api/v1 route and
method the app serves (read from app.url_map, so a new route is checked without a new test)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from openapi_spec_validator import validate

IGNORED_METHODS = {"HEAD", "OPTIONS"}
_VAR = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


@pytest.fixture(scope="module")
def document(app) -> dict[str, Any]:
    response = app.test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def served_operations(app) -> dict[tuple[str, str], dict[str, str]]:
    """(OpenAPI path, method) -> {variable: converter} for every /api/v1 rule of the app."""
    served = {}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = _VAR.sub(r"{\2}", rule.rule)
        variables = {name: conv or "default" for conv, name in _VAR.findall(rule.rule)}
        for method in sorted((rule.methods or set()) - IGNORED_METHODS):
            served[(path, method.lower())] = variables
    return served


def documented_operations(document) -> set[tuple[str, str]]:
    methods = {"get", "put", "post", "delete", "patch", "options", "head", "trace"}
    return {
        (path, method)
        for path, item in document["paths"].items()
        for method in item
        if method in methods
    }


def test_it_is_a_valid_openapi_3_1_document(document):
    assert document["openapi"].startswith("3.1")
    validate(document)  # raises on the first problem, with its path in the document


def test_every_served_api_route_and_method_is_documented(app, document):
    served = served_operations(app)
    assert len(served) >= 8  # parks, users, audit and the document itself at least
    missing = sorted(set(served) - documented_operations(document))
    assert not missing, f"routes missing from openapi.json: {missing}"


def test_nothing_is_documented_that_is_not_served(app, document):
    stale = sorted(documented_operations(document) - set(served_operations(app)))
    assert not stale, f"documented but not served: {stale}"


def test_path_variables_are_declared_with_their_types(app, document):
    for (path, method), variables in served_operations(app).items():
        operation = document["paths"][path][method]
        declared = {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "path"}
        assert set(declared) == set(variables), (path, method)
        for name, converter in variables.items():
            assert declared[name]["required"] is True
            expected = "integer" if converter == "int" else "string"
            assert declared[name]["schema"]["type"] == expected, (path, method, name)


def test_operations_document_their_errors_and_auth(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            assert any(code.startswith("2") for code in responses), (path, method)
            error_ref = {"$ref": "#/components/schemas/Error"}
            for code, response in responses.items():
                if code[0] in "45":
                    assert response["content"]["application/json"]["schema"] == error_ref
            if "requestBody" in operation:
                assert {"400", "422"} <= set(responses), (path, method)
            if path != "/api/v1/openapi.json":
                assert operation.get("security") == [{"bearer": []}], (path, method)
                assert {"401", "403"} <= set(responses), (path, method)


def test_operation_ids_are_unique(document):
    ids = [op["operationId"] for item in document["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids))


def test_responses_document_money_and_areas_as_decimal_strings(document):
    schemas = document["components"]["schemas"]
    checked = 0
    for name, schema in schemas.items():
        if not name.endswith("Out"):
            continue
        for field, prop in schema.get("properties", {}).items():
            if field.endswith(("_yuan", "_m2")):
                types = [prop.get("type")] + [alt.get("type") for alt in prop.get("anyOf", [])]
                assert "number" not in types, (name, field, prop)
                assert "string" in types, (name, field, prop)
                checked += 1
    assert schemas["ParkOut"]["properties"]["total_area_m2"]["type"] == "string"
    assert checked >= 1


def test_the_park_routes_are_described_with_their_schemas(document):
    parks = document["paths"]["/api/v1/parks"]
    assert parks["post"]["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ParkIn"
    }
    assert parks["post"]["x-scope"] == "parks:write"
    assert "409" in parks["post"]["responses"]
    listed = parks["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert set(listed["required"]) == {"items", "total", "page", "per_page"}
    per_page = next(p for p in parks["get"]["parameters"] if p["name"] == "per_page")
    assert "200" in str(per_page["schema"])  # the ceiling is documented
    park_in = document["components"]["schemas"]["ParkIn"]
    assert park_in["additionalProperties"] is False
    assert set(park_in["required"]) >= {"code", "name_zh", "total_area_m2", "team_cap"}

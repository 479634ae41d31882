"""Every operation of /api/v1/openapi.json fuzzed from the document itself (schemathesis as a
library, over the app's WSGI interface), so that a route added later is fuzzed on arrival:

* valid requests as the document describes them, with an admin's bearer token, the path's
  ids those of records that exist (so that requests reach the operations);
* invalid ones (wrong types, values outside the bounds and patterns, unknown fields): the
  server must refuse each with a 4xx (`negative_data_rejection`), as the document promises;
* and one anonymous pass, which must be refused with the documented 401.

Every response must be documented: no 5xx, a documented status, the documented content type
and body. The examples are few and derived from a fixed seed (Hypothesis' `derandomize`), so
the run is the same every time and stays within the suite's budget.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from opc import domains
from opc.api.routing import ENDPOINTS

pytestmark = pytest.mark.slow

EXAMPLES = {GenerationMode.POSITIVE: 12, GenerationMode.NEGATIVE: 8}
ANONYMOUS_EXAMPLES = 3
CONFORMANCE = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _operations() -> list[tuple[str, str]]:
    """(OpenAPI path, method) of every API route; read before any app exists."""
    domains()  # imports every domain as create_app() does, so that ENDPOINTS is complete
    found = set()
    for ep in ENDPOINTS:
        path = "/api/v1" + re.sub(r"<(?:[^:<>]+:)?(\w+)>", r"{\1}", ep.rule)
        for method in ep.methods:
            found.add((path, method))
    return sorted(found)


@pytest.fixture
def schema(app) -> Any:
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


@pytest.fixture
def records(make) -> dict[str, int]:
    """Records for the path's ids to name: a park with a resident team, units, an allocation."""
    park = make.park(total_area_m2=Decimal("5000"))
    team = make.team(park, status="resident")
    unit = make.unit(park)
    allocation = make.allocation(team, unit, date(2026, 1, 1))
    member = make.user("member", team=team)
    return {
        "park_id": park.id,
        "team_id": team.id,
        "unit_id": make.unit(park).id,
        "allocation_id": allocation.id,
        "user_id": member.id,
    }


def fuzz(
    operation: Any,
    mode: GenerationMode,
    examples: int,
    headers: dict[str, str],
    checks: list[Callable[..., Any]],
    path_parameters: dict[str, Any] | None = None,
) -> None:
    strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        response = case.call(headers=headers)
        case.validate_response(response, checks=checks, headers=headers)

    run()


@pytest.mark.parametrize(("path", "method"), _operations())
def test_each_operation_answers_as_documented(app, make, schema, records, path, method):
    operation = schema[path][method]
    admin = {"Authorization": f"Bearer {make.token(make.user('admin'))}"}
    ids = {name: records[name] for name in records if "{" + name + "}" in path}
    fuzz(
        operation,
        GenerationMode.POSITIVE,
        EXAMPLES[GenerationMode.POSITIVE],
        admin,
        CONFORMANCE,
        ids,
    )
    raw = operation.definition.raw
    if raw.get("parameters") or raw.get("requestBody"):  # else there is nothing to break
        fuzz(
            operation,
            GenerationMode.NEGATIVE,
            EXAMPLES[GenerationMode.NEGATIVE],
            admin,
            [*CONFORMANCE, negative_data_rejection],
        )
    if raw.get("security"):
        fuzz(operation, GenerationMode.POSITIVE, ANONYMOUS_EXAMPLES, {}, CONFORMANCE, ids)


def test_every_operation_of_the_document_is_fuzzed(app):
    """The parametrisation (read from the registered endpoints) is the document's list."""
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    documented = {
        (path, method.upper())
        for path, item in document["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    }
    assert documented == set(_operations())

"""POST /api/v1/usage: a provider's token writes its usage; staff and admins name the
provider; 422 invalid_records lists every bad record; 413 past the records limit or past the
route's own body limit; the OpenAPI document states the body the service checks."""

from __future__ import annotations

import json
import random
import re
from datetime import UTC, datetime

import pytest

from opc.compute.models import UsageBatch, UsageRecord
from opc.compute.operations.usage_input import check_record
from tests.compute.usage_helpers import (
    count,
    error_of,
    programme,
    provider,
    record,
    resident,
    rows,
    voucher,
)
from tests.core.helpers import table_counts

NOW = datetime(2026, 12, 1, tzinfo=UTC)


@pytest.fixture
def world(make):
    park = make.park()
    team = resident(make, park, "2026-01-01")
    voucher(make, programme(make, park, rate="50"), team, 1_000_000)
    return park, team, provider(make)


def test_a_providers_token_stores_its_batch(app, make, api, world):
    _park, team, source = world
    client = api(source.user, scope="usage:write")
    response = client.post("/usage", json={"records": [record(team), record(team)]})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    batch = rows(app, UsageBatch)[0]
    assert body == {
        "stored": 2,
        "duplicates": 0,
        "batch_id": batch.id,
        "cost_yuan": "200.00",
        "subsidy_yuan": "100.00",
    }
    assert (batch.provider_id, batch.source, batch.submitted_by_id) == (
        source.id,
        "api",
        source.user.id,
    )


def test_sending_a_batch_again_answers_its_duplicates(app, api, world):
    _park, team, source = world
    batch = {"records": [record(team) for _ in range(3)]}
    client = api(source.user, scope="usage:write")
    assert client.post("/usage", json=batch).get_json()["stored"] == 3
    again = client.post("/usage", json=batch).get_json()
    assert (again["stored"], again["duplicates"], again["batch_id"]) == (0, 3, None)
    assert count(app, UsageRecord) == 3


def test_every_bad_record_is_listed_and_nothing_stored(app, api, world):
    _park, team, source = world
    batch = [
        record(team),
        record(team, gpu_hours="0"),
        record(team, team_id=999_999),
        record(team, end="x", cost_yuan="1.001"),
    ]
    client = api(source.user, scope="usage:write")
    before = table_counts(app)
    response = client.post("/usage", json={"records": batch})
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "invalid_records"
    assert [(r["index"], r["field"]) for r in error["records"]] == [
        (1, "gpu_hours"),
        (2, "team_id"),
        (3, "end"),
        (3, "cost_yuan"),
    ]
    assert all(r["reason"] for r in error["records"])
    assert table_counts(app) == before


def test_a_provider_may_not_send_as_another(app, make, api, world):
    _park, team, source = world
    other = provider(make)
    response = api(source.user, scope="usage:write").post(
        f"/usage?provider_id={other.id}", json={"records": [record(team)]}
    )
    assert response.status_code == 404
    assert count(app, UsageRecord) == 0


def test_staff_and_admins_name_the_provider(app, make, api, world):
    park, team, source = world
    staff = make.user("staff", parks=[park])
    client = api(staff, scope="usage:write")
    response = client.post("/usage", json={"records": [record(team)]})
    assert response.status_code == 422
    assert "provider_id" in error_of(response)["fields"]
    response = client.post(f"/usage?provider_id={source.id}", json={"records": [record(team)]})
    assert response.status_code == 200 and response.get_json()["stored"] == 1
    admin = api(make.user("admin"))
    response = admin.post(f"/usage?provider_id={source.id}", json={"records": [record(team)]})
    assert response.status_code == 200
    assert count(app, UsageRecord, UsageRecord.provider_id == source.id) == 2


@pytest.mark.parametrize(("role", "scope"), [("member", "all"), ("reviewer", "all")])
def test_other_roles_may_not_write_usage(app, make, api, world, role, scope):
    _park, team, source = world
    user = make.user(role) if role != "member" else make.user(role, team=team)
    response = api(user, scope=scope).post(
        f"/usage?provider_id={source.id}", json={"records": [record(team)]}
    )
    assert response.status_code == 403


def test_a_token_without_the_usage_scope_is_refused(api, world):
    _park, team, source = world
    response = api(source.user, scope="read").post("/usage", json={"records": [record(team)]})
    assert response.status_code == 403
    assert error_of(response)["code"] == "insufficient_scope"


@pytest.mark.parametrize(
    "body", [{"records": "no"}, {"records": {"a": 1}}, ["records"], {"records": ["a string"]}]
)
def test_malformed_bodies_are_refused(app, api, world, body):
    _park, _team, source = world
    response = api(source.user, scope="usage:write").post("/usage", json=body)
    assert response.status_code in (400, 422)
    assert count(app, UsageRecord) == 0


def test_an_empty_batch_and_unknown_members_are_refused(api, world):
    _park, team, source = world
    client = api(source.user, scope="usage:write")
    assert client.post("/usage", json={"records": []}).status_code == 422
    extra = client.post("/usage", json={"records": [record(team)], "extra": 1})
    assert extra.status_code == 422 and "extra" in error_of(extra)["fields"]


def test_more_records_than_the_limit_answer_413_naming_it(app, api, world, monkeypatch):
    _park, team, source = world
    monkeypatch.setitem(app.config, "USAGE_BATCH_MAX_RECORDS", 5)
    client = api(source.user, scope="usage:write")
    response = client.post("/usage", json={"records": [record(team) for _ in range(6)]})
    assert response.status_code == 413
    error = error_of(response)
    assert error["code"] == "too_many_records"
    assert (error["limit"], error["setting"]) == (5, "USAGE_BATCH_MAX_RECORDS")
    assert "5" in error["message"] and count(app, UsageRecord) == 0


def test_the_route_takes_bodies_larger_than_other_routes_up_to_its_own_limit(
    app, make, api, world, monkeypatch
):
    park, team, source = world
    batch = json.dumps({"records": [record(team) for _ in range(40)]})  # ~8 kB
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2000)
    monkeypatch.setitem(app.config, "USAGE_MAX_CONTENT_LENGTH", len(batch) + 10)
    client = api(source.user, scope="usage:write")
    response = client.post("/usage", data=batch, content_type="application/json")
    assert response.status_code == 200, response.get_data(as_text=True)
    other = api(make.user("admin")).post("/teams", json={"park_id": park.id, "x": "y" * 3000})
    assert other.status_code == 413 and error_of(other)["setting"] == "MAX_CONTENT_LENGTH"
    bigger = json.dumps({"records": [record(team) for _ in range(60)]})
    response = client.post("/usage", data=bigger, content_type="application/json")
    assert response.status_code == 413
    error = error_of(response)
    assert (error["setting"], error["limit"]) == ("USAGE_MAX_CONTENT_LENGTH", len(batch) + 10)
    assert count(app, UsageRecord) == 40


@pytest.mark.slow
def test_a_full_batch_of_50000_records_is_taken(app, api, world):
    _park, team, source = world
    batch = [record(team, external_id=f"full-{n}") for n in range(50_000)]
    body = json.dumps({"records": batch})
    assert len(body) > app.config["MAX_CONTENT_LENGTH"] // 2
    client = api(source.user, scope="usage:write")
    response = client.post("/usage", data=body, content_type="application/json")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.get_json()["stored"] == 50_000


# --- the document ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def record_schema(app):
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/api/v1/usage"]["post"]
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    body = document["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert "413" in operation["responses"] and "422" in operation["responses"]
    return body["properties"]["records"]


def test_the_document_states_the_batch_limit_and_each_fields_bounds(record_schema):
    assert record_schema["maxItems"] == 50_000 and record_schema["minItems"] == 1
    assert "USAGE_MAX_CONTENT_LENGTH" in record_schema["description"]
    item = record_schema["items"]
    assert sorted(item["required"]) == sorted(
        ["external_id", "team_id", "gpu_type", "start", "end", "gpu_hours", "cost_yuan"]
    )
    assert item["additionalProperties"] is False
    assert item["properties"]["external_id"]["maxLength"] == 100
    assert item["properties"]["gpu_type"]["maxLength"] == 40
    assert item["properties"]["team_id"]["maximum"] == 2**31 - 1


def _strings(rng: random.Random) -> list[str]:
    """Decimal-like and datetime-like strings, valid and not."""
    pieces = list("0123456789.-+eE ,T:Z")
    found = ["0", "0.0", "0.00", "0.01", "0.1", "01", "1.", ".5", "1.005", "99999999.99"]
    found += ["100000000", "9999999.99", "10000000.00", "-1", "1e3", "1,000", "1.5\n"]
    found += ["2026-03-10T09:00:00+08:00", "2026-03-10T09:00Z", "2026-03-10T09:00:00.123456Z"]
    found += ["2026-03-10T09:00:00", "2026-03-10 09:00:00+08:00", "2026-03-10T09:00:00+0800"]
    found += ["2026-02-30T09:00:00+08:00", "2026-03-10T09:00:00.1234567Z", "2026-03-10t09:00z"]
    for _ in range(400):
        found.append("".join(rng.choice(pieces) for _ in range(rng.randint(1, 8))))
    return found


def test_the_service_accepts_exactly_what_the_documented_patterns_state(app, record_schema):
    """Every value of the decimal and datetime fields: accepted by ingest_usage's checks iff
    it matches the pattern the document states (a client and a fuzzer may trust it)."""
    props = record_schema["items"]["properties"]
    base = {
        "external_id": "x",
        "team_id": 1,
        "gpu_type": "A100",
        "start": "2026-03-10T09:00:00+08:00",
        "end": "2026-03-10T11:00:00+08:00",
        "gpu_hours": "1.00",
        "cost_yuan": "1.00",
    }
    rng = random.Random(9)
    with app.test_request_context():
        for field in ("gpu_hours", "cost_yuan", "start"):
            pattern = re.compile(props[field]["pattern"])
            for value in _strings(rng):
                problems: list = []
                check_record(0, {**base, field: value}, NOW, problems)
                own = [p for p in problems if p[1] == field]
                if pattern.search(value) and not value.endswith("\n"):
                    assert own == [] or "real date" in own[0][2], (field, value, own)
                else:
                    assert own, (field, value)

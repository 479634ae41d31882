"""Hostile values on the programme and voucher forms, the API bodies and the list's
filters: never a 5xx, and a refusal writes nothing (the route walk of tests/api knows no
programme or voucher; these requests reach them)."""

from __future__ import annotations

import pytest

from opc.compute.models import Programme, Voucher
from tests.compute.helpers import D, count, post_form, programme, provider, rows, voucher


@pytest.fixture
def s(app, make):
    """A park with a designated provider, a ¥100,000 programme and a team's voucher."""
    park = make.park()
    gpu = provider(make)
    prog = programme(app, park, code="CD-2026", budget_fen=10_000_000, provider_ids=[gpu.id])
    team = make.team(park, status="resident")
    other = make.team(park, status="resident")
    granted = voucher(app, prog, team, 1_000_000, valid_from=D("2026-01-01"))
    return {"park": park, "gpu": gpu, "prog": prog, "team": team, "other": other, "v": granted}


HOSTILE = ["\x00", "1e999999", "9" * 400, "-1", "2.5e3", "9999-12-31", "0001-01-01", "１２"]


def _written(app):
    return count(app, Voucher), count(app, Programme), [p.budget_fen for p in rows(app, Programme)]


def _refused_or_done(app, send, *args, **kw):
    """Send a request: never a 5xx, and a refusal writes nothing."""
    before = _written(app)
    response = send(*args, **kw)
    assert response.status_code < 500, response.status_code
    if response.status_code >= 400:
        assert _written(app) == before
    return response.status_code


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_are_refused_without_a_write(app, client, make, as_user, api, s, value):
    """Every field of the grant and programme forms, and of the API bodies, and the list's
    filters, with a hostile value: never a 5xx, and a refusal writes nothing."""
    as_user("admin")
    grant = {
        "programme_id": s["prog"].id,
        "team_id": s["other"].id,
        "amount_yuan": "100.00",
        "gpu_hours": "",
        "valid_from": "2026-06-01",
        "valid_to": "2026-06-30",
        "provider_ids": [str(s["gpu"].id)],
    }
    programme_form = {
        "code": "H-1",
        "name_zh": "敌意测试",
        "budget_yuan": "1000.00",
        "rate_percent": "50",
        "valid_from": "2026-01-01",
        "valid_to": "2026-12-31",
    }
    vouchers_path = f"/parks/{s['park'].id}/compute/vouchers"
    new_path = f"/parks/{s['park'].id}/compute/programmes/new"
    edit_path = f"/compute/programmes/{s['prog'].id}/edit"
    admin = api(make.user("admin"))
    statuses = set()
    for key in grant:
        form = {**grant, key: value}
        statuses.add(_refused_or_done(app, post_form, client, vouchers_path, form))
        body = {**_api_grant(s), key: value}
        statuses.add(_refused_or_done(app, admin.post, "/vouchers", json=body))
    for key in [*programme_form, "team_cap_yuan", "provider_ids", "tracks"]:
        form = {**programme_form, "code": f"H-{key}", key: value}
        for path in (new_path, edit_path):
            statuses.add(_refused_or_done(app, post_form, client, path, form))
        body = {"park_id": s["park"].id, "name": "敌意", "budget_yuan": "1.00",
                "rate_percent": "50", key: value}  # fmt: skip
        statuses.add(_refused_or_done(app, admin.post, "/programmes", json=body))
    for query in ("programme_id", "team_id", "valid", "page"):
        path = f"{vouchers_path}?{query}={value}"
        statuses.add(_refused_or_done(app, client.get, path))
        statuses.add(_refused_or_done(app, admin.get, f"/vouchers?{query}={value}"))
    assert 422 in statuses


def _api_grant(s):
    return {
        "programme_id": s["prog"].id,
        "team_id": s["other"].id,
        "amount_yuan": "100.00",
        "valid_from": "2026-06-01",
        "valid_to": "2026-06-30",
    }

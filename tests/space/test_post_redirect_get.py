"""Post/redirect/get: every form of the space and team pages answers a success with a
redirect, so that a reload never submits it again. The list of scenarios must cover every
POST route of both blueprints: a new form without one fails here."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from opc.core.dates import local_today
from opc.teams import members
from tests.conftest import csrf_token
from tests.core.helpers import post_form

EN = {"Accept-Language": "en"}


def _setup(app: Any, make: Any, as_user: Any) -> dict[str, Any]:
    park = make.park()
    today = local_today(park.timezone)
    resident = make.team(park, status="resident", status_since=date(2026, 1, 1))
    unit, free, other = make.unit(park, code="A"), make.unit(park, code="B"), make.unit(park)
    held = make.allocation(resident, unit, date(2026, 1, 1))
    future = make.allocation(resident, other, today + timedelta(days=5))
    staff = as_user("staff", parks=[park])
    with app.app_context():
        pending_id = members.invite_member(resident, "pending@example.cn", actor=None).invitation.id
    return {
        "park": park,
        "today": today,
        "resident": resident,
        "applicant": make.team(park, status="applicant"),
        "admitted": make.team(park, status="admitted"),
        "unit": unit,
        "free": free,
        "held": held,
        "future": future,
        "staff": staff,
        "pending_id": pending_id,
    }


def _csv(client: Any, template: str) -> tuple[io.BytesIO, str]:
    """The page's own template, which imports as it is (one example row)."""
    return io.BytesIO(client.get(template).data), "template.csv"


SCENARIOS: dict[str, Callable[[Any, dict[str, Any]], Any]] = {
    "space.create_unit": lambda c, s: post_form(
        c,
        f"/parks/{s['park'].id}/units/new",
        {"code": "N1", "kind": "office", "floor": "1", "area_m2": "10", "seats": "1"},
    ),
    "space.edit_unit": lambda c, s: post_form(
        c,
        f"/units/{s['free'].id}/edit",
        {"code": "B2", "kind": "office", "floor": "1", "area_m2": "10", "seats": "1"},
    ),
    "space.delete_unit": lambda c, s: post_form(
        c, f"/units/{s['free'].id}/delete", {}, f"/units/{s['free'].id}"
    ),
    "space.import_units": lambda c, s: post_form(
        c,
        f"/parks/{s['park'].id}/units/import",
        {"file": _csv(c, f"/parks/{s['park'].id}/units/template.csv")},
        content_type="multipart/form-data",
    ),
    "space.allocate": lambda c, s: post_form(
        c,
        f"/units/{s['free'].id}/allocate",
        {"team_id": str(s["resident"].id), "start": "2030-01-01", "last_day": "2030-06-30"},
        f"/units/{s['free'].id}",
    ),
    "space.allocate_for_team": lambda c, s: post_form(
        c,
        f"/space/teams/{s['resident'].id}/allocate",
        {"unit_id": str(s["free"].id), "start": "2031-01-01", "last_day": ""},
    ),
    "space.end_allocation": lambda c, s: post_form(
        c, f"/allocations/{s['held'].id}/end", {"last_day": "2029-12-31"}
    ),
    "space.cancel_allocation": lambda c, s: post_form(
        c, f"/allocations/{s['future'].id}/cancel", {}
    ),
    "space.move": lambda c, s: post_form(
        c,
        f"/allocations/{s['held'].id}/move",
        {"unit_id": str(s["free"].id), "on": s["today"].isoformat()},
        f"/units/{s['unit'].id}",
    ),
    "teams.create": lambda c, s: post_form(
        c,
        "/teams/new",
        {"park_id": str(s["park"].id), "name_zh": "新团队", "track": "games", "kind": "solo"},
    ),
    "teams.edit": lambda c, s: post_form(
        c,
        f"/teams/{s['admitted'].id}/edit",
        {"name_zh": "改名团队", "track": "games", "kind": "solo"},
    ),
    "teams.transition": lambda c, s: post_form(
        c,
        f"/teams/{s['applicant'].id}/transition",
        {"step-to": "admitted", "step-note": ""},
        f"/teams/{s['applicant'].id}",
    ),
    "teams.step": lambda c, s: post_form(
        c, f"/teams/{s['admitted'].id}/steps/exited", {"on": "", "note": "放弃入驻"}
    ),
    "teams.invite": lambda c, s: post_form(
        c,
        f"/teams/{s['resident'].id}/invite",
        {"invite-email": "new@example.cn"},
        f"/teams/{s['resident'].id}",
    ),
    "teams.revoke_invitation": lambda c, s: post_form(
        c,
        f"/teams/{s['resident'].id}/invitations/{s['pending_id']}/revoke",
        {},
        f"/teams/{s['resident'].id}",
    ),
    "teams.import_csv": lambda c, s: post_form(
        c,
        "/teams/import",
        {"park_id": str(s["park"].id), "file": _csv(c, "/teams/import/template.csv")},
        content_type="multipart/form-data",
    ),
}

# The public pages, answered for anonymous visitors (their own tests cover them in full).
PUBLIC = {"teams.apply", "teams.accept_invitation"}


def test_the_scenarios_cover_every_post_route(app):
    posting = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "POST" in (rule.methods or ()) and rule.endpoint.split(".")[0] in ("space", "teams")
    }
    assert posting == set(SCENARIOS) | PUBLIC


@pytest.mark.parametrize("endpoint", sorted(SCENARIOS))
def test_each_success_answers_a_redirect(app, client, make, as_user, endpoint):
    s = _setup(app, make, as_user)
    response = SCENARIOS[endpoint](client, s)
    assert response.status_code in (302, 303), (endpoint, response.get_data(as_text=True)[-3000:])
    # The page it leads to is a plain GET that answers 200.
    assert client.get(response.headers["Location"], headers=EN).status_code == 200


def test_the_public_forms_redirect_too(app, client, make):
    park = make.park()
    token = csrf_token(client, "/apply")
    applied = client.post(
        "/apply",
        data={
            "csrf_token": token,
            "park_id": str(park.id),
            "name_zh": "申请团队",
            "track": "games",
            "kind": "solo",
            "contact_name": "王一",
            "contact_email": "wang@example.cn",
        },
    )
    assert applied.status_code == 302, applied.get_data(as_text=True)
    team = make.team(park, status="resident")
    with app.app_context():
        link = members.invite_member(team, "join@example.cn", actor=None).link
    path = link.split("localhost", 1)[-1]
    accepted = post_form(
        client,
        path,
        {
            "name": "新成员",
            "password": "stars-and-nebulae-2026",
            "confirm": "stars-and-nebulae-2026",
        },
    )
    assert accepted.status_code == 302

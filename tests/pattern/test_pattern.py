"""The shape every domain copies: a stack of packages, one home per rule, permissions
required by the operations themselves, and one way for entry points to answer."""

from __future__ import annotations

import ast
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from opc.core.errors import Forbidden, RuleViolation
from opc.space.models import Allocation, Unit
from tests.core.helpers import count, error_of, post_form

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


# --- the packages form a stack ---------------------------------------------------------


def test_the_import_contracts_hold():
    """import-linter's layers (pyproject.toml): a new cycle fails the build."""
    result = subprocess.run(
        [str(LINT_IMPORTS)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_no_import_hides_in_a_function():
    """An import inside a function to dodge a cycle is the cycle hidden (STYLE.md)."""
    hidden = []
    for path in (ROOT / "opc").rglob("*.py"):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.ImportFrom) and (inner.module or "").startswith("opc"):
                        hidden.append(f"{path.relative_to(ROOT)}:{inner.lineno}")
    # create_app imports the extensions it configures; nothing else may.
    allowed = {"opc/__init__.py"}
    assert [h for h in hidden if h.split(":")[0] not in allowed] == []


def test_every_domain_registers_itself():
    """create_app lists no domain: each package with init_app is found and registered."""
    from opc import create_app, domains

    names = {d.__name__ for d in domains()}
    assert {"opc.auth", "opc.parks", "opc.teams", "opc.space", "opc.users"} <= names
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x" * 64})
    assert {"auth", "parks", "teams", "space", "users", "overview", "audit"} <= set(app.blueprints)


def test_the_cross_domain_receivers_are_connected(app):
    """The reactions listed beside each signal are connected once the app is built."""
    from opc.auth.signals import user_created
    from opc.compute import add_provider_record
    from opc.parks.signals import resizing
    from opc.space.operations import release_on_leaving
    from opc.space.rules import check_area_on_resize
    from opc.teams.rules import check_cap_on_resize
    from opc.teams.signals import status_changed

    def receivers(signal):
        return set(signal.receivers_for(object()))

    assert check_area_on_resize in receivers(resizing)
    assert check_cap_on_resize in receivers(resizing)
    assert release_on_leaving in receivers(status_changed)
    assert add_provider_record in receivers(user_created)


# --- one home per rule -----------------------------------------------------------------


def test_the_park_area_rule_speaks_with_one_voice(app, make, api):
    """Adding a unit, importing units and shrinking the park ask the same rule."""
    from opc.space.rules import park_area_exceeded

    park = make.park(total_area_m2=Decimal("100"))
    make.unit(park, area_m2=Decimal("80"))
    with app.test_request_context(headers={"Accept-Language": "en"}):
        expected = str(park_area_exceeded(park, Decimal("80.00"), Decimal("30.00")).message)
    staff = make.user("staff", parks=[park])
    body = {"code": "B", "kind": "office", "floor": 1, "area_m2": "30.00"}
    response = api(staff).post(f"/parks/{park.id}/units", json=body)
    assert response.status_code == 409
    assert error_of(response)["message"] == expected
    csv = b"code,kind,floor,area_m2\nB,office,1,30.00\n"
    imported = api(staff).post(
        f"/parks/{park.id}/units/import", data={"file": (__import__("io").BytesIO(csv), "u.csv")}
    )
    assert imported.status_code == 422
    assert expected in str(error_of(imported)["fields"])
    shrink = api(make.user("admin")).patch(f"/parks/{park.id}", json={"total_area_m2": "79.99"})
    assert shrink.status_code == 409
    assert error_of(shrink)["code"] == "park_area_exceeded"


def test_the_team_cap_rule_speaks_with_one_voice(app, make, api):
    from opc.teams.rules import cap_refusal

    park = make.park(team_cap=1)
    make.team(park, status="resident")
    admitted = make.team(park, status="admitted")
    staff = make.user("staff", parks=[park])
    step = api(staff).post(f"/teams/{admitted.id}/transitions", json={"to": "resident"})
    assert step.status_code == 409 and error_of(step)["code"] == "team_cap_reached"
    lower = api(make.user("admin")).patch(f"/parks/{park.id}", json={"team_cap": 0})
    assert lower.status_code == 409
    with app.test_request_context(headers={"Accept-Language": "en"}):
        expected = str(cap_refusal(park, 1, adding=0, cap=0).message)
    assert error_of(lower)["message"] == expected


# --- operations require their permissions ----------------------------------------------


@pytest.mark.parametrize("role", ["member", "reviewer", "staff-elsewhere"])
def test_operations_refuse_an_actor_who_may_not(app, make, ctx, role):
    """Whatever entry point calls them, operations check the actor they receive."""
    from opc.parks.operations import update_park
    from opc.space.operations import allocate, create_unit
    from opc.teams.operations import transition

    park = make.park()
    team = make.team(park, status="resident")
    unit = make.unit(park)
    if role == "staff-elsewhere":
        actor = make.user("staff", parks=[make.park()])
    elif role == "member":
        actor = make.user("member", team=team)
    else:
        actor = make.user("reviewer")
    before = count(app, Allocation), count(app, Unit)
    with pytest.raises(Forbidden):
        create_unit(park.id, actor=actor, code="X", kind="office", floor=1, area_m2="10")
    with pytest.raises(Forbidden):
        allocate(actor=actor, team_id=team.id, unit_id=unit.id, start=unit.created_at.date())
    with pytest.raises(Forbidden):
        update_park(park, actor=actor, team_cap=5)
    with pytest.raises((Forbidden, RuleViolation)):
        transition(team, "suspended", actor=actor)
    assert (count(app, Allocation), count(app, Unit)) == before


# --- one way for entry points ----------------------------------------------------------


def test_a_refused_page_form_answers_422_with_the_input_kept(client, make, as_user):
    park = make.park(total_area_m2=Decimal("50"))
    as_user("staff", parks=[park])
    data = {"code": "BIG", "kind": "office", "floor": "1", "area_m2": "60", "seats": "0"}
    response = post_form(client, f"/parks/{park.id}/units/new", data)
    assert response.status_code == 422
    assert 'value="BIG"' in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("path", "field"),
    [("/parks/{park}/units/{unit}", "area_m2"), ("/teams/{team}", "name_zh")],
)
def test_patch_refuses_null_for_required_fields_everywhere(make, api, path, field):
    park = make.park()
    unit, team = make.unit(park), make.team(park)
    admin = api(make.user("admin"))
    url = path.format(park=park.id, unit=unit.id, team=team.id)
    before = admin.get(url).get_json()
    response = admin.patch(url, json={field: None})
    assert response.status_code == 422
    assert field in error_of(response)["fields"]["__root__"][0] or error_of(response)["fields"]
    assert admin.get(url).get_json() == before

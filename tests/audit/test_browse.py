"""Admins browse the audit log on /audit/ and through GET /api/v1/audit, filtered by record type,
record id, actor, action and (park-local) day, a page at a time; nobody else may."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from opc.auth.models import User
from opc.core.db import transaction
from opc.extensions import db
from opc.parks import operations as park_ops
from opc.parks.models import Park
from tests.conftest import login
from tests.core.helpers import error_of


@dataclass
class Log:
    alice: Any
    bob: Any
    park_a: int
    park_b: int
    api: Any  # a bearer-token client of alice's (its token made before the log was cleared)


def _in_context(app: Any, fn: Any) -> Any:
    with app.app_context():
        result = fn()
        db.session.remove()
    return result


@pytest.fixture
def log(app, make, api, time_machine) -> Log:
    """Two admins' changes over two days (Shanghai time), beginning with a clean log:

    1 March 10:00 CST  alice creates park A, bob creates park B
    2 March 00:30 CST  (16:30 UTC on 1 March) alice updates A, bob deletes B
    """
    alice = make.user("admin", email="alice@opc.cn")
    bob = make.user("admin", email="bob@opc.cn")
    client = api(alice)

    def clear() -> None:
        db.session.execute(db.metadata.tables["audit_entries"].delete())
        db.session.commit()

    _in_context(app, clear)

    def park(actor_id: int, code: str) -> int:
        actor = db.session.get(User, actor_id)
        return park_ops.create_park(
            actor=actor, code=code, name_zh=code, total_area_m2=Decimal("100"), team_cap=5
        ).id

    time_machine.move_to(datetime(2026, 3, 1, 2, 0, tzinfo=UTC), tick=False)
    park_a = _in_context(app, lambda: park(alice.id, "A"))
    park_b = _in_context(app, lambda: park(bob.id, "B"))

    time_machine.move_to(datetime(2026, 3, 1, 16, 30, tzinfo=UTC), tick=False)

    def update() -> None:
        park_ops.update_park(
            db.session.get(Park, park_a), actor=db.session.get(User, alice.id), team_cap=9
        )

    def delete() -> None:
        with transaction(db.session.get(User, bob.id)) as session:
            session.delete(session.get(Park, park_b))

    _in_context(app, update)
    _in_context(app, delete)
    time_machine.move_to(datetime(2026, 3, 2, 8, 0, tzinfo=UTC), tick=False)
    return Log(alice, bob, park_a, park_b, client)


def summary(items: list[dict[str, Any]]) -> list[tuple[str, str, int]]:
    return [(e["action"], e["actor_label"], e["entity_id"]) for e in items]


# --- the API ----------------------------------------------------------------------------


def test_api_lists_newest_first_with_before_and_after(app, api, log):
    body = log.api.get("/audit").get_json()
    assert body["total"] == 4
    assert summary(body["items"]) == [
        ("delete", "bob@opc.cn", log.park_b),
        ("update", "alice@opc.cn", log.park_a),
        ("create", "bob@opc.cn", log.park_b),
        ("create", "alice@opc.cn", log.park_a),
    ]
    update = body["items"][1]
    assert update["before"] == {"team_cap": 5} and update["after"] == {"team_cap": 9}
    assert update["entity"] == "parks" and update["actor_id"] == log.alice.id
    assert body["items"][0]["after"] is None
    assert body["items"][0]["before"]["code"] == "B"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("entity=parks", 4),
        ("entity=users", 0),
        ("action=create", 2),
        ("action=delete", 1),
        ("on=2026-03-01", 2),  # 10:00 CST
        ("on=2026-03-02", 2),  # 00:30 CST, still 1 March in UTC
        ("on=2026-02-28", 0),
    ],
)
def test_api_filters(api, log, query, expected):
    body = log.api.get(f"/audit?{query}").get_json()
    assert body["total"] == expected == len(body["items"])


def test_api_filters_by_record_and_actor_and_combines_them(api, log):
    client = log.api
    by_record = client.get(f"/audit?entity=parks&entity_id={log.park_a}").get_json()
    assert summary(by_record["items"]) == [
        ("update", "alice@opc.cn", log.park_a),
        ("create", "alice@opc.cn", log.park_a),
    ]
    by_actor = client.get(f"/audit?actor_id={log.bob.id}").get_json()
    assert summary(by_actor["items"]) == [
        ("delete", "bob@opc.cn", log.park_b),
        ("create", "bob@opc.cn", log.park_b),
    ]
    both = client.get(f"/audit?actor_id={log.bob.id}&action=delete&on=2026-03-02").get_json()
    assert summary(both["items"]) == [("delete", "bob@opc.cn", log.park_b)]


def test_api_pages(api, log):
    client = log.api
    first = client.get("/audit?per_page=3").get_json()
    second = client.get("/audit?per_page=3&page=2").get_json()
    assert (first["total"], len(first["items"]), len(second["items"])) == (4, 3, 1)
    assert second["items"][0]["action"] == "create"


@pytest.mark.parametrize("query", ["action=erase", "on=yesterday", "entity_id=x", "colour=red"])
def test_api_bad_filters_are_422(api, log, query):
    response = log.api.get(f"/audit?{query}")
    assert response.status_code == 422
    assert error_of(response)["code"] == "invalid_fields"


@pytest.mark.parametrize("role", ["staff", "member", "reviewer", "provider"])
def test_api_is_for_admins_only(make, api, role):
    response = api(make.user(role)).get("/audit")
    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"


def test_api_needs_the_audit_scope(make, api):
    admin = make.user("admin")
    assert api(admin, scope="read").get("/audit").status_code == 200
    response = api(admin, scope="usage:write").get("/audit")
    assert response.status_code == 403
    assert error_of(response)["code"] == "insufficient_scope"


# --- the page ---------------------------------------------------------------------------

ROW = re.compile(
    r'<tr data-entry="\d+"><td>[^<]*</td><td>([^<]*)</td><td>([^<]*)</td>\s*'
    r'<td><span class="muted">([^<]*)</span>\s*(?:<a href="([^"]*)">)?([^<]*)',
    re.S,
)


def page_rows(response: Any) -> list[tuple[str, ...]]:
    """(who, action, record type, link, record) of each entry shown."""
    assert response.status_code == 200
    return [
        tuple(part.strip() for part in row) for row in ROW.findall(response.get_data(as_text=True))
    ]


@pytest.fixture
def browser(client, log) -> Any:
    assert login(client, log.alice.email).status_code == 302
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_page_lists_the_log_newest_first(browser, log):
    alice, bob = f"{log.alice.name} (alice@opc.cn)", f"{log.bob.name} (bob@opc.cn)"
    park_a = f"/parks/{log.park_a}"
    assert page_rows(browser.get("/audit/")) == [
        (bob, "delete", "Park", "", "B"),  # deleted: named from what the log kept, no link
        (alice, "update", "Park", park_a, "A"),
        (bob, "create", "Park", "", "B"),
        (alice, "create", "Park", park_a, "A"),
    ]


def test_page_shows_before_and_after(browser, log):
    html = browser.get(f"/audit/?entity_id={log.park_a}&action=update").get_data(as_text=True)
    assert "Team cap</span>:\n        <del>5</del> → <ins>9</ins>" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("entity=parks", 4),
        ("entity=users", 0),
        ("action=create", 2),
        ("action=update", 1),
        ("from=2026-03-02", 2),
        ("to=2026-03-01", 2),
        ("from=2026-03-01&to=2026-03-02", 4),
        ("from=2026-03-03", 0),
        ("on=2026-03-02", 2),
    ],
)
def test_page_filters(browser, log, query, expected):
    assert len(page_rows(browser.get(f"/audit/?{query}"))) == expected


def test_page_filters_by_record_and_person(browser, log):
    rows = page_rows(browser.get(f"/audit/?entity_id={log.park_b}"))
    assert [r[1] for r in rows] == ["delete", "create"]
    rows = page_rows(browser.get(f"/audit/?actor_id={log.alice.id}"))
    assert {r[0] for r in rows} == {f"{log.alice.name} (alice@opc.cn)"} and len(rows) == 2
    rows = page_rows(
        browser.get(f"/audit/?actor_id={log.alice.id}&action=update&from=2026-03-02&to=2026-03-02")
    )
    assert [r[1:] for r in rows] == [("update", "Park", f"/parks/{log.park_a}", "A")]
    assert page_rows(browser.get("/audit/?actor_id=system")) == []


def test_page_keeps_the_filters_in_the_form(browser, log):
    query = f"entity=parks&action=delete&from=2026-03-01&to=2026-03-02&actor_id={log.bob.id}"
    text = browser.get(f"/audit/?{query}").get_data(as_text=True)
    assert '<option value="parks" selected>Park</option>' in text
    assert '<option value="delete" selected>' in text
    assert 'name="from" value="2026-03-01"' in text and 'name="to" value="2026-03-02"' in text
    assert f'<option value="{log.bob.id}" selected>{log.bob.name} (bob@opc.cn)</option>' in text


def test_page_tolerates_bad_filters(browser, log):
    assert len(page_rows(browser.get("/audit/?on=not-a-day&entity_id=x"))) == 4


def test_page_pages_through_a_long_log(app, client, make):
    admin = make.user("admin")
    for _ in range(30):
        make.park()
    assert login(client, admin.email).status_code == 302
    per_page = app.config["PER_PAGE"]
    total = 31  # the admin and 30 parks
    first = page_rows(client.get("/audit/"))
    second = page_rows(client.get("/audit/?page=2"))
    assert (len(first), len(second)) == (per_page, total - per_page)
    assert not set(first) & set(second)
    html = client.get("/audit/?entity=parks&page=2").get_data(as_text=True)
    assert "page=1" in html and "entity=parks" in html  # the pager keeps the filter
    assert "30 in total" in client.get("/audit/?entity=parks").get_data(as_text=True)


@pytest.mark.parametrize("role", ["staff", "member", "reviewer"])
def test_page_is_for_admins_only(client, as_user, role):
    as_user(role)
    response = client.get("/audit/")
    assert response.status_code == 403
    assert "Traceback" not in response.get_data(as_text=True)

"""The check-in desk page and the check-in API: the camera's page (its own camera policy, its
script), typing a code, checking in from the searchable list, the answers people read, the
running attendance; the API's 200 with `already`, and its refusals."""

from __future__ import annotations

from typing import Any

from opc.events.models import Registration
from opc.events.qr import checkin_token
from tests.core.helpers import one, post_form, text
from tests.events.checkin_helpers import event_now, registration


def _desk(make: Any) -> tuple[Any, Any, list[Any]]:
    park = make.park()
    event = event_now(make, park)
    regs = [
        registration(make, event, name="张三", organisation="星云科技", email="zhang@example.cn"),
        registration(make, event, name="李四", organisation="海风传媒", email="li@example.cn"),
        registration(make, event, status="waitlisted", name="王五"),
    ]
    return park, event, regs


def test_the_desk_shows_the_list_attendance_and_the_scanner(
    client: Any, make: Any, as_user: Any
) -> None:
    park, event, _regs = _desk(make)
    as_user("staff", parks=[park])
    response = client.get(f"/events/{event.id}/check-in")
    assert response.status_code == 200
    assert response.headers["Permissions-Policy"].startswith("camera=(self)")
    page = text(response)
    assert "张三" in page and "李四" in page and "王五" not in page  # confirmed only
    assert 'data-attendance="0/2"' in page
    assert "/static/js/checkin.js" in page and "<script>" not in page
    searched = text(client.get(f"/events/{event.id}/check-in?q=海风"))
    assert "李四" in searched and "张三" not in searched
    assert "李四" in text(client.get(f"/events/{event.id}/check-in?q=LI@EXAMPLE"))
    assert "张三" not in text(client.get(f"/events/{event.id}/check-in?q=%25"))  # no wildcard


def test_typing_a_code_checks_in_once(client: Any, make: Any, as_user: Any, app: Any) -> None:
    park, event, regs = _desk(make)
    as_user("staff", parks=[park])
    with app.app_context():
        token = checkin_token(regs[0])
    path = f"/events/{event.id}/check-in"
    response = post_form(client, path, {"token": token}, follow_redirects=True)
    page = text(response)
    assert response.status_code == 200 and "张三" in page and 'data-attendance="1/2"' in page
    at = one(app, Registration, regs[0].id).checked_in_at
    assert at is not None
    again = text(post_form(client, path, {"token": token}, follow_redirects=True))
    assert "flash-warning" in again and 'data-attendance="1/2"' in again
    assert one(app, Registration, regs[0].id).checked_in_at == at
    # From the list: the other one.
    listed = post_form(client, path, {"registration_id": str(regs[1].id)}, follow_redirects=True)
    assert 'data-attendance="2/2"' in text(listed)


def test_the_desk_says_why_it_refuses(client: Any, make: Any, as_user: Any, app: Any) -> None:
    park, event, regs = _desk(make)
    as_user("staff", parks=[park])
    path = f"/events/{event.id}/check-in"
    response = post_form(client, path, {"token": "not-a-ticket"})
    assert response.status_code == 422 and 'data-refusal="invalid_ticket"' in text(response)
    with app.app_context():
        waiting = checkin_token(regs[2])
    response = post_form(client, path, {"token": waiting})
    assert response.status_code == 409 and 'data-refusal="not_confirmed"' in text(response)
    response = post_form(client, path, {"registration_id": "abc"})
    assert response.status_code == 422
    assert one(app, Registration, regs[2].id).checked_in_at is None


def test_members_have_no_desk(client: Any, make: Any, as_user: Any) -> None:
    park, event, _regs = _desk(make)
    as_user("member", team=make.team(park, status="resident"))
    assert client.get(f"/events/{event.id}/check-in").status_code == 403


def test_the_api_checks_in(api: Any, make: Any, app: Any) -> None:
    park, event, regs = _desk(make)
    staff = make.user("staff", parks=[park])
    with app.app_context():
        token, waiting = checkin_token(regs[0]), checkin_token(regs[2])
    path = f"/events/{event.id}/check-ins"
    first = api(staff).post(path, json={"token": token})
    assert first.status_code == 200, first.get_json()
    body = first.get_json()
    assert body["id"] == regs[0].id and body["already"] is False and body["checked_in_at"]
    again = api(staff).post(path, json={"registration_id": regs[0].id}).get_json()
    assert again["already"] is True and again["checked_in_at"] == body["checked_in_at"]
    refused = api(staff).post(path, json={"token": waiting})
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "not_confirmed"
    bad = api(staff).post(path, json={"token": "garbage"})
    assert bad.status_code == 422 and bad.get_json()["error"]["code"] == "invalid_ticket"
    assert api(staff).post(path, json={}).status_code == 422
    assert api(staff, scope="read").post(path, json={"token": token}).status_code == 403
    member = make.user("member", team=make.team(park, status="resident"))
    assert api(member).post(path, json={"token": token}).status_code == 403

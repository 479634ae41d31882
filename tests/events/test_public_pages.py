"""The public event pages: a guest registers on a public event's page with the CSRF token and
lands on their ticket page (QR code and check-in token when confirmed, the waitlist's
position, an offered place to accept, cancel); the page speaks both languages; residents-only
and unknown events and unknown tickets are 404; a cancelled event takes no registration;
nobody else's data is shown; submissions past the rate limit answer 429."""

from __future__ import annotations

import re
from typing import Any

from opc.events.models import Registration
from opc.events.operations import registrations as reg_ops
from opc.events.qr import checkin_token
from opc.extensions import db
from tests.core.helpers import count, one, post_form, rows, text
from tests.events.test_pages import guest


def _guest_form(n: int = 1, **kw: Any) -> dict[str, str]:
    values = {
        "name": f"访客{n}",
        "organisation": "星云科技",
        "email": f"Visitor{n}@Example.org",
        "phone": "13800000000",
    }
    values.update(kw)
    return values


def _secret(response: Any) -> str:
    match = re.fullmatch(r".*/p/tickets/([A-Za-z0-9_-]+)", response.headers["Location"])
    assert match, response.headers["Location"]
    return match[1]


def test_a_guest_registers_and_lands_on_their_ticket(app, make, client):
    event = make.event(title_zh="开放日", title_en="Open day", capacity=5)
    url = f"/p/events/{event.id}"
    page = client.get(url)
    assert page.status_code == 200 and 'name="email"' in text(page)
    done = post_form(client, url, _guest_form())
    assert done.status_code == 302
    secret = _secret(done)
    (reg,) = rows(app, Registration)
    assert (reg.status, reg.email, reg.user_id, reg.secret) == (
        "confirmed",
        "visitor1@example.org",
        None,
        secret,
    )
    ticket = client.get(f"/p/tickets/{secret}")
    body = text(ticket)
    assert ticket.status_code == 200 and ticket.headers["Cache-Control"] == "no-store"
    assert 'data-status="confirmed"' in body and "<svg" in body
    with app.test_request_context():
        token = checkin_token(reg)
    assert f"data-token>{token}</code>" in body
    assert f"/p/tickets/{secret}/cancel" in body


def test_a_form_without_the_csrf_token_is_refused(app, make, client):
    event = make.event()
    refused = client.post(f"/p/events/{event.id}", data=_guest_form())
    assert refused.status_code == 400
    assert count(app, Registration) == 0


def test_refused_input_keeps_the_form_and_names_the_field(app, make, client):
    event = make.event()
    url = f"/p/events/{event.id}"
    refused = post_form(client, url, _guest_form(email="not-an-address", name="王五"))
    assert refused.status_code == 422
    body = text(refused)
    assert 'id="email-err"' in body and 'value="王五"' in body
    guest(app, event, 2)
    twice = post_form(client, url, _guest_form(email="guest2@example.org"))
    assert twice.status_code == 422 and "registered for the event already" in text(twice)
    assert count(app, Registration) == 1


def test_a_full_event_puts_the_guest_on_the_waitlist_with_a_position(app, make, client):
    event = make.event(capacity=1)
    guest(app, event, 1)
    url = f"/p/events/{event.id}"
    done = post_form(client, url, _guest_form(5))
    ticket = text(client.get(f"/p/tickets/{_secret(done)}"))
    assert 'data-status="waitlisted"' in ticket and "Number 1 on the waitlist" in ticket
    assert "<svg" not in ticket and "data-token" not in ticket


def test_the_guest_accepts_an_offered_place_and_cancels(app, make, client):
    event = make.event(capacity=1, waitlist_mode="offer", offer_hours=12)
    first = guest(app, event, 1)
    second = guest(app, event, 2)
    with app.app_context():
        reg_ops.cancel_registration(first.id, secret=first.secret)
        db.session.remove()
    assert one(app, Registration, second.id).status == "offered"
    ticket_url = f"/p/tickets/{second.secret}"
    offered = text(client.get(ticket_url))
    assert 'data-status="offered"' in offered and f"{ticket_url}/accept" in offered
    accepted = post_form(client, f"{ticket_url}/accept", {}, page=ticket_url)
    assert accepted.status_code == 302
    assert one(app, Registration, second.id).status == "confirmed"
    cancelled = post_form(client, f"{ticket_url}/cancel", {}, page=ticket_url)
    assert cancelled.status_code == 302
    assert one(app, Registration, second.id).status == "cancelled"
    again = post_form(client, f"{ticket_url}/cancel", {}, page=ticket_url)
    assert again.status_code == 422


def test_residents_only_unknown_and_cancelled_events(app, make, client):
    residents = make.event(public=False)
    assert client.get(f"/p/events/{residents.id}").status_code == 404
    refused = post_form(
        client, f"/p/events/{residents.id}", _guest_form(), page=f"/p/events/{make.event().id}"
    )
    assert refused.status_code == 404
    assert client.get("/p/events/999999").status_code == 404
    cancelled = make.event(status="cancelled", title_en="Gone")
    page = client.get(f"/p/events/{cancelled.id}")
    assert page.status_code == 200 and 'data-state="cancelled"' in text(page)
    assert 'name="email"' not in text(page)
    assert count(app, Registration) == 0


def test_unknown_tickets_are_404(make, client):
    for secret in ("x" * 43, "short", "bad%20secret" * 3):
        assert client.get(f"/p/tickets/{secret}").status_code == 404


def test_the_public_pages_show_nobody_elses_data(app, make, client):
    event = make.event(capacity=1)
    other = guest(app, event, 1, organisation="秘密公司", phone="13911112222")
    mine = guest(app, event, 2)
    for url in (f"/p/events/{event.id}", f"/p/tickets/{mine.secret}"):
        body = text(client.get(url))
        for private in (other.email, other.name, "秘密公司", "13911112222", other.secret):
            assert private not in body, (url, private)


def test_the_page_speaks_the_visitors_language(make, client):
    event = make.event(title_zh="创业沙龙", title_en="Founders' salon")
    url = f"/p/events/{event.id}"
    english = text(client.get(url, headers={"Accept-Language": "en"}))
    chinese = text(client.get(url, headers={"Accept-Language": "zh-CN"}))
    assert "Founders&#39; salon" in english and "创业沙龙" not in english
    assert "创业沙龙" in chinese and 'lang="zh-CN"' in chinese
    # The language switch of every page takes the visitor back to this one.
    switched = post_form(client, "/lang", {"lang": "en", "next": url}, page=url)
    assert switched.status_code == 302 and switched.headers["Location"].endswith(url)
    assert "Founders&#39; salon" in text(client.get(url, headers={"Accept-Language": "zh-CN"}))


def test_registrations_past_the_rate_limit_answer_429(app, make, client, monkeypatch):
    monkeypatch.setitem(app.config, "EVENT_GUEST_LIMIT_PER_MINUTE", 3)
    event = make.event(capacity=50)
    url = f"/p/events/{event.id}"
    for n in range(3):  # refused submissions count too
        sent = post_form(client, url, _guest_form(n, email="bad" if n == 1 else f"v{n}@x.org"))
        assert sent.status_code in (302, 422)
    limited = post_form(client, url, _guest_form(9))
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) > 0
    assert "Too many" in text(limited) and 'data-status="429"' in text(limited)
    assert count(app, Registration) == 2
    assert client.get(url).status_code == 200  # reading the page is not limited

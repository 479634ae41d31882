"""The webhook pages: admins add a hook (the secret shown once, then masked), change it,
send a test event, switch a switched-off hook on again and read the log by status; a
refused form keeps what was typed and writes nothing; everyone else finds nothing (404)."""

from __future__ import annotations

import re

import pytest

from opc.core.db import transaction
from opc.extensions import db
from opc.webhooks.models import Webhook
from tests.webhooks.helpers import KIND, count, deliver, event, hook, post_form, rows, text
from tests.webhooks.receiver import SECRET


def test_an_admin_adds_a_hook_and_sees_the_secret_once(app, client, make, as_user, receiver):
    park = make.park()
    as_user("admin")
    assert "No webhook yet." in text(client.get("/webhooks"))
    response = post_form(
        client,
        "/webhooks/new",
        {
            "park_id": park.id,
            "name": "BI tool",
            "url": receiver.url("generic"),
            "preset": "generic",
            "kinds": [KIND],
        },
    )
    assert response.status_code == 200
    [stored] = rows(app, Webhook)
    assert stored.secret in text(response) and stored.kinds == [KIND]
    listing = text(client.get(f"/webhooks?park_id={park.id}"))
    assert "BI tool" in listing and stored.secret not in listing
    edit = text(client.get(f"/webhooks/{stored.id}/edit"))
    assert stored.secret not in edit and "…" + stored.secret[-4:] in edit


def test_a_refused_form_keeps_the_input_and_writes_nothing(app, client, make, as_user):
    park = make.park()
    as_user("admin")
    response = post_form(
        client,
        "/webhooks/new",
        {
            "park_id": park.id,
            "name": "Metadata",
            "url": "http://169.254.169.254/latest",
            "preset": "generic",
            "kinds": ["no.such.kind"],
        },
    )
    assert response.status_code == 422
    page = text(response)
    assert "private or local network" in page and "Unknown kinds of event" in page
    assert 'value="http://169.254.169.254/latest"' in page and 'value="Metadata"' in page
    assert count(app, Webhook) == 0


def test_change_kinds_and_rotate_the_secret(app, client, make, as_user, receiver):
    park, admin = make.park(), as_user("admin")
    made = hook(app, park, admin, receiver.url("generic"))
    response = post_form(
        client,
        f"/webhooks/{made.id}/edit",
        {
            "name": "renamed",
            "url": receiver.url("generic"),
            "preset": "generic",
            "all_kinds": "y",
            "rotate_secret": "y",
            "active": "y",
        },
    )
    assert response.status_code == 200
    [stored] = rows(app, Webhook)
    assert stored.name == "renamed" and stored.all_kinds and stored.secret != SECRET
    assert stored.secret in text(response)


def test_the_test_button_delivers_and_the_log_shows_it(app, client, make, as_user, receiver):
    park, admin = make.park(), as_user("admin")
    made = hook(app, park, admin, receiver.url("dingtalk"), preset="dingtalk")
    response = post_form(
        client,
        f"/webhooks/{made.id}/test",
        {},
        page=f"/webhooks/{made.id}/edit",
        follow_redirects=True,
    )
    assert "Test event delivered." in text(response)
    [got] = receiver.received
    assert got.verdict == "ok"
    assert 'data-status="delivered"' in text(response)


def test_the_log_filters_by_status_and_pages(app, client, make, as_user, receiver):
    park, admin = make.park(), as_user("admin")
    made = hook(app, park, admin, receiver.url("generic"))
    for n in range(3):
        event(app, n, park_id=park.id)
    deliver(app, limit=1)
    path = f"/webhooks/{made.id}/deliveries"
    assert text(client.get(f"{path}?status=delivered")).count("data-delivery=") == 1
    assert text(client.get(f"{path}?status=pending")).count("data-delivery=") == 2
    assert text(client.get(path)).count("data-delivery=") == 3
    app.config["PER_PAGE"], per_page = 2, app.config["PER_PAGE"]
    try:
        second = text(client.get(f"{path}?page=2"))
    finally:
        app.config["PER_PAGE"] = per_page
    assert second.count("data-delivery=") == 1
    for odd in ("?status=sent", "?page=-1", "?page=abc", "?status=%00"):
        assert client.get(path + odd).status_code in (200, 400, 404, 422)


def test_a_switched_off_hook_is_switched_on_again(app, client, make, as_user, receiver):
    park, admin = make.park(), as_user("admin")
    made = hook(app, park, admin, receiver.url("generic"))
    with app.app_context():
        with transaction():
            off = db.session.get(Webhook, made.id)
            off.active, off.consecutive_failures = False, 10
        db.session.remove()
    assert "Switch on again" in text(client.get("/webhooks"))
    post_form(client, f"/webhooks/{made.id}/enable", {}, page="/webhooks")
    [stored] = rows(app, Webhook)
    assert stored.active and stored.consecutive_failures == 0


def test_delete(app, client, make, as_user, receiver):
    park, admin = make.park(), as_user("admin")
    made = hook(app, park, admin, receiver.url("generic"))
    event(app, park_id=park.id)
    post_form(client, f"/webhooks/{made.id}/delete", {}, page=f"/webhooks/{made.id}/edit")
    assert count(app, Webhook) == 0


@pytest.mark.parametrize("role", ["staff", "member"])
def test_nobody_but_admins_finds_the_pages(app, client, make, as_user, role, receiver):
    park, admin = make.park(), make.user("admin")
    made = hook(app, park, admin, receiver.url("generic"))
    as_user(role, parks=[park]) if role == "staff" else as_user(role)
    home = text(client.get("/", follow_redirects=True))
    assert 'href="/webhooks"' not in home
    for path in (
        "/webhooks",
        "/webhooks/new",
        f"/webhooks/{made.id}/edit",
        f"/webhooks/{made.id}/deliveries",
    ):
        assert client.get(path).status_code == 404, path
    token = re.search(r'name="csrf_token" value="([^"]+)"', home)
    data = {"csrf_token": token.group(1)} if token else {}
    for action in ("test", "enable", "delete"):
        assert client.post(f"/webhooks/{made.id}/{action}", data=data).status_code == 404
    assert count(app, Webhook) == 1 and rows(app, Webhook)[0].name == ""

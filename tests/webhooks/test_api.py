"""/api/v1/webhooks: admins add, read, change, test and delete hooks and read their log;
the secret is answered in full once; bad input is a 422 that writes nothing; staff and
members get 403, and their tokens' scopes are checked."""

from __future__ import annotations

import pytest

from opc.webhooks.models import DeliveryStatus, Webhook, WebhookDelivery
from tests.webhooks.helpers import KIND, count, deliver, error_of, event, rows
from tests.webhooks.receiver import SECRET


def body(park, address, **values):
    return {"park_id": park.id, "url": address, "kinds": [KIND]} | values


def test_an_admin_adds_a_hook_and_sees_its_secret_once(app, make, api, receiver):
    park, admin = make.park(), make.user("admin")
    client = api(admin)
    made = client.post("/webhooks", json=body(park, receiver.url("generic"), name="BI"))
    assert made.status_code == 201, made.get_json()
    hook = made.get_json()
    assert len(hook["secret"]) >= 40 and hook["active"] and hook["preset"] == "generic"
    assert hook["kinds"] == [KIND] and hook["created_by_id"] == admin.id
    shown = client.get(f"/webhooks/{hook['id']}").get_json()
    assert shown["secret"] == "…" + hook["secret"][-4:]
    listed = client.get(f"/webhooks?park_id={park.id}").get_json()
    assert listed["total"] == 1 and listed["items"][0]["secret"] == shown["secret"]


def test_change_rotate_switch_off_and_delete(app, make, api, receiver):
    park, admin = make.park(), make.user("admin")
    client = api(admin)
    hook = client.post("/webhooks", json=body(park, receiver.url("generic"))).get_json()
    path = f"/webhooks/{hook['id']}"
    changed = client.patch(path, json={"all_kinds": True, "name": "all of it"}).get_json()
    assert changed["all_kinds"] and changed["kinds"] == [] and changed["name"] == "all of it"
    assert changed["secret"].startswith("…")
    rotated = client.patch(path, json={"rotate_secret": True}).get_json()
    assert len(rotated["secret"]) >= 40 and rotated["secret"] != hook["secret"]
    off = client.patch(path, json={"active": False}).get_json()
    assert not off["active"] and off["disabled_at"]
    on = client.patch(path, json={"active": True}).get_json()
    assert on["active"] and on["disabled_at"] is None
    assert client.delete(path).status_code == 204
    assert client.get(path).status_code == 404
    assert count(app, Webhook) == 0


def test_a_test_event_is_delivered_at_once_and_logged(app, make, api, receiver):
    park, admin = make.park(), make.user("admin")
    client = api(admin)
    hook = client.post(
        "/webhooks", json=body(park, receiver.url("feishu"), preset="feishu", secret=SECRET)
    ).get_json()
    sent = client.post(f"/webhooks/{hook['id']}/test")
    assert sent.status_code == 201, sent.get_json()
    assert sent.get_json()["status"] == "delivered" and sent.get_json()["kind"] == "webhook.test"
    [got] = receiver.received
    assert got.verdict == "ok" and got.json()["content"]["text"].startswith("Test message")
    log = client.get(f"/webhooks/{hook['id']}/deliveries").get_json()
    assert log["total"] == 1 and log["items"][0]["attempts"] == 1


def test_the_log_pages_and_filters_by_status(app, make, api, receiver):
    park, admin = make.park(), make.user("admin")
    client = api(admin)
    made = client.post("/webhooks", json=body(park, receiver.url("generic"), secret=SECRET))
    hook = made.get_json()
    for n in range(3):
        event(app, n, park_id=park.id)
    deliver(app, limit=2)
    path = f"/webhooks/{hook['id']}/deliveries"
    delivered = client.get(f"{path}?status=delivered").get_json()
    assert delivered["total"] == 2
    assert {d["status"] for d in delivered["items"]} == {DeliveryStatus.DELIVERED}
    assert client.get(f"{path}?status=pending").get_json()["total"] == 1
    page = client.get(f"{path}?per_page=1&page=2").get_json()
    assert page["total"] == 3 and page["page"] == 2 and len(page["items"]) == 1
    assert page["items"][0]["payload"]["id"] == page["items"][0]["id"]
    assert client.get(f"{path}?status=sent").status_code == 422


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"url": "ftp://example.com/"}, "url"),
        ({"url": "http://169.254.169.254/"}, "url"),
        ({"preset": "slack"}, "preset"),
        ({"kinds": ["no.such.kind"]}, "kinds"),
        ({"kinds": []}, "kinds"),
        ({"secret": "short"}, "secret"),
        ({"name": "x" * 101}, "name"),
        ({"name": "a\x00b"}, "name"),
        ({"park_id": 0}, "park_id"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(app, make, api, values, field):
    park, admin = make.park(), make.user("admin")
    response = api(admin).post("/webhooks", json=body(park, "https://93.184.215.14/h", **values))
    assert response.status_code == 422, response.get_json()
    assert field in error_of(response).get("fields", {})
    assert count(app, Webhook) == 0


def test_a_hook_of_a_missing_park_or_id_is_404(app, make, api):
    admin = make.user("admin")
    client = api(admin)
    response = client.post(
        "/webhooks", json={"park_id": 999, "url": "https://93.184.215.14/h", "all_kinds": True}
    )
    assert response.status_code == 404
    assert client.get("/webhooks/999").status_code == 404
    assert client.patch("/webhooks/999", json={"name": "x"}).status_code == 404
    assert client.get("/webhooks/999/deliveries").status_code == 404


def test_a_patch_checks_what_it_changes_and_writes_nothing_when_refused(app, make, api, receiver):
    park, admin = make.park(), make.user("admin")
    client = api(admin)
    hook = client.post("/webhooks", json=body(park, receiver.url("generic"))).get_json()
    path = f"/webhooks/{hook['id']}"
    bad = client.patch(path, json={"url": "gopher://x/", "name": "changed"})
    assert bad.status_code == 422 and "url" in error_of(bad)["fields"]
    assert client.patch(path, json={"url": None}).status_code == 422
    assert client.patch(path, json={"kinds": [], "all_kinds": False}).status_code == 422
    assert client.patch(path, json={"colour": "red"}).status_code == 422
    [stored] = rows(app, Webhook)
    assert stored.url == receiver.url("generic") and stored.name == "" and stored.kinds == [KIND]


@pytest.mark.parametrize("role", ["staff", "member", "reviewer", "provider"])
def test_only_admins(app, make, api, role, receiver):
    park, admin = make.park(), make.user("admin")
    hook = api(admin).post("/webhooks", json=body(park, receiver.url("generic"))).get_json()
    user = make.user(role, parks=[park]) if role == "staff" else make.user(role)
    client = api(user)
    assert client.get("/webhooks").status_code == 403
    assert client.get(f"/webhooks/{hook['id']}").status_code == 403
    assert client.get(f"/webhooks/{hook['id']}/deliveries").status_code == 403
    assert client.post("/webhooks", json=body(park, receiver.url("generic"))).status_code == 403
    assert client.delete(f"/webhooks/{hook['id']}").status_code == 403
    assert client.post(f"/webhooks/{hook['id']}/test").status_code == 403
    assert count(app, Webhook) == 1 and count(app, WebhookDelivery) == 0


def test_a_read_token_reads_but_does_not_write(app, make, api, receiver):
    park, admin = make.park(), make.user("admin")
    api(admin).post("/webhooks", json=body(park, receiver.url("generic")))
    reader = api(admin, scope="read")
    assert reader.get("/webhooks").status_code == 200
    refused = reader.post("/webhooks", json=body(park, receiver.url("generic")))
    assert refused.status_code == 403 and error_of(refused)["code"] == "insufficient_scope"
    assert count(app, Webhook) == 1

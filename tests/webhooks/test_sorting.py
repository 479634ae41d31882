"""Issue 14: the webhooks and a hook's deliveries sort by their columns (?sort=&dir= in the
URL, kept by the filters), and an empty list says what to do next."""

from __future__ import annotations

import re

from opc.core.db import transaction, utcnow
from opc.extensions import db
from opc.webhooks.models import Webhook, WebhookDelivery
from tests.core.listing import EN, page, row_ids
from tests.core.listing import UNKNOWN_ORDERS as BAD_ORDERS
from tests.webhooks.helpers import KIND, hook, text


def _ids(client, url: str, attribute: str) -> list[int]:
    return row_ids(page(client, url), attribute)


def _hooks(app, make, receiver):
    park = make.park()
    admin = make.user("admin")
    made = [
        hook(app, park, admin, receiver.url("generic"), name=name) for name in ("Beta", "Alpha")
    ]
    with app.app_context():
        db.session.get(Webhook, made[0].id).consecutive_failures = 3
        db.session.commit()
    return park, [h.id for h in made]


def test_webhooks_sort_by_name_and_failures(app, client, make, as_user, receiver):
    park, (beta, alpha) = _hooks(app, make, receiver)
    as_user("admin")
    assert _ids(client, "/webhooks", "webhook") == [beta, alpha]  # by park, then as added
    assert _ids(client, "/webhooks?sort=name", "webhook") == [alpha, beta]
    assert _ids(client, "/webhooks?sort=failures", "webhook") == [beta, alpha]
    assert _ids(client, "/webhooks?sort=failures&dir=asc", "webhook") == [alpha, beta]
    for query in BAD_ORDERS:
        assert _ids(client, f"/webhooks?{query}", "webhook") == [beta, alpha]

    html = text(client.get(f"/webhooks?park_id={park.id}&sort=name&dir=desc&page=2"))
    link = re.search(r'<a class="sort" href="([^"]+sort=failures[^"]*)"', html)
    assert link and f"park_id={park.id}" in link[1] and "page=" not in link[1]
    assert '<input type="hidden" name="sort" value="name">' in html


def test_deliveries_sort_and_keep_the_status_filter(app, client, make, as_user, receiver):
    _, (beta, _alpha) = _hooks(app, make, receiver)
    with app.app_context(), transaction() as session:
        rows = [
            WebhookDelivery(
                webhook_id=beta,
                kind=KIND,
                status=status,
                attempts=attempts,
                delivered_at=utcnow() if status == "delivered" else None,
            )
            for status, attempts in (("dead", 5), ("delivered", 1), ("dead", 2))
        ]
        session.add_all(rows)
        session.flush()
        five, one, two = (r.id for r in rows)
    as_user("admin")
    url = f"/webhooks/{beta}/deliveries"
    assert _ids(client, url, "delivery") == [two, one, five]  # the newest first
    assert _ids(client, f"{url}?sort=attempts", "delivery") == [five, two, one]
    assert _ids(client, f"{url}?sort=attempts&dir=asc", "delivery") == [one, two, five]
    for query in BAD_ORDERS:
        assert _ids(client, f"{url}?{query}", "delivery") == [two, one, five]

    html = text(client.get(f"{url}?status=dead&sort=attempts&dir=asc", headers=EN))
    assert re.findall(r'<tr data-delivery="(\d+)"', html) == [str(two), str(five)]
    link = re.search(r'<a class="sort" href="([^"]+sort=made[^"]*)"', html)
    assert link and "status=dead" in link[1]
    assert '<input type="hidden" name="dir" value="asc">' in html


def test_empty_lists_say_what_to_do_next(app, client, make, as_user, receiver):
    as_user("admin")
    html = text(client.get("/webhooks", headers=EN))
    assert "No webhook yet. Add one" in html and 'href="/webhooks/new"' in html
    _, (beta, _) = _hooks(app, make, receiver)
    other = make.park()
    html = text(client.get(f"/webhooks?park_id={other.id}", headers=EN))
    assert "This park has no webhook" in html and "Show all parks" in html
    html = text(client.get(f"/webhooks/{beta}/deliveries", headers=EN))
    assert "No delivery yet. One is made for each event" in html
    assert f'href="/webhooks/{beta}/edit"' in html
    html = text(client.get(f"/webhooks/{beta}/deliveries?status=failed", headers=EN))
    assert "No delivery in this status" in html and "Clear the filters" in html

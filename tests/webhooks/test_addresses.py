"""Where a hook may point (SSRF): http(s) only, no credentials in the URL, and unless
WEBHOOK_ALLOW_PRIVATE no host on a private, loopback or link-local network -- checked when
the hook is saved and again when each delivery is sent."""

from __future__ import annotations

import pytest

from opc.core.errors import ValidationFailed
from opc.webhooks.models import DeliveryStatus, Webhook
from opc.webhooks.operations import create_webhook
from opc.webhooks.sending import UnsafeUrl, check_url
from tests.webhooks.helpers import KIND, count, deliver, deliveries, event, hook

REFUSED = [
    "ftp://example.com/hook",
    "file:///etc/passwd",
    "gopher://127.0.0.1:6379/_FLUSHALL",
    "javascript:alert(1)",
    "http:///no-host",
    "http://user:password@example.com/hook",
    "http://example.com:99999/hook",
    "http://exa mple.com/\nhook",
]
PRIVATE = [
    "http://127.0.0.1:5000/hook",
    "http://localhost/hook",
    "http://10.1.2.3/hook",
    "http://192.168.1.10/hook",
    "http://172.16.0.1/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://[fe80::1]/hook",
    "http://0.0.0.0/hook",
    "https://100.64.0.1/hook",
]


@pytest.mark.parametrize("url", REFUSED)
def test_urls_of_other_schemes_or_forms_are_refused(ctx, url):
    ctx.config["WEBHOOK_ALLOW_PRIVATE"] = True  # refused whatever the setting
    try:
        with pytest.raises(UnsafeUrl):
            check_url(url)
    finally:
        ctx.config.pop("WEBHOOK_ALLOW_PRIVATE")


@pytest.mark.parametrize("url", PRIVATE)
def test_private_and_local_hosts_are_refused_by_default(ctx, url):
    with pytest.raises(UnsafeUrl):
        check_url(url)


def test_public_addresses_pass(ctx):
    check_url("https://93.184.215.14/hook")
    check_url("http://[2606:4700:4700::1111]:8443/hook")


def test_allow_private_lets_a_park_use_its_own_network(ctx):
    ctx.config["WEBHOOK_ALLOW_PRIVATE"] = True
    try:
        check_url("http://127.0.0.1:5000/hook")
        check_url("http://10.1.2.3/hook")
    finally:
        ctx.config.pop("WEBHOOK_ALLOW_PRIVATE")


def test_saving_a_hook_to_a_private_host_writes_nothing(app, make):
    park, admin = make.park(), make.user("admin")
    with app.app_context(), pytest.raises(ValidationFailed) as refused:
        create_webhook(park.id, url="http://169.254.169.254/", kinds=[KIND], actor=admin)
    assert "private or local network" in refused.value.fields["url"][0]
    assert count(app, Webhook) == 0


def test_a_host_no_longer_allowed_is_refused_at_send(app, make, receiver, monkeypatch):
    park, admin = make.park(), make.user("admin")
    hook(app, park, admin, receiver.url("generic"))
    event(app, park_id=park.id)
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", False)
    deliver(app)
    assert receiver.received == []
    [delivery] = deliveries(app)
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_error.startswith("refused address")

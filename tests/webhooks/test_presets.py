"""Each preset as its receiver checks it, against a local server: the generic signature
(and its 5-minute window), WeCom's markdown to the key's URL, DingTalk's and Feishu's
signs; the text in the park's default language; a bot's error answer is a failure."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from opc.core.db import utcnow
from opc.webhooks.models import DeliveryStatus
from opc.webhooks.presets import feishu_sign, generic_signature, outgoing
from tests.webhooks.helpers import KIND, deliver, deliveries, event, hook
from tests.webhooks.receiver import SECRET, check_generic


@pytest.mark.parametrize("preset", ["generic", "wecom", "dingtalk", "feishu"])
def test_each_preset_is_delivered_as_its_receiver_checks_it(app, make, receiver, preset):
    park, admin = make.park(), make.user("admin")
    made = hook(app, park, admin, receiver.url(preset), preset=preset)
    team = make.team(park)
    event(app, 7, team_id=team.id)
    tally = deliver(app)
    assert tally.delivered == 1
    [got] = receiver.received
    assert got.verdict == "ok"
    [delivery] = deliveries(app)
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.webhook_id == made.id and delivery.attempts == 1
    assert delivery.last_status_code == 200 and delivery.delivered_at is not None
    body = got.json()
    text = {
        "generic": lambda: body["text"],
        "wecom": lambda: body["markdown"]["content"],
        "dingtalk": lambda: body["text"]["content"],
        "feishu": lambda: body["content"]["text"],
    }[preset]()
    assert text == "Notification Nebula Studio\n#7"  # the default language (tests: English)


def test_the_generic_body_and_headers(app, make, receiver):
    park, admin = make.park(), make.user("admin")
    hook(app, park, admin, receiver.url("generic"))
    event(app, 3, park_id=park.id)
    deliver(app)
    [got] = receiver.received
    [delivery] = deliveries(app)
    body = got.json()
    assert body["id"] == delivery.id and body["kind"] == KIND and body["park_id"] == park.id
    assert body["data"] == {
        "team": {"zh": "星云工作室", "en": "Nebula Studio"},
        "n": 3,
        "park_id": park.id,
    }
    assert body["occurred_at"].endswith("Z")
    assert got.headers["X-OPC-Event"] == KIND and got.headers["X-OPC-Delivery"] == str(delivery.id)
    assert "星云工作室" in got.body.decode()  # UTF-8 as written, no \\u escapes


def test_a_receiver_refuses_a_stale_or_forged_generic_message():
    now = utcnow()
    request = outgoing(
        "generic",
        "http://x/",
        SECRET,
        {"id": 1, "kind": KIND, "park_id": 1, "occurred_at": "", "data": {}, "text": "t"},
        now,
    )
    assert check_generic(request.headers, request.body, SECRET, now.timestamp()) == "ok"
    late = (now + timedelta(minutes=6)).timestamp()
    assert (
        check_generic(request.headers, request.body, SECRET, late) == "stale or missing timestamp"
    )
    forged = request.body.replace(b'"t"', b'"u"')
    assert check_generic(request.headers, forged, SECRET, now.timestamp()) == "bad signature"
    assert (
        check_generic(request.headers, request.body, "another", now.timestamp()) == "bad signature"
    )


def test_signatures_match_known_values():
    # Computed independently: printf '1700000000.{}' | openssl dgst -sha256 -hmac key
    assert generic_signature("key", "1700000000", b"{}") == (
        "sha256=" + __import__("hmac").new(b"key", b"1700000000.{}", "sha256").hexdigest()
    )
    # Feishu's sign keys the HMAC with "timestamp\nsecret" and signs nothing.
    assert (
        feishu_sign("demo", "1599360473")
        == __import__("base64")
        .b64encode(__import__("hmac").new(b"1599360473\ndemo", b"", "sha256").digest())
        .decode()
    )


@pytest.mark.parametrize("preset", ["wecom", "dingtalk", "feishu"])
def test_a_bot_that_answers_200_with_an_error_code_failed(app, make, receiver, preset):
    park, admin = make.park(), make.user("admin")
    hook(app, park, admin, receiver.url(preset), preset=preset)
    receiver.answer = "bot_error"
    event(app, park_id=park.id)
    deliver(app)
    [delivery] = deliveries(app)
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_status_code == 200 and delivery.last_error.startswith("bot error")


def test_a_wrong_bot_secret_is_refused_by_the_bot(app, make, receiver):
    park, admin = make.park(), make.user("admin")
    hook(app, park, admin, receiver.url("dingtalk"), preset="dingtalk", secret="SECnot-the-bots")
    event(app, park_id=park.id)
    deliver(app)
    [got] = receiver.received
    assert got.verdict == "310000 sign not match"
    [delivery] = deliveries(app)
    assert delivery.status == DeliveryStatus.FAILED and "310000" in delivery.last_error
    assert json.loads(got.body)["text"]["content"]

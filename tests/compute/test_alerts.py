"""A voucher's alerts reach people: used_80 / used_100 (sent by the draw-down as
`voucher_alerted`) and the expiry reminders of the daily job (30 and 7 days before the last
valid day, with budget left, each once) notify the team's active members and the park's
active staff, in each reader's language, and are mailed by the outbox."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from opc.compute.models import Programme, Voucher, VoucherAlert
from opc.compute.notify import notify_voucher_alert
from opc.compute.signals import voucher_alerted
from opc.compute.tasks import remind_expiring
from opc.core.db import transaction, utcnow
from opc.extensions import db
from opc.jobs import registry
from opc.jobs.runner import Outcome, run_due
from opc.notifications.delivery import deliver_pending
from opc.notifications.kinds import render
from opc.notifications.models import Notification
from tests.compute import usage_helpers as usage
from tests.core.helpers import count, rows
from tests.rent.helpers import resident

# 2026-06-01 10:00 in Shanghai: "today" of the reminders below.
NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
TODAY = date(2026, 6, 1)
DAY = timedelta(days=1)


@pytest.fixture
def park(make):
    return make.park(name_zh="成都科幻园")


@pytest.fixture
def team(make, park):
    return make.team(park, status="resident", name_zh="星云工作室", name_en="Nebula Studio")


@pytest.fixture
def people(make, park, team):
    """Who hears of the team's vouchers, and who does not."""
    elsewhere = make.park()
    return {
        "member": make.user("member", team=team, locale="zh"),
        "member2": make.user("member", team=team, locale="en"),
        "staff": make.user("staff", parks=[park, elsewhere]),
        # Nobody else: a former member, an inactive staff member, staff of another park,
        # a member of another team of the park, an admin.
        "inactive": make.user("member", team=team, is_active=False),
        "inactive_staff": make.user("staff", parks=[park], is_active=False),
        "other_staff": make.user("staff", parks=[elsewhere]),
        "other_member": make.user("member", team=make.team(park, status="resident")),
        "admin": make.user("admin"),
    }


@pytest.fixture
def programme(make, park):
    return make._save(
        Programme(
            park_id=park.id,
            code="CD-2026",
            name_zh="成都算力券",
            name_en="Chengdu compute voucher",
            budget_fen=100_000_000,
            rate_percent=Decimal("50"),
            valid_from=date(2026, 1, 1),
            valid_to=date(2026, 12, 31),
        )
    )


def voucher(make, programme, team, *, valid_to=date(2026, 12, 31), **kw):
    values = {"amount_fen": 100_000, "used_fen": 0, "used_hundredths": 0}
    values.update(kw)
    return make._save(
        Voucher(
            programme_id=programme.id,
            team_id=team.id,
            valid_from=date(2026, 1, 1),
            valid_to=valid_to,
            **values,
        )
    )


def alert(app, voucher_id, kind):
    """What the draw-down does when a voucher crosses a line: record it, send the signal."""
    with app.app_context(), transaction() as session:
        session.add(VoucherAlert(voucher_id=voucher_id, kind=kind, sent_at=utcnow()))
        session.flush()
        voucher_alerted.send(session.get(Voucher, voucher_id), kind=kind)
        db.session.flush()


def recipients(app, *where):
    return sorted(n.user_id for n in rows(app, Notification, *where))


def shown(app, notification, language):
    with app.test_request_context(headers={"Accept-Language": language}):
        text = render(notification.kind, notification.params)
        return text.title, text.body


def test_the_receiver_is_connected(app):
    assert notify_voucher_alert in voucher_alerted.receivers_for(object())


def test_80_percent_tells_the_teams_members_and_the_parks_staff(app, make, programme, team, people):
    v = voucher(make, programme, team, used_fen=80_000)
    alert(app, v.id, "used_80")
    wanted = [people["member"].id, people["member2"].id, people["staff"].id]
    assert recipients(app) == sorted(wanted)
    first = rows(app, Notification)[0]
    assert first.kind == "voucher.used_80"
    assert first.params["amount_fen"] == 100_000 and first.params["used_fen"] == 80_000
    assert first.link == f"/teams/{team.id}/vouchers#voucher-{v.id}-h"
    assert shown(app, first, "en") == (
        "Nebula Studio: voucher Chengdu compute voucher is 80% used",
        "Used ¥800.00 of ¥1,000.00, ¥200.00 left; valid until 31 Dec 2026.",
    )
    assert shown(app, first, "zh-CN") == (
        "星云工作室：算力券成都算力券已使用 80%",
        "已用 ¥800.00（共 ¥1,000.00），剩余 ¥200.00；有效期至 2026年12月31日。",
    )


def test_used_up_with_gpu_hours(app, make, programme, team, people):
    v = voucher(
        make,
        programme,
        team,
        used_fen=60_000,
        gpu_hours_hundredths=10_000,
        used_hundredths=10_000,
    )
    alert(app, v.id, "used_100")
    notification = rows(app, Notification)[0]
    title, body = shown(app, notification, "en")
    assert title == "Nebula Studio: voucher Chengdu compute voucher is used up"
    assert "GPU-hours: 100.00 of 100.00 used." in body
    assert body.endswith("It pays for no further usage.")
    assert count(app, Notification) == 3


def test_an_alert_rolled_back_tells_nobody(app, make, programme, team, people):
    v = voucher(make, programme, team, used_fen=80_000)
    with app.app_context(), pytest.raises(RuntimeError), transaction() as session:
        session.add(VoucherAlert(voucher_id=v.id, kind="used_80", sent_at=utcnow()))
        voucher_alerted.send(session.get(Voucher, v.id), kind="used_80")
        session.flush()
        raise RuntimeError("the batch was refused after all")
    assert count(app, Notification) == 0


# --- expiry reminders ------------------------------------------------------------------


def kinds_sent(app):
    return sorted((a.voucher_id, a.kind) for a in rows(app, VoucherAlert))


def remind(app, now=NOW):
    with app.app_context():
        return remind_expiring(now)


def test_reminders_30_and_7_days_before_once_each(app, make, programme, team, people):
    in30 = voucher(make, programme, team, valid_to=TODAY + 30 * DAY)
    in31 = voucher(make, programme, team, valid_to=TODAY + 31 * DAY)
    in7 = voucher(make, programme, team, valid_to=TODAY + 7 * DAY)
    last_day = voucher(make, programme, team, valid_to=TODAY)
    voucher(make, programme, team, valid_to=TODAY - DAY)  # expired yesterday

    assert remind(app) == 3
    assert kinds_sent(app) == sorted(
        [(in30.id, "expires_30"), (in7.id, "expires_7"), (last_day.id, "expires_7")]
    )
    assert count(app, Notification) == 3 * 3  # each to two members and the staff member
    assert remind(app) == 0  # once

    assert remind(app, NOW + DAY) == 1  # in31 enters its 30 days
    assert (in31.id, "expires_30") in kinds_sent(app)
    assert remind(app, NOW + 23 * DAY) == 1  # in30 enters its 7 days
    assert (in30.id, "expires_7") in kinds_sent(app)
    assert remind(app, NOW + 24 * DAY) == 1  # and in31
    assert remind(app, NOW + 24 * DAY) == 0
    assert len(kinds_sent(app)) == 6


def test_no_reminder_without_budget_left(app, make, programme, team, people):
    voucher(make, programme, team, valid_to=TODAY + 10 * DAY, used_fen=100_000)
    voucher(
        make,
        programme,
        team,
        valid_to=TODAY + 10 * DAY,
        used_fen=10_000,
        gpu_hours_hundredths=500,
        used_hundredths=500,  # its GPU-hours are spent: it pays for nothing more
    )
    hours_left = voucher(
        make,
        programme,
        team,
        valid_to=TODAY + 10 * DAY,
        used_fen=10_000,
        gpu_hours_hundredths=500,
        used_hundredths=499,
    )
    assert remind(app) == 1
    assert kinds_sent(app) == [(hours_left.id, "expires_30")]


def test_the_reminder_says_when_and_what_is_left(app, make, programme, team, people):
    voucher(make, programme, team, valid_to=TODAY + 6 * DAY, used_fen=25_000)
    remind(app)
    mine = rows(app, Notification, Notification.user_id == people["member"].id)[0]
    assert mine.kind == "voucher.expires_7"
    assert shown(app, mine, "zh-CN") == (
        "星云工作室：算力券成都算力券将于 2026年6月7日 到期",
        "已用 ¥250.00（共 ¥1,000.00），剩余 ¥750.00；有效期至 2026年6月7日。"
        "届时未用完的额度将作废。",
    )


def test_each_park_counts_days_in_its_own_calendar(app, make, team, people, programme):
    """At 2026-06-01 20:00 UTC it is already 2 June in Shanghai, still 1 June in Los Angeles."""
    late = datetime(2026, 6, 1, 20, 0, tzinfo=UTC)
    west = make.park(timezone="America/Los_Angeles")
    west_programme = make._save(
        Programme(
            park_id=west.id,
            code="LA",
            name_zh="西岸",
            budget_fen=100_000_000,
            rate_percent=Decimal("50"),
            valid_from=date(2026, 1, 1),
            valid_to=date(2026, 12, 31),
        )
    )
    west_team = make.team(west, status="resident")
    here = voucher(make, programme, team, valid_to=date(2026, 7, 2))  # 30 days from 2 June
    voucher(make, west_programme, west_team, valid_to=date(2026, 7, 2))  # 31 from 1 June
    assert remind(app, late) == 1
    assert kinds_sent(app) == [(here.id, "expires_30")]


def test_the_daily_job_sends_them(app, make, programme, team, people):
    job = registry.get("compute.expiry-reminders")
    assert job is not None and job.cron == {"hour": 8, "minute": 0}
    v = voucher(make, programme, team, valid_to=TODAY + 20 * DAY)
    with time_machine.travel(NOW, tick=False), app.app_context():
        assert run_due(job, holder="test:1") == Outcome.SUCCEEDED
        assert run_due(job, holder="test:2") == Outcome.DONE
    assert kinds_sent(app) == [(v.id, "expires_30")]
    assert count(app, Notification) == 3


def test_the_reminder_is_mailed_in_the_readers_language(app, make, programme, team, smtp_server):
    member = make.user("member", team=team, locale="zh", email="li@example.cn")
    voucher(make, programme, team, valid_to=TODAY + 30 * DAY, used_fen=40_000)
    remind(app)
    with app.app_context():
        assert deliver_pending() == 1
    [(to, raw)] = smtp_server.messages
    subject, body = smtp_server.text(raw)
    assert to == [member.email]
    assert subject == "[OPC Ops] 星云工作室：算力券成都算力券将于 2026年7月1日 到期"
    assert "剩余 ¥600.00" in body
    assert f"http://localhost/teams/{team.id}/vouchers#voucher-" in body


# --- from a provider's batch to the people ---------------------------------------------


def test_a_providers_batches_notify_at_80_and_100_percent_once_each(app, make, api, park):
    """Through POST /usage: ¥1,000.00 at 50 %, drawn 800, then 50, then 150."""
    team = resident(make, park, "2026-01-01", name_zh="星云工作室", name_en="Nebula Studio")
    member = make.user("member", team=team)
    staff = make.user("staff", parks=[park])
    platform = usage.provider(make)
    pool = usage.programme(make, park, providers=(platform,))
    usage.voucher(make, pool, team, 100_000)
    client = api(platform.user, scope="usage:write")

    def send(cost):
        response = client.post("/usage", json={"records": [usage.record(team, cost_yuan=cost)]})
        assert response.status_code in (200, 201), response.get_json()

    send("1600.00")
    assert [n.kind for n in rows(app, Notification)] == ["voucher.used_80"] * 2
    assert recipients(app) == sorted([member.id, staff.id])
    send("100.00")  # 85 %: no second 80 % alert
    assert count(app, Notification) == 2
    send("300.00")  # 100 %
    used_up = rows(app, Notification, Notification.kind == "voucher.used_100")
    assert sorted(n.user_id for n in used_up) == sorted([member.id, staff.id])
    assert used_up[0].params["used_fen"] == 100_000

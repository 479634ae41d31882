"""The outbox: notifications of users who want mail are mailed by the scheduler's job, each
once, in its reader's language, through a real SMTP server; a failed send waits for the
next run; nothing is mailed without MAIL_SERVER, to users who said no, or once stale."""

from __future__ import annotations

import socket
import threading
from datetime import timedelta

import pytest
import time_machine

from opc.core.db import transaction, utcnow
from opc.jobs import registry
from opc.jobs.models import JobRun
from opc.jobs.runner import Outcome, run_due
from opc.notifications.delivery import MAIL_WITHIN, deliver_pending
from opc.notifications.models import Notification
from opc.notifications.tasks import JOB
from tests.notifications.helpers import note, rows, stored


def closed_port() -> int:
    """A local port nobody listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def deliver(app, **kw) -> int:
    with app.app_context():
        return deliver_pending(**kw)


def mails(smtp_server):
    """(recipients, subject, body) of every message received."""
    return [(to, *smtp_server.text(raw)) for to, raw in smtp_server.messages]


def test_each_reader_gets_it_once_in_their_language(app, make, smtp_server):
    li = make.user("member", email="li@example.cn", locale="zh")
    ann = make.user("staff", email="ann@example.cn", locale="en")
    note(app, li, ann)

    assert deliver(app) == 2

    (to_li, subject_li, body_li), (to_ann, subject_ann, body_ann) = mails(smtp_server)
    assert to_li == ["li@example.cn"] and to_ann == ["ann@example.cn"]
    assert subject_li == "[OPC Ops] 通知 星云工作室"
    assert "¥1,234.50" in body_li and "查看：http://localhost/teams/1" in body_li
    assert "账户页面" in body_li and "http://localhost/account" in body_li
    assert subject_ann == "[OPC Ops] Notification Nebula Studio"
    assert "Open: http://localhost/teams/1" in body_ann and "account page" in body_ann
    assert all(n.emailed_at is not None for n in stored(app))
    assert deliver(app) == 0 and len(smtp_server.messages) == 2  # never twice


def test_without_a_language_of_their_own_the_default(app, make, smtp_server, monkeypatch):
    monkeypatch.setitem(app.config, "BABEL_DEFAULT_LOCALE", "zh")
    note(app, make.user("staff", locale=None))
    deliver(app)
    [(_to, subject, _body)] = mails(smtp_server)
    assert subject == "[OPC Ops] 通知 星云工作室"


def test_only_to_active_users_who_want_mail(app, make, smtp_server):
    wants = make.user("staff")
    declined = make.user("staff", notify_by_email=False)
    gone = make.user("staff", is_active=False)
    note(app, wants, declined, gone)
    assert deliver(app) == 1
    assert [to for to, _raw in smtp_server.messages] == [[wants.email]]
    assert [n.emailed_at is not None for n in stored(app)] == [True, False, False]


def test_nothing_is_mailed_without_a_mail_server(app, make):
    assert not app.config["MAIL_SERVER"]
    note(app, make.user("staff"))
    assert deliver(app) == 0
    assert stored(app)[0].emailed_at is None


def test_stale_notifications_are_not_mailed(app, make, smtp_server):
    note(app, make.user("staff"))
    with time_machine.travel(utcnow() + MAIL_WITHIN + timedelta(minutes=1)):
        assert deliver(app) == 0
    assert smtp_server.messages == [] and stored(app)[0].emailed_at is None


def test_a_server_that_fails_leaves_them_for_the_next_run(app, make, smtp_server, monkeypatch):
    working = app.config["MAIL_PORT"]
    note(app, make.user("staff"), make.user("staff"))
    monkeypatch.setitem(app.config, "MAIL_PORT", closed_port())  # nobody listens there
    assert deliver(app) == 0
    assert [n.emailed_at for n in stored(app)] == [None, None]
    monkeypatch.setitem(app.config, "MAIL_PORT", working)
    assert deliver(app) == 2 and len(smtp_server.messages) == 2


def test_a_refused_recipient_does_not_hold_up_the_others(app, make, smtp_server):
    refused, fine = make.user("staff"), make.user("staff")
    note(app, refused, fine)
    smtp_server.refuse.add(refused.email)
    assert deliver(app) == 1
    assert [to for to, _raw in smtp_server.messages] == [[fine.email]]
    smtp_server.refuse.clear()
    assert deliver(app) == 1  # tried again on the next run
    assert [to for to, _raw in smtp_server.messages] == [[fine.email], [refused.email]]


def test_a_run_mails_at_most_its_batch_oldest_first(app, make, smtp_server):
    users = [make.user("staff") for _ in range(3)]
    note(app, *users)
    assert deliver(app, limit=2) == 2
    assert [to for to, _raw in smtp_server.messages] == [[users[0].email], [users[1].email]]
    assert deliver(app, limit=2) == 1


# --- the scheduler's job ----------------------------------------------------------------


def test_the_job_runs_every_minute_and_forgets_its_old_runs(app, make, smtp_server):
    job = registry.get(JOB)
    assert job is not None and job.cron == {"minute": "*"}
    note(app, make.user("staff"))
    with app.app_context(), transaction() as session:
        old = utcnow() - timedelta(days=2)
        for period in ("2020-01-01T08:00", "2999-01-01T08:00"):
            session.add(
                JobRun(
                    job=JOB,
                    period=period,
                    state="succeeded",
                    attempts=1,
                    lease_until=old,
                    claimed_by="old",
                    started_at=old,
                    finished_at=old,
                )
            )
    with app.app_context():
        assert run_due(job, holder="test:1", period="2026-06-01T08:05") == Outcome.SUCCEEDED
        assert run_due(job, holder="test:2", period="2026-06-01T08:05") == Outcome.DONE
    assert len(smtp_server.messages) == 1
    periods = sorted(r.period for r in rows(app, JobRun, JobRun.job == JOB))
    assert periods == ["2026-06-01T08:05", "2999-01-01T08:00"]


@pytest.mark.slow
def test_two_schedulers_running_at_once_mail_each_once(app, make, smtp_server):
    """Two processes' runs of two minutes overlap (a slow server): every message goes once.
    PostgreSQL: the second skips the rows the first holds; SQLite: it waits for the first."""
    users = [make.user("staff") for _ in range(4)]
    note(app, *users)
    smtp_server.delay_s = 0.3
    job = registry.get(JOB)
    outcomes: dict[str, Outcome] = {}

    def scheduler(name: str, period: str) -> None:
        with app.app_context():
            outcomes[name] = run_due(job, holder=name, period=period)

    first = threading.Thread(target=scheduler, args=("one", "2026-06-01T08:05"))
    first.start()
    smtp_server.wait_for(1)  # the first is mailing, holding its rows
    second = threading.Thread(target=scheduler, args=("two", "2026-06-01T08:06"))
    second.start()
    first.join(timeout=30)
    second.join(timeout=30)
    assert outcomes == {"one": Outcome.SUCCEEDED, "two": Outcome.SUCCEEDED}
    recipients = sorted(to[0] for to, _raw in smtp_server.messages)
    assert recipients == sorted(u.email for u in users)
    assert all(n.emailed_at is not None for n in rows(app, Notification))

"""The production shape for real: two gunicorn processes and two scheduler processes on one
PostgreSQL database. The schedulers fire the monthly subsidy job on start while a staff
member's tool POSTs /api/v1/reports to both web servers at that same moment, again and
again: one run (version 1) with its files, the same run in every answer, mailed once
(a real SMTP server), its staff told once, and the park's "report.ready" webhook posted
once, signed, to a local HTTP server, though both schedulers deliver webhooks.

PostgreSQL only: SQLite is one file with one writer, not a database several hosts share.
"""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from opc.core.storage import storage
from opc.extensions import db
from opc.jobs.models import JobRun
from opc.notifications.models import Notification
from opc.parks.settings.operations import change_settings
from opc.reports.models import ReportFile, ReportRun
from opc.reports.notify import READY
from opc.reports.tasks import MONTHLY, month_before
from opc.webhooks.models import WebhookDelivery
from opc.webhooks.operations import create_webhook
from tests.core.gunicorn import Gunicorn
from tests.core.helpers import rows
from tests.jobs.test_scheduler import scheduler, wait_for  # noqa: F401 (a fixture)
from tests.reports.data import seed
from tests.webhooks.receiver import SECRET, receiver  # noqa: F401 (a fixture)

pytestmark = pytest.mark.slow

RECIPIENT = "finance@park.cn"
GATE = "tests.reports.scale_out_gate"


@pytest.fixture
def postgresql(app: Any) -> None:
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("the production shape is PostgreSQL: SQLite has one writer, one host")


def site_settings(app: Any, **extra: Any) -> dict[str, Any]:
    """What every process of the site shares: the mail server, the files, the links."""
    return {
        "MAIL_SERVER": app.config["MAIL_SERVER"],
        "MAIL_PORT": app.config["MAIL_PORT"],
        "EXTERNAL_URL": "http://127.0.0.1",
        "STORAGE_DIR": app.config["STORAGE_DIR"],
        "JOB_MODULES": [],
        "WEBHOOK_ALLOW_PRIVATE": True,  # the receiver is on 127.0.0.1
        **extra,
    }


def write_config(path: Path, settings: dict[str, Any]) -> Path:
    path.write_text("".join(f"{k} = {json.dumps(v)}\n" for k, v in settings.items()), "utf-8")
    return path


def post_report(port: int, token: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(
            "POST",
            "/api/v1/reports",
            body=json.dumps(body),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        answer = conn.getresponse()
        return answer.status, json.loads(answer.read() or b"{}")
    finally:
        conn.close()


class Clicks:
    """A tool that POSTs the report to one web server until the answer is a done run."""

    def __init__(self, port: int, token: str, body: dict[str, Any]) -> None:
        self.answers: list[tuple[int, dict[str, Any]]] = []
        self.thread = threading.Thread(target=self._run, args=(port, token, body), daemon=True)

    def _run(self, port: int, token: str, body: dict[str, Any]) -> None:
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            status, answer = post_report(port, token, body)
            self.answers.append((status, answer))
            if status not in (200, 201) or answer.get("status") == "done":
                return
            time.sleep(0.05)


def test_two_web_and_two_scheduler_processes_make_one_run(
    app,
    make,
    smtp_server,
    receiver,  # noqa: F811
    tmp_path,
    database_url,
    postgresql,
    scheduler,  # noqa: F811
):
    period = month_before(datetime.now(ZoneInfo("Asia/Shanghai")))
    park = make.park()
    seed(app, make, park, random.Random(13), teams=3)
    staff = make.user("staff", parks=[park])
    admin = make.user("admin")
    with app.app_context():
        change_settings(park, actor=None, values={"report_recipients": RECIPIENT})
        hook_id = create_webhook(
            park.id,
            url=receiver.url("generic"),
            kinds=[READY],
            secret=SECRET,
            name="BI",
            actor=admin,
        ).id
    token = make.token(staff)
    settings = site_settings(app)
    gate = tmp_path / "gate"
    gate.mkdir()
    config = write_config(tmp_path / "scheduler.toml", settings | {"JOB_MODULES": [GATE]})
    webs: list[Gunicorn] = []
    schedulers: list[Any] = []
    try:
        for name in ("web-a", "web-b"):  # one after the other: each boots within 30 s
            (tmp_path / name).mkdir()
            webs.append(Gunicorn(tmp_path / name, database_url, **settings))
        schedulers = [
            scheduler(name, [], OPC_CONFIG=str(config), OPC_TEST_GATE=str(gate))
            for name in ("a", "b")
        ]  # they boot, and wait at the gate
        wait_for(lambda: len(list(gate.glob("waiting-*"))) == 2, 90, "the gate", *schedulers)
        body = {"park_id": park.id, "kind": "monthly_subsidy", "period": period}
        clicks = [Clicks(web.port, token, body) for web in webs]
        (gate / "open").touch()  # the schedulers start and fire the job: click at once
        for click in clicks:
            click.thread.start()
        for click in clicks:
            click.thread.join(45)
        wait_for(
            lambda: [r for r in rows(app, JobRun, JobRun.job == MONTHLY) if r.state == "succeeded"],
            60,
            "the monthly report job",
            *schedulers,
        )
        for process in schedulers:  # both fired the job on start (the later found it done)
            line = f"scheduler {process.holder} started"
            wait_for(lambda p=process, s=line: s in p.output(), 60, "start", process)
        smtp_server.wait_for(1)
        receiver.wait_for(1, 30)
        time.sleep(4.5)  # two more delivery runs: time for a second post, mail or run
        assert [s.stop() for s in schedulers] == [0, 0], "".join(s.output() for s in schedulers)
    finally:
        for web in webs:
            web.stop()

    [run] = rows(app, ReportRun, ReportRun.park_id == park.id)
    assert (run.period, run.version, run.status, run.attempts) == (period, 1, "done", 1)
    answers = [answer for click in clicks for answer in click.answers]
    assert answers and {status for status, _a in answers} <= {200, 201}, answers
    assert {a["id"] for _s, a in answers} == {run.id}  # every answer: the same run
    assert sum(status == 201 for status, _a in answers) <= 1  # created once, if by a click
    files = rows(app, ReportFile, ReportFile.run_id == run.id)
    assert sorted(f.format for f in files) == ["csv", "xlsx"]
    for file in files:
        with app.app_context(), storage().open(file.storage_key) as stream:
            assert len(stream.read()) == file.size > 0
    mailed = [to for to, _raw in smtp_server.messages if RECIPIENT in to]
    assert mailed == [[RECIPIENT]]  # once, whoever produced it
    assert rows(app, ReportRun, ReportRun.id == run.id)[0].mailed_at is not None
    told = rows(app, Notification, Notification.kind == READY)
    assert sorted(n.user_id for n in told if n.params["run_id"] == run.id) == sorted(
        [staff.id, admin.id]
    )
    [posted] = receiver.received  # once, though both schedulers deliver every 2 s
    assert posted.verdict == "ok", posted.verdict  # signed with the hook's secret, fresh
    event = posted.json()
    assert (event["kind"], event["park_id"]) == (READY, park.id)
    assert (event["data"]["run_id"], event["data"]["version"]) == (run.id, 1)
    [delivery] = rows(app, WebhookDelivery, WebhookDelivery.webhook_id == hook_id)
    assert (delivery.id, delivery.status, delivery.attempts) == (event["id"], "delivered", 1)
    [job_run] = rows(app, JobRun, JobRun.job == MONTHLY)
    assert (job_run.period, job_run.attempts) == (period, 1)
    assert job_run.claimed_by in {s.holder for s in schedulers}

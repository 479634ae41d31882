"""A done run's files are mailed to the park's report recipients once, through a real SMTP
server; a server that is down leaves the run for the next sweep."""

from __future__ import annotations

import email
import email.policy

from opc.parks.settings.operations import change_settings
from opc.reports.mailing import mail_pending, mail_run
from opc.reports.models import ReportRun
from opc.reports.operations import produce_report
from tests.core.helpers import one
from tests.reports.helpers import csv_rows, workbook


def recipients(app, park, value: str) -> None:
    with app.app_context():
        change_settings(park, actor=None, values={"report_recipients": value})


def test_the_files_go_to_the_recipients_once(app, make, smtp_server):
    park = make.park()
    recipients(app, park, "finance@park.cn; Bi@Example.cn")
    with app.app_context():
        run, _created = produce_report(park_id=park.id, period="2026-02")
        run_id = run.id
        assert mail_run(run_id) is True
        assert mail_run(run_id) is False  # mailed: never again
        assert mail_pending() == 0
    [(to, raw)] = smtp_server.wait_for(1)
    assert sorted(to) == ["Bi@example.cn", "finance@park.cn"]
    message = email.message_from_string(raw, policy=email.policy.default)
    assert "2026-02" in str(message["Subject"]) and park.name_zh in str(message["Subject"])
    attachments = {a.get_filename(): a for a in message.iter_attachments()}
    csv_name = f"subsidy-{park.code}-2026-02-v1.csv"
    xlsx_name = f"subsidy-{park.code}-2026-02-v1.xlsx"
    assert sorted(attachments) == [csv_name, xlsx_name]
    assert attachments[csv_name].get_content_type() == "text/csv"
    assert csv_rows(attachments[csv_name].get_payload(decode=True))[0][0] == "Section"
    book = workbook(attachments[xlsx_name].get_payload(decode=True))
    assert book.active.freeze_panes == "A2"
    assert one(app, ReportRun, run_id).mailed_at is not None


def test_a_server_down_leaves_the_run_for_the_next_sweep(app, make, smtp_server):
    park = make.park()
    recipients(app, park, "finance@park.cn")
    smtp_server.refuse.add("finance@park.cn")
    with app.app_context():
        run_id = produce_report(park_id=park.id, period="2026-02")[0].id
        assert mail_run(run_id) is False
    assert one(app, ReportRun, run_id).mailed_at is None
    smtp_server.refuse.clear()
    with app.app_context():
        assert mail_pending() == 1
        assert mail_pending() == 0
    assert len(smtp_server.wait_for(1)) == 1


def test_a_park_without_recipients_is_not_mailed(app, make, smtp_server):
    park = make.park()
    with app.app_context():
        run_id = produce_report(park_id=park.id, period="2026-02")[0].id
        assert mail_run(run_id) is False
    assert smtp_server.messages == []
    assert one(app, ReportRun, run_id).mailed_at is None


def test_recipients_must_be_e_mail_addresses(app, make):
    from opc.core.errors import ValidationFailed

    park = make.park()
    with app.app_context():
        try:
            change_settings(park, actor=None, values={"report_recipients": "a@b.cn, nonsense"})
        except ValidationFailed as refused:
            assert "report_recipients" in refused.fields
        else:
            raise AssertionError("accepted a malformed address")

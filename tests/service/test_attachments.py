"""Files of a service request: attached by its team or staff (API and page), by content
type (a disguised file is 422), downloaded by whoever sees the request (404 to others),
none once closed; a refusal keeps nothing."""

from __future__ import annotations

import io

import time_machine

from opc.service.models import ServiceAttachment
from opc.service.operations import requests as ops
from opc.service.operations import team as team_ops
from tests.conftest import csrf_token, login
from tests.core.helpers import table_counts
from tests.funds.helpers import PDF_BYTES, stored_files
from tests.service import helpers as h
from tests.service.helpers import at

NOW = at(2026, 3, 3, 9, 0)


def _upload(client, url, data, name="营业执照.pdf"):
    return client.post(
        url, data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data"
    )


def test_the_team_attaches_a_file_and_staff_download_it(app, make, api):
    d = h.desk(make)
    r = h.opened(app, d, NOW)
    with time_machine.travel(NOW, tick=False):
        sent = _upload(api(d.member), f"/service-requests/{r.id}/attachments", PDF_BYTES)
        assert sent.status_code == 201, sent.get_json()
        got = sent.get_json()
        detail = api(d.staff).get(f"/service-requests/{r.id}").get_json()
        file = api(d.staff).get(f"/service-attachments/{got['id']}/download")
        outsider = make.user("member", team=make.team(d.park, status="resident"))
        hidden = api(outsider).get(f"/service-attachments/{got['id']}/download")
        elsewhere = make.user("staff", parks=[make.park()])
        foreign = _upload(api(elsewhere), f"/service-requests/{r.id}/attachments", PDF_BYTES)
    assert (got["filename"], got["kind"]) == ("营业执照.pdf", "pdf")
    assert [a["id"] for a in detail["attachments"]] == [got["id"]]
    assert file.status_code == 200 and file.data == PDF_BYTES
    assert hidden.status_code == 404 and foreign.status_code == 404


def test_a_disguised_file_or_a_closed_request_keeps_nothing(app, make, api):
    d = h.desk(make)
    r = h.opened(app, d, NOW)
    url = f"/service-requests/{r.id}/attachments"
    member = api(d.member)
    before = table_counts(app), stored_files(app)
    with time_machine.travel(NOW, tick=False):
        disguised = _upload(member, url, b"MZ\x90\x00 not a pdf", "合同.pdf")
    assert disguised.status_code == 422
    assert h.error_of(disguised)["code"] == "file_type_refused"
    assert (table_counts(app), stored_files(app)) == before
    h.act(app, NOW, ops.resolve, r.id, actor=d.staff)
    h.act(app, NOW, team_ops.confirm, r.id, actor=d.member)
    before = table_counts(app), stored_files(app)
    with time_machine.travel(NOW, tick=False):
        closed = _upload(member, url, PDF_BYTES)
    assert closed.status_code == 409 and h.error_of(closed)["code"] == "request_closed"
    assert (table_counts(app), stored_files(app)) == before


def test_a_file_is_attached_from_the_requests_page(app, make, client):
    d = h.desk(make)
    r = h.opened(app, d, NOW)
    page = f"/service/requests/{r.id}"
    with time_machine.travel(NOW, tick=False):
        login(client, d.member.email)
        data = {"csrf_token": csrf_token(client, page), "file": (io.BytesIO(PDF_BYTES), "a.pdf")}
        sent = client.post(f"{page}/attachments", data=data, content_type="multipart/form-data")
        shown = h.text(client.get(page))
    assert sent.status_code == 302
    (attachment,) = h.rows(app, ServiceAttachment)
    assert f'data-attachment="{attachment.id}"' in shown and "a.pdf" in shown


def test_a_file_over_the_limit_is_413_and_kept_nowhere(app, make, api, monkeypatch):
    d = h.desk(make)
    r = h.opened(app, d, NOW)
    monkeypatch.setitem(app.config, "UPLOAD_MAX_BYTES", 4096)
    member = api(d.member)
    url = f"/service-requests/{r.id}/attachments"
    big = PDF_BYTES + b"%" * (4097 - len(PDF_BYTES))
    before = table_counts(app), stored_files(app)
    with time_machine.travel(NOW, tick=False):
        refused = _upload(member, url, big)
        assert refused.status_code == 413
        assert h.error_of(refused)["code"] == "file_too_large"
        assert (table_counts(app), stored_files(app)) == before
        assert _upload(member, url, big[:4096]).status_code == 201

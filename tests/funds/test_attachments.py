"""Files of an application through the API: PDF, PNG, JPEG, XLSX and DOCX by their content
(a disguised file is 422), at most UPLOAD_MAX_BYTES (413 naming it), each naming the required
document it provides, added and removed while a draft only, downloaded under a safe name by
whoever may see the application (404 to everyone else); a refusal keeps no file."""

from __future__ import annotations

import pytest
from werkzeug.http import parse_options_header

from opc.funds.application_models import Attachment
from tests.core.helpers import table_counts
from tests.core.test_filetypes import docx, jpeg, png, xlsx
from tests.funds import helpers as h


@pytest.fixture
def draft(make):
    park = make.park()
    call = h.call(make, h.fund(make, park), required_documents=["商业计划书", "财务报表"])
    team, member = h.member_of(make, park)
    return park, call, team, member, h.application(make, call, team)


@pytest.mark.parametrize(
    ("content", "name", "kind", "served_as"),
    [
        (h.PDF_BYTES, "商业计划书 v2.PDF", "pdf", "商业计划书 v2.pdf"),
        (png(), "logo.png", "png", "logo.png"),
        (jpeg(), "剧照.jpeg", "jpeg", "剧照.jpg"),
        (xlsx(), "预算.xlsx", "xlsx", "预算.xlsx"),
        (docx(), "说明.doc", "docx", "说明.docx"),
    ],
)
def test_each_allowed_type_is_kept_and_served_back(app, api, draft, content, name, kind, served_as):
    _park, _call, _team, member, application = draft
    client = api(member)
    response = h.upload(client, f"/applications/{application.id}/attachments", content, name)
    assert response.status_code == 201, response.get_json()
    got = response.get_json()
    assert (got["kind"], got["size"], got["filename"]) == (kind, len(content), served_as)
    stored = h.rows(app, Attachment)[0]
    assert stored.storage_key not in name and len(stored.storage_key) > 30
    download = client.get(f"/attachments/{got['id']}/download")
    assert download.status_code == 200 and download.data == content
    disposition, options = parse_options_header(download.headers["Content-Disposition"])
    assert disposition == "attachment" and options["filename"] == served_as
    assert download.headers["X-Content-Type-Options"] == "nosniff"


def test_a_file_names_the_required_document_it_provides(app, api, draft):
    _park, _call, _team, member, application = draft
    client = api(member)
    url = f"/applications/{application.id}/attachments"
    got = h.upload(client, url, h.PDF_BYTES, document="财务报表").get_json()
    assert got["document"] == "财务报表"
    detail = client.get(f"/applications/{application.id}").get_json()
    assert detail["missing_documents"] == ["商业计划书"]
    before = table_counts(app), h.stored_files(app)
    unknown = h.upload(client, url, h.PDF_BYTES, document="营业执照")
    assert unknown.status_code == 422 and "document" in h.error_of(unknown)["fields"]
    assert (table_counts(app), h.stored_files(app)) == before
    listed = client.get(url).get_json()
    assert [a["document"] for a in listed["items"]] == ["财务报表"] and listed["total"] == 1


@pytest.mark.parametrize(
    ("content", "name", "detected"),
    [
        (b"<!doctype html><script>alert(1)</script>", "计划书.pdf", "html"),
        (b"MZ\x90\x00" + b"\x00" * 60, "budget.xlsx", "exe"),
        (b"just some text", "photo.png", None),
    ],
)
def test_a_disguised_file_is_422_and_nothing_is_kept(app, api, draft, content, name, detected):
    _park, _call, _team, member, application = draft
    client = api(member)
    before = table_counts(app), h.stored_files(app)
    response = h.upload(client, f"/applications/{application.id}/attachments", content, name)
    assert response.status_code == 422
    error = h.error_of(response)
    assert error["code"] == "file_type_refused" and error.get("detected") == detected
    assert (table_counts(app), h.stored_files(app)) == before


def test_a_file_over_the_limit_is_413_naming_it_and_nothing_is_kept(app, api, draft, monkeypatch):
    _park, _call, _team, member, application = draft
    monkeypatch.setitem(app.config, "UPLOAD_MAX_BYTES", 4096)
    client = api(member)
    url = f"/applications/{application.id}/attachments"
    before = table_counts(app), h.stored_files(app)
    big = h.PDF_BYTES + b"%" * (4097 - len(h.PDF_BYTES))
    response = h.upload(client, url, big)
    assert response.status_code == 413
    error = h.error_of(response)
    assert error["code"] == "file_too_large" and error["limit"] == 4096
    assert "4 KiB" in error["message"] and "4096 bytes" in error["message"]
    assert (table_counts(app), h.stored_files(app)) == before
    assert h.upload(client, url, big[:4096]).status_code == 201


def test_a_file_is_required(api, draft):
    _park, _call, _team, member, application = draft
    response = api(member).post(
        f"/applications/{application.id}/attachments",
        data={"document": "财务报表"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and "file" in h.error_of(response)["fields"]


def test_files_change_in_a_draft_only(app, api, draft):
    _park, _call, _team, member, application = draft
    client = api(member)
    url = f"/applications/{application.id}/attachments"
    attached = h.upload(client, url, h.PDF_BYTES, document="商业计划书").get_json()
    h.upload(client, url, h.PDF_BYTES, document="财务报表")
    assert client.post(f"/applications/{application.id}/submit").status_code == 200
    before = table_counts(app), h.stored_files(app)
    late = h.upload(client, url, h.PDF_BYTES)
    assert late.status_code == 409 and h.error_of(late)["code"] == "application_frozen"
    removed = client.delete(f"/attachments/{attached['id']}")
    assert removed.status_code == 409 and h.error_of(removed)["code"] == "application_frozen"
    assert (table_counts(app), h.stored_files(app)) == before


def test_a_file_is_removed_from_a_draft_with_its_bytes(app, api, draft):
    _park, _call, _team, member, application = draft
    client = api(member)
    files_before = h.stored_files(app)
    got = h.upload(client, f"/applications/{application.id}/attachments", h.PDF_BYTES).get_json()
    assert len(h.stored_files(app)) == len(files_before) + 1
    assert client.delete(f"/attachments/{got['id']}").status_code == 204
    assert h.count(app, Attachment) == 0 and h.stored_files(app) == files_before
    assert client.get(f"/attachments/{got['id']}/download").status_code == 404


def test_only_who_may_see_the_application_downloads_its_files(app, make, api, draft):
    park, _call, _team, member, application = draft
    got = h.upload(api(member), f"/applications/{application.id}/attachments", h.PDF_BYTES)
    url = f"/attachments/{got.get_json()['id']}/download"
    _other, stranger = h.member_of(make, park)
    assigned, unassigned = make.user("reviewer"), make.user("reviewer")
    h.review(make, application, assigned)
    for user, status in (
        (member, 200),
        (make.user("staff", parks=[park]), 200),
        (assigned, 200),
        (stranger, 404),
        (unassigned, 404),
        (make.user("staff", parks=[make.park()]), 404),
    ):
        assert api(user).get(url).status_code == status, user.email
    stranger_api = api(stranger)
    before = table_counts(app), h.stored_files(app)
    upload = h.upload(stranger_api, f"/applications/{application.id}/attachments", h.PDF_BYTES)
    assert upload.status_code == 404
    assert stranger_api.delete(url.removesuffix("/download")).status_code == 404
    assert (table_counts(app), h.stored_files(app)) == before


def test_the_upload_and_download_routes_are_described_exactly(app):
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    post = document["paths"]["/api/v1/applications/{application_id}/attachments"]["post"]
    schema = post["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert set(schema["properties"]) == {"file", "document"} and schema["required"] == ["file"]
    assert schema["properties"]["file"]["format"] == "binary"
    assert schema["additionalProperties"] is False
    assert {"201", "404", "409", "413", "422"} <= set(post["responses"])
    get = document["paths"]["/api/v1/attachments/{attachment_id}/download"]["get"]
    assert set(get["responses"]["200"]["content"]) == {
        "application/pdf",
        "image/png",
        "image/jpeg",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }


def test_an_application_takes_a_bounded_number_of_files(app, api, draft, monkeypatch):
    from opc.funds.operations import attachments

    _park, _call, _team, member, application = draft
    monkeypatch.setattr(attachments, "MAX_ATTACHMENTS", 1)
    client = api(member)
    url = f"/applications/{application.id}/attachments"
    assert h.upload(client, url, h.PDF_BYTES).status_code == 201
    before = table_counts(app), h.stored_files(app)
    refused = h.upload(client, url, h.PDF_BYTES)
    assert refused.status_code == 409 and h.error_of(refused)["code"] == "too_many_attachments"
    assert (table_counts(app), h.stored_files(app)) == before


def test_a_file_whose_record_is_refused_after_storing_is_deleted(app, api, draft, monkeypatch):
    """Submitted between the check and the write (another request): the stored bytes go."""
    from opc.core.errors import RuleViolation
    from opc.funds.operations import attachments

    _park, _call, _team, member, application = draft
    checks = iter([False, True])
    original = attachments._may_attach

    def racing(*args):
        if next(checks, True):
            raise RuleViolation("application_frozen", "submitted meanwhile")
        return original(*args)

    monkeypatch.setattr(attachments, "_may_attach", racing)
    client = api(member)
    before = table_counts(app), h.stored_files(app)
    response = h.upload(client, f"/applications/{application.id}/attachments", h.PDF_BYTES)
    assert response.status_code == 409
    assert (table_counts(app), h.stored_files(app)) == before

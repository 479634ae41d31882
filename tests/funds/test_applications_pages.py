"""The team's application portal in the browser's terms: the open calls of the park (the
close in the park's time), the draft form (input kept, 422 when refused), files, submitting
and withdrawing after a confirmation, and the application's page for every role who may
see it (404 for the others; applicants never read a reviewer's name)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import time_machine

from opc.funds.application_models import Application, ApplicationChange, Attachment
from tests.conftest import csrf_token, login
from tests.core.helpers import one, text
from tests.funds import helpers as h

EN = {"Accept-Language": "en"}


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(h.NOW, tick=False):
        yield


@pytest.fixture
def portal(make, client, as_user):
    park = make.park()
    call = h.call(make, h.fund(make, park), required_documents=["商业计划书"])
    team = make.team(park, status="resident")
    member = as_user("member", team=team)
    return park, call, team, member


def test_the_member_sees_the_open_calls_of_the_park(make, client, portal):
    park, call, _team, _member = portal
    h.call(make, h.fund(make, park), title_en="Closed call", closes_at=h.NOW)
    h.call(make, h.fund(make, make.park()), title_en="Elsewhere")
    page = client.get("/applications/", headers=EN)
    assert page.status_code == 200
    body = text(page)
    assert "Creator support, Q4 2026" in body and "Closed call" not in body
    assert "Elsewhere" not in body
    assert "13 Dec 2026, 10:00" in body  # 02:00 UTC in Chengdu
    assert "¥100,000.00" in body and "¥20,000.00" in body and "商业计划书" in body
    assert f"/calls/{call.id}/apply" in body
    assert 'href="/applications/"' in text(client.get("/", headers=EN, follow_redirects=True))


def test_the_portal_is_the_members(make, client, as_user):
    park = make.park()
    as_user("staff", parks=[park])
    assert client.get("/applications/").status_code == 404
    assert 'href="/applications/"' not in text(client.get("/", follow_redirects=True))


def _form(**kw):
    data = {
        "title": "AIGC 短剧",
        "amount_yuan": "15,000.00",
        "purpose": "拍摄与后期",
        "milestones-0-title": "剧本",
        "milestones-0-due": "2027-01-31",
        "milestones-0-amount_yuan": "5000",
        "milestones-1-title": "",
        "answers-0-question": "团队规模",
        "answers-0-answer": "5 人",
    }
    data.update(kw)
    return data


def test_a_draft_is_made_from_the_form(app, client, portal):
    _park, call, _team, _member = portal
    url = f"/calls/{call.id}/apply"
    assert client.get(url).status_code == 200
    response = h.post_form(client, url, _form())
    assert response.status_code == 302
    stored = h.rows(app, Application)[0]
    assert response.headers["Location"].endswith(f"/applications/{stored.id}")
    assert (stored.title, stored.amount_fen, stored.status) == ("AIGC 短剧", 1_500_000, "draft")
    assert stored.milestones == [{"title": "剧本", "due": "2027-01-31", "amount_yuan": "5000.00"}]
    assert stored.answers == {"团队规模": "5 人"}


def test_a_refused_draft_keeps_its_input_with_422(app, client, portal):
    _park, call, _team, _member = portal
    url = f"/calls/{call.id}/apply"
    response = h.post_form(client, url, _form(amount_yuan="30000"), headers=EN)
    assert response.status_code == 422
    body = text(response)
    assert 'value="AIGC 短剧"' in body and 'value="剧本"' in body and "20000.00" in body
    bad_row = h.post_form(client, url, _form(**{"milestones-0-due": ""}), headers=EN)
    assert bad_row.status_code == 422 and "Milestone 1: a due date is required" in text(bad_row)
    assert h.count(app, Application) == 0


def test_a_draft_is_changed_from_its_form(app, make, client, portal):
    _park, call, team, _member = portal
    draft = h.application(
        make, call, team, milestones=[{"title": "一", "due": "2027-01-01", "amount_yuan": "100.00"}]
    )
    url = f"/applications/{draft.id}/edit"
    form = text(client.get(url))
    assert 'value="AIGC 短剧制作"' in form and 'value="2027-01-01"' in form
    response = h.post_form(client, url, _form(title="新标题"))
    assert response.status_code == 302
    assert one(app, Application, draft.id).title == "新标题"


def _attach(client, application_id, data, name="计划书.pdf", document="商业计划书"):
    token = csrf_token(client, f"/applications/{application_id}")
    return client.post(
        f"/applications/{application_id}/attachments",
        data={"csrf_token": token, "file": (io.BytesIO(data), name), "document": document},
        content_type="multipart/form-data",
        headers=EN,
    )


def test_files_are_attached_and_removed_on_the_page(app, make, client, portal, monkeypatch):
    _park, call, team, _member = portal
    draft = h.application(make, call, team)
    files_before = h.stored_files(app)
    assert _attach(client, draft.id, h.PDF_BYTES).status_code == 302
    detail = text(client.get(f"/applications/{draft.id}", headers=EN))
    assert "计划书.pdf" in detail and "Still to attach" not in detail
    disguised = _attach(client, draft.id, b"<html><script>x</script>", "a.pdf")
    assert disguised.status_code == 422 and "HTML" in text(disguised)
    monkeypatch.setitem(app.config, "UPLOAD_MAX_BYTES", 1024)
    big = _attach(client, draft.id, h.PDF_BYTES + b"%" * 2000)
    assert big.status_code == 413 and "1024 bytes" in text(big)
    assert h.count(app, Attachment) == 1 and len(h.stored_files(app)) == len(files_before) + 1
    attachment = h.rows(app, Attachment)[0]
    download = client.get(f"/attachments/{attachment.id}/download")
    assert download.status_code == 200 and download.data == h.PDF_BYTES
    removed = h.post_form(
        client, f"/attachments/{attachment.id}/delete", {}, page=f"/applications/{draft.id}"
    )
    assert removed.status_code == 302
    assert h.count(app, Attachment) == 0 and h.stored_files(app) == files_before


def test_submitting_is_asked_first_and_refused_after_the_close(app, make, client, portal):
    park, _call, team, member = portal
    # Two calls closing within the login session's life, at 10:30 in Chengdu.
    closes = h.NOW + timedelta(minutes=30)
    calls = [h.call(make, h.fund(make, park), closes_at=closes) for _ in range(2)]
    in_time, late = (h.application(make, c, team) for c in calls)
    confirm = text(client.get(f"/applications/{in_time.id}/submit", headers=EN))
    assert "3 Dec 2026, 10:30:00 (Asia/Shanghai)" in confirm
    with time_machine.travel(closes - timedelta(seconds=1), tick=False):
        done = h.post_form(client, f"/applications/{in_time.id}/submit", {})
        assert done.status_code == 302
    with time_machine.travel(closes, tick=False):  # the session's clock never goes back
        refused = h.post_form(client, f"/applications/{late.id}/submit", {}, headers=EN)
        detail = text(client.get(f"/applications/{in_time.id}", headers=EN))
    assert refused.status_code == 422
    assert "The call closed at 3 Dec 2026, 10:30:00 (Asia/Shanghai)" in text(refused)
    assert one(app, Application, in_time.id).status == "submitted"
    assert one(app, Application, late.id).status == "draft"
    assert "Submitted" in detail and member.name in detail
    assert f"/applications/{in_time.id}/edit" not in detail  # frozen: no more changes


def test_submitting_without_the_required_documents_names_them(app, make, client, portal):
    _park, call, team, _member = portal
    draft = h.application(make, call, team)
    refused = h.post_form(client, f"/applications/{draft.id}/submit", {}, headers=EN)
    assert refused.status_code == 422 and "商业计划书" in text(refused)
    assert one(app, Application, draft.id).status == "draft"


def test_withdrawing_is_asked_first(app, make, client, portal):
    _park, call, team, _member = portal
    record = h.application(make, call, team, status="in_review")
    url = f"/applications/{record.id}/withdraw"
    assert client.get(url).status_code == 200
    response = h.post_form(client, url, {"note": "改投他处"})
    assert response.status_code == 302
    assert one(app, Application, record.id).status == "withdrawn"
    assert "改投他处" in text(client.get(f"/applications/{record.id}"))


def test_the_application_page_is_for_who_may_see_it(app, make, client, portal):
    park, call, team, _member = portal
    record = h.application(make, call, team, status="in_review")
    assigned = make.user("reviewer", name="评审专家甲")
    h.review(make, record, assigned)
    make._save(
        ApplicationChange(
            application_id=record.id,
            from_status="submitted",
            to_status="screening",
            by_id=assigned.id,
            at=h.NOW,
        )
    )
    url = f"/applications/{record.id}"
    mine = text(client.get(url))
    assert "评审专家甲" not in mine  # applicants never read a reviewer's name
    for user, status in (
        (make.user("staff", parks=[park]), 200),
        (assigned, 200),
        (make.user("member", team=make.team(park)), 404),
        (make.user("reviewer"), 404),
        (make.user("staff", parks=[make.park()]), 404),
    ):
        assert _as(app, user).get(url).status_code == status, user.email
    assert "评审专家甲" in text(_as(app, make.user("staff", parks=[park])).get(url))


def _as(app, user):
    other = app.test_client()
    assert login(other, user.email).status_code == 302
    return other


def test_staff_see_the_review_and_decision_panels_and_members_do_not(make, client, portal):
    park, call, team, _member = portal
    record = h.application(make, call, team, status="submitted")
    url = f"/applications/{record.id}"
    mine = text(client.get(url))
    assert 'id="review-panel"' not in mine and 'id="decision-panel"' not in mine
    staff = text(_as(make.app, make.user("staff", parks=[park])).get(url))
    assert 'id="review-panel"' in staff and 'id="decision-panel"' in staff
    assert f'href="/funds/calls/{call.id}"' in staff  # the way back to the call


def test_the_portal_speaks_chinese(client, portal):
    page = text(client.get("/applications/", headers={"Accept-Language": "zh-CN"}))
    assert "基金申请" in page and "我们的申请" in page and "起草申请" in page


def test_each_open_call_shows_the_teams_live_application_whatever_the_page(
    app, make, client, portal, monkeypatch
):
    park, call, team, _member = portal
    later = h.call(make, h.fund(make, park), title_en="Later call")
    older = h.application(make, call, team)
    h.application(make, later, team, status="submitted")
    monkeypatch.setitem(app.config, "PER_PAGE", 1)  # the older one is on page 2
    body = text(client.get("/applications/", headers=EN))
    assert f'href="/applications/{older.id}">Your application: Draft' in body
    assert f"/calls/{call.id}/apply" not in body and f"/calls/{later.id}/apply" not in body


def test_the_application_page_shows_its_content(make, client, portal):
    _park, call, team, _member = portal
    milestone = {"title": "成片", "due": "2027-03-31", "amount_yuan": "5000.00"}
    record = h.application(
        make, call, team, purpose="拍摄", milestones=[milestone], answers={"团队规模": "5 人"}
    )
    body = text(client.get(f"/applications/{record.id}", headers=EN))
    assert "¥10,000.00" in body and "拍摄" in body and "团队规模" in body and "5 人" in body
    assert "成片" in body and "31 Mar 2027" in body and "¥5,000.00" in body
    assert "Still to attach: 商业计划书" in body
    assert '<option selected value="商业计划书">' in body  # the upload offers what is missing
    assert "at most 20 MiB" in body


def test_a_call_the_team_may_not_apply_to_says_why(make, client, portal):
    park, _call, _team, _member = portal
    games = h.call(make, h.fund(make, park), title_en="Games only", tracks=["games"])
    body = text(client.get("/applications/", headers=EN))
    assert "The call is not open to teams of the track AIGC film." in body
    assert f"/calls/{games.id}/apply" not in body


def test_an_upload_without_a_file_is_422_and_strangers_get_404(app, make, client, portal):
    _park, call, team, _member = portal
    draft = h.application(make, call, team)
    token = csrf_token(client, f"/applications/{draft.id}")
    empty = client.post(
        f"/applications/{draft.id}/attachments",
        data={"csrf_token": token, "document": ""},
        content_type="multipart/form-data",
        headers=EN,
    )
    assert empty.status_code == 422 and "Choose a file." in text(empty)
    assert _attach(client, draft.id, h.PDF_BYTES).status_code == 302
    attachment = h.rows(app, Attachment)[0]
    stranger = _as(app, make.user("member", team=make.team(_park)))
    assert stranger.get(f"/attachments/{attachment.id}/download").status_code == 404
    assert stranger.get(f"/applications/{draft.id}/edit").status_code == 404
    assert stranger.get(f"/applications/{draft.id}/submit").status_code == 404
    assert h.count(app, Attachment) == 1

"""/api/v1/notifications: one's own, paged, newest first, in the request's language, the
unread ones with ?unread=true; POST …/{id}/read and …/read mark them. Every role that
signs in has notifications, each only their own."""

from __future__ import annotations

import pytest

from tests.notifications.helpers import error_of, note, params, stored

ZH = {"Accept-Language": "zh-CN"}


def get_in(caller, path, language):
    """A GET of the API client with the browser's language besides its token."""
    return caller.client.get(f"/api/v1{path}", headers={**caller.headers, **language})


def test_the_list_is_ones_own_newest_first(app, make, api):
    me, other = make.user("staff"), make.user("staff")
    first, second = note(app, me)[0], note(app, me)[0]
    note(app, other)
    body = api(me).get("/notifications").get_json()  # English: the tests' default
    assert [n["id"] for n in body["items"]] == [second, first] and body["total"] == 2
    item = body["items"][0]
    assert item["kind"] == "test.note" and item["params"] == params()
    assert (item["title"], item["body"]) == ("Notification Nebula Studio", "¥1,234.50")
    assert item["link"] == "/teams/1" and item["read_at"] is None and item["created_at"]


def test_the_texts_follow_the_requests_language(app, make, api):
    me = make.user("member")
    note(app, me)
    [item] = get_in(api(me), "/notifications", ZH).get_json()["items"]
    assert item["title"] == "通知 星云工作室"


def test_paged_and_unread_only(app, make, api, monkeypatch):
    me = make.user("staff")
    ids = [note(app, me)[0] for _ in range(3)]
    client = api(me)
    assert client.post(f"/notifications/{ids[2]}/read").status_code == 200
    page = client.get("/notifications?per_page=1&page=2").get_json()
    assert [n["id"] for n in page["items"]] == [ids[1]] and page["total"] == 3
    unread = client.get("/notifications?unread=true").get_json()
    assert [n["id"] for n in unread["items"]] == [ids[1], ids[0]] and unread["total"] == 2
    everything = client.get("/notifications?unread=false").get_json()
    assert everything["total"] == 3


def test_mark_one_read(app, make, api):
    me = make.user("member")
    [nid] = note(app, me)
    first = api(me).post(f"/notifications/{nid}/read")
    assert first.status_code == 200 and first.get_json()["read_at"]
    again = api(me).post(f"/notifications/{nid}/read")
    assert again.get_json()["read_at"] == first.get_json()["read_at"]  # read once
    assert stored(app)[0].read_at is not None


@pytest.mark.parametrize("role", ["staff", "admin"])
def test_someone_elses_is_not_found_and_stays_unread(app, make, api, role):
    [theirs] = note(app, make.user("member"))
    response = api(make.user(role)).post(f"/notifications/{theirs}/read")
    assert response.status_code == 404 and error_of(response)["code"] == "not_found"
    assert api(make.user(role)).post("/notifications/999999/read").status_code == 404
    assert stored(app)[0].read_at is None


def test_mark_all_read(app, make, api):
    me, other = make.user("staff"), make.user("staff")
    note(app, me)
    note(app, me)
    note(app, other)
    assert api(me).post("/notifications/read").get_json() == {"marked": 2}
    assert api(me).post("/notifications/read").get_json() == {"marked": 0}
    assert [n.read_at is None for n in stored(app)] == [False, False, True]


@pytest.mark.parametrize("role", ["admin", "staff", "reviewer", "member", "provider"])
def test_every_role_has_its_own_notifications(app, make, api, role):
    me = make.user(role, password=None) if role == "provider" else make.user(role)
    [nid] = note(app, me)
    assert [n["id"] for n in api(me).get("/notifications").get_json()["items"]] == [nid]


def test_a_read_token_lists_but_does_not_mark(app, make, api):
    me = make.user("staff")
    [nid] = note(app, me)
    reader = api(me, scope="read")
    assert reader.get("/notifications").status_code == 200
    refused = reader.post(f"/notifications/{nid}/read")
    assert refused.status_code == 403 and error_of(refused)["code"] == "insufficient_scope"
    assert stored(app)[0].read_at is None


def test_anonymous_and_bad_input(app, client, make, api):
    assert client.get("/api/v1/notifications").status_code == 401
    assert client.post("/api/v1/notifications/1/read").status_code in (400, 401)
    me = api(make.user("staff"))
    assert me.get("/notifications?unread=maybe").status_code == 422
    assert me.get("/notifications?mine=1").status_code == 422
    assert me.get("/notifications?per_page=201").status_code == 422

"""The list page (newest first, unread marked, paged, one's own only), marking one or all
read by POST with CSRF and back to the list, and the unread badge in the header: one
statement for a logged-in user, none for a visitor."""

from __future__ import annotations

import re

import pytest
from sqlalchemy.exc import OperationalError

from opc import notifications
from opc.core.db import transaction
from opc.notifications import operations as ops
from opc.notifications import queries
from opc.notifications.models import Notification
from tests.conftest import csrf_token
from tests.notifications.helpers import KIND, count, note, params, post_form, stored, text

EN = {"Accept-Language": "en"}
ROW = re.compile(r'<tr data-notification="(\d+)"( class="unread")?>')
BADGE = re.compile(
    r'class="notifications-link"[^>]*>Notifications(?: <span class="badge">([^<]+))?'
)


def listed(client, path="/notifications/"):
    """(id, unread) of the rows the page shows, in its order."""
    response = client.get(path, headers=EN)
    assert response.status_code == 200
    return [(int(i), bool(unread)) for i, unread in ROW.findall(text(response))]


def badge(client, path="/notifications/"):
    found = BADGE.search(text(client.get(path, headers=EN)))
    assert found, "no notifications link in the header"
    return found.group(1)


def test_the_list_is_ones_own_newest_first_with_unread_marked(app, client, make, as_user):
    me = as_user("staff")
    other = make.user("staff")
    first, second = note(app, me), note(app, me)
    note(app, other)
    with app.app_context():
        ops.mark_read(first[0], actor=me)
    assert listed(client) == [(second[0], True), (first[0], False)]
    page = text(client.get("/notifications/", headers=EN))
    assert "Notification Nebula Studio" in page and "¥1,234.50" in page
    assert 'href="/teams/1"' in page


def test_an_admin_sees_only_their_own_too(app, client, make, as_user):
    admin = as_user("admin")
    note(app, make.user("staff"))
    mine = note(app, admin)
    assert listed(client) == [(mine[0], True)]


def test_the_list_is_paged_and_filters_unread(app, client, as_user, monkeypatch):
    monkeypatch.setitem(app.config, "PER_PAGE", 2)
    me = as_user("member")
    ids = [note(app, me)[0] for _ in range(5)]
    assert [i for i, _ in listed(client)] == ids[::-1][:2]
    assert [i for i, _ in listed(client, "/notifications/?page=3")] == [ids[0]]
    post_form(client, f"/notifications/{ids[4]}/read", {}, page="/notifications/")
    assert [i for i, _ in listed(client, "/notifications/?unread=1")] == [ids[3], ids[2]]


def test_mark_one_read_then_back_to_the_list(app, client, as_user):
    me = as_user("staff")
    [nid] = note(app, me)
    response = post_form(
        client, f"/notifications/{nid}/read?unread=1&page=2", {}, page="/notifications/"
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/notifications/?unread=1&page=2"
    [read] = stored(app)
    assert read.read_at is not None
    again = post_form(client, f"/notifications/{nid}/read", {}, page="/notifications/")
    assert again.status_code == 302 and stored(app)[0].read_at == read.read_at


def test_marking_needs_the_csrf_token(app, client, as_user):
    me = as_user("staff")
    [nid] = note(app, me)
    assert client.post(f"/notifications/{nid}/read").status_code == 400
    assert client.post("/notifications/read").status_code == 400
    assert stored(app)[0].read_at is None


def test_nobody_marks_someone_elses(app, client, make, as_user):
    as_user("admin")
    [theirs] = note(app, make.user("staff"))
    response = post_form(client, f"/notifications/{theirs}/read", {}, page="/notifications/")
    assert response.status_code == 404
    post_form(client, "/notifications/read", {}, page="/notifications/")
    assert stored(app)[0].read_at is None


def test_mark_all_read(app, client, make, as_user):
    me = as_user("member")
    note(app, me)
    note(app, me)
    [theirs] = note(app, make.user("staff"))
    assert badge(client) == "2"
    response = post_form(client, "/notifications/read", {}, page="/notifications/")
    assert response.status_code == 302 and response.headers["Location"] == "/notifications/"
    assert count(app, Notification, Notification.read_at.is_(None)) == 1  # theirs
    assert [n.id for n in stored(app, Notification.read_at.is_(None))] == [theirs]
    page = client.get("/notifications/", headers=EN)
    assert "All notifications are marked read." in text(page)
    assert badge(client) is None


def test_the_badge_counts_unread_up_to_99_plus(app, client, as_user):
    me = as_user("staff")
    assert badge(client, "/account") is None
    note(app, me)
    assert badge(client, "/account") == "1"
    with app.app_context(), transaction() as session:
        for _ in range(98):
            notifications.notify(session, [me.id], KIND, params())
    assert badge(client, "/account") == "99"
    note(app, me)
    assert badge(client, "/account") == "99+"


def test_the_badge_is_one_statement_and_none_for_visitors(client, as_user, app, count_queries):
    me = as_user("staff")
    note(app, me)
    client.get("/account")  # warm up
    with count_queries() as statements:
        assert client.get("/account").status_code == 200
    assert len([s for s in statements if "notifications" in s]) == 1
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    with count_queries() as statements:
        assert client.get("/login").status_code == 200
    assert not [s for s in statements if "notifications" in s]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_page_in_the_readers_language(app, client, as_user, lang):
    me = as_user("member")
    note(app, me)
    client.post("/lang", data={"lang": lang, "csrf_token": csrf_token(client, "/account")})
    page = text(client.get("/notifications/"))
    if lang == "zh":
        assert "通知 星云工作室" in page and "未读" in page and "全部标为已读" in page
    else:
        assert "Notification Nebula Studio" in page and "Mark all read" in page


def test_a_failing_count_leaves_the_page_without_a_badge(app, client, as_user, monkeypatch):
    me = as_user("staff")
    note(app, me)

    def fails(_user_id):
        raise OperationalError("SELECT count(*)", {}, Exception("server closed the connection"))

    monkeypatch.setattr(queries, "unread_count", fails)
    response = client.get("/account", headers=EN)
    assert response.status_code == 200 and badge(client, "/account") is None


def test_only_the_lists_own_filter_and_page_are_kept(app, client, as_user):
    me = as_user("staff")
    [nid] = note(app, me)
    path = f"/notifications/{nid}/read?page=%C2%B2&unread=1&next=//evil.example"
    response = post_form(client, path, {}, page="/notifications/")
    assert response.headers["Location"] == "/notifications/?unread=1"

"""notify(): one notification per recipient and event, made inside the domain's write and
rolled back with it; kinds are registered; params are kept, text is made when shown."""

from __future__ import annotations

import pytest

from opc import notifications
from opc.core.db import transaction
from opc.notifications.kinds import render
from opc.notifications.models import Notification
from tests.notifications.helpers import KIND, count, note, params, stored


def test_one_notification_per_recipient_with_params_and_link(app, make):
    a, b = make.user("staff"), make.user("member")
    ids = note(app, a, b, a)
    found = stored(app)
    assert [n.id for n in found] == ids
    assert [n.user_id for n in found] == [a.id, b.id]  # a repeat is one notification
    first = found[0]
    assert first.kind == KIND and first.params == params()
    assert first.link == "/teams/1"  # the kind's link, made once
    assert first.read_at is None and first.emailed_at is None and first.created_at


def test_params_are_stored_not_text(app, make):
    """The record keeps what the texts are made of: no title in either language."""
    note(app, make.user("staff"))
    [stored_one] = stored(app)
    assert "通知" not in str(stored_one.params) and "Notification" not in str(stored_one.params)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        shown = render(stored_one.kind, stored_one.params)
        assert (shown.title, shown.body) == ("Notification Nebula Studio", "¥1,234.50")
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        shown = render(stored_one.kind, stored_one.params)
        assert (shown.title, shown.body) == ("通知 星云工作室", "¥1,234.50")


def test_a_rolled_back_write_tells_nobody(app, make):
    user = make.user("staff")
    with app.app_context(), pytest.raises(RuntimeError), transaction() as session:
        notifications.notify(session, [user.id], KIND, params())
        session.flush()
        raise RuntimeError("the domain's write failed after notifying")
    assert count(app, Notification) == 0


@pytest.mark.parametrize(
    ("kind", "values", "link", "error"),
    [
        ("test.unknown", params(), None, ValueError),  # not registered
        (KIND, {**params(), "when": object()}, None, TypeError),  # not JSON
        (KIND, {"team_id": 1}, None, KeyError),  # the title's placeholder is missing
        (KIND, params(), "https://elsewhere.example/x", ValueError),  # not a path here
        (KIND, params(), "//elsewhere.example/x", ValueError),
        (KIND, params(), "/" + "x" * 300, ValueError),  # longer than the column
    ],
)
def test_a_notification_that_could_not_be_shown_is_refused_when_made(
    app, make, kind, values, link, error
):
    user = make.user("staff")
    with app.app_context(), pytest.raises(error), transaction() as session:
        notifications.notify(session, [user.id], kind, values, link=link)
    assert count(app, Notification) == 0


def test_an_explicit_link_and_no_recipients(app, make):
    user = make.user("staff")
    with app.app_context(), transaction() as session:
        assert notifications.notify(session, [], KIND, params()) == []
        notifications.notify(session, [None, user.id], KIND, params(), link="/compute/")
    [made] = stored(app)
    assert made.link == "/compute/" and made.user_id == user.id


def test_a_kind_gone_or_changed_shows_as_a_plain_notification(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert render("gone.kind", {}).title == "Notification"
        assert render(KIND, {"amount_fen": 1}).title == "Notification"  # no team any more
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert render("gone.kind", {}).title == "通知"


def test_deleting_a_user_deletes_their_notifications(app, make):
    user = make.user("staff")
    note(app, user)
    with app.app_context(), transaction() as session:
        session.delete(session.get(type(user), user.id))
    assert count(app, Notification) == 0

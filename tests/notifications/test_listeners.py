"""Listeners of notify(): each is called once per event, in the event's transaction, with
the kind, the params and the recipients; a rolled-back event leaves nothing of theirs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from opc.core.db import transaction
from opc.extensions import db
from opc.notifications import operations
from opc.notifications.models import Notification
from tests.notifications.helpers import KIND, note, params, rows


@pytest.fixture
def heard() -> Iterator[list[tuple]]:
    calls: list[tuple] = []

    def listener(session, kind, values, recipients) -> None:
        assert session is db.session()  # the caller's session, so its transaction
        calls.append((kind, values, recipients))

    operations.listen(listener)
    operations.listen(listener)  # twice: still one call per event
    yield calls
    operations._listeners.remove(listener)


def test_each_listener_hears_each_event_once_with_its_recipients(app, make, heard):
    first, second = make.user("staff"), make.user("staff")
    note(app, first, second, first)
    assert heard == [(KIND, params(), [first.id, second.id])]


def test_an_event_with_no_recipient_is_heard_too(app, heard):
    note(app)
    assert heard == [(KIND, params(), [])]


def test_what_a_listener_writes_rolls_back_with_the_event(app, make):
    user = make.user("staff")

    def listener(session, kind, values, recipients) -> None:
        session.add(Notification(user_id=user.id, kind=KIND, params={"by": "listener"}))

    operations.listen(listener)
    try:
        with app.app_context(), pytest.raises(RuntimeError), transaction() as session:
            operations.notify(session, [user.id], KIND, params())
            raise RuntimeError("the event's write fails")
        assert rows(app, Notification) == []
        note(app, user)
        assert len(rows(app, Notification)) == 2
    finally:
        operations._listeners.remove(listener)


def test_a_failing_listener_fails_the_event(app, make):
    user = make.user("staff")

    def listener(session, kind, values, recipients) -> None:
        raise LookupError("broken listener")

    operations.listen(listener)
    try:
        with pytest.raises(LookupError):
            note(app, user)
        assert rows(app, Notification) == []
    finally:
        operations._listeners.remove(listener)

"""One's account page says whether notifications are also mailed, and in which language:
saved through the operation (audited), and the outbox follows it."""

from __future__ import annotations

import re

from opc.audit.models import AuditEntry
from opc.auth.models import User
from opc.notifications.delivery import deliver_pending
from tests.notifications.helpers import count, note, post_form, rows, text

EN = {"Accept-Language": "en"}
CHECKBOX = re.compile(r'<input[^>]*id="pref-notify_by_email"[^>]*>')


def preferences(client, **fields):
    data = {"pref-locale": "zh", **fields}
    return post_form(client, "/account", data, headers=EN)


def test_mail_is_on_by_default_and_shown_so(client, as_user):
    as_user("staff")
    page = text(client.get("/account", headers=EN))
    assert "checked" in CHECKBOX.search(page).group(0)
    assert '<option selected value="en">' in page  # the tests' default language


def test_turning_mail_off_and_choosing_english(app, client, as_user, smtp_server):
    me = as_user("member")
    response = preferences(client, **{"pref-locale": "en"})  # the box left unticked
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    assert "Preferences saved." in text(client.get("/account", headers=EN))
    [saved] = rows(app, User, User.id == me.id)
    assert (saved.notify_by_email, saved.locale) == (False, "en")
    assert count(app, AuditEntry, AuditEntry.entity == "users", AuditEntry.action == "update") == 1
    note(app, me)
    with app.app_context():
        assert deliver_pending() == 0
    assert smtp_server.messages == []
    preferences(client, **{"pref-notify_by_email": "y"})
    with app.app_context():
        assert deliver_pending() == 1


def test_an_unknown_language_is_refused_and_nothing_changes(app, client, as_user):
    me = as_user("staff")
    response = preferences(client, **{"pref-locale": "fr", "pref-notify_by_email": ""})
    assert response.status_code == 422
    [saved] = rows(app, User, User.id == me.id)
    assert (saved.notify_by_email, saved.locale) == (True, None)


def test_another_form_of_the_page_leaves_the_preferences_as_they_are(client, as_user):
    as_user("staff")
    response = post_form(client, "/account", {"tok-name": "", "tok-scope": "all"}, headers=EN)
    assert response.status_code == 422
    assert "checked" in CHECKBOX.search(text(response)).group(0)

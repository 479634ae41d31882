"""The admin's new-user form: the role defaults to the least privilege, never admin, and
every invalid field is reported at once."""

from __future__ import annotations

import re

from opc.auth.models import User
from tests.core.helpers import count, post_form, text

EN = {"Accept-Language": "en"}


def test_the_role_defaults_to_member_and_admin_comes_last(client, as_user):
    as_user("admin")

    html = text(client.get("/users", headers=EN))

    select = re.search(r'<select id="role" name="role"[^>]*>(.*?)</select>', html, re.S).group(1)
    values = re.findall(r'value="(\w+)"', select)
    assert re.search(r'<option selected value="member">|<option value="member" selected', select)
    assert values[0] == "member" and values[-1] == "admin"


def test_a_form_without_a_role_never_makes_an_admin(app, client, as_user):
    as_user("admin")
    data = {"email": "new@example.cn", "name": "", "password": "a-long-enough-password"}

    response = post_form(client, "/users", data, headers=EN)

    assert response.status_code == 422 and "needs a team" in text(response)
    assert count(app, User, User.email == "new@example.cn") == 0


def test_every_invalid_field_is_reported_at_once(app, client, as_user):
    as_user("admin")
    data = {"email": "not-an-address", "role": "staff", "password": "short"}

    response = post_form(client, "/users", data, headers=EN)

    html = text(response)
    assert response.status_code == 422
    assert "Not a valid e-mail address" in html and "At least 10 characters" in html
    assert count(app, User) == 1

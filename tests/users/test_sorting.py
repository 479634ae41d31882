"""Issue 14: the user list sorts by its columns and filters by e-mail, name and role (both in
the URL, each kept by the other and by the pages), and an empty list says what to do next."""

from __future__ import annotations

import re

EN = {"Accept-Language": "en"}


def _emails(html: str) -> list[str]:
    return re.findall(r'<tr data-user="\d+"><td><a href="[^"]+">([^<]+)</a>', html)


def _link(html: str, key: str) -> str:
    found = re.search(rf'<a class="sort[^"]*" href="([^"]+sort={key}[^"]*)"', html)
    assert found, html
    return found[1].replace("&amp;", "&")


def _users(make, as_user):
    make.user("staff", email="carol@opc.cn", name="Zhang")
    make.user("reviewer", email="alice@opc.cn", name="")
    make.user("staff", email="bob@opc.cn", name="Li")
    as_user("admin", email="admin@opc.cn", name="Admin")


def test_users_sort_by_their_headings(client, make, as_user):
    _users(make, as_user)
    html = client.get("/users").get_data(as_text=True)
    assert _emails(html) == ["admin@opc.cn", "alice@opc.cn", "bob@opc.cn", "carol@opc.cn"]
    html = client.get("/users?sort=email&dir=desc").get_data(as_text=True)
    assert _emails(html) == ["carol@opc.cn", "bob@opc.cn", "alice@opc.cn", "admin@opc.cn"]
    # A user without a name goes last, either way.
    for direction in ("asc", "desc"):
        html = client.get(f"/users?sort=name&dir={direction}").get_data(as_text=True)
        assert _emails(html)[-1] == "alice@opc.cn"
    html = client.get("/users?sort=name&dir=asc").get_data(as_text=True)
    assert _emails(html)[:3] == ["admin@opc.cn", "bob@opc.cn", "carol@opc.cn"]


def test_unknown_orders_are_the_default(client, make, as_user):
    _users(make, as_user)
    for query in ("sort=password_hash&dir=asc", "sort=&dir=", "sort=%00&dir=%FF", "role=%FF"):
        response = client.get(f"/users?{query}")
        assert response.status_code == 200
        assert _emails(response.get_data(as_text=True))[0] == "admin@opc.cn"


def test_filters_and_order_keep_each_other(client, make, as_user):
    _users(make, as_user)
    html = client.get("/users?role=staff&page=2").get_data(as_text=True)
    assert _emails(html) == ["bob@opc.cn", "carol@opc.cn"]
    link = _link(html, "name")
    assert "role=staff" in link and "page=" not in link
    html = client.get("/users?q=ZHANG&sort=email&dir=desc").get_data(as_text=True)
    assert _emails(html) == ["carol@opc.cn"]
    assert '<input type="hidden" name="sort" value="email">' in html
    html = client.get("/users?q=b%25").get_data(as_text=True)  # a % is a character, not "any"
    assert _emails(html) == []


def test_an_empty_list_says_what_to_do_next(client, make, as_user):
    _users(make, as_user)
    html = client.get("/users?q=nobody", headers=EN).get_data(as_text=True)
    assert "No users match these filters" in html and "Clear the filters" in html

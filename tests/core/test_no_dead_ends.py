"""No dead ends: after a refused form the language switch and a GET of the form's address
land on a page (never 405); roles with little to see yet start on a page that says what
will appear there."""

from __future__ import annotations

import re

import pytest

from tests.core.helpers import post_form, text

EN = {"Accept-Language": "en"}
_NEXT = re.compile(r'<input type="hidden" name="next" value="([^"]*)">')


def switch_language(client, next_value, lang="zh"):
    return post_form(client, "/lang", {"lang": lang, "next": next_value}, page="/login")


def test_after_a_refused_post_the_language_switch_returns_to_a_page(client, as_user):
    admin = as_user("admin")
    page = f"/users/{admin.id}"
    sent = {"Referer": f"http://localhost{page}", **EN}
    # Refused (one's own password is changed on the account page): 422 at a POST-only address.
    with_referrer = post_form(client, f"{page}/reset-password", {}, page=page, headers=sent)
    without = post_form(client, f"{page}/reset-password", {}, page=page, headers=EN)
    assert with_referrer.status_code == without.status_code == 422

    nexts = [_NEXT.findall(text(r))[0] for r in (with_referrer, without)]

    assert nexts == [page, page]  # the form's page, or the page above the address
    response = switch_language(client, nexts[0])
    assert response.status_code == 302 and response.headers["Location"] == page
    assert client.get(page).status_code == 200


@pytest.mark.parametrize(
    ("sent", "lands"),
    [
        ("/users/{id}/reset-password", "/users/{id}"),  # POST only: the page above it
        ("/teams/?status=applicant", "/teams/?status=applicant"),  # a GET page, with its query
        ("/account/tokens/7/revoke", "/account"),
        ("/logout", "/"),
        ("https://evil.example/x", "/"),  # never off the site
        ("/no/such/page", "/"),
    ],
)
def test_the_language_switch_only_returns_to_pages_a_get_answers(client, make, sent, lands):
    user = make.user("admin")
    response = switch_language(client, sent.format(id=user.id))

    assert response.status_code == 302
    assert response.headers["Location"] == lands.format(id=user.id)


def test_opening_a_post_only_address_leads_to_the_page_above_it(client, make, as_user):
    user = make.user("staff")
    as_user("admin")

    response = client.get(f"/users/{user.id}/reset-password", headers=EN)

    assert response.status_code == 302
    assert response.headers["Location"] == f"/users/{user.id}"
    assert client.get(response.headers["Location"]).status_code == 200


def test_the_api_still_answers_405_with_its_error(client, make, api):
    response = api(make.user("admin")).delete("/users/me")

    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"


def test_a_reviewer_starts_on_a_page_that_says_what_will_appear(client, as_user):
    as_user("reviewer")

    response = client.get("/", headers=EN)

    html = text(response)
    assert response.status_code == 200
    assert "fund applications assigned to you" in html
    assert 'href="/account"' in html
    assert re.search(r'<ul class="nav">\s*<li><a href="/"', html)  # navigation, not empty


def test_staff_without_a_park_are_told_what_will_appear(client, as_user):
    as_user("staff")

    html = text(client.get("/parks/", headers=EN))

    assert "not assigned to a park yet" in html

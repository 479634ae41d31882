"""Error pages say what happened in a sentence of the page's language, never the raw status
or code (those are for machines: the JSON API, and data attributes)."""

from __future__ import annotations

import re

import pytest

from tests.core.helpers import text


def heading(response):
    return re.search(r"<h1>(.*?)</h1>", text(response)).group(1)


@pytest.mark.parametrize(
    ("lang", "expected"), [("en", "This page does not exist"), ("zh-CN", "页面不存在")]
)
def test_not_found_says_so_in_the_page_language(client, lang, expected):
    response = client.get("/no/such/page", headers={"Accept-Language": lang})

    assert response.status_code == 404
    assert heading(response) == expected
    assert "not_found" not in re.sub(r"<[^>]*>", "", text(response))  # not shown as text
    assert "404" not in re.sub(r"<[^>]*>", "", text(response))


def test_every_status_has_a_sentence_in_both_languages(client, make, as_user):
    park = make.park()
    as_user("member", team=make.team(park))
    cases = {
        403: lambda h: client.get("/users", headers=h),
        404: lambda h: client.get("/teams/2147483647", headers=h),
        400: lambda h: client.post("/lang", data={"lang": "en"}, headers=h),  # no CSRF token
    }
    for status, request in cases.items():
        english = request({"Accept-Language": "en"})
        chinese = request({"Accept-Language": "zh-CN"})
        assert english.status_code == chinese.status_code == status
        assert heading(english) != heading(chinese)
        assert re.search(r"[\u4e00-\u9fff]", heading(chinese)), heading(chinese)
        assert str(status) not in heading(english)

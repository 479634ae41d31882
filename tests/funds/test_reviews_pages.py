"""The reviewer's start page lists their own reviews (to do first) with the call and when
it closes; staff pages of a call's assignment and ranking are for the park's staff only."""

from __future__ import annotations

from tests.conftest import login
from tests.core.helpers import text
from tests.funds import helpers as h


def test_the_reviewers_home_lists_their_reviews(app, make, client):
    s = h.review_setup(make, reviewers=2)
    other = h.application(make, s.call, make.team(s.park), status="in_review", title="虚拟数字人")
    third = h.application(make, s.call, make.team(s.park), status="in_review", title="不应出现")
    todo = h.review(make, s.application, s.pool[0])
    done = h.review(make, other, s.pool[0], scores=dict.fromkeys(s.criteria, 6))
    h.recused(make, third, s.pool[0], "利益冲突")
    h.review(make, third, s.pool[1])
    login(client, s.pool[0].email)

    home = client.get("/")

    assert home.status_code == 200
    html = text(home)
    assert html.index(f'data-review="{todo.id}"') < html.index(f'data-review="{done.id}"')
    assert "不应出现" not in html  # recused: no longer theirs
    assert s.call.title_en in html
    # The call closes at 02:00 UTC: 10:00 in Chengdu, written as the page's language does.
    assert "2026年12月13日 10:00" in html or "13 Dec 2026, 10:00" in html
    assert text(client.get("/reviews/")).count("data-review=") == 2


def test_only_reviewers_have_a_reviews_page(app, make, client, as_user):
    as_user("staff", parks=[make.park()])

    assert client.get("/reviews/").status_code == 404


def test_the_calls_assignment_and_ranking_pages_are_for_its_parks_staff(app, make, client):
    s = h.review_setup(make)
    h.review(make, s.application, s.pool[0])
    login(client, s.staff.email)

    page = client.get(f"/calls/{s.call.id}/assignment")

    assert page.status_code == 200
    row = text(page).split(f'data-application="{s.application.id}"')[1].split("</tr>")[0]
    assert "专家0" in row and 'data-needs="1"' in row
    assert client.get(f"/calls/{s.call.id}/ranking").status_code == 200
    for user in (make.user("staff", parks=[make.park()]), s.pool[0], s.member):
        other = app.test_client()
        login(other, user.email)
        for path in ("assignment", "ranking", "ranking.xlsx"):
            assert other.get(f"/calls/{s.call.id}/{path}").status_code in (403, 404), path

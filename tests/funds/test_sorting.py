"""Issue 14: the funds' lists sort by their columns (?sort=&dir= in the URL, kept by the
filters), an unknown order is the list's own, and an empty list says what to do next."""

from __future__ import annotations

from datetime import date

import time_machine

from opc.funds.application_models import Disbursement
from tests.conftest import csrf_token
from tests.core.listing import UNKNOWN_ORDERS as BAD_ORDERS
from tests.core.listing import page as _get
from tests.core.listing import row_ids as _ids
from tests.core.listing import sort_link as _link
from tests.funds import helpers as h


def test_funds_sort_by_their_figures_and_keep_the_park_filter(client, make, as_user):
    park, other = make.park(), make.park()
    small = h.fund(make, park, budget_fen=500_000, name_zh="乙基金")
    large = h.fund(make, park, budget_fen=9_000_000, name_zh="甲基金")
    middle = h.fund(make, other, budget_fen=2_000_000, name_zh="丙基金")
    as_user("staff", parks=[park, other])

    default = _ids(_get(client, "/funds/"), "fund")
    assert default == [small.id, large.id, middle.id]  # park by park, then by name
    html = _get(client, "/funds/?sort=budget")
    assert _ids(html, "fund") == [large.id, middle.id, small.id]  # the largest first
    assert _ids(_get(client, "/funds/?sort=budget&dir=asc"), "fund") == [
        small.id,
        middle.id,
        large.id,
    ]
    assert '<td class="num">¥90,000.00</td>' in html
    for query in BAD_ORDERS:
        assert _ids(_get(client, f"/funds/?{query}"), "fund") == default
    # A known column with an unknown direction: the column's first way (the largest first).
    assert _ids(_get(client, "/funds/?sort=budget&dir=sideways"), "fund") == _ids(html, "fund")

    # The park filter stays in the headings' links; the filter form keeps the order.
    html = _get(client, f"/funds/?park_id={park.id}&sort=budget&dir=asc&page=2")
    assert _ids(html, "fund") == [small.id, large.id]
    assert f"park_id={park.id}" in _link(html, "name") and "page=" not in _link(html, "name")
    assert '<input type="hidden" name="sort" value="budget">' in html
    assert '<input type="hidden" name="dir" value="asc">' in html
    assert 'name="sort"' not in _get(client, "/funds/")


def test_an_empty_fund_list_says_what_to_do_next(client, make, as_user):
    park, other = make.park(), make.park()
    as_user("staff", parks=[park, other])
    html = _get(client, "/funds/")
    assert "No funds yet. An administrator creates them" in html and "/funds/new" not in html
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    as_user("admin")
    html = _get(client, "/funds/")
    assert "No funds yet. A fund holds" in html and 'href="/funds/new"' in html
    h.fund(make, other)
    html = _get(client, f"/funds/?park_id={park.id}")
    assert "This park has no funds" in html and "Show all parks" in html


def test_a_teams_applications_sort_and_say_how_to_start(client, make, as_user):
    park = make.park()
    team = make.team(park, status="resident")
    with time_machine.travel(h.NOW, tick=False):
        call = h.call(make, h.fund(make, park))
        as_user("member", team=team)
        html = _get(client, "/applications/")
        assert "No applications yet" in html
        assert f'href="/calls/{call.id}/apply"' in html

        cheap = h.application(make, call, team, amount_fen=100_000, status="withdrawn")
        dear = h.application(make, call, team, amount_fen=900_000, status="submitted")
        assert _ids(_get(client, "/applications/"), "application") == [dear.id, cheap.id]
        html = _get(client, "/applications/?sort=amount&dir=asc")
        assert _ids(html, "application") == [cheap.id, dear.id]
        assert "sort=amount" in _link(html, "amount") and "dir=desc" in _link(html, "amount")
        for query in BAD_ORDERS:
            html = _get(client, f"/applications/?{query}")
            assert _ids(html, "application") == [dear.id, cheap.id]


def test_a_reviewers_list_sorts_by_team_and_says_why_it_is_empty(client, make, as_user):
    reviewer = as_user("reviewer")
    html = _get(client, "/reviews/")
    assert "None are assigned to you yet" in html and 'class="empty-state"' in html

    park = make.park()
    call = h.call(make, h.fund(make, park))
    apps = [
        h.application(make, call, make.team(park, name_zh=name, name_pinyin=pinyin))
        for name, pinyin in (("乙", "yi"), ("甲", "jia"))
    ]
    done = h.review(make, apps[0], reviewer, scores={call.criteria[0].id: 5})
    todo = h.review(make, apps[1], reviewer)
    assert _ids(_get(client, "/reviews/"), "review") == [todo.id, done.id]  # to do first
    assert _ids(_get(client, "/reviews/?sort=team&dir=desc"), "review") == [done.id, todo.id]
    for query in BAD_ORDERS:
        assert _ids(_get(client, f"/reviews/?{query}"), "review") == [todo.id, done.id]


def test_a_parks_tranches_sort_by_amount_and_say_where_they_come_from(client, make, as_user):
    park = make.park()
    as_user("staff", parks=[park])
    url = f"/parks/{park.id}/disbursements"
    assert "No tranches yet" in _get(client, url)

    approved = h.approved(make, h.call(make, h.fund(make, park)), make.team(park))
    tranches = [
        make._save(
            Disbursement(
                application_id=approved.id,
                milestone=f"M{n}",
                amount_fen=fen,
                paid_on=date(2026, 11, n),
                status=status,
            )
        )
        for n, fen, status in ((1, 300_000, "paid"), (2, 100_000, "proposed"))
    ]
    paid, proposed = tranches
    assert _ids(_get(client, url), "tranche") == [proposed.id, paid.id]  # awaiting first
    html = _get(client, f"{url}?sort=amount")
    assert _ids(html, "tranche") == [paid.id, proposed.id]
    assert '<td class="num">¥3,000.00</td>' in html
    assert _ids(_get(client, f"{url}?sort=paid_on&dir=asc"), "tranche") == [paid.id, proposed.id]
    for query in BAD_ORDERS:
        assert _ids(_get(client, f"{url}?{query}"), "tranche") == [proposed.id, paid.id]

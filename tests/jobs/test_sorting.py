"""Issue 14: the job runs sort by their columns and filter by job and state (both in the
URL, each kept by the other and by the pages), and an empty list says what to do next."""

from __future__ import annotations

import re

from tests.jobs.test_page import add_runs, periods

EN = {"Accept-Language": "en"}


def _link(html: str, key: str) -> str:
    found = re.search(rf'<a class="sort[^"]*" href="([^"]+sort={key}[^"]*)"', html)
    assert found, html
    return found[1].replace("&amp;", "&")


def test_runs_sort_by_their_headings(client, as_user, app):
    as_user("admin")
    add_runs(app, 3)
    add_runs(app, 1, period="2026-02-01", attempts=4, state="failed")
    html = client.get("/jobs/").get_data(as_text=True)
    assert periods(html) == ["2026-02-01", "2026-03-03", "2026-03-02", "2026-03-01"]
    html = client.get(_link(html, "period")).get_data(as_text=True)  # the latest first
    assert periods(html) == ["2026-03-03", "2026-03-02", "2026-03-01", "2026-02-01"]
    html = client.get("/jobs/?sort=attempts&dir=desc").get_data(as_text=True)
    assert periods(html)[0] == "2026-02-01"
    # The last run started with the first: the earlier id first.
    html = client.get("/jobs/?sort=started&dir=asc").get_data(as_text=True)
    assert periods(html) == ["2026-03-01", "2026-02-01", "2026-03-02", "2026-03-03"]


def test_unknown_orders_and_filters_are_the_default(client, as_user, app):
    as_user("admin")
    add_runs(app, 3)
    for query in ("sort=error&dir=asc", "sort=&dir=", "sort=%00&dir=%FF", "state=%00&job=x"):
        response = client.get(f"/jobs/?{query}")
        assert response.status_code == 200
        assert periods(response.get_data(as_text=True)) == [
            "2026-03-03",
            "2026-03-02",
            "2026-03-01",
        ]


def test_filters_and_order_keep_each_other(client, as_user, app):
    as_user("admin")
    add_runs(app, 2)
    add_runs(app, 1, period="2026-02-01", state="failed")
    html = client.get("/jobs/?state=failed&page=2").get_data(as_text=True)
    assert periods(html) == ["2026-02-01"]
    link = _link(html, "attempts")
    assert "state=failed" in link and "page=" not in link
    html = client.get("/jobs/?state=succeeded&sort=period&dir=asc").get_data(as_text=True)
    assert periods(html) == ["2026-03-01", "2026-03-02"]
    assert '<input type="hidden" name="sort" value="period">' in html
    html = client.get("/jobs/?job=teams.prune-invitations&state=succeeded").get_data(as_text=True)
    assert len(periods(html)) == 2


def test_an_empty_list_says_what_to_do_next(client, as_user, app):
    as_user("admin")
    html = client.get("/jobs/", headers=EN).get_data(as_text=True)
    assert "No runs yet. Start the scheduler process" in html
    add_runs(app, 1)
    html = client.get("/jobs/?state=failed", headers=EN).get_data(as_text=True)
    assert "No runs match these filters" in html and "Clear the filters" in html

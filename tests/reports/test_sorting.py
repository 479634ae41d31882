"""Issue 14: the report runs sort by their columns (?sort=&dir= in the URL, kept by the
filters), and an empty list says what to do next."""

from __future__ import annotations

import re

from opc.core.db import transaction, utcnow
from opc.reports.models import ReportRun
from tests.core.listing import EN, page, row_ids


def _ids(client, url: str) -> list[int]:
    return row_ids(page(client, url), "run")


def _run(app, park, period: str, version: int = 1) -> int:
    with app.app_context(), transaction() as session:
        run = ReportRun(
            park_id=park.id,
            kind="monthly_subsidy",
            period=period,
            version=version,
            status="failed",
            source="manual",
            attempts=1,
            lease_until=utcnow(),
            started_at=utcnow(),
        )
        session.add(run)
        session.flush()
        return run.id


def test_runs_sort_by_their_columns_and_keep_the_filters(app, make, client, as_user):
    park = make.park()
    january = _run(app, park, "2026-01")
    march = _run(app, park, "2026-03")
    march_2 = _run(app, park, "2026-03", version=2)
    as_user("staff", parks=[park])
    default = [march_2, march, january]  # the newest month first, its newest version first
    assert _ids(client, "/reports") == default
    assert _ids(client, "/reports?sort=month&dir=asc") == [january, march, march_2]
    assert _ids(client, "/reports?sort=version&dir=asc") == [january, march, march_2]
    for query in ("sort=password&dir=asc", "sort=&dir=desc", "sort=%00&dir=%00"):
        assert _ids(client, f"/reports?{query}") == default

    html = client.get(f"/reports?park_id={park.id}&period=2026-03&sort=version&dir=asc").get_data(
        as_text=True
    )
    assert re.findall(r'<tr data-run="(\d+)"', html) == [str(march), str(march_2)]
    link = re.search(r'<a class="sort" href="([^"]+sort=month[^"]*)"', html)
    assert link and f"park_id={park.id}" in link[1] and "period=2026-03" in link[1]
    assert '<input type="hidden" name="sort" value="version">' in html


def test_an_empty_list_says_what_to_do_next(make, client, as_user):
    park = make.park()
    as_user("staff", parks=[park])
    html = client.get("/reports", headers=EN).get_data(as_text=True)
    assert "No report yet. The first is produced on the 1st" in html
    assert 'href="#produce-h"' in html and 'id="produce-h"' in html
    html = client.get("/reports?period=2020-01", headers=EN).get_data(as_text=True)
    assert "No report matches these filters" in html and "Clear the filters" in html

"""The call's ranking on a hand-worked example: weighted means, medians, spreads with the
disagreement flag, scores normalised per reviewer (z-scores) and ranks; the staff page and
the exports (CSV with BOM, XLSX parsed back)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tests.conftest import login
from tests.core.helpers import text
from tests.funds import helpers as h


@pytest.fixture
def s(make):
    """Criteria weigh 40/30/30; R1 is strict, R2 lenient.

    R1: A (10, 5, 5) → 7.0; B (5, 5, 5) → 5.0; C (3, 3, 3) → 3.0. Mean 5, variance 8/3:
        z = +1.2247, 0, −1.2247.
    R2: A (9, 9, 9) → 9.0; B (10, 10, 4) → 8.2. Mean 8.6, variance 0.16: z = +1, −1.

    A: 7.0 and 9.0 → mean 8.00, median 8.00, spread 2.00; z (1.2247 + 1) / 2 = 1.112.
    B: 5.0 and 8.2 → mean 6.60, median 6.60, spread 3.20 > 3: a disagreement; z −0.500.
    C: 3.0 → mean 3.00, median 3.00, spread 0.00; z −1.225.
    D: only an assigned review, not submitted: unranked, last. E: withdrawn: not listed.
    F: rejected at screening: not listed.
    """
    s = h.review_setup(make, reviewers=2, per_application=2)
    r1, r2 = s.pool
    c1, c2, c3 = s.criteria
    teams = [s.team, *(make.team(s.park, status="resident") for _ in range(5))]
    a = s.application
    b = h.application(make, s.call, teams[1], status="in_review", amount_fen=2_000_000)
    c = h.application(make, s.call, teams[2], status="approved", approved_fen=1_000_000)
    d = h.application(make, s.call, teams[3], status="in_review")
    e = h.application(make, s.call, teams[4], status="withdrawn")
    f = h.application(make, s.call, teams[5], status="rejected", eligible=False)
    h.review(make, a, r1, {c1: 10, c2: 5, c3: 5})
    h.review(make, b, r1, {c1: 5, c2: 5, c3: 5})
    h.review(make, c, r1, {c1: 3, c2: 3, c3: 3})
    h.review(make, a, r2, {c1: 9, c2: 9, c3: 9})
    h.review(make, b, r2, {c1: 10, c2: 10, c3: 4})
    h.review(make, d, r1)
    h.review(make, e, r2, {c1: 10, c2: 10, c3: 10})
    h.review(make, f, r2, {c1: 0, c2: 0, c3: 0})
    s.apps = {"A": a, "B": b, "C": c, "D": d}
    return s


EXPECTED = [
    # key, rank, reviews, mean, median, spread, disagreement, normalised
    ("A", 1, 2, "8.00", "8.00", "2.00", False, "1.112"),
    ("B", 2, 2, "6.60", "6.60", "3.20", True, "-0.500"),
    ("C", 3, 1, "3.00", "3.00", "0.00", False, "-1.225"),
    ("D", None, 0, None, None, None, False, None),
]


def test_the_ranking_holds_the_hand_worked_figures(app, make, api, s):
    response = api(s.staff).get(f"/calls/{s.call.id}/ranking")

    assert response.status_code == 200
    items = response.get_json()["items"]
    got = [
        (
            i["application_id"],
            i["rank"],
            i["reviews"],
            i["weighted_mean"],
            i["median"],
            i["spread"],
            i["disagreement"],
            i["normalised"],
        )
        for i in items
    ]
    assert got == [(s.apps[k].id, *rest) for k, *rest in EXPECTED]
    assert items[1]["amount_yuan"] == "20000.00" and items[0]["reviews_required"] == 2


def test_a_raised_threshold_clears_the_disagreement(app, make, api, s):
    h.set_threshold(make, s.call, Decimal("3.20"))  # equal is not a disagreement

    items = api(s.staff).get(f"/calls/{s.call.id}/ranking").get_json()["items"]

    assert [i["disagreement"] for i in items] == [False, False, False, False]


def test_only_the_parks_staff_read_the_ranking(app, make, api, client, s):
    elsewhere = make.user("staff", parks=[make.park()])

    assert api(elsewhere).get(f"/calls/{s.call.id}/ranking").status_code == 404
    assert api(s.pool[0]).get(f"/calls/{s.call.id}/ranking").status_code == 403
    assert api(s.member).get(f"/calls/{s.call.id}/ranking").status_code == 403
    login(client, s.pool[0].email)
    assert client.get(f"/calls/{s.call.id}/ranking").status_code in (403, 404)
    assert client.get(f"/calls/{s.call.id}/ranking.csv").status_code in (403, 404)


def test_the_ranking_page_shows_the_table(app, make, client, s):
    login(client, s.staff.email)

    html = text(client.get(f"/calls/{s.call.id}/ranking"))

    for key, rank, reviews, mean, median, spread, _flag, normalised in EXPECTED[:3]:
        row = html.split(f'data-application="{s.apps[key].id}"')[1].split("</tr>")[0]
        assert f">{rank}<" in row and f"{reviews}/2" in row
        assert all(x in row for x in (mean, median, spread, normalised))
    flagged = html.split(f'data-application="{s.apps["B"].id}"')[1].split(">")[0]
    assert "data-disagreement" in flagged
    assert f'href="/applications/{s.apps["A"].id}"' in html


def _expected_rows(s):
    return [
        [
            str(rank or ""),
            s.apps[key].title,
            str(reviews),
            mean or "",
            median or "",
            spread or "",
            ("Yes" if flag else "No") if reviews else "",
            normalised or "",
        ]
        for key, rank, reviews, mean, median, spread, flag, normalised in EXPECTED
    ]


def test_the_csv_export_is_utf8_with_bom(app, make, client, s):
    login(client, s.staff.email)

    response = client.get(f"/calls/{s.call.id}/ranking.csv", headers={"Accept-Language": "en"})

    assert response.status_code == 200
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert table[0][:5] == ["Rank", "Team", "Title", "Status", "Amount requested (¥)"]
    picked = [[r[0], r[2], r[5], r[7], r[8], r[9], r[10], r[11]] for r in table[1:]]
    assert picked == _expected_rows(s)
    assert table[1][1] == s.team.name_en and table[2][4] == "20000.00"


def test_the_xlsx_export_reads_back(app, make, client, s):
    login(client, s.staff.email)

    response = client.get(f"/calls/{s.call.id}/ranking.xlsx", headers={"Accept-Language": "en"})

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Rank" and len(rows) == 5
    first = rows[1]
    assert first[0] == 1 and first[2] == s.apps["A"].title and first[4] == 10000
    assert (first[5], first[6]) == (2, 2)
    assert [float(x) for x in first[7:10]] == [8.0, 8.0, 2.0]
    assert first[10] == "No" and float(first[11]) == pytest.approx(1.112)
    assert rows[2][10] == "Yes"
    assert rows[4][0] is None and rows[4][7] is None  # D: no figures

"""The usage explorer and GET /usage: filters, totals, pages, the chart by month (settled
months from their settlements, the rest from the records), who sees what, the monthly
totals per team in SQL, and statements per page that do not grow with the records."""

from __future__ import annotations

import re

import pytest
import time_machine

from opc.compute import explorer_views
from opc.compute.explorer_queries import explorer_facts
from opc.compute.usage_queries import (
    UsageFilter,
    by_month,
    filter_totals,
    months_to,
    team_month_subsidies,
)
from tests.compute.helpers import provider, record
from tests.conftest import login

TODAY = "2026-11-15 04:00:00+00:00"


@pytest.fixture
def u(app, make, api):
    """Two teams of a park, two providers, a third team elsewhere; records of September,
    October and November (hand-worked sums in the tests)."""
    park = make.park()
    t1, t2 = (make.team(park, status="resident") for _ in range(2))
    stranger = make.team(make.park(), status="resident")
    star, other = provider(make, "星河算力"), provider(make, "天府智算")
    ids = {
        "sep1": record(app, t1, star, "2026-09-05T10:00:00+08:00", cost_fen=10_000,
                       subsidy_fen=5_000, hours_hundredths=100, gpu_type="H100"),
        "sep2": record(app, t2, other, "2026-09-06T10:00:00+08:00", cost_fen=3_000,
                       hours_hundredths=50, gpu_type="A100"),
        "oct1": record(app, t1, star, "2026-10-01T00:10:00+08:00", cost_fen=20_000,
                       subsidy_fen=6_000, hours_hundredths=200, gpu_type="H100"),
        "oct2": record(app, t1, other, "2026-10-09T10:00:00+08:00", cost_fen=1_500,
                       subsidy_fen=500, hours_hundredths=25, gpu_type="A100"),
        "oct3": record(app, t2, star, "2026-10-31T23:59:00+08:00", cost_fen=700,
                       hours_hundredths=10, gpu_type="H100"),
        "nov1": record(app, t2, star, "2026-11-02T08:00:00+08:00", cost_fen=900,
                       subsidy_fen=300, hours_hundredths=15, gpu_type="4090"),
        "far": record(app, stranger, star, "2026-10-05T08:00:00+08:00", cost_fen=99_900,
                      subsidy_fen=99, hours_hundredths=999),
    }  # fmt: skip
    staff = make.user("staff", parks=[park])
    return {"park": park, "teams": (t1, t2), "stranger": stranger, "star": star,
            "other": other, "ids": ids, "staff": staff, "api": api(staff)}  # fmt: skip


def kpis(html: str) -> dict[str, str]:
    """The totals the page shows, by the id of their box."""
    found = re.findall(r'<div class="kpi" id="(\w+)"><span class="value">([^<]*)</span>', html)
    return dict(found)


def shown_records(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'data-record="(\d+)"', html)]


@time_machine.travel(TODAY, tick=False)
def test_the_park_explorer_totals_filters_and_lists_a_month(client, as_user, u):
    as_user("staff", parks=[u["park"]])
    base = f"/parks/{u['park'].id}/compute/usage"
    page = client.get(f"{base}?month=2026-10").get_data(as_text=True)
    # October: 200.00 + 15.00 + 7.00; subsidy 60.00 + 5.00; 2.00 + 0.25 + 0.10 hours.
    assert kpis(page) == {
        "records": "3",
        "hours": "2.35",
        "cost": "¥222.00",
        "subsidy": "¥65.00",
        "share": "¥157.00",
    }
    ids = u["ids"]
    assert shown_records(page) == [ids["oct3"], ids["oct2"], ids["oct1"]]  # newest first
    t1 = u["teams"][0]
    by_team = client.get(f"{base}?month=2026-10&team_id={t1.id}").get_data(as_text=True)
    assert kpis(by_team)["cost"] == "¥215.00" and shown_records(by_team) == [
        ids["oct2"],
        ids["oct1"],
    ]
    by_provider = client.get(f"{base}?month=2026-10&provider_id={u['other'].id}").get_data(
        as_text=True
    )
    assert shown_records(by_provider) == [ids["oct2"]]
    by_gpu = client.get(f"{base}?month=2026-10&gpu_type=H100").get_data(as_text=True)
    assert kpis(by_gpu)["subsidy"] == "¥60.00" and "every GPU type" in by_gpu
    # The park's current month without a month given; another park's team is no filter.
    current = client.get(base).get_data(as_text=True)
    assert shown_records(current) == [ids["nov1"]]
    foreign = client.get(f"{base}?month=2026-10&team_id={u['stranger'].id}").get_data(as_text=True)
    assert shown_records(foreign) == [] and kpis(foreign)["records"] == "0"
    assert client.get(f"{base}?month=2026-10&gpu_type=%00").status_code == 422


@time_machine.travel(TODAY, tick=False)
def test_the_records_come_a_page_at_a_time(app, client, as_user, u, monkeypatch):
    monkeypatch.setattr(explorer_views, "PER_PAGE", 2)
    as_user("staff", parks=[u["park"]])
    base = f"/parks/{u['park'].id}/compute/usage?month=2026-10"
    ids = u["ids"]
    first = client.get(base).get_data(as_text=True)
    assert shown_records(first) == [ids["oct3"], ids["oct2"]] and "3 in total" in first
    second = client.get(f"{base}&page=2").get_data(as_text=True)
    assert shown_records(second) == [ids["oct1"]]
    assert shown_records(client.get(f"{base}&page=9").get_data(as_text=True)) == [ids["oct1"]]
    # A team's page keeps its team whatever ?team_id= says, in its links too.
    monkeypatch.setattr(explorer_views, "PER_PAGE", 1)
    t1, t2 = u["teams"]
    team_page = client.get(f"/teams/{t1.id}/usage?month=2026-10&team_id={t2.id}&page=1")
    assert team_page.status_code == 200
    html = team_page.get_data(as_text=True).replace("&amp;", "&")
    assert shown_records(html) == [ids["oct2"]]
    assert f"/teams/{t1.id}/usage?month=2026-09" in html
    assert re.search(rf'href="/teams/{t1.id}/usage\?[^"]*page=2"', html)


@time_machine.travel(TODAY, tick=False)
def test_the_chart_reads_settled_months_from_their_settlements(app, ctx, u):
    """September settled (its sums from the settlement lines), a late September record not
    settled yet, October and November from the records: the same figures either way."""
    from opc.compute.operations.settlements import issue_settlement

    for prov in (u["star"], u["other"]):
        issue_settlement(u["park"].id, prov.id, "2026-09", actor=None)
    record(app, u["teams"][0], u["star"], "2026-09-30T12:00:00+08:00", cost_fen=400,
           subsidy_fen=100)  # fmt: skip
    flt = UsageFilter(park_id=u["park"].id)
    months = by_month(flt, months_to("2026-11", 3))
    assert {m: (t.records, t.cost_fen, t.subsidy_fen) for m, t in months.items()} == {
        "2026-09": (3, 13_400, 5_100),
        "2026-10": (3, 22_200, 6_500),
        "2026-11": (1, 900, 300),
    }
    star_t1 = UsageFilter(park_id=u["park"].id, team_id=u["teams"][0].id, provider_id=u["star"].id)
    assert by_month(star_t1, ["2026-09"])["2026-09"].cost_fen == 10_400
    assert by_month(flt, ["2026-08"])["2026-08"].records == 0


@time_machine.travel(TODAY, tick=False)
def test_the_page_shows_the_chart_of_twelve_months(app, client, as_user, u):
    from opc.compute.operations.settlements import issue_settlement

    with app.app_context():
        issue_settlement(u["park"].id, u["star"].id, "2026-09", actor=None)
    record(app, u["teams"][1], u["star"], "2026-09-29T12:00:00+08:00", cost_fen=1_000)
    as_user("staff", parks=[u["park"]])
    # September's totals: star's settled record, other's and the late one not settled.
    september = client.get(f"/parks/{u['park'].id}/compute/usage?month=2026-09")
    assert kpis(september.get_data(as_text=True))["cost"] == "¥140.00"
    page = client.get(f"/parks/{u['park'].id}/compute/usage?month=2026-10").get_data(as_text=True)
    months = re.findall(r'<g class="bar" data-month="([0-9-]+)"', page)
    assert months == [f"2025-{m:02d}" for m in (11, 12)] + [f"2026-{m:02d}" for m in range(1, 11)]
    table = re.search(r'<tr data-month="2026-09">(.*?)</tr>', page).group(1)
    assert "¥140.00" in table and "¥50.00" in table


@time_machine.travel(TODAY, tick=False)
def test_members_see_their_own_teams_usage_only(app, make, client, u):
    t1, t2 = u["teams"]
    member = make.user("member", team=t1)
    assert login(client, member.email).status_code == 302
    mine = client.get("/compute/usage/mine", follow_redirects=True)
    assert mine.status_code == 200
    page = client.get(f"/teams/{t1.id}/usage?month=2026-10").get_data(as_text=True)
    assert shown_records(page) == [u["ids"]["oct2"], u["ids"]["oct1"]]
    assert kpis(page)["share"] == "¥150.00"
    assert client.get(f"/teams/{t2.id}/usage").status_code == 404
    assert client.get(f"/parks/{u['park'].id}/compute/usage").status_code == 404
    other = app.test_client()
    stranger = make.user("staff", parks=[make.park()])
    assert login(other, stranger.email).status_code == 302
    assert other.get(f"/parks/{u['park'].id}/compute/usage").status_code == 404
    assert other.get(f"/teams/{t1.id}/usage").status_code == 404


@time_machine.travel(TODAY, tick=False)
def test_the_api_lists_what_each_caller_may_see(make, api, u):
    ids = u["ids"]
    listed = u["api"].get("/usage?month=2026-10").get_json()
    assert [i["id"] for i in listed["items"]] == [ids["oct3"], ids["oct2"], ids["oct1"]]
    assert listed["total"] == 3
    (first,) = u["api"].get("/usage?month=2026-10&gpu_type=A100").get_json()["items"]
    assert first == {
        "id": ids["oct2"],
        "external_id": first["external_id"],
        "provider_id": u["other"].id,
        "team_id": u["teams"][0].id,
        "park_id": u["park"].id,
        "gpu_type": "A100",
        "start": "2026-10-09T02:00:00+00:00",
        "end": "2026-10-09T03:00:00+00:00",
        "month": "2026-10",
        "gpu_hours": "0.25",
        "cost_yuan": "15.00",
        "subsidy_yuan": "5.00",
        "team_share_yuan": "10.00",
        "settlement_id": None,
    }
    paged = u["api"].get("/usage?per_page=2&page=2").get_json()
    assert paged["total"] == 6 and len(paged["items"]) == 2  # every month of the park
    star = api(u["star"].user, scope="usage:write")
    theirs = star.get("/usage?month=2026-10").get_json()["items"]
    assert sorted(i["id"] for i in theirs) == sorted([ids["oct1"], ids["oct3"], ids["far"]])
    assert star.get(f"/usage?provider_id={u['other'].id}").get_json()["items"] == []
    member = api(make.user("member", team=u["teams"][1]), scope="read")
    assert [i["id"] for i in member.get("/usage").get_json()["items"]] == [
        ids["nov1"],
        ids["oct3"],
        ids["sep2"],
    ]
    assert u["api"].get("/usage?month=2026-1").status_code == 422
    assert u["api"].get("/usage?colour=red").status_code == 422


@time_machine.travel(TODAY, tick=False)
def test_monthly_totals_per_team_in_sql(ctx, u):
    t1, t2 = u["teams"]
    found = team_month_subsidies(u["park"].id, "2026-09", "2026-10")
    assert [
        (t, m, x.records, x.cost_fen, x.subsidy_fen, x.team_share_fen) for t, m, x in found
    ] == [
        (t1.id, "2026-09", 1, 10_000, 5_000, 5_000),
        (t1.id, "2026-10", 2, 21_500, 6_500, 15_000),
        (t2.id, "2026-09", 1, 3_000, 0, 3_000),
        (t2.id, "2026-10", 1, 700, 0, 700),
    ]
    only_star = team_month_subsidies(u["park"].id, "2026-10", "2026-10", provider_id=u["star"].id)
    assert [(t, x.cost_fen) for t, _m, x in only_star] == [(t1.id, 20_000), (t2.id, 700)]


@time_machine.travel(TODAY, tick=False)
def test_the_page_issues_as_many_statements_with_more_records(
    app, client, as_user, count_queries, u
):
    as_user("staff", parks=[u["park"]])
    path = f"/parks/{u['park'].id}/compute/usage?month=2026-10"
    client.get(path)
    with count_queries() as few:
        assert client.get(path).status_code == 200
    for n in range(8):
        record(app, u["teams"][n % 2], u["star"], f"2026-10-{n + 2:02d}T10:00:00+08:00",
               cost_fen=100 + n)  # fmt: skip
    with count_queries() as many:
        assert client.get(path).status_code == 200
    assert len(many) == len(few), (few, many)


@time_machine.travel(TODAY, tick=False)
def test_the_chart_totals_and_choices_come_in_one_statement(app, ctx, u, count_queries):
    """explorer_facts: the chart as by_month, the totals as filter_totals (a GPU type's
    apart), the park's teams by name and the providers by name, in one statement."""
    park, (t1, t2), star = u["park"], u["teams"], u["star"]
    filters = [
        UsageFilter(month="2026-10", park_id=park.id),
        UsageFilter(month="2026-10", park_id=park.id, team_id=t1.id),
        UsageFilter(month="2026-10", park_id=park.id, provider_id=star.id),
        UsageFilter(month="2026-10", park_id=park.id, gpu_type="H100"),
        UsageFilter(month="2026-09", park_id=park.id, team_id=t2.id, gpu_type="A100"),
        UsageFilter(month="2026-10", park_id=park.id, provider_id=star.id, gpu_type="4090"),
    ]
    for flt in filters:
        with count_queries() as statements:
            facts = explorer_facts(flt, 3, with_teams=True)
        assert [s for s in statements if s != "BEGIN"] == statements[-1:], statements
        assert facts.months == by_month(flt, months_to(flt.month, 3))
        assert facts.totals == filter_totals(flt)
    assert facts.totals.records == 0 and facts.months["2026-10"].records == 2  # star: oct1, oct3
    by_gpu = explorer_facts(filters[3], 12, with_teams=False)
    assert (by_gpu.totals.records, by_gpu.totals.subsidy_fen) == (2, 6_000)
    assert list(by_gpu.months) == months_to("2026-10", 12) and by_gpu.teams == []
    teams = explorer_facts(filters[0], 1, with_teams=True).teams
    assert [row.id for row in teams] == [
        t.id for t in sorted((t1, t2), key=lambda t: (t.name_pinyin, t.id))
    ]
    names = sorted([(star.name, star.id), (u["other"].name, u["other"].id)])
    assert list(facts.providers.items()) == [(i, n) for n, i in names]


@time_machine.travel(TODAY, tick=False)
def test_every_filter_costs_the_page_as_many_statements(app, client, as_user, count_queries, u):
    as_user("staff", parks=[u["park"]])
    base = f"/parks/{u['park'].id}/compute/usage?month=2026-10"
    t1 = u["teams"][0]
    counts = []
    for query in ("", f"&team_id={t1.id}", f"&provider_id={u['star'].id}", "&gpu_type=H100",
                  f"&team_id={t1.id}&provider_id={u['star'].id}&gpu_type=H100&page=2"):  # fmt: skip
        client.get(base + query)
        with count_queries() as statements:
            page = client.get(base + query)
        assert page.status_code == 200
        counts.append(len(statements))
    assert len(set(counts)) == 1, counts
    # The team chosen stays chosen in the filter.
    chosen = client.get(f"{base}&team_id={t1.id}").get_data(as_text=True)
    assert re.search(rf'<option value="{t1.id}" selected>', chosen)
    assert len(re.findall(r"<option value=\"\d+\" selected>", chosen)) == 1

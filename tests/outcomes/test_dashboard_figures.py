"""The dashboard's figures equal the sums of their source records, computed here in Python
from generated data: output from current KPI versions only (a superseded version and
another park's team never count), by quarter and track, growth over the same quarters of
the year before, headcount of the last quarter; residents at month ends from the teams'
histories; occupancy from allocations [start, end); graduations."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session

from opc.extensions import db
from opc.outcomes.dashboard import figures
from opc.outcomes.dashboard.figures import growth
from opc.parks.models import Park
from opc.teams.models import TeamStatusChange

YEAR, LAST = 2026, 2025
TODAY = date(2026, 8, 15)  # the park's day: Q1–Q2 reported, months 1–8 compared
TRACKS = ("aigc_film", "games", "ai_agents")
FLOWS = ("revenue_fen", "taxes_fen", "financing_fen", "rnd_fen", "works_released")


def history(app: Any, team: Any, steps: list[tuple[str, date]]) -> None:
    """A team's status history: each (status, day), from the one before."""
    with app.app_context(), Session(db.engine) as s:
        before = None
        for status, on in steps:
            s.add(TeamStatusChange(team_id=team.id, from_status=before, to_status=status, on=on))
            before = status
        s.commit()


def status_on(steps: list[tuple[str, date]], day: date) -> str | None:
    """The team's status at the end of `day`, read independently of the SQL."""
    found = None
    for status, on in steps:
        if on <= day:
            found = status
    return found


def arrive(day: date) -> list[tuple[str, date]]:
    return [("applicant", day), ("admitted", day), ("resident", day)]


@pytest.fixture
def world(app: Any, make: Any) -> dict[str, Any]:
    """A park with teams on three tracks, a year and a half of reports (with corrections),
    histories, allocations; another park with the same, which must never count."""
    rng = random.Random(13)
    park, other = make.park(), make.park()
    reports: list[tuple[Any, int, int, dict[str, int]]] = []  # counted: team, year, q, figures
    histories: dict[int, list[tuple[str, date]]] = {}
    plans = [
        ("aigc_film", [*arrive(date(2024, 12, 1)), ("graduated", date(2026, 5, 20))]),
        (
            "games",
            [
                *arrive(date(2025, 6, 1)),
                ("suspended", date(2026, 3, 1)),
                ("resident", date(2026, 4, 15)),
            ],
        ),
        ("ai_agents", arrive(date(2026, 2, 10))),
        ("games", [*arrive(date(2025, 1, 1)), ("graduated", date(2025, 11, 3))]),
        ("aigc_film", [("applicant", date(2026, 1, 5))]),
    ]
    teams = []
    for track, steps in plans:
        team = make.team(park, track=track, status=steps[-1][0])
        history(app, team, steps)
        histories[team.id] = steps
        teams.append(team)
    outsider = make.team(other, track="games", status="resident")
    history(app, outsider, [*arrive(date(2025, 1, 1)), ("graduated", date(2026, 6, 1))])

    def figures_() -> dict[str, int]:
        headcount = rng.randint(1, 40)
        return {
            "revenue_fen": rng.randint(0, 90_000_000),
            "taxes_fen": rng.randint(0, 9_000_000),
            "financing_fen": rng.randint(0, 50_000_000),
            "rnd_fen": rng.randint(0, 20_000_000),
            "headcount": headcount,
            "graduates_hired": rng.randint(0, headcount),
            "patents_applied": rng.randint(0, 3),
            "patents_granted": rng.randint(0, 2),
            "software_copyrights_applied": rng.randint(0, 4),
            "software_copyrights_granted": rng.randint(0, 3),
            "trademarks_applied": rng.randint(0, 2),
            "trademarks_granted": rng.randint(0, 1),
            "works_released": rng.randint(0, 5),
        }

    superseded = datetime(2026, 7, 20, tzinfo=UTC)
    for team in [*teams[:4], outsider]:
        for year, quarters in ((LAST, (1, 2, 3, 4)), (YEAR, (1, 2))):
            for q in quarters:
                if rng.random() < 0.15:
                    continue  # a quarter not filed
                values = figures_()
                if rng.random() < 0.4:  # a correction: version 1 kept, superseded
                    wrong = {k: v * 7 + 1 for k, v in figures_().items()}
                    wrong["graduates_hired"] = 0
                    make.kpi_report(team, year, q, superseded_at=superseded, **wrong)
                    make.kpi_report(team, year, q, version=2, **values)
                else:
                    make.kpi_report(team, year, q, **values)
                if team is not outsider:
                    reports.append((team, year, q, values))
    # A superseded version of a quarter nobody reported currently: must not count either.
    make.kpi_report(teams[2], YEAR, 3, superseded_at=superseded, revenue_fen=10**10)

    units = [make.unit(park, area_m2=Decimal(a)) for a in ("30.50", "50", "20")]
    allocations = [
        (teams[0], units[0], date(2025, 1, 10), date(2026, 5, 20)),
        (teams[1], units[1], date(2025, 6, 1), None),
        (teams[2], units[2], date(2026, 2, 10), date(2026, 7, 1)),
        (teams[3], units[2], date(2025, 1, 1), date(2025, 11, 3)),
    ]
    for team, unit, start, end in allocations:
        make.allocation(team, unit, start, end)
    make.allocation(outsider, make.unit(other, area_m2=Decimal("999")), date(2025, 1, 1))
    return {
        "park": park,
        "teams": teams,
        "reports": reports,
        "histories": histories,
        "allocations": allocations,
        "units": units,
    }


def compute(app: Any, park: Any, year: int = YEAR, today: date = TODAY) -> Any:
    with app.app_context():
        d = figures.dashboard(db.session.get(Park, park.id), year, today)
        db.session.remove()
        return d


def expected_output(reports: list, year: int, quarters: int, track: str | None = None) -> dict:
    rows = [
        (q, v)
        for team, y, q, v in reports
        if y == year and q <= quarters and (track is None or team.track == track)
    ]
    all_rows = [(q, v) for _t, y, q, v in reports if y == year and q <= quarters]
    stock_q = max((q for q, _v in all_rows), default=0)
    out = {f: sum(v[f] for _q, v in rows) for f in FLOWS}
    out["ip_applied"] = sum(
        v["patents_applied"] + v["software_copyrights_applied"] + v["trademarks_applied"]
        for _q, v in rows
    )
    out["ip_granted"] = sum(
        v["patents_granted"] + v["software_copyrights_granted"] + v["trademarks_granted"]
        for _q, v in rows
    )
    out["headcount"] = sum(v["headcount"] for q, v in rows if q == stock_q)
    out["graduates_hired"] = sum(v["graduates_hired"] for q, v in rows if q == stock_q)
    out["reports"] = len(rows)
    return out


def as_dict(output: Any) -> dict:
    keys = (*FLOWS, "ip_applied", "ip_granted", "headcount", "graduates_hired", "reports")
    return {k: getattr(output, k) for k in keys}


def test_output_is_the_sum_of_current_versions_of_the_parks_teams(app, world):
    d = compute(app, world["park"])

    assert d.quarters_compared == 2
    assert as_dict(d.this) == expected_output(world["reports"], YEAR, 2)
    # The year before over the same quarters (Q1–Q2), headcount of its Q2.
    assert as_dict(d.last) == expected_output(world["reports"], LAST, 2)
    for q in d.quarters:
        wanted = [v for _t, y, qq, v in world["reports"] if y == YEAR and qq == q.quarter]
        assert q.output.revenue_fen == sum(v["revenue_fen"] for v in wanted)
        assert q.output.headcount == sum(v["headcount"] for v in wanted)
    assert d.quarters[2].output.reports == 0  # only a superseded version filed for Q3


def test_output_by_track_adds_up_to_the_total(app, world):
    d = compute(app, world["park"])

    assert [t.track for t in d.tracks] == ["aigc_film", "ai_agents", "games"]  # Track order
    for t in d.tracks:
        assert as_dict(t.this) == expected_output(world["reports"], YEAR, 2, t.track)
        assert as_dict(t.last) == expected_output(world["reports"], LAST, 2, t.track)
    for name in (*FLOWS, "headcount"):
        assert sum(getattr(t.this, name) for t in d.tracks) == getattr(d.this, name)


def test_a_past_year_compares_all_four_quarters(app, world):
    d = compute(app, world["park"], year=LAST, today=TODAY)

    assert d.quarters_compared == 4 and d.months_compared == 12
    assert as_dict(d.this) == expected_output(world["reports"], LAST, 4)
    assert d.last.reports == 0 and d.last.revenue_fen == 0


def test_growth_is_the_change_in_percent_and_none_from_nothing():
    assert growth(150, 100) == Decimal("50.0")
    assert growth(2, 3) == Decimal("-33.3")
    assert growth(100, 0) is None
    d_revenue = figures.Figure("revenue_yuan", "", "money", 5, 4)
    assert d_revenue.growth == Decimal("25.0")


def test_headline_growth_follows_this_year_and_last(app, world):
    d = compute(app, world["park"])
    by_key = {f.key: f for f in figures.headline(d)}

    this, last = d.this.revenue_fen, d.last.revenue_fen
    assert by_key["revenue_yuan"].growth == growth(this, last)
    assert by_key["headcount"].this == expected_output(world["reports"], YEAR, 2)["headcount"]


def test_residents_at_each_month_end_follow_the_histories(app, world):
    d = compute(app, world["park"])
    histories = world["histories"]

    def residents(day: date) -> int:
        return sum(1 for steps in histories.values() if status_on(steps, day) == "resident")

    assert d.months_compared == 8
    for m in d.months:
        if m.month > 8:
            assert m.day is None and m.residents is None
            continue
        end = date(YEAR, m.month + 1, 1) - timedelta(days=1)
        day = min(end, TODAY)
        assert m.day == day
        assert m.residents == residents(day), m.month
    for m in d.last_months[:8]:
        assert m.residents == residents(m.day), m.month
    # Suspended in March, resident again in April; graduated in May.
    assert [m.residents for m in d.months[:6]] == [2, 3, 2, 3, 2, 2]


def test_a_team_without_history_counts_from_its_status_since(app, make, world):
    park = world["park"]
    make.team(park, status="resident", status_since=date(2026, 3, 10))
    d = compute(app, park)

    assert d.months[1].residents == 3 and d.months[2].residents == 3  # 2 without it


def test_occupancy_is_the_area_held_at_month_end_over_the_parks_area(app, world):
    d = compute(app, world["park"])

    def held(day: date) -> Decimal:
        return sum(
            (
                unit.area_m2
                for _team, unit, start, end in world["allocations"]
                if start <= day and (end is None or day < end)
            ),
            Decimal("0.00"),
        )

    for m in d.months[:8] + d.last_months[:8]:
        assert m.allocated_m2 == held(m.day), m.day
        assert m.occupancy_pct == (held(m.day) * 100 / Decimal("2500")).quantize(Decimal("0.1"))
    assert d.months[4].allocated_m2 == Decimal("70.00")  # May's allocation ended on 05-20
    assert d.occupancy_pct == (d.months[7].occupancy_pct, d.last_months[7].occupancy_pct)
    # Its growth is in percentage points: 2.0% against 4.0% is 2 points less.
    [occupancy] = [f for f in figures.headline(d) if f.key == "occupancy_pct"]
    assert occupancy.growth == d.occupancy_pct[0] - d.occupancy_pct[1] == Decimal("-2.0")


def test_graduations_count_the_parks_teams_by_month(app, world):
    d = compute(app, world["park"])

    assert [(g.team_id, g.on) for g in d.graduated] == [(world["teams"][0].id, date(2026, 5, 20))]
    assert [m.graduations for m in d.months] == [0, 0, 0, 0, 1] + [0] * 7
    assert d.last_months[10].graduations == 1
    # Year to date (months 1–8): one this year, none in 2025's first eight months.
    assert d.graduations == (1, 0)


def test_an_empty_year_is_all_zeros_and_no_growth(app, make):
    park = make.park()
    d = compute(app, park)

    assert d.quarters_compared == 0 and d.tracks == []
    changes = {f.key: f.growth for f in figures.headline(d)}
    assert changes.pop("occupancy_pct") == 0  # in points: nothing held either year
    assert all(change is None for change in changes.values())


def test_the_figures_take_a_fixed_number_of_statements(app, world, make, count_queries):
    with count_queries() as few:
        compute(app, world["park"])
    for _n in range(5):
        team = make.team(world["park"], track="vfx", status="resident")
        make.kpi_report(team, YEAR, 1, revenue_fen=100)
    with count_queries() as more:
        compute(app, world["park"])
    assert len(more) == len(few) <= 9  # BEGIN, the park, seven statements

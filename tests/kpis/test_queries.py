"""Read models of KPI reports: current and earlier versions, a team's reports, the teams of a
park that owe a quarter's report (one statement, however many teams), the quarter due."""

from __future__ import annotations

from datetime import date

from opc.core.dates import local_today
from opc.extensions import db
from opc.kpis import queries
from opc.kpis.operations import file_report
from opc.kpis.quarters import Quarter, to_file
from opc.kpis.residency import residency_of
from opc.teams.models import Team
from tests.kpis.helpers import FIGURES, resident_team

Q2, Q3 = Quarter(2026, 2), Quarter(2026, 3)

STAYS = {
    "before_histories": {"move_in": None},
    "moved_in_during": {"move_in": date(2026, 8, 20)},
    "moved_in_after": {"move_in": date(2026, 10, 1)},
    "left_before": {"move_in": date(2024, 1, 1), "left": date(2026, 7, 1)},
    "left_during": {"move_in": date(2024, 1, 1), "left": date(2026, 7, 2)},
    "suspended": {"move_in": date(2025, 1, 1), "status": "suspended"},
    "applicant": {"move_in": None, "status": "applicant"},
    "exited_during": {"move_in": None, "left": date(2026, 9, 1), "left_as": "exited"},
}
OWING = {"before_histories", "moved_in_during", "left_during", "suspended", "exited_during"}


def test_current_and_versions(app, make, ctx):
    team = resident_team(make)
    for headcount in (5, 6, 7):
        file_report(team.id, Q3, {**FIGURES, "headcount": headcount}, actor=None)
    file_report(team.id, Q2, FIGURES, actor=None)
    assert queries.current(team.id, Q3).headcount == 7
    assert [r.version for r in queries.versions(team.id, Q3)] == [3, 2, 1]
    assert [(r.period, r.version) for r in queries.team_reports(team.id)] == [
        ("2026-Q3", 3),
        ("2026-Q2", 1),
    ]
    assert queries.current(team.id, Quarter(2026, 1)) is None
    assert queries.versions(team.id, Quarter(2026, 1)) == []


def test_the_park_quarter_lists_the_teams_that_owe_with_their_reports(
    app, make, ctx, count_queries
):
    park, elsewhere = make.park(), make.park()
    teams = {name: resident_team(make, park, **stay) for name, stay in STAYS.items()}
    resident_team(make, elsewhere)
    file_report(teams["moved_in_during"].id, Q3, FIGURES, actor=None)
    file_report(teams["moved_in_during"].id, Q3, {**FIGURES, "headcount": 9}, actor=None)
    with count_queries() as statements:
        listed = queries.park_quarter([park.id], Q3)
    assert len(statements) <= 2
    names = {team.id: name for name, team in teams.items()}
    assert {names[t.id] for t, _r in listed} == OWING
    reports = {names[t.id]: r for t, r in listed}
    assert reports["moved_in_during"].version == 2
    assert all(r is None for name, r in reports.items() if name != "moved_in_during")
    # The SQL says what Residency says, for every one of them.
    for name, team in teams.items():
        stay = residency_of(db.session, db.session.get(Team, team.id))
        assert stay.overlaps(Q3.start, Q3.end) == (name in OWING), name


def test_the_park_quarter_is_one_statement_for_many_teams(app, make, ctx, count_queries):
    park = make.park()
    for _ in range(12):
        file_report(resident_team(make, park).id, Q3, FIGURES, actor=None)
    with count_queries() as statements:
        listed = queries.park_quarter([park.id], Q3)
        assert all(r.team_id == t.id for t, r in listed)
        assert [t.park_id for t, _r in listed] == [park.id] * 12
    assert len(statements) <= 2
    assert queries.park_quarter([], Q3) == []


def test_the_quarter_due_is_the_one_before_until_filed(app, make, ctx):
    team = resident_team(make)
    due = to_file(local_today("Asia/Shanghai"))
    loaded = db.session.get(Team, team.id)
    assert queries.due_for(loaded) == due
    file_report(team.id, due, FIGURES, actor=None)
    assert queries.due_for(db.session.get(Team, team.id)) is None


def test_a_team_that_moved_in_after_the_quarter_owes_nothing_yet(app, make, ctx):
    today = local_today("Asia/Shanghai")
    team = resident_team(make, move_in=Quarter.of(today).start)
    assert queries.due_for(db.session.get(Team, team.id)) is None

"""Filing a KPI report: versions, the figures' checks, the quarter, residency, who may file.
Every refusal writes nothing."""

from __future__ import annotations

from datetime import date

import pytest

from opc.core.errors import NotFound, RuleViolation, ValidationFailed
from opc.kpis.models import KpiReport
from opc.kpis.operations import MAX_COUNT, MAX_MONEY_FEN, file_report
from opc.kpis.quarters import Quarter
from tests.core.helpers import rows
from tests.kpis.helpers import FIGURES, resident_team

Q3 = Quarter(2026, 3)


def reports(app):
    return rows(app, KpiReport, order_by=KpiReport.version)


def test_a_member_files_the_teams_report(app, make, ctx):
    team = resident_team(make)
    member = make.user("member", team=team)
    report = file_report(team.id, Q3, FIGURES, "  first report ", actor=member)
    assert (report.version, report.period, report.superseded_at) == (1, "2026-Q3", None)
    [stored] = reports(app)
    assert {f: getattr(stored, f) for f in FIGURES} == FIGURES
    assert (stored.filed_by_id, stored.note) == (member.id, "first report")


def test_a_correction_is_a_new_version_and_the_earlier_is_kept(app, make, ctx):
    park = make.park()
    team = resident_team(make, park)
    staff = make.user("staff", parks=[park])
    file_report(team.id, Q3, FIGURES, actor=staff)
    second = file_report(team.id, Q3, {**FIGURES, "headcount": 9}, actor=staff)
    third = file_report(team.id, Q3, {**FIGURES, "headcount": 10}, actor=staff)
    assert (second.version, third.version) == (2, 3)
    stored = reports(app)
    assert [(r.version, r.headcount) for r in stored] == [(1, 8), (2, 9), (3, 10)]
    assert [r.superseded_at is None for r in stored] == [False, False, True]
    assert stored[0].superseded_at <= stored[1].superseded_at


def test_another_quarter_is_a_report_of_its_own(app, make, ctx):
    team = resident_team(make)
    file_report(team.id, Q3, FIGURES, actor=None)
    other = file_report(team.id, Quarter(2026, 2), FIGURES, actor=None)
    assert other.version == 1
    assert all(r.superseded_at is None for r in reports(app))


def test_figures_left_out_are_zero(app, make, ctx):
    team = resident_team(make)
    file_report(team.id, Q3, {"revenue_fen": 100}, actor=None)
    [stored] = reports(app)
    assert (stored.revenue_fen, stored.headcount, stored.works_released) == (100, 0, 0)


@pytest.mark.parametrize(
    ("figures", "field"),
    [
        ({"revenue_fen": -1}, "revenue_fen"),
        ({"headcount": -3}, "headcount"),
        ({"headcount": 2, "graduates_hired": 3}, "graduates_hired"),
        ({"graduates_hired": 1}, "graduates_hired"),
        ({"revenue_fen": MAX_MONEY_FEN + 1}, "revenue_fen"),
        ({"taxes_fen": 10**30}, "taxes_fen"),
        ({"patents_applied": MAX_COUNT + 1}, "patents_applied"),
        ({"headcount": 2**63}, "headcount"),
        ({"revenue_fen": 1.5}, "revenue_fen"),
        ({"revenue_fen": 1e30}, "revenue_fen"),
        ({"revenue_fen": "100"}, "revenue_fen"),
        ({"headcount": True}, "headcount"),
        ({"headcount": None}, "headcount"),
        ({"employees": 3}, "employees"),
    ],
)
def test_bad_figures_are_refused_on_their_field(app, make, ctx, figures, field):
    team = resident_team(make)
    with pytest.raises(ValidationFailed) as refused:
        file_report(team.id, Q3, figures, actor=None)
    assert field in refused.value.fields
    assert reports(app) == []


def test_the_largest_figures_are_taken(app, make, ctx):
    team = resident_team(make)
    big = {f: MAX_MONEY_FEN for f in ("revenue_fen", "financing_fen", "rnd_fen", "taxes_fen")}
    counts = {"headcount": MAX_COUNT, "graduates_hired": MAX_COUNT}
    file_report(team.id, Q3, {**big, **counts}, actor=None)
    [stored] = reports(app)
    assert stored.revenue_fen == MAX_MONEY_FEN and stored.graduates_hired == MAX_COUNT


@pytest.mark.parametrize("note", ["a\x00b", "x" * 2001, "bell\x07", "\ud800", 5])
def test_a_bad_note_is_refused(app, make, ctx, note):
    team = resident_team(make)
    with pytest.raises(ValidationFailed) as refused:
        file_report(team.id, Q3, FIGURES, note, actor=None)
    assert "note" in refused.value.fields
    assert reports(app) == []


def test_a_note_may_have_lines(app, make, ctx):
    team = resident_team(make)
    file_report(team.id, Q3, FIGURES, "第一行\r\n第二行", actor=None)
    assert reports(app)[0].note == "第一行\r\n第二行"


def test_a_quarter_not_begun_is_refused_and_the_running_one_may_be_filed(app, make, ctx):
    team = resident_team(make)
    with pytest.raises(ValidationFailed) as refused:
        file_report(team.id, Quarter(2099, 1), FIGURES, actor=None)
    assert "quarter" in refused.value.fields
    assert reports(app) == []
    from opc.core.dates import local_today

    running = Quarter.of(local_today("Asia/Shanghai"))
    assert file_report(team.id, running, FIGURES, actor=None).version == 1


@pytest.mark.parametrize(
    "stay",
    [
        {"move_in": date(2026, 10, 1)},  # moved in the day after the quarter
        {"move_in": date(2024, 1, 1), "left": date(2026, 7, 1)},  # left on its first day
        {"move_in": None, "status": "applicant"},  # never resident
        {"move_in": None, "status": "admitted"},
        {"move_in": None, "left": date(2026, 8, 1), "left_as": "exited", "status": "exited"},
    ],
)
def test_a_team_not_resident_during_the_quarter_is_refused(app, make, ctx, stay):
    team = resident_team(make, **stay)
    if stay.get("left_as") == "exited":  # a refused applicant: it left from applicant
        from sqlalchemy import update

        from opc.extensions import db
        from opc.teams.models import TeamStatusChange

        db.session.execute(update(TeamStatusChange).values(from_status="applicant"))
        db.session.commit()
    with pytest.raises(RuleViolation) as refused:
        file_report(team.id, Q3, FIGURES, actor=None)
    assert refused.value.code == "team_not_resident"
    assert refused.value.conflict["quarter"] == "2026-Q3"
    assert reports(app) == []


@pytest.mark.parametrize(
    "stay",
    [
        {"move_in": date(2026, 9, 30)},  # its last day
        {"move_in": date(2024, 1, 1), "left": date(2026, 7, 2)},  # one day of it
        {"move_in": None},  # resident before histories were kept
        {"move_in": None, "status": "suspended"},
        {"move_in": date(2025, 1, 1), "status": "suspended"},
        {"move_in": None, "left": date(2026, 8, 1)},  # graduated during it
    ],
)
def test_a_team_resident_on_some_day_of_the_quarter_files(app, make, ctx, stay):
    team = resident_team(make, **stay)
    assert file_report(team.id, Q3, FIGURES, actor=None).version == 1


def test_a_member_files_for_their_own_team_only(app, make, ctx):
    team, other = resident_team(make), resident_team(make)
    outsider = make.user("member", team=other)
    with pytest.raises(NotFound):
        file_report(team.id, Q3, FIGURES, actor=outsider)
    assert reports(app) == []


def test_staff_of_another_park_find_no_team(app, make, ctx):
    team = resident_team(make)
    staff = make.user("staff", parks=[make.park()])
    with pytest.raises(NotFound):
        file_report(team.id, Q3, FIGURES, actor=staff)
    assert reports(app) == []


@pytest.mark.parametrize("team_id", [0, -1, 2**40, "1", None])
def test_no_such_team(app, make, ctx, team_id):
    with pytest.raises(NotFound):
        file_report(team_id, Q3, FIGURES, actor=None)


def test_admins_file_for_any_team(app, make, ctx):
    team = resident_team(make)
    admin = make.user("admin")
    assert file_report(team.id, Q3, FIGURES, actor=admin).filed_by_id == admin.id


def test_filing_is_audited(app, make, ctx):
    from opc.audit.models import AuditEntry

    team = resident_team(make)
    file_report(team.id, Q3, FIGURES, actor=None)
    file_report(team.id, Q3, FIGURES, actor=None)
    entries = rows(app, AuditEntry, AuditEntry.entity == "kpi_reports")
    assert sorted(e.action for e in entries) == ["create", "create", "update"]


def test_the_audit_log_names_the_report_and_links_its_quarter(app, make, ctx):
    from opc.audit.registry import KINDS

    team = resident_team(make)
    report = file_report(team.id, Q3, FIGURES, actor=None)
    kind = KINDS["kpi_reports"]
    with app.test_request_context():
        loaded = ctx_report(report.id)
        assert kind.name(loaded).endswith("· 2026-Q3 v1")
        assert kind.url(loaded) == f"/teams/{team.id}/kpis/2026-Q3"
        assert kind.values["revenue_fen"](1_234_567) == "¥12,345.67"


def ctx_report(report_id: int) -> KpiReport:
    from opc.extensions import db

    return db.session.get(KpiReport, report_id)

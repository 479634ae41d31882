"""The demo's KPI reports (opc.demo.kpis): a year of Chengdu's quarters, every team that owed
an earlier quarter filed it, the latest partly filed (never yet by the member login's
team, whose page says it is due), two corrections with their first versions kept, filing
instants between each quarter's end and now; the staff page shows who has not filed.

Seeded at a fixed day (5 December 2026): the latest quarter is 2026-Q3."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine
from sqlalchemy import select

from opc.auth.models import User
from opc.demo import DEMO_PASSWORD
from opc.demo.specs import CHENGDU
from opc.extensions import db
from opc.kpis.models import KpiReport
from opc.kpis.quarters import Quarter
from opc.kpis.queries import park_quarter
from opc.parks.models import Park
from opc.teams.models import Team
from tests.conftest import login
from tests.core.helpers import text

SEEDED = datetime(2026, 12, 5, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
QUARTERS = [Quarter(2025, 4), Quarter(2026, 1), Quarter(2026, 2), Quarter(2026, 3)]


def test_a_year_of_kpis_with_corrections_and_a_latest_quarter_partly_filed(app, client, demo_data):
    with time_machine.travel(SEEDED, tick=False):
        demo_data()
        with app.app_context():
            park = db.session.scalar(select(Park).where(Park.code == CHENGDU.code))
            reports = list(db.session.scalars(select(KpiReport)))
            teams = {t.id: t for t in db.session.scalars(select(Team))}
            owing = {q: park_quarter([park.id], q) for q in QUARTERS}
            member = db.session.scalar(select(User).where(User.email == "member@opc-demo.cn"))
            member_team, park_id = member.team_id, park.id
            db.session.remove()
        assert {teams[r.team_id].park_id for r in reports} == {park_id}
        assert {Quarter(r.year, r.quarter) for r in reports} == set(QUARTERS)
        current = [r for r in reports if r.superseded_at is None]
        for quarter in QUARTERS[:-1]:  # every team that owed an earlier quarter filed it
            assert all(report is not None for _team, report in owing[quarter]), quarter
        latest = owing[QUARTERS[-1]]
        filed = [team.id for team, report in latest if report is not None]
        assert 0.4 * len(latest) <= len(filed) <= 0.85 * len(latest)
        assert member_team not in filed
        # Two corrections, each with its first version kept, superseded when the second came.
        versions = defaultdict(list)
        for r in reports:
            versions[(r.team_id, r.period)].append(r)
        corrected = [sorted(v, key=lambda r: r.version) for v in versions.values() if len(v) > 1]
        assert len(corrected) == 2
        for first, second in corrected:
            assert (first.version, second.version) == (1, 2)
            assert first.superseded_at == second.created_at > first.created_at
            assert second.revenue_fen > first.revenue_fen and second.note
        # Filed after each quarter's end, never in the future; figures that vary by track.
        for r in reports:
            assert r.created_at.date() >= Quarter(r.year, r.quarter).end
            assert r.created_at <= SEEDED
        tracks = Counter(teams[r.team_id].track for r in current if r.works_released)
        assert len(tracks) >= 3 and len({r.revenue_fen for r in current}) > len(current) // 2

        login(client, "member@opc-demo.cn", DEMO_PASSWORD)
        home = text(client.get(f"/teams/{member_team}"))
        assert 'data-due="2026-Q3"' in home
        staff = app.test_client()
        login(staff, "staff@opc-demo.cn", DEMO_PASSWORD)
        page = text(staff.get(f"/kpis?park_id={park_id}&quarter=2026-Q3"))
        assert 'data-state="filed"' in page and 'data-state="missing"' in page
        assert "corrected — v2" in text(staff.get(f"/kpis?park_id={park_id}&quarter=2026-Q2"))

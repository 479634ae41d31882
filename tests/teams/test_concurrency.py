"""Two admissions racing for the last place under the cap, on two real connections."""

from __future__ import annotations

import threading
import time

import pytest

from opc.auth.models import User
from opc.core.errors import RuleViolation
from opc.extensions import db
from opc.teams import operations as ops
from opc.teams.models import Team
from tests.teams.helpers import count, one


@pytest.mark.slow
def test_two_admissions_race_for_the_last_place(app, make, monkeypatch):
    park = make.park(team_cap=3)
    for _ in range(2):
        make.team(park, status="resident")
    contenders = [make.team(park, status="admitted") for _ in range(2)]
    staff = make.user("staff", parks=[park])

    # Widen the window between counting the residents and writing the new one, so that
    # without the park lock both admissions would count two residents and both pass.
    counted = ops._over_cap

    def slow_over_cap(*args, **kw):
        result = counted(*args, **kw)
        time.sleep(0.3)
        return result

    monkeypatch.setattr(ops, "_over_cap", slow_over_cap)
    barrier = threading.Barrier(2)
    outcomes: dict[int, str] = {}

    def admit(team_id: int) -> None:
        with app.app_context():  # its own session, its own connection
            try:
                team = db.session.get(Team, team_id)
                actor = db.session.get(User, staff.id)
                barrier.wait(timeout=10)
                ops.transition(team, "resident", actor=actor)
                outcomes[team_id] = "admitted"
            except RuleViolation as exc:
                outcomes[team_id] = exc.code
            except Exception as exc:  # pragma: no cover - reported by the assertion below
                outcomes[team_id] = repr(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=admit, args=(t.id,)) for t in contenders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes.values()) == ["admitted", "team_cap_reached"], outcomes
    assert count(app, Team, Team.park_id == park.id, Team.status == "resident") == 3
    loser = next(tid for tid, outcome in outcomes.items() if outcome == "team_cap_reached")
    assert one(app, Team, loser).waitlisted_at is not None

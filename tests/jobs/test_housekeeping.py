"""The daily housekeeping deletes login sessions, login attempts and invitations that are
past their retention (config/default.toml) and keeps everything else; deleted invitations
are in the audit log."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from opc.audit.models import AuditEntry
from opc.auth.models import LoginAttempt, UserSession
from opc.core.db import transaction
from opc.jobs import registry
from opc.jobs.models import JobRun
from opc.jobs.runner import Outcome, run_due
from opc.teams.models import Invitation
from tests.core.helpers import rows

NOW = datetime(2026, 6, 1, 19, 30, tzinfo=UTC)  # 03:30 on 2 June in Shanghai
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def add(app, *records) -> None:
    with app.app_context(), transaction() as session:
        session.add_all(records)


def session_of(user_id: int, label: str, created: datetime, revoked: datetime | None = None):
    return UserSession(
        user_id=user_id, token_hash=label.ljust(64, "0"), created_at=created, revoked_at=revoked
    )


def test_login_sessions_and_attempts_past_retention_are_deleted(app, make, frozen):
    # Retention: sessions 30 days after they ended (12 h after login at the latest),
    # attempts 90 days.
    user = make.user("staff")
    add(
        app,
        session_of(user.id, "active", NOW - HOUR),
        session_of(user.id, "revoked29", NOW - 29 * DAY - HOUR, revoked=NOW - 29 * DAY),
        session_of(user.id, "revoked31", NOW - 31 * DAY - HOUR, revoked=NOW - 31 * DAY),
        # Expired 12 h after login: 29 days 23 hours ago, and 30 days 1 hour ago.
        session_of(user.id, "expired29", NOW - 30 * DAY - 11 * HOUR),
        session_of(user.id, "expired31", NOW - 30 * DAY - 13 * HOUR),
        LoginAttempt(email="kept@opc.cn", address="1.2.3.4", at=NOW - 89 * DAY),
        LoginAttempt(email="gone@opc.cn", address="1.2.3.4", at=NOW - 91 * DAY),
    )
    job = registry.get("auth.prune-login-records")
    with app.app_context():
        assert run_due(job, holder="test:1") == Outcome.SUCCEEDED
    kept = sorted(s.token_hash.rstrip("0") for s in rows(app, UserSession))
    assert kept == ["active", "expired29", "revoked29"]
    assert [a.email for a in rows(app, LoginAttempt)] == ["kept@opc.cn"]
    [run] = rows(app, JobRun)
    assert (run.job, run.period, run.state) == (
        "auth.prune-login-records",
        "2026-06-02",
        "succeeded",
    )


def test_retention_follows_the_settings(app, make, frozen):
    user = make.user("staff")
    add(app, session_of(user.id, "revoked3", NOW - 4 * DAY, revoked=NOW - 3 * DAY))
    add(app, LoginAttempt(email="a@opc.cn", address="1.2.3.4", at=NOW - 3 * DAY))
    from opc.auth.tasks import prune_login_records

    app.config.update(SESSION_RETENTION_DAYS=2, LOGIN_ATTEMPT_RETENTION_DAYS=2)
    try:
        with app.app_context():
            assert prune_login_records(NOW) == (1, 1)
    finally:
        app.config.update(SESSION_RETENTION_DAYS=30, LOGIN_ATTEMPT_RETENTION_DAYS=90)


def invitation(team_id: int, label: str, **ends: datetime) -> Invitation:
    ends.setdefault("expires_at", NOW + 7 * DAY)
    return Invitation(
        team_id=team_id, email=f"{label}@opc.cn", token_hash=uuid.uuid4().hex.ljust(64, "0"), **ends
    )


def test_used_and_expired_invitations_past_retention_are_deleted_through_the_audit(
    app, make, frozen
):
    team = make.team()
    long_ago = NOW - 200 * DAY
    add(
        app,
        invitation(team.id, "pending"),  # created long ago, but still open
        invitation(team.id, "pending-old", created_at=long_ago, expires_at=NOW + DAY),
        invitation(team.id, "expired89", expires_at=NOW - 89 * DAY),
        invitation(team.id, "expired91", expires_at=NOW - 91 * DAY),
        invitation(team.id, "accepted89", expires_at=long_ago, accepted_at=NOW - 89 * DAY),
        invitation(team.id, "accepted91", expires_at=NOW - 84 * DAY, accepted_at=NOW - 91 * DAY),
        invitation(team.id, "revoked89", expires_at=long_ago, revoked_at=NOW - 89 * DAY),
        invitation(team.id, "revoked91", expires_at=NOW + DAY, revoked_at=NOW - 91 * DAY),
    )
    gone = {i.id for i in rows(app, Invitation) if i.email.split("@")[0].endswith("91")}
    job = registry.get("teams.prune-invitations")
    with app.app_context():
        assert run_due(job, holder="test:1") == Outcome.SUCCEEDED
    kept = sorted(i.email.split("@")[0] for i in rows(app, Invitation))
    assert kept == ["accepted89", "expired89", "pending", "pending-old", "revoked89"]
    deletes = rows(
        app, AuditEntry, AuditEntry.entity == "invitations", AuditEntry.action == "delete"
    )
    assert {e.entity_id for e in deletes} == gone
    assert {e.actor_label for e in deletes} == {"system"}
    assert all("token_hash" not in e.before for e in deletes)


def test_nothing_to_delete_is_a_successful_run(app, frozen):
    for name in ("auth.prune-login-records", "teams.prune-invitations"):
        with app.app_context():
            assert run_due(registry.get(name), holder="test:1") == Outcome.SUCCEEDED
    assert {(r.job, r.state) for r in rows(app, JobRun)} == {
        ("auth.prune-login-records", "succeeded"),
        ("teams.prune-invitations", "succeeded"),
    }

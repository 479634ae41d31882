"""Admins see the scheduled jobs and their runs on /jobs/, newest first, a page at a time;
nobody else may."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from opc.core.db import transaction
from opc.jobs.models import JobRun

T0 = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)


def add_runs(app, n: int, **values) -> None:
    with app.app_context(), transaction() as session:
        for i in range(n):
            fields = {
                "job": "teams.prune-invitations",
                "period": f"2026-03-{i + 1:02d}",
                "state": "succeeded",
                "attempts": 1,
                "lease_until": T0 + timedelta(days=i, minutes=10),
                "claimed_by": "web-1:4242",
                "started_at": T0 + timedelta(days=i),
                "finished_at": T0 + timedelta(days=i, seconds=3),
            }
            session.add(JobRun(**(fields | values)))


def periods(html: str) -> list[str]:
    return re.findall(r"<td>(2026-\d\d-\d\d)</td>", html)


def test_admin_sees_the_jobs_and_their_runs_newest_first(client, as_user, app):
    as_user("admin")
    add_runs(app, 3)
    add_runs(
        app,
        1,
        job="auth.prune-login-records",
        period="2026-03-04",
        state="failed",
        attempts=3,
        error="Traceback (most recent call last):\n  ...\nRuntimeError: the database went away\n",
    )
    response = client.get("/jobs/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<code>auth.prune-login-records</code>" in html  # the declared jobs
    assert "hour=3 minute=40" in html
    assert periods(html) == ["2026-03-04", "2026-03-03", "2026-03-02", "2026-03-01"]
    assert "Failed" in html and "Succeeded" in html
    assert "<summary>RuntimeError: the database went away</summary>" in html
    assert "web-1:4242" in html
    assert "1 Mar 2026, 10:00" in html  # started, in the deployment's zone
    assert 'href="/jobs/"' in html  # the navigation entry


def test_the_runs_come_a_page_at_a_time(client, as_user, app):
    as_user("admin")
    add_runs(app, 30)
    first = periods(client.get("/jobs/").get_data(as_text=True))
    second = periods(client.get("/jobs/?page=2").get_data(as_text=True))
    assert len(first) == app.config["PER_PAGE"] and len(second) == 30 - len(first)
    assert first[0] == "2026-03-30" and second[-1] == "2026-03-01"
    assert "30 in total" in client.get("/jobs/").get_data(as_text=True)


def test_without_runs_the_page_says_so(client, as_user):
    as_user("admin")
    assert "No runs yet." in client.get("/jobs/").get_data(as_text=True)


@pytest.mark.parametrize("role", ["staff", "member", "reviewer"])
def test_the_page_is_for_admins_only(client, as_user, app, role):
    as_user(role)
    add_runs(app, 1)
    response = client.get("/jobs/")
    assert response.status_code == 403
    html = response.get_data(as_text=True)
    assert "Traceback" not in html and "2026-03-01" not in html
    assert 'href="/jobs/"' not in client.get("/account").get_data(as_text=True)


def test_the_page_needs_a_login(client):
    response = client.get("/jobs/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]

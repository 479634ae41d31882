"""Reminding teams that owe their KPI report: by staff, and by the daily job on the day a
quarter opens for filing and DUE_REMINDER_DAYS before it is due, once per day."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from opc.core.errors import Forbidden, NotFound, ValidationFailed
from opc.jobs import registry
from opc.jobs.models import JobRun
from opc.jobs.runner import run_due
from opc.kpis.operations import file_report, remind
from opc.kpis.quarters import Quarter
from opc.kpis.tasks import DUE_REMINDER_DAYS, JOB, reminder_for
from opc.notifications.models import Notification
from tests.core.helpers import count, rows
from tests.kpis.helpers import FIGURES, resident_team

Q3 = Quarter(2026, 3)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _park_with_teams(make):
    """A park: an owing team with two members (one inactive), a team that filed, a team
    that moved in after the quarter; and a team of another park that owes."""
    park = make.park()
    owing = resident_team(make, park)
    member = make.user("member", team=owing)
    make.user("member", team=owing, is_active=False)
    filed = resident_team(make, park)
    make.user("member", team=filed)
    late = resident_team(make, park, move_in=date(2026, 10, 2))
    make.user("member", team=late)
    elsewhere = resident_team(make)
    make.user("member", team=elsewhere)
    return park, owing, member, filed


def _due(app):
    return rows(app, Notification, Notification.kind == "kpi.due", order_by=Notification.id)


def test_staff_remind_the_teams_that_owe(app, make, ctx):
    park, owing, member, filed = _park_with_teams(make)
    file_report(filed.id, Q3, FIGURES, actor=None)
    staff = make.user("staff", parks=[park])
    assert remind(park.id, Q3, actor=staff) == 1
    [told] = _due(app)
    assert (told.user_id, told.params["quarter"], told.params["team_id"]) == (
        member.id,
        "2026-Q3",
        owing.id,
    )
    assert told.params["due_on"] == "2026-10-15"
    assert told.link in (f"/teams/{owing.id}/kpis", f"/teams/{owing.id}")


def test_the_notification_reads_in_both_languages(app, make):
    from flask_babel import force_locale

    from opc.notifications.kinds import render

    params = {"team_id": 1, "team": {"zh": "星云", "en": "Nebula"}, "quarter": "2026-Q3",
              "due_on": "2026-10-15"}  # fmt: skip
    with app.test_request_context():
        with force_locale("zh_CN"):
            zh = render("kpi.due", params)
        with force_locale("en"):
            en = render("kpi.due", params)
    assert "2026年第3季度" in zh.title and "星云" in zh.title and "2026年10月15日" in zh.body
    assert "Q3 2026" in en.title and "Nebula" in en.title and "15 Oct 2026" in en.body


def test_only_staff_of_the_park_remind(app, make, ctx):
    park, *_ = _park_with_teams(make)
    for actor in (make.user("staff", parks=[make.park()]), make.user("member")):
        with pytest.raises(Forbidden):
            remind(park.id, Q3, actor=actor)
    with pytest.raises(NotFound):
        remind(2**40, Q3, actor=None)
    assert _due(app) == []


def test_a_quarter_not_over_is_not_reminded(app, make, ctx):
    park, *_ = _park_with_teams(make)
    with pytest.raises(ValidationFailed) as refused:
        remind(park.id, Quarter(2099, 1), actor=None)
    assert "quarter" in refused.value.fields
    assert _due(app) == []


@pytest.mark.parametrize(
    ("day", "quarter"),
    [
        (date(2026, 10, 1), Q3),
        (date(2026, 10, 15 - DUE_REMINDER_DAYS), Q3),
        (date(2027, 1, 1), Quarter(2026, 4)),
        (date(2027, 1, 10), Quarter(2026, 4)),
        (date(2026, 10, 2), None),
        (date(2026, 10, 15), None),
        (date(2026, 11, 1), None),
        (date(2026, 9, 30), None),
    ],
)
def test_the_reminder_days(day, quarter):
    assert reminder_for(day) == quarter


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=SHANGHAI)


def test_the_job_reminds_once_on_a_reminder_day(app, make):
    _park, owing, member, _filed = _park_with_teams(make)
    job = registry.get(JOB)
    assert job is not None and job.cron == {"hour": 9, "minute": 0}
    with time_machine.travel(_at(date(2026, 10, 1)), tick=False), app.app_context():
        run_due(job, holder="a", period="2026-10-01")
        run_due(job, holder="b", period="2026-10-01")
    assert count(app, JobRun, JobRun.job == JOB) == 1
    # The owing teams of every park (three: none has filed), each member told once.
    first = _due(app)
    assert len(first) == 3 and member.id in {n.user_id for n in first}
    assert len({n.params["team_id"] for n in first}) == 3
    with time_machine.travel(_at(date(2026, 10, 2)), tick=False), app.app_context():
        run_due(job, holder="a", period="2026-10-02")
    assert len(_due(app)) == 3  # no reminder day
    with app.app_context():
        file_report(owing.id, Q3, FIGURES, actor=None)
    with time_machine.travel(_at(date(2026, 10, 10)), tick=False), app.app_context():
        run_due(job, holder="a", period="2026-10-10")
    again = _due(app)[3:]
    assert sorted(n.params["team_id"] for n in again) == sorted(
        n.params["team_id"] for n in first if n.params["team_id"] != owing.id
    )  # the team that filed is not reminded again


def test_a_park_whose_quarter_is_not_over_yet_is_reminded_later(app, make):
    from opc.kpis.tasks import remind_parks

    west = make.park(timezone="America/Los_Angeles")
    make.user("member", team=resident_team(make, west))
    east = make.park()
    make.user("member", team=resident_team(make, east))
    # 09:00 on 1 October in Shanghai is still 30 September in Los Angeles.
    with time_machine.travel(_at(date(2026, 10, 1)), tick=False), app.app_context():
        assert remind_parks(date(2026, 10, 1)) == 1
    [told] = _due(app)
    assert told.params["quarter"] == "2026-Q3"

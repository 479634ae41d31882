"""Each December, an admin's park dashboard warns when the park's working calendar does not
know next year yet (service deadlines reaching into it would fail), linking to that year's
calendar; not in November, not once the year is known, not for staff or members."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from opc.extensions import db
from opc.parks.models import Park
from opc.parks.workdays.calendar import package_year
from opc.parks.workdays.operations import mark_year
from tests.core.helpers import text

EN = {"Accept-Language": "en"}
SH = ZoneInfo("Asia/Shanghai")
DECEMBER = datetime(2026, 12, 1, 9, 0, tzinfo=SH)
NOVEMBER = datetime(2026, 11, 30, 23, 30, tzinfo=SH)  # still November in the park


@pytest.fixture(autouse=True)
def _unknown_2027():
    # The warning is about a year the chinesecalendar package does not know yet.
    assert package_year(2026) is not None and package_year(2027) is None


def _dashboard(client, as_user, park, when, role="admin", **kw):
    """The park's dashboard as a user of `role` logged in at `when`: its warning, if any."""
    with time_machine.travel(when, tick=False):
        as_user(role, **kw)
        response = client.get(f"/parks/{park.id}", headers=EN)
    assert response.status_code == 200
    html = text(response)
    start = html.find('data-todo="calendar"')
    return html, (html[start : html.find("</p>", start)] if start >= 0 else None)


def test_an_admin_is_warned_in_december_with_a_link_to_next_year(client, make, as_user):
    park = make.park(name_en="Chengdu Hub")
    _html, warning = _dashboard(client, as_user, park, DECEMBER)
    assert warning is not None
    assert "does not know 2027 yet" in warning and "Chengdu Hub" in warning
    assert f'href="/parks/{park.id}/calendar?year=2027"' in warning


def test_no_warning_in_november(client, make, as_user):
    park = make.park()
    html, warning = _dashboard(client, as_user, park, NOVEMBER)
    assert 'data-todo="applicants"' in html  # the list is there, without the warning
    assert warning is None


def test_no_warning_once_the_year_is_marked_complete(app, client, make, as_user):
    park = make.park()
    with app.app_context():
        mark_year(db.session.get(Park, park.id), 2027, actor=None, complete=True)
    _html, warning = _dashboard(client, as_user, park, DECEMBER)
    assert warning is None


def test_staff_are_not_warned(client, make, as_user):
    park = make.park()
    html, warning = _dashboard(client, as_user, park, DECEMBER, "staff", parks=[park])
    assert 'data-todo="applicants"' in html and warning is None


def test_members_are_not_warned(client, make, as_user):
    park = make.park()
    team = make.team(park, status="resident")
    html, warning = _dashboard(client, as_user, park, DECEMBER, "member", team=team)
    assert warning is None and 'data-todo="applicants"' not in html

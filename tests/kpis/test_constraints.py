"""The database itself refuses what the operation's checks refuse, for a write that gets past
them (a script, a bug): no negative figure, no more graduates hired than the headcount, one
current version per team and quarter."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from opc.core.constraints import rule_for_integrity_error
from opc.kpis.models import FIGURES


@pytest.mark.parametrize("field", FIGURES)
def test_a_negative_figure_is_refused_by_the_database(app, make, field):
    team = make.team(status="resident")
    # A negative headcount alone would also have more graduates (0) than it.
    figures = {field: -1, "graduates_hired": -1} if field == "headcount" else {field: -1}
    with pytest.raises(IntegrityError) as caught:
        make.kpi_report(team, 2026, 3, **figures)
    assert rule_for_integrity_error(caught.value).code == "negative_figure"


def test_more_graduates_than_the_headcount_is_refused_by_the_database(app, make):
    team = make.team(status="resident")
    make.kpi_report(team, 2026, 2, headcount=3, graduates_hired=3)  # all of them: fine
    with pytest.raises(IntegrityError) as caught:
        make.kpi_report(team, 2026, 3, headcount=3, graduates_hired=4)
    assert rule_for_integrity_error(caught.value).code == "graduates_exceed_headcount"


def test_two_current_versions_of_a_quarter_are_refused_by_the_database(app, make):
    team = make.team(status="resident")
    make.kpi_report(team, 2026, 3)
    with pytest.raises(IntegrityError) as caught:
        make.kpi_report(team, 2026, 3, version=2)
    assert rule_for_integrity_error(caught.value).code == "kpi_report_changed"

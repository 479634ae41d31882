"""The application operations called directly, as every entry point calls them: they check
the actor they are given (only the team's members change its applications), and the
content's values, row by row, before anything is written."""

from __future__ import annotations

import io
from datetime import date

import pytest
import time_machine

from opc.auth.models import User
from opc.core.errors import Forbidden, ValidationFailed
from opc.extensions import db
from opc.funds.application_models import Application, ApplicationStatus
from opc.funds.operations import applications as ops
from opc.funds.operations import attachments as files
from opc.funds.operations.application_content import MAX_MILESTONES, clean_content
from tests.core.helpers import table_counts
from tests.funds import helpers as h


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(h.NOW, tick=False):
        yield


@pytest.mark.parametrize("who", ["staff", "reviewer", "other-member"])
def test_the_operations_refuse_an_actor_who_is_not_of_the_team(app, make, ctx, who):
    park = make.park()
    call = h.call(make, h.fund(make, park))
    team, _member = h.member_of(make, park)
    draft = h.application(make, call, team)
    if who == "staff":
        someone = make.user("staff", parks=[park])
    elif who == "reviewer":
        someone = make.user("reviewer")
        h.review(make, draft, someone)
    else:
        someone = h.member_of(make, park)[1]
    actor = db.session.get(User, someone.id)
    files_before = h.stored_files(app)
    before = table_counts(app)
    attempts = [
        lambda: ops.create_application(
            actor=actor, call_id=call.id, team_id=team.id, title="x", amount_fen=100
        ),
        lambda: ops.update_application(draft.id, actor=actor, title="改"),
        lambda: ops.submit_application(draft.id, actor=actor),
        lambda: ops.withdraw_application(draft.id, actor=actor),
        lambda: files.add_attachment(draft.id, io.BytesIO(h.PDF_BYTES), "a.pdf", actor=actor),
    ]
    for attempt in attempts:
        with pytest.raises(Forbidden):
            attempt()
        db.session.rollback()
    assert table_counts(app) == before and h.stored_files(app) == files_before


def test_milestones_are_checked_row_by_row():
    with pytest.raises(ValidationFailed) as refused:
        clean_content(
            {
                "title": "t",
                "amount_fen": 100,
                "milestones": [
                    {"title": "", "due": date(2027, 1, 1), "amount_fen": 50},
                    {"title": "ok", "due": None, "amount_fen": 0},
                    {"title": "远", "due": date(2300, 1, 1), "amount_fen": 10},
                ],
            }
        )
    problems = refused.value.fields["milestones"]
    assert problems[0].startswith("Milestone 1: a title is required")
    assert "Milestone 2: a due date is required" in problems
    assert "Milestone 2: an amount over zero is required" in problems
    assert any(p.startswith("Milestone 3: Dates from 1900") for p in problems)
    too_many = [{"title": "m", "due": date(2027, 1, 1), "amount_fen": 1}] * (MAX_MILESTONES + 1)
    with pytest.raises(ValidationFailed) as refused:
        clean_content({"title": "t", "amount_fen": 100, "milestones": too_many})
    assert "milestones" in refused.value.fields


def test_texts_refuse_control_characters_and_every_bad_field_is_named():
    with pytest.raises(ValidationFailed) as refused:
        clean_content(
            {
                "title": "坏\x00标题",
                "amount_fen": 0,
                "purpose": "多行\n可以\x07",
                "answers": {"": "没有问题的回答", "问题": "好"},
            }
        )
    assert set(refused.value.fields) == {"title", "amount_yuan", "purpose", "answers"}
    kept = clean_content(
        {"title": " 标题 ", "amount_fen": 1, "purpose": "两行\n说明", "answers": {"问": ""}}
    )
    assert (kept["title"], kept["purpose"], kept["answers"]) == ("标题", "两行\n说明", {})


def test_a_change_keeps_what_it_does_not_name(app, make, ctx):
    park = make.park()
    call = h.call(make, h.fund(make, park))
    team, member = h.member_of(make, park)
    draft = h.application(make, call, team, purpose="原用途")
    actor = db.session.get(User, member.id)
    ops.update_application(draft.id, actor=actor, amount_fen=200_000)
    stored = db.session.get(Application, draft.id)
    assert (stored.amount_fen, stored.purpose, stored.status) == (
        200_000,
        "原用途",
        ApplicationStatus.DRAFT,
    )

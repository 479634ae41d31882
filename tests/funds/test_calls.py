"""Calls' rules, in the operations that every entry point calls: the fund's calls never
commit more than the fund (also when two staff open calls at once, on both databases), a
call's budget never drops below what it approved, the ceiling, the window, weights summing
to 100, a pool of reviewers only, criteria fixed once reviews are in, and who may act."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import partial
from types import SimpleNamespace
from typing import Any

import pytest

from opc.core.errors import Forbidden, RuleViolation, ValidationFailed
from opc.extensions import db
from opc.funds.application_models import ApplicationStatus
from opc.funds.models import Call, Criterion, Fund
from opc.funds.operations import calls as calls_module
from opc.funds.operations.calls import create_call, update_call
from tests.core.helpers import race_as, slowed
from tests.funds.helpers import application, call, count, fund, review, rows

OPENS = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
CLOSES = datetime(2026, 12, 31, 15, 59, 59, tzinfo=UTC)


def terms(**kw: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "title_zh": "AIGC 创作扶持",
        "opens_at": OPENS,
        "closes_at": CLOSES,
        "budget_fen": 30_000_000,
        "ceiling_fen": 5_000_000,
        "criteria": [{"name": "创新性", "weight": 60}, {"name_zh": "团队", "weight": 40}],
    }
    values.update(kw)
    return values


@pytest.fixture
def setting(make):
    park = make.park()
    return park, fund(make, park, budget_fen=100_000_000), make.user("staff", parks=[park])


def _fund(app: Any, fund_id: int) -> Fund:
    (found,) = rows(app, Fund, Fund.id == fund_id)
    return found


def test_a_call_takes_its_budget_from_the_fund(app, ctx, setting, make):
    _park, f, staff = setting
    expert = make.user("reviewer")
    made = create_call(actor=staff, fund_id=f.id, **terms(reviewer_ids=[expert.id]))
    assert made.park_id == f.park_id
    assert [(c.position, c.name_zh, c.weight) for c in made.criteria] == [
        (1, "创新性", 60),
        (2, "团队", 40),
    ]
    assert [u.id for u in made.reviewers] == [expert.id]
    assert made.reviewers_per_application == 2 and str(made.disagreement_threshold) == "3.00"
    assert made.opens_at == OPENS and made.closes_at == CLOSES
    db.session.remove()
    assert _fund(app, f.id).calls_fen == 30_000_000


def test_the_fund_is_never_overcommitted(app, ctx, setting):
    _park, f, staff = setting
    create_call(actor=staff, fund_id=f.id, **terms(budget_fen=70_000_000))
    with pytest.raises(RuleViolation) as err:
        create_call(actor=staff, fund_id=f.id, **terms(budget_fen=30_000_001))
    assert err.value.code == "fund_budget_exceeded"
    assert "300000.00" in err.value.message
    assert err.value.conflict == {"fund_id": f.id, "remaining_yuan": "300000.00"}
    create_call(actor=staff, fund_id=f.id, **terms(budget_fen=30_000_000))  # exactly what is left
    db.session.remove()
    assert _fund(app, f.id).calls_fen == 100_000_000
    assert count(app, Call) == 2


def test_raising_a_calls_budget_is_held_to_the_fund_and_lowering_frees_it(app, ctx, setting):
    _park, f, staff = setting
    first = create_call(actor=staff, fund_id=f.id, **terms(budget_fen=60_000_000))
    first_id = first.id
    create_call(actor=staff, fund_id=f.id, **terms(budget_fen=30_000_000))
    with pytest.raises(RuleViolation) as err:
        update_call(first, actor=staff, budget_fen=70_000_001)
    assert err.value.code == "fund_budget_exceeded"
    assert err.value.conflict["remaining_yuan"] == "100000.00"
    update_call(first, actor=staff, budget_fen=70_000_000)
    db.session.remove()
    assert _fund(app, f.id).calls_fen == 100_000_000
    update_call(db.session.get(Call, first_id), actor=staff, budget_fen=10_000_000)
    db.session.remove()
    assert _fund(app, f.id).calls_fen == 40_000_000


def test_a_calls_budget_never_drops_below_what_it_approved(app, ctx, setting, make):
    _park, f, staff = setting
    made_id = create_call(actor=staff, fund_id=f.id, **terms()).id
    stored = db.session.get(Call, made_id)
    stored.approved_fen = 12_345_678
    db.session.commit()
    with pytest.raises(RuleViolation) as err:
        update_call(stored, actor=staff, budget_fen=12_345_677)
    assert err.value.code == "budget_below_approved"
    assert "123456.78" in err.value.message
    db.session.remove()
    assert rows(app, Call)[0].budget_fen == 30_000_000
    assert _fund(app, f.id).calls_fen == 30_000_000
    update_call(db.session.get(Call, made_id), actor=staff, budget_fen=12_345_678, ceiling_fen=1)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"ceiling_fen": 30_000_001}, "ceiling_yuan"),
        ({"closes_at": OPENS}, "closes_at"),
        ({"closes_at": OPENS - timedelta(seconds=1)}, "closes_at"),
        ({"opens_at": datetime(2026, 12, 1, 9, 0)}, "opens_at"),  # no offset
        (
            {"criteria": [{"name": "创新性", "weight": 60}, {"name": "团队", "weight": 30}]},
            "criteria",
        ),
        ({"criteria": []}, "criteria"),
        ({"criteria": [{"name": "", "weight": 100}]}, "criteria"),
        ({"criteria": [{"name": "全部", "weight": 101}]}, "criteria"),
        ({"title_zh": " "}, "title_zh"),
        ({"tracks": ["poetry"]}, "tracks"),
        ({"team_statuses": ["applicant", "royalty"]}, "team_statuses"),
        ({"reviewers_per_application": 0}, "reviewers_per_application"),
        ({"reviewers_per_application": 10}, "reviewers_per_application"),
        ({"disagreement_threshold": "12"}, "disagreement_threshold"),
        ({"required_documents": ["商业计划书", ""]}, "required_documents"),
        ({"budget_fen": 0}, "budget_yuan"),
    ],
)
def test_bad_terms_are_422_naming_the_field_and_write_nothing(app, ctx, setting, values, field):
    _park, f, staff = setting
    with pytest.raises(ValidationFailed) as err:
        create_call(actor=staff, fund_id=f.id, **terms(**values))
    assert field in err.value.fields, err.value.fields
    db.session.remove()
    assert count(app, Call) == 0 and count(app, Criterion) == 0
    assert _fund(app, f.id).calls_fen == 0


def test_the_weights_message_names_their_sum(ctx, setting):
    _park, f, staff = setting
    rows_ = [{"name": "创新性", "weight": 50}, {"name": "团队", "weight": 40}]
    with pytest.raises(ValidationFailed) as err:
        create_call(actor=staff, fund_id=f.id, **terms(criteria=rows_))
    assert "90" in err.value.fields["criteria"][0]


def test_a_change_is_checked_against_what_it_keeps(ctx, setting):
    _park, f, staff = setting
    made = create_call(actor=staff, fund_id=f.id, **terms())
    with pytest.raises(ValidationFailed) as err:
        update_call(made, actor=staff, budget_fen=4_999_999)  # under the ceiling kept
    assert "ceiling_yuan" in err.value.fields
    with pytest.raises(ValidationFailed) as err:
        update_call(made, actor=staff, opens_at=CLOSES)  # not before the close kept
    assert "closes_at" in err.value.fields


def test_the_pool_holds_reviewers_only(app, ctx, setting, make):
    park, f, staff = setting
    expert = make.user("reviewer")
    member = make.user("member", team=make.team(park))
    with pytest.raises(ValidationFailed) as err:
        ids = [expert.id, staff.id, member.id, 999_999]
        create_call(actor=staff, fund_id=f.id, **terms(reviewer_ids=ids))
    message = err.value.fields["reviewer_ids"][0]
    assert str(staff.id) in message and str(member.id) in message and "999999" in message
    assert str(expert.id) not in message.split(":")[1].split(".")[0].split(", ")
    db.session.remove()
    assert count(app, Call) == 0
    made = create_call(actor=staff, fund_id=f.id, **terms(reviewer_ids=[expert.id]))
    made_id = made.id
    with pytest.raises(ValidationFailed):
        update_call(made, actor=staff, reviewer_ids=[expert.id, staff.id])
    db.session.remove()
    assert [u.id for u in db.session.get(Call, made_id).reviewers] == [expert.id]
    update_call(db.session.get(Call, made_id), actor=staff, reviewer_ids=[])
    db.session.remove()
    assert db.session.get(Call, made_id).reviewers == []


def test_criteria_change_until_a_review_is_submitted(app, ctx, setting, make):
    park, f, staff = setting
    made = create_call(actor=staff, fund_id=f.id, **terms())
    made_id, first_id = made.id, made.criteria[0].id
    three = [
        {"name": "创新性", "name_en": "Innovation", "weight": 50},
        {"name": "团队", "weight": 30},
        {"name": "市场", "weight": 20},
    ]
    update_call(made, actor=staff, criteria=three)
    db.session.remove()
    stored = db.session.get(Call, made_id)
    assert [(c.position, c.name_zh, c.weight) for c in stored.criteria] == [
        (1, "创新性", 50),
        (2, "团队", 30),
        (3, "市场", 20),
    ]
    assert stored.criteria[0].id == first_id and stored.criteria[0].name_en == "Innovation"
    update_call(stored, actor=staff, criteria=[{"name": "综合", "weight": 100}])
    db.session.remove()
    assert count(app, Criterion) == 1
    # An assigned review does not fix them; a submitted one does.
    expert = make.user("reviewer")
    team = make.team(park, status="resident")
    app_ = application(
        make, SimpleNamespace(id=made_id, park_id=park.id), team, status=ApplicationStatus.IN_REVIEW
    )
    assigned = review(make, app_, expert)
    update_call(db.session.get(Call, made_id), actor=staff, criteria=three)
    assert assigned.status == "assigned"
    criterion_ids = [c.id for c in db.session.get(Call, made_id).criteria]
    db.session.remove()
    review(make, app_, make.user("reviewer"), scores=dict.fromkeys(criterion_ids, 7))
    with pytest.raises(RuleViolation) as err:
        update_call(db.session.get(Call, made_id), actor=staff, criteria=terms()["criteria"])
    assert err.value.code == "criteria_locked"
    db.session.remove()
    assert count(app, Criterion) == 3
    # The same criteria sent again (an edit form does) are no change: other terms still may.
    same = [{"name_zh": c["name"], "name_en": c.get("name_en", ""), **c} for c in three]
    changed = update_call(db.session.get(Call, made_id), actor=staff, criteria=same, ceiling_fen=1)
    assert changed.ceiling_fen == 1


def _actors(make: Any, park: Any) -> dict[str, Any]:
    return {
        "member": make.user("member", team=make.team(park, status="resident")),
        "reviewer": make.user("reviewer"),
        "other-park staff": make.user("staff", parks=[make.park()]),
    }


@pytest.mark.parametrize("who", ["member", "reviewer", "other-park staff"])
def test_only_staff_of_the_park_open_and_change_calls(app, ctx, setting, make, who):
    park, f, _staff = setting
    actor = _actors(make, park)[who]
    with pytest.raises(Forbidden):
        create_call(actor=actor, fund_id=f.id, **terms())
    made = call(make, f, budget_fen=1_000_000, ceiling_fen=1_000)
    with pytest.raises(Forbidden):
        update_call(db.session.get(Call, made.id), actor=actor, title_zh="改")
    db.session.remove()
    assert count(app, Call) == 1 and rows(app, Call)[0].title_zh != "改"
    assert _fund(app, f.id).calls_fen == 0


def test_a_call_of_an_unknown_fund_is_422(app, ctx, setting):
    _park, _f, staff = setting
    with pytest.raises(ValidationFailed) as err:
        create_call(actor=staff, fund_id=999_999, **terms())
    assert "fund_id" in err.value.fields


# --- two staff at once, on real connections --------------------------------------------


@pytest.mark.slow
def test_two_calls_that_together_overcommit_the_fund_race(app, make, monkeypatch):
    park = make.park()
    f = fund(make, park, budget_fen=100_000_000)
    staff = make.user("staff", parks=[park])
    slowed(monkeypatch, calls_module, "_fits_fund")  # both would read the same calls_fen
    writes = [
        partial(create_call, fund_id=f.id, **terms(budget_fen=60_000_000)),
        partial(create_call, fund_id=f.id, **terms(budget_fen=50_000_000)),
    ]
    outcomes = race_as(app, staff.id, writes)
    assert outcomes == ["fund_budget_exceeded", "ok"], outcomes
    (made,) = rows(app, Call)
    assert _fund(app, f.id).calls_fen == made.budget_fen


@pytest.mark.slow
def test_a_new_call_and_a_raised_budget_at_once_never_overcommit(app, make, monkeypatch):
    park = make.park()
    f = fund(make, park, budget_fen=100_000_000, calls_fen=40_000_000)
    existing = call(make, f, budget_fen=40_000_000, ceiling_fen=1_000)
    staff = make.user("staff", parks=[park])
    slowed(monkeypatch, calls_module, "_fits_fund")

    def raise_budget(*, actor: Any) -> None:
        update_call(db.session.get(Call, existing.id), actor=actor, budget_fen=80_000_000)

    writes = [raise_budget, partial(create_call, fund_id=f.id, **terms(budget_fen=50_000_000))]
    outcomes = race_as(app, staff.id, writes)
    assert outcomes == ["fund_budget_exceeded", "ok"], outcomes
    assert _fund(app, f.id).calls_fen == sum(c.budget_fen for c in rows(app, Call))
    assert _fund(app, f.id).calls_fen <= 100_000_000

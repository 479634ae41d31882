"""Team profiles: the credit code with its check character, pinyin, unique names and codes."""

from __future__ import annotations

import pytest

from opc.core.errors import RuleViolation, ValidationFailed
from opc.teams import operations as ops
from opc.teams.models import Team, TeamStatusChange
from tests.teams.helpers import OTHER_USCC, VALID_USCC, count, rows


def test_valid_credit_code_is_stored_compact_and_upper_case(ctx, make):
    park = make.park()
    team = ops.create_team(
        park_id=park.id,
        actor=None,
        name_zh="星云工作室",
        track="aigc_film",
        uscc=" 9151-0100 ma6c guga1w ",
    )
    assert team.uscc == VALID_USCC


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("91510100MA6CGUGA1X", "check character"),  # one character off: the check fails
        ("91510100MA6CGUGA1", "18 characters"),
        ("9151010OMA6CGUGA1W", "8 digits"),
    ],
)
def test_invalid_credit_code_is_refused_and_nothing_is_stored(ctx, make, code, reason):
    park = make.park()
    with pytest.raises(ValidationFailed) as err:
        ops.create_team(park_id=park.id, actor=None, name_zh="星云", track="vfx", uscc=code)
    assert reason in err.value.fields["uscc"][0]
    assert count(ctx, Team) == 0


def test_normalize_uscc_blank_is_none():
    assert ops.normalize_uscc("  ") is None
    assert ops.normalize_uscc(None) is None


def test_pinyin_follows_the_chinese_name(ctx, make):
    park = make.park()
    team = ops.create_team(park_id=park.id, actor=None, name_zh="星云工作室", track="vfx")
    assert team.name_pinyin == "xingyungongzuoshi"
    ops.update_profile(team, actor=None, name_zh="幻境 AI 影业")
    assert rows(ctx, Team)[0].name_pinyin == "huanjingaiyingye"


def test_creation_starts_the_history(ctx, make):
    park = make.park()
    staff = make.user("staff", parks=[park])
    team = ops.create_team(park_id=park.id, actor=staff, name_zh="光年叙事", track="aigc_film")
    [step] = rows(ctx, TeamStatusChange, TeamStatusChange.team_id == team.id)
    assert (step.from_status, step.to_status, step.actor_id) == (None, "applicant", staff.id)
    assert team.status == "applicant"


def test_every_bad_field_is_reported_at_once(ctx, make):
    park = make.park()
    with pytest.raises(ValidationFailed) as err:
        ops.create_team(
            park_id=park.id,
            actor=None,
            name_zh="",
            track="cooking",
            kind="collective",
            contact_email="not-an-address",
        )
    assert set(err.value.fields) == {"name_zh", "track", "kind", "contact_email"}


def test_credit_code_is_unique_across_parks(ctx, make):
    one, two = make.park(), make.park()
    ops.create_team(park_id=one.id, actor=None, name_zh="甲", track="vfx", uscc=VALID_USCC)
    with pytest.raises(RuleViolation) as err:
        ops.create_team(park_id=two.id, actor=None, name_zh="乙", track="vfx", uscc=VALID_USCC)
    assert err.value.code == "uscc_taken"
    assert "uscc" in err.value.fields
    assert count(ctx, Team) == 1


def test_name_is_unique_within_a_park_only(ctx, make):
    one, two = make.park(), make.park()
    ops.create_team(park_id=one.id, actor=None, name_zh="未来剧场", track="vfx")
    with pytest.raises(RuleViolation) as err:
        ops.create_team(park_id=one.id, actor=None, name_zh="未来剧场", track="vfx")
    assert err.value.code == "team_name_taken"
    ops.create_team(park_id=two.id, actor=None, name_zh="未来剧场", track="vfx")
    assert count(ctx, Team) == 2


def test_the_database_refuses_a_duplicate_name_that_bypasses_the_check(ctx, make):
    """The unique index holds even for a write that skips the operation's check."""
    from sqlalchemy.exc import IntegrityError

    from opc.core.constraints import rule_for_integrity_error
    from opc.extensions import db

    park = make.park()
    make.team(park, name_zh="重名")
    db.session.add(Team(park_id=park.id, name_zh="重名", track="vfx"))
    with pytest.raises(IntegrityError) as err:
        db.session.commit()
    db.session.rollback()
    assert rule_for_integrity_error(err.value).code == "team_name_taken"


def test_update_profile_refuses_a_code_of_another_team_and_changes_nothing(ctx, make):
    park = make.park()
    make.team(park, uscc=OTHER_USCC)
    team = make.team(park, name_zh="原名")
    with pytest.raises(RuleViolation):
        ops.update_profile(team, actor=None, name_zh="新名", uscc=OTHER_USCC)
    assert [t.name_zh for t in rows(ctx, Team, Team.id == team.id)] == ["原名"]


def test_update_profile_keeps_own_code(ctx, make):
    park = make.park()
    team = make.team(park, uscc=VALID_USCC)
    ops.update_profile(team, actor=None, uscc=VALID_USCC.lower(), description="新简介")
    stored = rows(ctx, Team, Team.id == team.id)[0]
    assert (stored.uscc, stored.description) == (VALID_USCC, "新简介")

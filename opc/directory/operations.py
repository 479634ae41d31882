"""Every change of the directory: skills, a team's profile, introductions and their outcome.
Each takes the actor, checks and writes in one transaction (the audit sees it)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from opc.core.db import lock, retrying, transaction, utcnow
from opc.core.errors import RuleViolation, ValidationFailed
from opc.core.permissions import require_actor
from opc.core.values import check_texts, is_id
from opc.directory.models import LISTED, Introduction, Outcome, Profile, Skill
from opc.directory.notify import notify_introduction
from opc.directory.permissions import (
    can_edit_profile,
    can_introduce,
    can_manage_skills,
    can_view_introduction,
)
from opc.parks.models import Park
from opc.teams.models import Team

# The bounds of the directory's values, here only: the API's schemas state them from these.
CODE_PATTERN = r"^[a-z0-9][a-z0-9_]{0,39}$"
MAX_SKILL_NAME = 100
MAX_TAGS = 20  # per side of a profile
MAX_TEXT = 2000  # each free text of a profile
MAX_NOTE = 2000


@retrying
def add_skill(code: str, name_zh: str, name_en: str, *, actor: Any) -> Skill:
    """Add a skill to the shared list (admins): a new stable code and its two names."""
    require_actor(can_manage_skills, actor)
    code, name_zh, name_en = (str(v or "").strip() for v in (code, name_zh, name_en))
    check_texts({"code": code, "name_zh": name_zh, "name_en": name_en})
    errors: dict[str, list[str]] = {}
    if not re.fullmatch(CODE_PATTERN, code):
        errors["code"] = [_("Lower-case letters, digits and _, at most 40.")]
    for key, value in (("name_zh", name_zh), ("name_en", name_en)):
        if not value:
            errors[key] = [_("Required.")]
        elif len(value) > MAX_SKILL_NAME:
            errors[key] = [_("At most %(n)d characters.", n=MAX_SKILL_NAME)]
    if errors:
        raise ValidationFailed(errors)
    with transaction(actor) as session:
        if session.scalar(select(Skill.id).where(Skill.code == code)) is not None:
            raise RuleViolation(
                "skill_code_taken", _("This code is taken."), conflict={"code": code}
            )
        skill = Skill(code=code, name_zh=name_zh, name_en=name_en)
        session.add(skill)
    return skill


def _skills(
    session: Any, codes: Iterable[Any], field: str, errors: dict[str, list[str]]
) -> list[Skill]:
    """The skills of these codes (each once); unknown codes are the field's error."""
    wanted = list(dict.fromkeys(codes))
    if len(wanted) > MAX_TAGS:
        errors[field] = [_("At most %(n)d skills.", n=MAX_TAGS)]
        return []
    if not all(isinstance(c, str) for c in wanted):
        errors[field] = [_("Skills are given by their codes.")]
        return []
    found = {s.code: s for s in session.scalars(select(Skill).where(Skill.code.in_(wanted)))}
    unknown = [c for c in wanted if c not in found]
    if unknown:
        errors[field] = [_("Unknown skill: %(codes)s", codes=", ".join(unknown))]
    return [found[c] for c in wanted if c in found]


@retrying
def save_profile(
    team: Team,
    *,
    offers: Iterable[str],
    needs: Iterable[str],
    offers_text: str = "",
    needs_text: str = "",
    hidden: bool = False,
    actor: Any,
) -> Profile:
    """Set what the team offers and needs (tags and free text) and whether it hides itself."""
    require_actor(can_edit_profile, actor, team)
    texts = {"offers_text": offers_text or "", "needs_text": needs_text or ""}
    check_texts(texts, multiline=texts.keys())
    errors = {
        k: [_("At most %(n)d characters.", n=MAX_TEXT)]
        for k, v in texts.items()
        if len(v.strip()) > MAX_TEXT
    }
    with transaction(actor) as session:
        offered = _skills(session, offers, "offers", errors)
        needed = _skills(session, needs, "needs", errors)
        if errors:
            raise ValidationFailed(errors)
        profile = session.scalar(select(Profile).where(Profile.team_id == team.id))
        if profile is None:
            profile = Profile(team_id=team.id)
            session.add(profile)
        profile.offers = offered
        profile.needs = needed
        profile.offers_text = texts["offers_text"].strip()
        profile.needs_text = texts["needs_text"].strip()
        profile.hidden = bool(hidden)
        profile.updated_at = utcnow()
    return profile


@retrying
def introduce(team_a_id: int, team_b_id: int, note: str = "", *, actor: Any) -> Introduction:
    """Introduce two residents of a park (its staff): the record, and both teams' members
    hear of it in the app and by mail. An introduction of the same two still waiting for
    its outcome is refused (409 `already_introduced`)."""
    check_texts({"note": note or ""}, multiline=("note",))
    note = (note or "").strip()
    errors: dict[str, list[str]] = {}
    if len(note) > MAX_NOTE:
        errors["note"] = [_("At most %(n)d characters.", n=MAX_NOTE)]
    if is_id(team_a_id) and team_a_id == team_b_id:
        errors["team_b_id"] = [_("Introduce two different teams.")]
    with transaction(actor) as session:
        teams = [session.get(Team, t) if is_id(t) else None for t in (team_a_id, team_b_id)]
        for key, team in zip(("team_a_id", "team_b_id"), teams, strict=True):
            if team is None:
                errors.setdefault(key, [_("No such team.")])
        if errors:
            raise ValidationFailed(errors)
        a, b = teams[0], teams[1]
        assert a is not None and b is not None
        require_actor(can_introduce, actor, a)
        require_actor(can_introduce, actor, b)
        if a.park_id != b.park_id:
            raise RuleViolation(
                "different_parks",
                _("Only teams of the same park are introduced."),
                conflict={"team_id": b.id},
            )
        for team in (a, b):
            if team.status not in LISTED:
                raise RuleViolation(
                    "not_resident",
                    _("%(team)s is not a resident of the park.", team=team.name_zh),
                    conflict={"team_id": team.id},
                )
        lock(Park, a.park_id)  # one introduction of a pair at a time
        open_one = session.scalar(
            select(Introduction.id).where(
                Introduction.outcome.is_(None),
                Introduction.team_a_id.in_((a.id, b.id)),
                Introduction.team_b_id.in_((a.id, b.id)),
            )
        )
        if open_one is not None:
            raise RuleViolation(
                "already_introduced",
                _("These teams were introduced already; record how it went first."),
                conflict={"introduction_id": open_one},
            )
        intro = Introduction(
            park_id=a.park_id,
            team_a=a,
            team_b=b,
            note=note,
            made_by_id=getattr(actor, "id", None),
        )
        session.add(intro)
        session.flush()
        notify_introduction(session, intro)
    return intro


@retrying
def record_outcome(intro: Introduction, outcome: str, *, actor: Any) -> Introduction:
    """Record (or correct) how an introduction turned out: the park's staff or either team."""
    require_actor(can_view_introduction, actor, intro)
    if outcome not in set(Outcome):
        raise ValidationFailed({"outcome": [_("Unknown outcome.")]})
    with transaction(actor) as session:
        intro = lock(Introduction, intro.id) or intro
        intro.outcome = outcome
        intro.outcome_at = utcnow()
        intro.outcome_by_id = getattr(actor, "id", None)
        session.flush()
    return intro

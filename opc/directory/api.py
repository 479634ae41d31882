"""/api/v1 directory, skills and introductions: thin; the operations and queries hold the
rules (hidden and other parks' teams are left out by opc.directory.queries)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from flask_babel import gettext as _
from pydantic import Field

from opc.api.pagination import paged, paged_items
from opc.api.routing import endpoint
from opc.api.schemas import Id, In, Out
from opc.core.errors import NotFound, ValidationFailed
from opc.core.permissions import Role, get_or_404, require
from opc.directory import operations as ops
from opc.directory import queries
from opc.directory.labels import explain
from opc.directory.models import Introduction, Outcome, Profile, Skill
from opc.directory.operations import CODE_PATTERN, MAX_NOTE, MAX_SKILL_NAME, MAX_TAGS, MAX_TEXT
from opc.directory.permissions import (
    can_edit_profile,
    can_introduce,
    can_manage_skills,
    can_use_directory,
    can_view_introduction,
)
from opc.teams.models import Team, Track

Code = Annotated[str, Field(pattern=CODE_PATTERN, max_length=40)]
MAX_QUERY = 100


class SkillIn(In):
    code: Code
    name_zh: str = Field(min_length=1, max_length=MAX_SKILL_NAME)
    name_en: str = Field(min_length=1, max_length=MAX_SKILL_NAME)


class SkillOut(Out):
    id: int
    code: str
    name_zh: str
    name_en: str


class DirectoryQuery(In):
    park_id: Id | None = None  # type: ignore[valid-type]
    track: Track | None = None
    offers: Code | None = Field(None, description="a skill's code: teams that offer it")
    needs: Code | None = Field(None, description="a skill's code: teams that need it")
    q: str = Field("", max_length=MAX_QUERY, description="name, pinyin or its initials")


class ProfileIn(In):
    multiline = frozenset({"offers_text", "needs_text"})

    offers: list[Code] = Field(default_factory=list, max_length=MAX_TAGS)
    needs: list[Code] = Field(default_factory=list, max_length=MAX_TAGS)
    offers_text: str = Field("", max_length=MAX_TEXT)
    needs_text: str = Field("", max_length=MAX_TEXT)
    hidden: bool = False


class ProfileOut(Out):
    team_id: int
    offers: list[str] = Field(description="skills' codes")
    needs: list[str] = Field(description="skills' codes")
    offers_text: str
    needs_text: str
    hidden: bool


class EntryOut(ProfileOut):
    park_id: int
    name_zh: str
    name_en: str
    track: str
    status: str


class MatchOut(Out):
    team_id: int
    name_zh: str
    name_en: str
    track: str
    shared: list[str] = Field(description="codes of the skills it offers that the team needs")
    same_track: bool
    explanation: str = Field(description="why it is a match, in the request's language")


class IntroductionIn(In):
    multiline = frozenset({"note"})

    team_a_id: Id  # type: ignore[valid-type]
    team_b_id: Id  # type: ignore[valid-type]
    note: str = Field("", max_length=MAX_NOTE)


class IntroductionOut(Out):
    id: int
    park_id: int
    team_a_id: int
    team_b_id: int
    note: str
    made_by_id: int | None
    created_at: datetime
    outcome: Literal["met", "collaborated", "no_fit"] | None
    outcome_at: datetime | None
    outcome_by_id: int | None


class IntroductionQuery(In):
    park_id: Id | None = None  # type: ignore[valid-type]


class OutcomeIn(In):
    outcome: Outcome


def _profile(team: Team, profile: Profile | None) -> dict[str, Any]:
    return {
        "team_id": team.id,
        "offers": [s.code for s in profile.offers] if profile else [],
        "needs": [s.code for s in profile.needs] if profile else [],
        "offers_text": profile.offers_text if profile else "",
        "needs_text": profile.needs_text if profile else "",
        "hidden": bool(profile and profile.hidden),
    }


def _introduction(intro: Introduction) -> dict[str, Any]:
    return IntroductionOut.model_validate(intro).model_dump(mode="json")


def _known_skill(field: str, code: str | None) -> None:
    """A filter by a skill the list does not have is an error, not an empty page."""
    if code and queries.skill_by_code(code) is None:
        raise ValidationFailed({field: [_("Unknown skill: %(codes)s", codes=code)]})


@endpoint("/skills", scope="directory:read", allow=can_edit_profile, response=SkillOut, paged=True)
def list_skills(user: Any) -> dict[str, Any]:
    """The shared list of skills and services teams offer and need."""
    return paged_items(queries.skills(), lambda s: SkillOut.model_validate(s).model_dump())


@endpoint(
    "/skills",
    methods=("POST",),
    scope="directory:write",
    allow=can_manage_skills,
    body=SkillIn,
    response=SkillOut,
    status=201,
    errors=(409,),
)
def add_skill(user: Any, body: SkillIn) -> dict[str, Any]:
    """Add a skill to the shared list (admins); 409 `skill_code_taken`."""
    skill: Skill = ops.add_skill(body.code, body.name_zh, body.name_en, actor=user)
    return SkillOut.model_validate(skill).model_dump()


@endpoint(
    "/directory",
    scope="directory:read",
    allow=can_use_directory,
    query=DirectoryQuery,
    response=EntryOut,
    paged=True,
    errors=(404,),
)
def list_directory(user: Any, query: DirectoryQuery) -> dict[str, Any]:
    """The residents of the caller's park (staff: of their parks), with what each offers and
    needs; hidden teams only for staff. 404 for a park whose directory the caller lacks."""
    parks = queries.directory_park_ids(user)
    if query.park_id is not None and parks is not None and query.park_id not in parks:
        raise NotFound("not_found", _("Not found."))
    _known_skill("offers", query.offers)
    _known_skill("needs", query.needs)
    filters = queries.DirectoryFilters(
        park_id=query.park_id,
        track=query.track.value if query.track else None,
        offers=query.offers,
        needs=query.needs,
        q=query.q,
    )
    page = paged(queries.directory(user, filters), lambda t: t)
    profiles = queries.profiles_of([t.id for t in page["items"]])
    page["items"] = [
        {
            **_profile(t, profiles.get(t.id)),
            "park_id": t.park_id,
            "name_zh": t.name_zh,
            "name_en": t.name_en,
            "track": t.track,
            "status": t.status,
        }
        for t in page["items"]
    ]
    return page


def _team(user: Any, team_id: int) -> Team:
    team: Team = get_or_404(Team, team_id, user)
    require(can_edit_profile(user, team))
    return team


@endpoint(
    "/directory/<int:team_id>/matches",
    scope="directory:read",
    allow=can_edit_profile,
    response=MatchOut,
    paged=True,
    errors=(404,),
)
def list_matches(user: Any, team_id: int) -> dict[str, Any]:
    """The residents whose offers meet the team's needs, most shared skills first, then the
    same track; for the team's members and its park's staff."""
    team = _team(user, team_id)
    to_team = user.role == Role.MEMBER

    def serialise(m: queries.Match) -> dict[str, Any]:
        return {
            "team_id": m.team.id,
            "name_zh": m.team.name_zh,
            "name_en": m.team.name_en,
            "track": m.team.track,
            "shared": [s.code for s in m.shared],
            "same_track": m.same_track,
            "explanation": explain(m, team, to_team=to_team),
        }

    return paged_items(queries.matches(team, user), serialise)


@endpoint(
    "/directory/<int:team_id>/profile",
    scope="directory:read",
    allow=can_edit_profile,
    response=ProfileOut,
    errors=(404,),
)
def get_profile(user: Any, team_id: int) -> dict[str, Any]:
    """The team's profile (empty until it is first saved)."""
    team = _team(user, team_id)
    return _profile(team, queries.profile_of(team))


@endpoint(
    "/directory/<int:team_id>/profile",
    methods=("PUT",),
    scope="directory:write",
    allow=can_edit_profile,
    body=ProfileIn,
    response=ProfileOut,
    errors=(404,),
)
def put_profile(user: Any, team_id: int, body: ProfileIn) -> dict[str, Any]:
    """Set what the team offers and needs, and whether it hides itself (its members, its
    park's staff); 422 for an unknown skill."""
    team = _team(user, team_id)
    profile = ops.save_profile(team, actor=user, **body.model_dump())
    return _profile(team, profile)


@endpoint(
    "/introductions",
    scope="directory:read",
    allow=can_view_introduction,
    query=IntroductionQuery,
    response=IntroductionOut,
    paged=True,
)
def list_introductions(user: Any, query: IntroductionQuery) -> dict[str, Any]:
    """The introductions the caller may see (staff: their parks'; members: their team's),
    newest first."""
    return paged(queries.introductions(user, query.park_id), _introduction)


@endpoint(
    "/introductions",
    methods=("POST",),
    scope="directory:write",
    allow=can_introduce,
    body=IntroductionIn,
    response=IntroductionOut,
    status=201,
    errors=(404, 409),
)
def create_introduction(user: Any, body: IntroductionIn) -> dict[str, Any]:
    """Introduce two residents of a park (its staff); both teams' members are notified and
    mailed. 409 `different_parks`, `not_resident`, `already_introduced`."""
    get_or_404(Team, body.team_a_id, user)
    get_or_404(Team, body.team_b_id, user)
    intro = ops.introduce(body.team_a_id, body.team_b_id, body.note, actor=user)
    return _introduction(intro)


@endpoint(
    "/introductions/<int:introduction_id>/outcome",
    methods=("POST",),
    scope="directory:write",
    allow=can_view_introduction,
    body=OutcomeIn,
    response=IntroductionOut,
    errors=(404,),
)
def record_outcome(user: Any, introduction_id: int, body: OutcomeIn) -> dict[str, Any]:
    """Record how an introduction turned out: `met`, `collaborated` or `no_fit` (the park's
    staff or either team's members)."""
    intro = get_or_404(Introduction, introduction_id, user, "introductions.outcome")
    return _introduction(ops.record_outcome(intro, body.outcome.value, actor=user))

"""/api/v1/teams: thin; the operations hold the rules."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import request
from flask_babel import gettext as _
from pydantic import Field

from opc.api.pagination import paged
from opc.api.routing import ApiError, endpoint, uploaded_csv
from opc.api.schemas import In, Out, Patch
from opc.core.permissions import get_or_404, require
from opc.parks.models import Park
from opc.teams import importing, members, queries
from opc.teams import operations as ops
from opc.teams.models import Invitation, Team, TeamKind, TeamStatus, TeamStatusChange, Track
from opc.teams.permissions import can_manage_teams, can_view_team


class TeamOut(Out):
    id: int
    park_id: int
    name_zh: str
    name_en: str
    name_pinyin: str
    track: str
    kind: str
    legal_name: str | None
    uscc: str | None
    description: str
    contact_name: str
    contact_email: str
    contact_phone: str
    status: str
    status_since: date | None
    waitlisted_at: datetime | None
    created_at: datetime


class TeamIn(In):
    park_id: int
    name_zh: str = Field(min_length=1, max_length=ops.MAX_LENGTH["name_zh"])
    name_en: str = Field("", max_length=ops.MAX_LENGTH["name_en"])
    track: Track
    kind: TeamKind = TeamKind.COMPANY
    legal_name: str | None = Field(None, max_length=ops.MAX_LENGTH["legal_name"])
    uscc: str | None = Field(None, max_length=40)
    description: str = Field("", max_length=ops.MAX_LENGTH["description"])
    contact_name: str = Field("", max_length=ops.MAX_LENGTH["contact_name"])
    contact_email: str = Field("", max_length=ops.MAX_LENGTH["contact_email"])
    contact_phone: str = Field("", max_length=ops.MAX_LENGTH["contact_phone"])


class TeamPatch(Patch):
    nullable = frozenset({"legal_name", "uscc"})  # a team may lose its legal entity
    name_zh: str | None = Field(None, min_length=1, max_length=ops.MAX_LENGTH["name_zh"])
    name_en: str | None = Field(None, max_length=ops.MAX_LENGTH["name_en"])
    track: Track | None = None
    kind: TeamKind | None = None
    legal_name: str | None = Field(None, max_length=ops.MAX_LENGTH["legal_name"])
    uscc: str | None = Field(None, max_length=40)
    description: str | None = Field(None, max_length=ops.MAX_LENGTH["description"])
    contact_name: str | None = Field(None, max_length=ops.MAX_LENGTH["contact_name"])
    contact_email: str | None = Field(None, max_length=ops.MAX_LENGTH["contact_email"])
    contact_phone: str | None = Field(None, max_length=ops.MAX_LENGTH["contact_phone"])


class TeamQuery(In):
    park_id: int | None = None
    status: TeamStatus | None = None
    track: Track | None = None
    floor: int | None = None
    has_space: bool | None = None
    q: str = Field("", max_length=200)
    page: int | None = None
    per_page: int | None = None


class TransitionIn(In):
    to: TeamStatus
    on: date | None = None
    note: str = Field("", max_length=1000)


class StatusChangeOut(Out):
    id: int
    team_id: int
    from_status: str | None
    to_status: str
    on: date
    at: datetime
    actor_id: int | None
    note: str


class MemberOut(Out):
    id: int
    email: str
    name: str
    team_id: int | None


class InviteIn(In):
    email: str = Field(min_length=3, max_length=254)


class InvitationOut(Out):
    id: int
    team_id: int
    email: str
    expires_at: datetime
    state: str
    mailed: bool = False
    # The one-time link, only when it was not mailed (staff pass it on themselves).
    link: str | None = None


class ImportOut(Out):
    imported: int
    items: list[TeamOut]


def _out(team: Team) -> dict[str, Any]:
    return TeamOut.model_validate(team).model_dump(mode="json")


def _change(change: TeamStatusChange) -> dict[str, Any]:
    return StatusChangeOut.model_validate(change).model_dump(mode="json")


def _values(model: In, *, exclude: set[str] | None = None) -> dict[str, Any]:
    data = model.model_dump(exclude_unset=True, exclude=exclude)
    return {k: (v.value if hasattr(v, "value") else v) for k, v in data.items()}


@endpoint("/teams", scope="teams:read", query=TeamQuery, response=TeamOut, paged=True)
def list_teams(user: Any, query: TeamQuery) -> dict[str, Any]:
    """Teams the caller may see; filter by park, status, track, floor, space; search names."""
    require(can_view_team(user))
    more = {"floor": query.floor, "has_space": {True: "yes", False: "no"}.get(query.has_space)}
    filters = queries.TeamFilters(
        park_id=query.park_id,
        status=query.status.value if query.status else None,
        track=query.track.value if query.track else None,
        q=query.q,
        # Filters that opc.space contributes (opc.teams.pages); ignored without it.
        more={k: str(v) for k, v in more.items() if v is not None},
    )
    return paged(queries.teams_for(user, filters), _out)


@endpoint(
    "/teams",
    methods=("POST",),
    scope="teams:write",
    body=TeamIn,
    response=TeamOut,
    status=201,
    errors=(409,),
)
def create_team(user: Any, body: TeamIn) -> dict[str, Any]:
    """Add a team to a park as an applicant (staff of the park)."""
    park = get_or_404(Park, body.park_id, user)
    require(can_manage_teams(user, park))
    values = _values(body, exclude={"park_id"})
    return _out(ops.create_team(park_id=park.id, actor=user, **values))


@endpoint("/teams/<int:team_id>", scope="teams:read", response=TeamOut)
def get_team(user: Any, team_id: int) -> dict[str, Any]:
    """One team."""
    return _out(get_or_404(Team, team_id, user))


@endpoint(
    "/teams/<int:team_id>",
    methods=("PATCH",),
    scope="teams:write",
    body=TeamPatch,
    response=TeamOut,
    errors=(409,),
)
def update_team(user: Any, team_id: int, body: TeamPatch) -> dict[str, Any]:
    """Change a team's profile (staff of its park, or its own members)."""
    team = get_or_404(Team, team_id, user, "teams.edit_profile")
    return _out(ops.update_profile(team, actor=user, **_values(body)))


@endpoint(
    "/teams/<int:team_id>/transitions",
    methods=("POST",),
    scope="teams:write",
    body=TransitionIn,
    response=StatusChangeOut,
    status=201,
    errors=(409,),
)
def transition_team(user: Any, team_id: int, body: TransitionIn) -> dict[str, Any]:
    """One lifecycle step; 409 invalid_transition, or team_cap_reached (team waitlisted)."""
    team = get_or_404(Team, team_id, user, "teams.manage")
    return _change(ops.transition(team, body.to.value, actor=user, on=body.on, note=body.note))


@endpoint(
    "/teams/<int:team_id>/history",
    scope="teams:read",
    response=StatusChangeOut,
    paged=True,
)
def team_history(user: Any, team_id: int) -> dict[str, Any]:
    """The team's lifecycle steps, oldest first: dated and attributed."""
    team = get_or_404(Team, team_id, user)
    return paged(queries.history(team), _change)


@endpoint("/teams/<int:team_id>/members", scope="teams:read", response=MemberOut, paged=True)
def list_members(user: Any, team_id: int) -> dict[str, Any]:
    """The team's member accounts."""
    team = get_or_404(Team, team_id, user)
    return paged(
        queries.members(team), lambda u: MemberOut.model_validate(u).model_dump(mode="json")
    )


@endpoint(
    "/teams/<int:team_id>/members",
    methods=("POST",),
    scope="teams:write",
    body=InviteIn,
    response=InvitationOut,
    status=201,
    errors=(409,),
)
def invite_member(user: Any, team_id: int, body: InviteIn) -> dict[str, Any]:
    """Invite a member by e-mail; the link is returned only when mail is not configured."""
    team = get_or_404(Team, team_id, user, "teams.manage")
    issued = members.invite_member(team, body.email, actor=user)
    return _invitation(issued)


def _invitation(issued: members.IssuedInvitation) -> dict[str, Any]:
    inv: Invitation = issued.invitation
    return InvitationOut(
        id=inv.id,
        team_id=inv.team_id,
        email=inv.email,
        expires_at=inv.expires_at,
        state=inv.state,
        mailed=issued.mailed,
        link=None if issued.mailed else issued.link,
    ).model_dump(mode="json")


@endpoint(
    "/teams/import",
    methods=("POST",),
    scope="teams:write",
    response=ImportOut,
    status=201,
    errors=(413, 422),
)
def import_teams(user: Any) -> dict[str, Any]:
    """Multipart form: park_id and file (CSV). All rows or none; 422 invalid_rows lists each."""
    data = uploaded_csv()
    try:
        park_id = int(request.form.get("park_id", ""))
    except ValueError as exc:
        raise ApiError(
            400, "wrong_type", _("park_id must be an integer."), fields={"park_id": ["int"]}
        ) from exc
    park = get_or_404(Park, park_id, user)
    require(can_manage_teams(user, park))
    teams = importing.import_teams(park.id, data, actor=user)
    return {"imported": len(teams), "items": [_out(t) for t in teams]}

"""/api/v1/teams: thin; the operations hold the rules."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field

from opc.api.pagination import paged
from opc.api.routing import endpoint, uploaded_csv
from opc.api.schemas import Id, In, IsoDate, Out, Patch, Uscc, email, whole
from opc.core.permissions import get_or_404, require
from opc.core.values import MAX_INT, MIN_INT
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
    founded_on: date | None
    description: str
    contact_name: str
    contact_email: str
    contact_phone: str
    status: str
    status_since: date | None
    waitlisted_at: datetime | None
    created_at: datetime


ContactEmail = email(ops.MAX_LENGTH["contact_email"], blank=True)
# The floor filter is opc.space's (its FLOORS): here any floor a column can hold.
Floor = whole(MIN_INT, MAX_INT)


class TeamIn(In):
    multiline = frozenset({"description"})
    park_id: Id  # type: ignore[valid-type]
    name_zh: str = Field(min_length=1, max_length=ops.MAX_LENGTH["name_zh"])
    name_en: str = Field("", max_length=ops.MAX_LENGTH["name_en"])
    track: Track
    kind: TeamKind = TeamKind.COMPANY
    legal_name: str | None = Field(None, max_length=ops.MAX_LENGTH["legal_name"])
    uscc: Uscc | None = None
    founded_on: IsoDate | None = None  # the legal entity's; not after the park's today
    description: str = Field("", max_length=ops.MAX_LENGTH["description"])
    contact_name: str = Field("", max_length=ops.MAX_LENGTH["contact_name"])
    contact_email: ContactEmail = ""  # type: ignore[valid-type]
    contact_phone: str = Field("", max_length=ops.MAX_LENGTH["contact_phone"])
    # A team that arrives with its past: the status it has and the day it reached it
    # (opc.teams.arrival); without them, an applicant today.
    status: Literal["applicant", "admitted", "resident"] = "applicant"
    since: IsoDate | None = None


class TeamPatch(Patch):
    nullable = frozenset({"legal_name", "uscc", "founded_on"})  # it may lose its legal entity
    multiline = frozenset({"description"})
    name_zh: str | None = Field(None, min_length=1, max_length=ops.MAX_LENGTH["name_zh"])
    name_en: str | None = Field(None, max_length=ops.MAX_LENGTH["name_en"])
    track: Track | None = None
    kind: TeamKind | None = None
    legal_name: str | None = Field(None, max_length=ops.MAX_LENGTH["legal_name"])
    uscc: Uscc | None = None
    founded_on: IsoDate | None = None
    description: str | None = Field(None, max_length=ops.MAX_LENGTH["description"])
    contact_name: str | None = Field(None, max_length=ops.MAX_LENGTH["contact_name"])
    contact_email: ContactEmail | None = None  # type: ignore[valid-type]
    contact_phone: str | None = Field(None, max_length=ops.MAX_LENGTH["contact_phone"])


class TeamQuery(In):
    park_id: Id | None = None  # type: ignore[valid-type]
    status: TeamStatus | None = None
    track: Track | None = None
    floor: Floor | None = None  # type: ignore[valid-type]
    has_space: bool | None = None
    q: str = Field("", max_length=200)


class TransitionIn(In):
    multiline = frozenset({"note"})
    to: TeamStatus
    on: IsoDate | None = None
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
    email: email()  # type: ignore[valid-type]


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


class ImportForm(In):
    """The fields of the import's multipart form besides the CSV `file`."""

    park_id: Id  # type: ignore[valid-type]


def _out(team: Team) -> dict[str, Any]:
    return TeamOut.model_validate(team).model_dump(mode="json")


def _change(change: TeamStatusChange) -> dict[str, Any]:
    return StatusChangeOut.model_validate(change).model_dump(mode="json")


def _values(model: In, *, exclude: set[str] | None = None) -> dict[str, Any]:
    data = model.model_dump(exclude_unset=True, exclude=exclude)
    return {k: (v.value if hasattr(v, "value") else v) for k, v in data.items()}


@endpoint(
    "/teams",
    scope="teams:read",
    allow=can_view_team,
    query=TeamQuery,
    response=TeamOut,
    paged=True,
)
def list_teams(user: Any, query: TeamQuery) -> dict[str, Any]:
    """Teams the caller may see; filter by park, status, track, floor, space; search names."""
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
    allow=can_manage_teams,
    body=TeamIn,
    response=TeamOut,
    status=201,
    errors=(404, 409),
)
def create_team(user: Any, body: TeamIn) -> dict[str, Any]:
    """Add a team to a park (staff of the park): an applicant, or with its past (`status`,
    `since`); 409 `team_cap_reached` when a resident would exceed the park's cap."""
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
    allow=can_view_team,  # staff and members; which team is checked on loading it
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
    allow=can_manage_teams,
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
    allow=can_manage_teams,
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
    allow=can_manage_teams,
    form=ImportForm,
    upload=True,
    response=ImportOut,
    status=201,
    errors=(404, 409),
)
def import_teams(user: Any, form: ImportForm) -> dict[str, Any]:
    """Multipart form: park_id and file (CSV). All rows or none; 422 invalid_rows lists each."""
    park = get_or_404(Park, form.park_id, user)
    require(can_manage_teams(user, park))
    teams = importing.import_teams(park.id, uploaded_csv(), actor=user)
    return {"imported": len(teams), "items": [_out(t) for t in teams]}

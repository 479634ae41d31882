"""/api/v1/parks: thin; the operations hold the rules."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from opc.api.pagination import paged
from opc.api.routing import endpoint
from opc.api.schemas import In, Out, Patch, Timezone, area_up_to, whole
from opc.core.permissions import get_or_404
from opc.parks import operations as ops
from opc.parks import queries
from opc.parks.models import Park
from opc.parks.permissions import can_manage_parks

ParkArea = area_up_to(ops.MAX_AREA)


class ParkOut(Out):
    id: int
    code: str
    name_zh: str
    name_en: str
    total_area_m2: ParkArea  # type: ignore[valid-type]
    team_cap: int
    timezone: str
    currency: str


TeamCap = whole(0, ops.MAX_TEAM_CAP)


class ParkIn(In):
    code: str = Field(min_length=1, max_length=40)
    name_zh: str = Field(min_length=1, max_length=200)
    name_en: str = Field("", max_length=200)
    total_area_m2: ParkArea  # type: ignore[valid-type]
    team_cap: TeamCap  # type: ignore[valid-type]
    timezone: Timezone = "Asia/Shanghai"
    currency: str = Field("CNY", pattern="^[A-Z]{3}$")


class ParkPatch(Patch):
    name_zh: str | None = Field(None, min_length=1, max_length=200)
    name_en: str | None = Field(None, max_length=200)
    total_area_m2: ParkArea | None = None  # type: ignore[valid-type]
    team_cap: TeamCap | None = None  # type: ignore[valid-type]
    timezone: Timezone | None = None


def _out(park: Park) -> dict[str, Any]:
    return ParkOut.model_validate(park).model_dump(mode="json")


@endpoint("/parks", scope="parks:read", response=ParkOut, paged=True)
def list_parks(user: Any) -> dict[str, Any]:
    """Parks the caller may see."""
    return paged(queries.parks_for(user), _out)


@endpoint(
    "/parks",
    methods=("POST",),
    scope="parks:write",
    allow=can_manage_parks,
    body=ParkIn,
    response=ParkOut,
    status=201,
    errors=(409,),
)
def create_park(user: Any, body: ParkIn) -> dict[str, Any]:
    """Add a park (admins)."""
    return _out(ops.create_park(actor=user, **body.model_dump()))


@endpoint("/parks/<int:park_id>", scope="parks:read", response=ParkOut)
def get_park(user: Any, park_id: int) -> dict[str, Any]:
    """One park."""
    return _out(get_or_404(Park, park_id, user))


@endpoint(
    "/parks/<int:park_id>",
    methods=("PATCH",),
    scope="parks:write",
    allow=can_manage_parks,
    body=ParkPatch,
    response=ParkOut,
    errors=(409,),
)
def update_park(user: Any, park_id: int, body: ParkPatch) -> dict[str, Any]:
    """Change a park (admins); area and cap may not drop below what is in use."""
    park = get_or_404(Park, park_id, user, "parks.manage")
    return _out(ops.update_park(park, actor=user, **body.model_dump(exclude_unset=True)))

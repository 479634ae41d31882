"""/api/v1 units, allocations and occupancy: thin; the operations hold the rules."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from pydantic import Field

from opc.api.pagination import paged
from opc.api.routing import endpoint, uploaded_csv
from opc.api.schemas import Area, Id, In, IsoDate, Out, Patch, area_up_to, whole, yuan_up_to
from opc.core.errors import NotFound, ValidationFailed
from opc.core.money import yuan_str
from opc.core.permissions import get_or_404, get_visible
from opc.space import importing, occupancy, queries
from opc.space import operations as ops
from opc.space.models import Allocation, Unit, UnitKind
from opc.space.operations import units
from opc.space.permissions import can_allocate, can_view_allocation
from opc.space.rules import area
from opc.teams.models import Team

# Monthly rent per m² in yuan, as a decimal string ("80.00"): exact, two places at most.
Rent = yuan_up_to(units.MAX_RENT)


class UnitOut(Out):
    id: int
    park_id: int
    code: str
    kind: str
    floor: int
    area_m2: Area
    seats: int
    rent_per_m2_yuan: str


UnitArea = area_up_to(units.MAX_AREA)
Floor = whole(*units.FLOORS)
Seats = whole(0, units.MAX_SEATS)


class UnitIn(In):
    code: str = Field(min_length=1, max_length=units.MAX_CODE)
    kind: UnitKind
    floor: Floor  # type: ignore[valid-type]
    area_m2: UnitArea  # type: ignore[valid-type]
    seats: Seats = 0  # type: ignore[valid-type]
    rent_per_m2_yuan: Rent = Decimal(0)  # type: ignore[valid-type]


class UnitPatch(Patch):
    code: str | None = Field(None, min_length=1, max_length=units.MAX_CODE)
    kind: UnitKind | None = None
    floor: Floor | None = None  # type: ignore[valid-type]
    area_m2: UnitArea | None = None  # type: ignore[valid-type]
    seats: Seats | None = None  # type: ignore[valid-type]
    rent_per_m2_yuan: Rent | None = None  # type: ignore[valid-type]


class ImportOut(Out):
    imported: int


class AllocationOut(Out):
    id: int
    team_id: int
    unit_id: int
    start: date
    end: date | None


class AllocationIn(In):
    team_id: Id  # type: ignore[valid-type]
    unit_id: Id  # type: ignore[valid-type]
    start: IsoDate
    end: IsoDate | None = None


class AllocationQuery(In):
    park_id: Id | None = None  # type: ignore[valid-type]
    team_id: Id | None = None  # type: ignore[valid-type]
    unit_id: Id | None = None  # type: ignore[valid-type]
    active_on: IsoDate | None = None


class EndIn(In):
    end: IsoDate


class MoveIn(In):
    unit_id: Id  # type: ignore[valid-type]
    on: IsoDate


class OccupancyQuery(In):
    on: IsoDate | None = None


class FloorOut(Out):
    floor: int
    units: int
    units_taken: int
    area_m2: str
    allocated_m2: str


class TrackOut(Out):
    track: str
    residents: int
    teams_with_space: int
    units: int
    allocated_m2: str


class OccupancyOut(Out):
    park_id: int
    on: date
    total_area_m2: str
    unit_area_m2: str
    allocated_m2: str
    free_m2: str
    units: int
    units_taken: int
    units_free: int
    residents: int
    team_cap: int
    floors: list[FloorOut]
    tracks: list[TrackOut]


def _unit(unit: Unit) -> dict[str, Any]:
    return {
        "id": unit.id,
        "park_id": unit.park_id,
        "code": unit.code,
        "kind": unit.kind,
        "floor": unit.floor,
        "area_m2": f"{area(unit.area_m2):.2f}",
        "seats": unit.seats,
        "rent_per_m2_yuan": yuan_str(unit.rent_fen_per_m2),
    }


def _allocation(allocation: Allocation) -> dict[str, Any]:
    return AllocationOut.model_validate(allocation).model_dump(mode="json")


def _unit_values(body: UnitIn | UnitPatch) -> dict[str, Any]:
    values = body.model_dump(exclude_unset=True)
    if "rent_per_m2_yuan" in values:
        rent = values.pop("rent_per_m2_yuan")
        if rent is not None:
            values["rent_fen_per_m2"] = str(rent)
    if isinstance(values.get("kind"), UnitKind):
        values["kind"] = values["kind"].value
    return {k: v for k, v in values.items() if v is not None}


def _park_unit(user: Any, park_id: int, unit_id: int, action: str | None = None) -> Unit:
    unit = get_or_404(Unit, unit_id, user, action)
    if unit.park_id != park_id:
        raise NotFound("not_found", _("Not found."))
    return unit


# --- units -----------------------------------------------------------------------------


@endpoint("/parks/<int:park_id>/units", scope="space:read", response=UnitOut, paged=True)
def list_units(user: Any, park_id: int) -> dict[str, Any]:
    """The park's units, by floor and code."""
    queries.space_of(user, park_id)
    return paged(queries.units_of(user, park_id), _unit)


@endpoint(
    "/parks/<int:park_id>/units",
    methods=("POST",),
    scope="space:write",
    allow=can_allocate,
    body=UnitIn,
    response=UnitOut,
    status=201,
    errors=(409,),
)
def create_unit(user: Any, park_id: int, body: UnitIn) -> dict[str, Any]:
    """Add a unit; 409 park_area_exceeded when the park's area would be exceeded."""
    park = queries.space_of(user, park_id, "space.manage")
    return _unit(ops.create_unit(park.id, actor=user, **_unit_values(body)))


@endpoint("/parks/<int:park_id>/units/<int:unit_id>", scope="space:read", response=UnitOut)
def get_unit(user: Any, park_id: int, unit_id: int) -> dict[str, Any]:
    """One unit."""
    return _unit(_park_unit(user, park_id, unit_id))


@endpoint(
    "/parks/<int:park_id>/units/<int:unit_id>",
    methods=("PATCH",),
    scope="space:write",
    allow=can_allocate,
    body=UnitPatch,
    response=UnitOut,
    errors=(409,),
)
def update_unit(user: Any, park_id: int, unit_id: int, body: UnitPatch) -> dict[str, Any]:
    """Change a unit; a larger area must still fit into the park's area."""
    unit = _park_unit(user, park_id, unit_id, "units.manage")
    return _unit(ops.update_unit(unit, actor=user, **_unit_values(body)))


@endpoint(
    "/parks/<int:park_id>/units/<int:unit_id>",
    methods=("DELETE",),
    scope="space:write",
    allow=can_allocate,
    status=204,
    errors=(409,),
)
def delete_unit(user: Any, park_id: int, unit_id: int) -> None:
    """Remove a unit that was never allocated; 409 unit_in_use otherwise."""
    ops.delete_unit(_park_unit(user, park_id, unit_id, "units.manage"), actor=user)


@endpoint(
    "/parks/<int:park_id>/units/import",
    methods=("POST",),
    scope="space:write",
    allow=can_allocate,
    upload=True,
    response=ImportOut,
    status=201,
)
def import_units(user: Any, park_id: int) -> dict[str, Any]:
    """Multipart form with `file` (CSV). All rows or none; 422 invalid_rows lists each bad row."""
    park = queries.space_of(user, park_id, "space.manage")
    units = importing.import_units(park.id, uploaded_csv(), actor=user)
    return {"imported": len(units)}


# --- allocations -----------------------------------------------------------------------


@endpoint(
    "/allocations",
    scope="space:read",
    allow=can_view_allocation,
    query=AllocationQuery,
    response=AllocationOut,
    paged=True,
)
def list_allocations(user: Any, query: AllocationQuery) -> dict[str, Any]:
    """Allocations the caller may see; filter by park, team, unit and the day they are held."""
    filters = queries.AllocationFilters(
        park_id=query.park_id,
        team_id=query.team_id,
        unit_id=query.unit_id,
        active_on=query.active_on,
    )
    return paged(queries.allocations_for(user, filters), _allocation)


def _visible_id(user: Any, model: type, ident: int, field: str, missing: str) -> Any:
    """A record named in a body: one the caller may not see is as unknown as a missing one."""
    obj = get_visible(model, ident, user)
    if obj is None:
        raise ValidationFailed({field: [missing]})
    return obj


@endpoint(
    "/allocations",
    methods=("POST",),
    scope="space:write",
    allow=can_allocate,
    body=AllocationIn,
    response=AllocationOut,
    status=201,
    errors=(409,),
)
def create_allocation(user: Any, body: AllocationIn) -> dict[str, Any]:
    """Allocate a unit to a resident team for [start, end); 409 allocation_overlap or
    team_not_resident."""
    unit = _visible_id(user, Unit, body.unit_id, "unit_id", _("No such unit."))
    _visible_id(user, Team, body.team_id, "team_id", _("No such team."))
    allocation = ops.allocate(
        actor=user, team_id=body.team_id, unit_id=unit.id, start=body.start, end=body.end
    )
    return _allocation(allocation)


@endpoint("/allocations/<int:allocation_id>", scope="space:read", response=AllocationOut)
def get_allocation(user: Any, allocation_id: int) -> dict[str, Any]:
    """One allocation."""
    return _allocation(get_or_404(Allocation, allocation_id, user))


@endpoint(
    "/allocations/<int:allocation_id>/end",
    methods=("POST",),
    scope="space:write",
    allow=can_allocate,
    body=EndIn,
    response=AllocationOut,
    errors=(409,),
)
def end_allocation(user: Any, allocation_id: int, body: EndIn) -> dict[str, Any]:
    """Set the day the team gives the unit back (exclusive)."""
    allocation = get_or_404(Allocation, allocation_id, user, "allocations.manage")
    return _allocation(ops.end_allocation(allocation, actor=user, end=body.end))


@endpoint(
    "/allocations/<int:allocation_id>/move",
    methods=("POST",),
    scope="space:write",
    allow=can_allocate,
    body=MoveIn,
    response=AllocationOut,
    status=201,
    errors=(409,),
)
def move_allocation(user: Any, allocation_id: int, body: MoveIn) -> dict[str, Any]:
    """Move the team to another unit on `on`; answers the new allocation."""
    allocation = get_or_404(Allocation, allocation_id, user, "allocations.manage")
    target = _visible_id(user, Unit, body.unit_id, "unit_id", _("No such unit."))
    return _allocation(ops.move(allocation, actor=user, unit_id=target.id, on=body.on))


# --- occupancy -------------------------------------------------------------------------


@endpoint(
    "/parks/<int:park_id>/occupancy",
    scope="space:read",
    query=OccupancyQuery,
    response=OccupancyOut,
)
def get_occupancy(user: Any, park_id: int, query: OccupancyQuery) -> dict[str, Any]:
    """Area, units and residents on a day (default the park's today), by floor and track."""
    park = queries.space_of(user, park_id)
    occ = occupancy.occupancy(park, query.on or queries.today(park))
    return {
        "park_id": park.id,
        "on": occ.on.isoformat(),
        "total_area_m2": str(occ.total_m2),
        "unit_area_m2": str(occ.unit_m2),
        "allocated_m2": str(occ.allocated_m2),
        "free_m2": str(occ.free_m2),
        "units": occ.units,
        "units_taken": occ.units_taken,
        "units_free": occ.units_free,
        "residents": occ.residents,
        "team_cap": occ.team_cap,
        "floors": [
            {
                "floor": f.floor,
                "units": f.units,
                "units_taken": f.taken,
                "area_m2": str(f.area_m2),
                "allocated_m2": str(f.allocated_m2),
            }
            for f in occ.floors
        ],
        "tracks": [
            {
                "track": t.track,
                "residents": t.residents,
                "teams_with_space": t.teams_with_space,
                "units": t.units,
                "allocated_m2": str(t.allocated_m2),
            }
            for t in occ.tracks
        ],
    }

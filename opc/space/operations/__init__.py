"""Every change to space, by subject: units (operations.units) and allocations
(operations.allocations). The rules they check are in opc.space.rules."""

from opc.space.operations.allocations import (
    LEAVING,
    allocate,
    cancel_allocation,
    end_allocation,
    move,
    release_on_leaving,
    release_team_space,
)
from opc.space.operations.units import (
    UNIT_FIELDS,
    clean_unit,
    create_unit,
    delete_unit,
    locked_park,
    update_unit,
)

__all__ = [
    "LEAVING",
    "UNIT_FIELDS",
    "allocate",
    "cancel_allocation",
    "clean_unit",
    "create_unit",
    "delete_unit",
    "end_allocation",
    "locked_park",
    "move",
    "release_on_leaving",
    "release_team_space",
    "update_unit",
]

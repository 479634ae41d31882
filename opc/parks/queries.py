"""Read models of parks."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from opc.core.permissions import visible
from opc.parks.models import Park


def parks_for(user: Any) -> Select[tuple[Park]]:
    """The parks the user may see, in order."""
    return select(Park).where(visible(user, Park)).order_by(Park.id)

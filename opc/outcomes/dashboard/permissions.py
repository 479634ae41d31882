"""Who may see a park's outcome dashboard: staff of the park (and admins, who pass every
rule). A BI tool reads its JSON twin as such a user with a `reports:read` token."""

from __future__ import annotations

from typing import Any

from opc.core.permissions import Role, rule
from opc.parks.models import Park
from opc.parks.permissions import staff_of


@rule("outcomes.view")
def can_view_outcomes(user: Any, park: Park | None = None) -> bool:
    """A park's outcomes: staff of the park; with no park, whether staff at all."""
    if park is None:
        return user.role == Role.STAFF
    return staff_of(user, park.id)

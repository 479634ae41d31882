"""Who may download the Torch survey's table: staff of the park (and admins, who pass every
rule). A BI tool downloads it as such a user with a `reports:read` token."""

from __future__ import annotations

from typing import Any

from opc.core.permissions import Role, rule
from opc.parks.models import Park
from opc.parks.permissions import staff_of


@rule("torch.export")
def can_export(user: Any, park: Park | None = None) -> bool:
    """A park's table of resident enterprises: staff of the park; with no park, whether
    staff at all (the page)."""
    if park is None:
        return user.role == Role.STAFF
    return staff_of(user, park.id)

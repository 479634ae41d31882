"""Creating accounts with what they belong to: a member's team, a staff member's parks."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from opc.auth import operations as auth_ops
from opc.auth.models import User
from opc.auth.permissions import can_manage_users
from opc.core.db import retrying, transaction
from opc.core.errors import ValidationFailed
from opc.core.permissions import require_actor
from opc.parks.operations import assign_staff
from opc.teams.models import Team


@retrying
def create_user(
    email: str,
    *,
    role: str,
    password: str | None = None,
    name: str = "",
    team_id: int | None = None,
    park_ids: list[int] | None = None,
    actor: Any = None,
) -> User:
    """Create a user of a role: a member in its team, staff assigned to their parks."""
    require_actor(can_manage_users, actor)
    with transaction(actor) as session:
        if team_id is not None and session.get(Team, team_id) is None:
            raise ValidationFailed({"team_id": [_("No such team.")]})
        user = auth_ops.create_user(
            email, role=role, password=password, name=name, team_id=team_id, actor=actor
        )
        if park_ids:
            assign_staff(user, park_ids, actor=actor)
    return user

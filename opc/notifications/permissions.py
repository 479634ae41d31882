"""Who has notifications: every active user, each only their own (the queries and
operations filter by the user: an inbox is personal, an admin's included)."""

from __future__ import annotations

from typing import Any

from opc.core.permissions import rule


@rule("notifications.read")
def has_inbox(_user: Any, _obj: Any = None) -> bool:
    """Read and mark one's own notifications: every active user (the machinery refuses
    anonymous and inactive ones before this runs)."""
    return True

"""Who may read the audit log: admins."""

from __future__ import annotations

from typing import Any

from opc.core.permissions import rule


@rule("audit.view")
def can_read_audit(_user: Any, _obj: Any = None) -> bool:
    """The log shows every record of every park: admins only."""
    return False

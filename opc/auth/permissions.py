"""Who may manage accounts: admins; everyone may see their own."""

from __future__ import annotations

from typing import Any

from opc.core.permissions import Role, rule


@rule("users.manage")
def can_manage_users(_user: Any, _obj: Any = None) -> bool:
    """Create and list users: admins only."""
    return False


@rule("users.view")
def can_view_user(user: Any, other: Any) -> bool:
    """One's own account."""
    return other is not None and other.id == user.id


@rule("pages.use")
def can_use_pages(user: Any, _obj: Any = None) -> bool:
    """Log in to the pages: everyone but API-only accounts (compute providers)."""
    return user.role != Role.PROVIDER

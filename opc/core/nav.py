"""The navigation bar: each domain adds its entries; each shows only to those allowed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import LazyString


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: LazyString
    allowed: Callable[[Any], bool]
    order: int = 50


NAV: list[NavItem] = []


def add(endpoint: str, label: LazyString, allowed: Callable[[Any], bool], order: int = 50) -> None:
    """Add a navigation entry (idempotent per endpoint)."""
    if all(item.endpoint != endpoint for item in NAV):
        NAV.append(NavItem(endpoint, label, allowed, order))
        NAV.sort(key=lambda item: item.order)


def items_for(user: Any) -> list[NavItem]:
    return [item for item in NAV if user.is_authenticated and item.allowed(user)]

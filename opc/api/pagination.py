"""List responses: {"items", "total", "page", "per_page"} with ?page=&per_page= (max 200)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, g, request
from flask_babel import gettext as _
from pydantic import BaseModel
from sqlalchemy import Select

from opc.api.routing import parse
from opc.api.schemas import PageArgs
from opc.core.errors import ValidationFailed
from opc.core.pagination import count_rows, page_rows
from opc.core.values import MAX_PAGE

__all__ = ["PageArgs", "page_args", "page_schema", "paged", "paged_items"]


def page_args() -> PageArgs:
    """?page=&per_page=, as @endpoint checked them for a list route (else read here)."""
    if (args := g.get("page_args")) is not None:
        return args
    return parse(PageArgs, {k: v for k, v in request.args.items() if k in PageArgs.model_fields})


def paged(
    stmt: Select[Any], serialize: Callable[[Any], Any], *, total: int | None = None
) -> dict[str, Any]:
    """One page of `stmt` serialised, with the total over all pages: counted, unless the
    caller knows it already (`total`, e.g. from a rollup of sums)."""
    args = page_args()
    ceiling = current_app.config["MAX_PER_PAGE"]
    if args.per_page is not None and args.per_page > ceiling:
        # A smaller ceiling than the documented 200 (a deployment's choice) is refused as
        # clearly as 200 is, never silently shortened.
        raise ValidationFailed({"per_page": [_("At most %(n)d rows a page.", n=ceiling)]})
    per_page = min(args.per_page or current_app.config["PER_PAGE"], ceiling)
    if total is None:
        total = count_rows(stmt)
    rows = page_rows(stmt, per_page, (args.page - 1) * per_page)
    return {
        "items": [serialize(r) for r in rows],
        "total": total or 0,
        "page": args.page,
        "per_page": per_page,
    }


def paged_items(items: list[Any], serialize: Callable[[Any], Any]) -> dict[str, Any]:
    """One page of a list computed in full (drafts that are not rows), as `paged` gives one
    of a query: the same arguments, the same refusals."""
    args = page_args()
    ceiling = current_app.config["MAX_PER_PAGE"]
    if args.per_page is not None and args.per_page > ceiling:
        raise ValidationFailed({"per_page": [_("At most %(n)d rows a page.", n=ceiling)]})
    per_page = min(args.per_page or current_app.config["PER_PAGE"], ceiling)
    start = (args.page - 1) * per_page
    return {
        "items": [serialize(item) for item in items[start : start + per_page]],
        "total": len(items),
        "page": args.page,
        "per_page": per_page,
    }


def page_schema(item: type[BaseModel]) -> dict[str, Any]:
    """The OpenAPI schema of a page of `item`."""
    return {
        "type": "object",
        "required": ["items", "total", "page", "per_page"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{item.__name__}"}},
            "total": {"type": "integer", "minimum": 0},
            "page": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
            "per_page": {"type": "integer", "minimum": 1, "maximum": 200},
        },
    }

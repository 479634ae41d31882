"""Pages of rows for the HTML tables (the API has its own envelope in opc.api.pagination)."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

from opc.extensions import db


def paginate(stmt: Select[Any], per_page: int | None = None) -> Pagination:
    """The page of `stmt` named by ?page= (bad or out-of-range values show the first/last)."""
    try:
        page = max(1, int(request.args.get("page", 1)))
    except ValueError:
        page = 1
    per_page = per_page or current_app.config["PER_PAGE"]
    result = db.paginate(stmt, page=page, per_page=per_page, error_out=False)
    if page > 1 and not result.items and result.pages:
        result = db.paginate(stmt, page=result.pages, per_page=per_page, error_out=False)
    return result

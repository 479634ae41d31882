"""Pages of rows, for the HTML tables and the API's list envelope alike."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask_sqlalchemy.pagination import Pagination, SelectPagination
from sqlalchemy import Select, func, inspect, select
from sqlalchemy.orm import lazyload

from opc.core.values import MAX_NUMBER_TEXT, MAX_PAGE
from opc.extensions import db


def _entity(stmt: Select[Any]) -> Any:
    """The mapped class a single-entity select reads, else None."""
    described = stmt.column_descriptions
    return described[0].get("entity") if len(described) == 1 else None


def page_rows(stmt: Select[Any], limit: int, offset: int) -> list[Any]:
    """One page of a single-entity select, read as a "deferred join".

    First the page's ids (the filters and the sort can then be answered from indexes,
    without reading whole rows of a long history), then those rows with the statement's
    own eager loads. Two queries, however many rows the table has.
    """
    entity = _entity(stmt)
    if entity is None or not hasattr(entity, "id"):
        return list(db.session.execute(stmt.limit(limit).offset(offset)).unique().scalars())
    key = inspect(entity).primary_key[0]
    ids = list(
        db.session.scalars(
            stmt.options(lazyload("*")).with_only_columns(key).limit(limit).offset(offset)
        )
    )
    if not ids:
        return []
    rows = db.session.execute(stmt.where(key.in_(ids))).unique().scalars()
    position = {ident: n for n, ident in enumerate(ids)}
    return sorted(rows, key=lambda row: position[row.id])


def count_rows(stmt: Select[Any]) -> int:
    """How many rows `stmt` has, counting ids only (an index can answer that)."""
    entity = _entity(stmt)
    if entity is not None and hasattr(entity, "id"):
        stmt = stmt.options(lazyload("*")).with_only_columns(inspect(entity).primary_key[0])
    return db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0


class _Page(SelectPagination):
    def _query_items(self) -> list[Any]:
        return page_rows(self._query_args["select"], self.per_page, self._query_offset)

    def _query_count(self) -> int:
        return count_rows(self._query_args["select"])


def page_number() -> int:
    """?page= from 1 to MAX_PAGE: not a number is the first page, beyond the bounds the
    nearest (a page past the last shows the last, see paginate)."""
    raw = request.args.get("page", "").strip()
    if not raw.isascii() or not raw.isdigit():
        return 1
    if len(raw) > MAX_NUMBER_TEXT:
        return MAX_PAGE
    return min(max(1, int(raw)), MAX_PAGE)


def paginate(stmt: Select[Any], per_page: int | None = None) -> Pagination:
    """The page of `stmt` named by ?page= (bad or out-of-range values show the first/last)."""
    page = page_number()
    per_page = per_page or current_app.config["PER_PAGE"]
    result = _Page(select=stmt, session=db.session(), page=page, per_page=per_page, error_out=False)
    if page > 1 and not result.items and result.pages:
        result = _Page(
            select=stmt, session=db.session(), page=result.pages, per_page=per_page, error_out=False
        )
    return result

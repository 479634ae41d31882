"""Lists sorted by the column their reader chose: ?sort=<key>&dir=asc|desc.

A list names its sortable columns once (`Sorting`), its view reads the reader's choice
(`Sorting.chosen()`) and its query orders by it (`Sort.order_by()`); the `sort_th` macro
(templates/macros.html) draws each heading as a link that sorts by it, then the other way.
A key or direction that is not offered is the list's default: an old link never fails.
Ties go by the id, so a page holds the same rows however often it is asked.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import request, url_for
from sqlalchemy import ColumnElement, nulls_last

ASC, DESC = "asc", "desc"
T = TypeVar("T")


@dataclass(frozen=True)
class Sorting:
    """A list's sortable columns (key → SQL expression, or a tuple of them), its default
    and the id that breaks ties.

    `first_desc` names the keys whose first click sorts downwards (dates, amounts: the newest
    and the largest are what people look for first)."""

    columns: Mapping[str, Any]
    default: str
    tiebreak: Any
    descending: bool = False
    first_desc: frozenset[str] = frozenset()

    def chosen(self, args: Mapping[str, str] | None = None) -> Sort:
        """The reader's order from the query string; the default for anything else."""
        args = request.args if args is None else args
        key = args.get("sort", "")
        if key not in self.columns:
            return Sort(self, self.default, self.descending)
        direction = args.get("dir", "")
        if direction not in (ASC, DESC):
            direction = DESC if key in self.first_desc else ASC
        return Sort(self, key, direction == DESC)

    def requested(self) -> Sort | None:
        """The reader's order if the query string names one (for a list whose own order,
        without one, is more than a column: grouped by park, say)."""
        return self.chosen() if request.args.get("sort", "") in self.columns else None


@dataclass(frozen=True)
class Sort:
    """The order a list is shown in: one of its columns and a direction."""

    sorting: Sorting
    key: str
    descending: bool

    @property
    def direction(self) -> str:
        return DESC if self.descending else ASC

    def order_by(self) -> list[ColumnElement[Any]]:
        """ORDER BY terms: the column (empty values last either way), then the id."""
        column = self.sorting.columns[self.key]
        terms = column if isinstance(column, tuple) else (column,)
        ordered = [nulls_last(t.desc() if self.descending else t.asc()) for t in terms]
        tie = self.sorting.tiebreak
        return [*ordered, tie.desc() if self.descending else tie.asc()]

    def url(self, key: str) -> str:
        """This page sorted by `key`: the other way if it is the order now, else its first
        way. The filters stay; the page goes back to the first."""
        if key == self.key:
            direction = ASC if self.descending else DESC
        else:
            direction = DESC if key in self.sorting.first_desc else ASC
        args = {k: v for k, v in request.args.items() if k not in ("page", "sort", "dir")}
        args.update(request.view_args or {})
        return url_for(request.endpoint or "core.home", **args, sort=key, dir=direction)


def sorted_rows(sort: Sort, rows: Iterable[T]) -> list[T]:
    """Rows a list computes in Python (a month's drafts, balances, sums by floor) in `sort`'s
    order: for such a list `columns` and `tiebreak` are functions of a row. As in
    `order_by`, empty values (None, "") go last either way and ties go by the tiebreak."""
    column = sort.sorting.columns[sort.key]
    tie = sort.sorting.tiebreak
    rows = list(rows)
    empty = [r for r in rows if column(r) in (None, "")]
    full = [r for r in rows if column(r) not in (None, "")]
    full.sort(key=lambda r: (column(r), tie(r)), reverse=sort.descending)
    empty.sort(key=tie, reverse=sort.descending)
    return full + empty

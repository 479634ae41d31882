"""An exact cache of rendered GET responses, invalidated by any write anywhere.

Every transaction that flushes a change bumps one counter, `cache_generation.value`, in
the same transaction (so a reader sees the new value exactly when it sees the new data).
A cached response is keyed by the caller's login session or token, the URL, the language,
the hour and that generation: any write makes every older entry unreachable, so a page
is never stale — the cache only saves re-rendering what nothing has changed since.
Entries live in each worker's memory (bounded, least recently used first out).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Response, current_app, g, has_request_context, request, session
from sqlalchemy import event, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from opc.core.db import utcnow
from opc.extensions import db


class CacheGeneration(db.Model):
    """One row: how many write transactions the database has seen."""

    __tablename__ = "cache_generation"

    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(default=0)


@event.listens_for(Session, "after_flush")
def _bump(session: Session, _context: Any) -> None:
    if session.info.get("generation_bumped"):
        return
    session.info["generation_bumped"] = True
    session.connection().execute(update(CacheGeneration).values(value=CacheGeneration.value + 1))


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _reset(session: Session) -> None:
    session.info.pop("generation_bumped", None)


def bump() -> None:
    """Invalidate every cached page: for writes that bypass the ORM (bulk Core inserts)."""
    db.session.execute(update(CacheGeneration).values(value=CacheGeneration.value + 1))


def generation_column() -> Any:
    """The generation as a column, so that the query that loads the caller reads it too
    (one round trip less per request; read before any of the page's data, as it must be)."""
    return select(CacheGeneration.value).scalar_subquery().label("cache_generation")


def remember_generation(value: int | None) -> None:
    """Keep the generation read with the caller for this request's cache lookup."""
    if value is not None and has_request_context():
        g.cache_generation = value


class _LRU:
    def __init__(self) -> None:
        self._items: OrderedDict[tuple[Any, ...], tuple[int, list[tuple[str, str]], bytes]] = (
            OrderedDict()
        )
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> Any:
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
            return item

    def put(self, key: tuple[Any, ...], value: Any, size: int) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_cache = _LRU()


def _caller() -> str:
    """Who is asking: their bearer token or login session (never shared between users)."""
    header = request.headers.get("Authorization", "")
    if header:
        return hashlib.sha256(header.encode()).hexdigest()
    return str(session.get("_user_id", ""))


def cached(view: Callable[..., Any]) -> Callable[..., Any]:
    """Serve a GET view from the cache when nothing was written since it was rendered."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        size = current_app.config["PAGE_CACHE_SIZE"]
        if size <= 0 or request.method != "GET" or "_flashes" in session:
            return view(*args, **kwargs)
        from opc.core.i18n import locale_code

        generation = g.pop("cache_generation", None)
        if generation is None:
            generation = db.session.scalar(select(CacheGeneration.value))
        if generation is None:  # no counter row: nothing could tell us about writes
            return view(*args, **kwargs)
        key = (
            _caller(),
            request.full_path,
            locale_code(),
            utcnow().strftime("%Y%m%d%H"),
            generation,
        )
        hit = _cache.get(key)
        if hit is not None:
            status, headers, body = hit
            g.page_cache = "hit"
            return Response(body, status=status, headers=headers)
        response = current_app.make_response(view(*args, **kwargs))
        if (
            response.status_code == 200
            and not response.direct_passthrough
            and ("Set-Cookie" not in response.headers)
        ):
            _cache.put(key, (200, list(response.headers.items()), response.get_data()), size)
        return response

    return wrapper


def clear() -> None:
    """Drop every entry of this process (tests)."""
    _cache.clear()

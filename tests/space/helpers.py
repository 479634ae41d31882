"""Helpers for the space tests: stored rows, SQL statement counts, posting forms."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from opc.extensions import db
from tests.conftest import csrf_token
from tests.core.helpers import count, rows
from tests.core.helpers import error_of as error

__all__ = ["D", "count", "counting_statements", "error", "post_form", "stored"]

D = date.fromisoformat


def stored(app: Flask, model: Any, *where: Any, order_by: Any = None) -> list[Any]:
    """Stored rows of `model`, in id order unless told otherwise."""
    return rows(app, model, *where, order_by=model.id if order_by is None else order_by)


def post_form(client: FlaskClient, path: str, data: dict[str, Any], page: str, **kw: Any) -> Any:
    """POST a form with the session's CSRF token, read from `page`."""
    return client.post(path, data={"csrf_token": csrf_token(client, page), **data}, **kw)


@contextmanager
def counting_statements(app: Flask) -> Iterator[list[str]]:
    """Every SQL statement the app's engine executes inside the block."""
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)

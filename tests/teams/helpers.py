"""Helpers for the team tests: reading stored rows, posting forms, counting SQL statements."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, select

from opc.extensions import db
from tests.conftest import csrf_token

VALID_USCC = "91510100MA6CGUGA1W"  # check character W, per GB 32100-2015
OTHER_USCC = "91110000600037341L"


def rows(app: Flask, model: type, *where: Any, order_by: Any = None) -> list[Any]:
    """Stored rows of `model` (detached), read in an app context of their own."""
    with app.app_context():
        stmt = select(model).where(*where)
        if order_by is not None:
            stmt = stmt.order_by(order_by)
        result = list(db.session.scalars(stmt))
        db.session.expunge_all()
        return result


def count(app: Flask, model: type, *where: Any) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def one(app: Flask, model: type, ident: int) -> Any:
    with app.app_context():
        obj = db.session.get(model, ident)
        db.session.expunge_all()
        return obj


def post_form(client: FlaskClient, path: str, data: dict[str, Any], page: str | None = None, **kw):
    """POST a form with the session's CSRF token (read from `page`, default `path`)."""
    token = csrf_token(client, page or path)
    return client.post(path, data={"csrf_token": token, **data}, **kw)


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


LINK = re.compile(r"https?://[^\s<\"]+/invitations/[A-Za-z0-9_\-]+")

"""Helpers shared by the tests: counting every table, reading stored rows, posting forms."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from opc.auth.models import User
from opc.core.errors import DomainError
from opc.extensions import db
from tests.conftest import csrf_token


def table_counts(app: Flask) -> dict[str, int]:
    """Rows in every table of the app (audit_entries included), read in a context of its own."""
    with app.app_context():
        counts = {
            table.name: db.session.scalar(select(func.count()).select_from(table)) or 0
            for table in db.metadata.sorted_tables
        }
        db.session.remove()
    return counts


def count(app: Flask, model: Any, *where: Any) -> int:
    with app.app_context():
        n = db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0
        db.session.remove()
    return n


def rows(app: Flask, model: type, *where: Any, order_by: Any = None) -> list[Any]:
    """Stored rows of `model` (detached), read in an app context of their own."""
    with app.app_context():
        stmt = select(model).where(*where)
        if order_by is not None:
            stmt = stmt.order_by(order_by)
        result = list(db.session.scalars(stmt))
        db.session.expunge_all()
        db.session.remove()
    return result


def one(app: Flask, model: type, ident: int) -> Any:
    with app.app_context():
        obj = db.session.get(model, ident)
        db.session.expunge_all()
        db.session.remove()
    return obj


def post_form(
    client: FlaskClient, path: str, data: dict[str, Any], page: str | None = None, **kw: Any
) -> Any:
    """POST a form with the session's CSRF token (read from `page`, default `path`)."""
    token = csrf_token(client, page or path)
    return client.post(path, data={"csrf_token": token, **data}, **kw)


def text(response: Any) -> str:
    return response.get_data(as_text=True)


def error_of(response: Any) -> dict[str, Any]:
    """The `error` object of an API error response, checked for the documented shape."""
    body = response.get_json()
    assert isinstance(body, dict) and set(body) == {"error"}, body
    error = body["error"]
    assert isinstance(error.get("code"), str) and error["code"], error
    assert isinstance(error.get("message"), str) and error["message"], error
    text = response.get_data(as_text=True)
    assert "Traceback" not in text and 'File "' not in text, text
    return error


def race(
    app: Flask,
    writes: list[Callable[[], Any]],
    outcome: Callable[[Any], Any] = lambda _result: "ok",
    timeout: float = 90,
) -> list[Any]:
    """The writes at once: each in a thread with its own app context (so its own database
    connection and transaction), released together by a barrier. Each one's outcome:
    `outcome(result)`, a refusal's code, or the repr of anything else (which the caller's
    assertion then reports); in the order they finished."""
    barrier = threading.Barrier(len(writes))
    outcomes: list[Any] = []

    def run(write: Callable[[], Any]) -> None:
        with app.app_context():
            try:
                db.session.rollback()  # start the write on a fresh transaction
                barrier.wait(timeout=10)
                outcomes.append(outcome(write()))
            except DomainError as exc:
                outcomes.append(exc.code)
            except Exception as exc:  # reported by the caller's assertion
                outcomes.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(w,)) for w in writes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return outcomes


def race_as(app: Flask, user_id: int, writes: list[Callable[..., Any]]) -> list[Any]:
    """The writes at once, each called with `actor=` the user (read in its own thread);
    their outcomes, sorted."""

    def acting(write: Callable[..., Any]) -> Callable[[], Any]:
        return lambda: write(actor=db.session.get(User, user_id))

    return sorted(race(app, [acting(write) for write in writes]))


def slowed(monkeypatch: Any, module: Any, name: str, seconds: float = 0.25) -> None:
    """Sleep after `module.name` returns (where the code under test looks it up), widening
    the window between a rule's check and its write, so that a race would show."""
    original = getattr(module, name)

    def slow(*args: Any, **kw: Any) -> Any:
        result = original(*args, **kw)
        time.sleep(seconds)
        return result

    monkeypatch.setattr(module, name, slow)

"""Helpers of the events-core tests: run an operation in an app context of its own with
its actor loaded there, and prove a refusal wrote nothing."""

from __future__ import annotations

from typing import Any

import pytest

from opc.auth.models import User
from opc.extensions import db
from tests.core.helpers import count, error_of, one, rows, table_counts

__all__ = ["count", "error_of", "one", "rows", "table_counts"]


def run(app: Any, fn: Any, *args: Any, **kw: Any) -> Any:
    """`fn(*args, **kw)` in an app context of its own, the actor loaded in its session;
    the result detached (its columns loaded)."""
    with app.app_context():
        if kw.get("actor") is not None:
            kw["actor"] = db.session.get(User, kw["actor"].id)
        result = fn(*args, **kw)
        if result is not None and hasattr(result, "__table__"):
            db.session.refresh(result)
            db.session.expunge(result)
        db.session.remove()
    return result


def refused(app: Any, error: type[Exception], fn: Any, *args: Any, **kw: Any) -> Any:
    """The error `fn` raises; every table's rows counted the same before and after."""
    before = table_counts(app)
    with pytest.raises(error) as caught:
        run(app, fn, *args, **kw)
    assert table_counts(app) == before
    return caught.value

"""Nothing global on the write path: a write in one park never waits for another park's.

The page cache of old bumped one counter row in every write transaction, so every writer
of every park queued behind every other (and deadlocked against park locks). Writes now
lock only the rows their rules are about.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
import sqlalchemy as sa

from opc.auth.models import User
from opc.core.db import lock, transaction
from opc.extensions import db
from opc.parks.models import Park
from opc.parks.operations import update_park
from opc.space.operations import create_unit

pytestmark = pytest.mark.slow


@pytest.fixture
def postgresql(app: Any) -> None:
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite has one writer at a time by design (BEGIN IMMEDIATE)")


@pytest.mark.parametrize("second_write", ["update_park", "create_unit"])
def test_a_write_in_one_park_does_not_wait_for_another_park(app, make, postgresql, second_write):
    one, two = make.park(), make.park()
    admin = make.user("admin")
    holding, done = threading.Event(), threading.Event()
    errors: list[str] = []

    def hold_park_one() -> None:
        """A long write transaction in park one: it keeps its locks until `done` (or 10 s)."""
        with app.app_context():
            try:
                actor = db.session.get(User, admin.id)
                db.session.rollback()
                with transaction(actor):
                    park = lock(Park, one.id)
                    assert park is not None
                    park.name_en = "Held"
                    db.session.flush()
                    holding.set()
                    if not done.wait(timeout=10):
                        errors.append("the other park's write waited for this one")
            except Exception as exc:
                errors.append(repr(exc))
            finally:
                db.session.remove()

    holder = threading.Thread(target=hold_park_one)
    holder.start()
    assert holding.wait(timeout=10)
    with app.app_context():
        actor = db.session.get(User, admin.id)
        park = db.session.get(Park, two.id)
        db.session.rollback()
        try:
            with transaction(actor) as session:  # the operation joins this transaction
                # Fail fast instead of queueing if any lock of the holder were in the way.
                session.execute(sa.text("SET LOCAL lock_timeout = '3s'"))
                if second_write == "update_park":
                    update_park(park, actor=actor, team_cap=7)
                else:
                    create_unit(
                        two.id, actor=actor, code="U1", kind="office", floor=1, area_m2="10"
                    )
        finally:
            done.set()
            db.session.remove()
    holder.join(timeout=15)
    assert errors == []

"""Every change of an audited record is logged in its transaction, however it is written: a
collection's association rows as a change of the record, a bulk statement refused unless its
author logs it, and the test-wide guard fails a transaction that wrote without an entry."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select, update

from opc.audit.models import AuditEntry
from opc.audit.recorder import RECORDED, UnauditedWrite, audited_tables, record
from opc.auth.models import User
from opc.core.db import transaction
from opc.extensions import db
from opc.parks import operations as park_ops
from opc.parks.models import Park
from opc.teams import members
from opc.teams.models import Invitation


def entries(**where: Any) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).filter_by(**where).order_by(AuditEntry.id)))


def audit_count() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry)) or 0


@pytest.fixture
def admin(ctx, make):
    """Detached, fully loaded: a test's first read begins SQLite's snapshot, so the records a
    test makes must exist before it reads."""
    return make.user("admin", email="admin@opc.cn")


def test_the_audited_tables_include_association_tables_of_their_records(ctx):
    tables = audited_tables()
    assert tables["parks"] == {"parks"}
    assert tables["staff_parks"] >= {"users"}  # a staff member's parks are the user's
    assert "audit_entries" not in tables and "user_sessions" not in tables


# --- association tables -----------------------------------------------------------------


def test_assigning_staff_logs_the_users_park_list_before_and_after(ctx, make, admin):
    first, second, third = (make.park() for _ in range(3))
    staff = make.user("staff", parks=[first])
    park_ops.assign_staff(db.session.get(User, staff.id), [third.id, second.id], actor=admin)
    [entry] = entries(entity="users", entity_id=staff.id, action="update")
    assert entry.before == {"parks": [first.id]}
    assert entry.after == {"parks": sorted([second.id, third.id])}
    assert (entry.actor_id, entry.actor_label) == (admin.id, "admin@opc.cn")


def test_the_parks_see_their_staff_change_too(ctx, make, admin):
    """Through the backref: the park's side is read from the table (it was never loaded)."""
    park = make.park()
    colleague = make.user("staff", parks=[park])
    staff = make.user("staff")
    park_ops.assign_staff(db.session.get(User, staff.id), [park.id], actor=admin)
    [entry] = entries(entity="parks", entity_id=park.id, action="update", actor_id=admin.id)
    assert entry.before == {"staff": [colleague.id]}
    assert entry.after == {"staff": sorted([colleague.id, staff.id])}


def test_the_same_parks_again_log_nothing(ctx, make, admin):
    park = make.park()
    staff = make.user("staff", parks=[park])
    start = audit_count()
    park_ops.assign_staff(db.session.get(User, staff.id), [park.id], actor=admin)
    assert audit_count() == start


def test_a_new_user_logs_its_parks(ctx, make):
    park = make.park()
    user = make.user("staff", parks=[park])
    [entry] = entries(entity="users", entity_id=user.id, action="create")
    assert entry.after["parks"] == [park.id]


# --- bulk statements ----------------------------------------------------------------------


def test_reinviting_revokes_the_earlier_invitation_on_the_record(ctx, make, admin):
    team = make.team(status="resident")
    first = members.invite_member(team, "new@opc.cn", actor=admin).invitation
    members.invite_member(team, "new@opc.cn", actor=admin)
    assert db.session.get(Invitation, first.id).revoked_at is not None
    [revoked] = entries(entity="invitations", entity_id=first.id, action="update")
    assert revoked.before == {"revoked_at": None}
    assert revoked.after["revoked_at"] is not None
    assert revoked.actor_id == admin.id


def test_a_bulk_update_of_an_audited_table_is_refused(ctx, make, admin):
    park = make.park(team_cap=5)
    start = audit_count()
    with pytest.raises(UnauditedWrite, match="parks"), transaction(admin) as session:
        session.execute(update(Park).where(Park.id == park.id).values(team_cap=6))
    assert db.session.get(Park, park.id).team_cap == 5
    assert audit_count() == start


@pytest.mark.parametrize("table", ["staff_parks", "parks"])
def test_bulk_inserts_and_deletes_are_refused_too(ctx, make, table):
    statement = sa.delete(db.metadata.tables[table])
    with pytest.raises(UnauditedWrite), transaction() as session:
        session.execute(statement)


def test_a_logged_bulk_statement_passes(ctx, make, admin, audit_guard):
    park = make.park(team_cap=5)
    with transaction(admin) as session:
        stmt = update(Park).where(Park.id == park.id).values(team_cap=6)
        session.execute(stmt, execution_options=RECORDED)
        record("parks", park.id, before={"team_cap": 5}, after={"team_cap": 6})
    [entry] = entries(entity="parks", action="update")
    assert (entry.entity_id, entry.after, entry.actor_id) == (park.id, {"team_cap": 6}, admin.id)
    assert audit_guard.misses == []


# --- the guard ----------------------------------------------------------------------------


def raw_update(park_id: int) -> sa.TextClause:
    return sa.text(f"UPDATE parks SET team_cap = 7 WHERE id = {park_id}")


def test_the_guard_sees_a_raw_write_without_an_entry(ctx, make, audit_guard):
    park = make.park()
    with transaction() as session:
        session.execute(raw_update(park.id))
    assert len(audit_guard.misses) == 1
    assert audit_guard.misses[0].startswith("parks written without an audit entry")
    audit_guard.misses.clear()  # seen: this test's own write


def test_the_guard_accepts_the_entry_of_the_written_record_type_only(ctx, make, audit_guard):
    park = make.park()
    with transaction() as session:
        session.execute(raw_update(park.id))
        record("users", None, before={}, after={})  # an entry, but not of parks
    assert len(audit_guard.misses) == 1
    audit_guard.misses.clear()
    with transaction() as session:
        session.execute(raw_update(park.id))
        record("parks", park.id, before={"team_cap": 100}, after={"team_cap": 7})
    assert audit_guard.misses == []


def test_the_guard_accepts_a_write_of_columns_the_audit_leaves_out_only(ctx, make, audit_guard):
    """An API token's last use is a reading, not a change (ApiToken.__audit_exclude__):
    neither the recorder nor the guard asks for an entry; any other column still needs one."""
    user = make.user("staff")
    make.token(user)
    with transaction() as session:
        session.execute(sa.text("UPDATE api_tokens SET last_used_at = CURRENT_TIMESTAMP"))
    assert audit_guard.misses == []
    with transaction() as session:
        session.execute(
            sa.text("UPDATE api_tokens SET last_used_at = CURRENT_TIMESTAMP, name = 'x'")
        )
    assert len(audit_guard.misses) == 1
    assert audit_guard.misses[0].startswith("api_tokens written without an audit entry")
    audit_guard.misses.clear()  # seen: this test's own write


def test_the_guard_ignores_what_was_rolled_back(ctx, make, audit_guard):
    park = make.park()
    with pytest.raises(RuntimeError), transaction() as session:
        session.execute(raw_update(park.id))
        raise RuntimeError("refused")
    with transaction() as session:
        savepoint = session.begin_nested()
        session.execute(raw_update(park.id))
        savepoint.rollback()
    assert audit_guard.misses == []


def test_the_guard_ignores_writes_that_changed_no_row(ctx, audit_guard):
    with transaction() as session:
        session.execute(raw_update(0))
    assert audit_guard.misses == []


def test_the_guard_passes_every_operation_that_writes_through_the_orm(ctx, admin, audit_guard):
    park = park_ops.create_park(
        actor=admin, code="G", name_zh="园", total_area_m2=Decimal("10"), team_cap=1
    )
    park_ops.update_park(park, actor=admin, team_cap=2)
    assert audit_guard.misses == []

"""Every create, update and delete of an Audited record writes exactly one audit entry in the same
transaction: who, what, which record, before and after; never a secret; nothing when the
transaction rolls back."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from opc.audit.models import AuditEntry
from opc.auth import operations as auth_ops
from opc.auth.models import ApiToken, User
from opc.core.db import transaction
from opc.core.errors import RuleViolation
from opc.extensions import db
from opc.parks import operations as park_ops
from opc.parks.models import Park


def entries(**where: Any) -> list[AuditEntry]:
    stmt = select(AuditEntry).filter_by(**where).order_by(AuditEntry.id)
    return list(db.session.scalars(stmt))


def audit_count() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry)) or 0


def create_park(actor: Any, **kw: Any) -> Park:
    values = {
        "code": "CD-OPC",
        "name_zh": "成都园区",
        "name_en": "Chengdu",
        "total_area_m2": Decimal("2500.00"),
        "team_cap": 100,
    }
    values.update(kw)
    return park_ops.create_park(actor=actor, **values)


@pytest.fixture
def admin(ctx, make):
    return db.session.get(User, make.user("admin", email="admin@opc.cn").id)


def test_create_writes_one_entry_with_who_what_and_after(ctx, admin):
    start = audit_count()
    park = create_park(admin)
    [entry] = entries(entity="parks")
    assert audit_count() == start + 1
    assert (entry.action, entry.entity, entry.entity_id) == ("create", "parks", park.id)
    assert (entry.actor_id, entry.actor_label) == (admin.id, "admin@opc.cn")
    assert entry.before is None
    assert entry.after["code"] == "CD-OPC"
    assert entry.after["id"] == park.id
    assert Decimal(entry.after["total_area_m2"]) == Decimal("2500.00")
    assert entry.after["team_cap"] == 100
    assert entry.at is not None and entry.at.tzinfo is not None


def test_update_writes_one_entry_with_only_the_changed_values(ctx, admin):
    park = create_park(admin, team_cap=100, name_en="Chengdu")
    start = audit_count()
    park_ops.update_park(park, actor=admin, team_cap=80, name_en="Chengdu", timezone="Asia/Urumqi")
    assert audit_count() == start + 1
    entry = entries(entity="parks", action="update")[-1]
    assert (entry.entity_id, entry.actor_id) == (park.id, admin.id)
    assert entry.before == {"team_cap": 100, "timezone": "Asia/Shanghai"}
    assert entry.after == {"team_cap": 80, "timezone": "Asia/Urumqi"}


def test_an_update_that_changes_nothing_writes_nothing(ctx, admin):
    park = create_park(admin, team_cap=100)
    start = audit_count()
    park_ops.update_park(park, actor=admin, team_cap=100)
    assert audit_count() == start


def test_delete_writes_one_entry_with_before(ctx, admin):
    park = create_park(admin)
    park_id = park.id
    start = audit_count()
    with transaction(admin) as session:
        session.delete(session.get(Park, park_id))
    assert audit_count() == start + 1
    [entry] = entries(entity="parks", action="delete")
    assert (entry.entity_id, entry.actor_id) == (park_id, admin.id)
    assert entry.before["code"] == "CD-OPC"
    assert entry.after is None
    assert db.session.get(Park, park_id) is None


def test_changes_without_an_actor_are_the_systems(ctx):
    park = create_park(None)
    [entry] = entries(entity="parks", entity_id=park.id)
    assert (entry.actor_id, entry.actor_label) == (None, "system")


def test_a_user_entry_never_holds_the_password_hash(ctx, admin):
    user = auth_ops.create_user(
        "new@opc.cn", role="staff", password="a-long-enough-password", actor=admin
    )
    auth_ops.set_password(user, "another-long-password", actor=admin)
    stored_hash = db.session.get(User, user.id).password_hash
    logged = entries(entity="users", entity_id=user.id)
    assert [e.action for e in logged] == ["create", "update"]
    for entry in logged:
        text = json.dumps([entry.before, entry.after])
        assert "password_hash" not in text
        assert stored_hash not in text and "$argon2" not in text
    assert logged[0].after["email"] == "new@opc.cn"
    assert "password_changed_at" in logged[1].after  # the change itself is on record


def test_a_token_entry_never_holds_the_token_or_its_hash(ctx, admin):
    secret = auth_ops.issue_token(admin, scope="read", name="bi", actor=admin)
    token = db.session.scalar(select(ApiToken))
    auth_ops.revoke_token(token, actor=admin)
    logged = entries(entity="api_tokens", entity_id=token.id)
    assert [e.action for e in logged] == ["create", "update"]
    for entry in logged:
        text = json.dumps([entry.before, entry.after])
        assert "token_hash" not in text
        assert secret not in text and token.token_hash not in text
    assert logged[0].after["scope"] == "read"


def test_a_provider_user_logs_the_user_and_the_provider(ctx, admin):
    start = audit_count()
    user = auth_ops.create_user("gpu@opc.cn", role="provider", actor=admin)
    assert audit_count() == start + 2
    assert {(e.entity, e.action) for e in entries(actor_id=admin.id)} >= {
        ("users", "create"),
        ("providers", "create"),
    }
    [provider_entry] = entries(entity="providers")
    assert provider_entry.after["user_id"] == user.id


def test_a_transaction_that_fails_after_its_flush_leaves_no_entry(ctx, admin):
    start = audit_count()
    with pytest.raises(RuntimeError), transaction(admin) as session:
        session.add(Park(code="X", name_zh="临时", name_en="", total_area_m2=1, team_cap=1))
        session.flush()  # the audit entry is written here, in the same transaction
        assert audit_count() == start + 1
        raise RuntimeError("something later in the operation fails")
    assert audit_count() == start
    assert db.session.scalar(select(func.count()).select_from(Park)) == 0


def test_a_refused_operation_leaves_no_entry(ctx, admin):
    park = create_park(admin, total_area_m2=Decimal("100"))
    with transaction(admin) as session:
        from opc.space.models import Unit

        session.add(Unit(park_id=park.id, code="U1", kind="office", floor=1, area_m2=Decimal("90")))
    start = audit_count()
    with pytest.raises(RuleViolation):
        park_ops.update_park(park, actor=admin, name_en="Renamed", total_area_m2=Decimal("50"))
    assert audit_count() == start
    with pytest.raises(RuleViolation):
        create_park(admin)  # the same code again
    assert audit_count() == start


def test_a_constraint_the_database_refuses_leaves_no_entry(ctx, admin):
    from sqlalchemy.exc import IntegrityError

    create_park(admin, code="DUP")
    start = audit_count()
    with pytest.raises(IntegrityError), transaction(admin) as session:
        session.add(Park(code="OK", name_zh="一", name_en="", total_area_m2=1, team_cap=1))
        session.flush()
        session.add(Park(code="DUP", name_zh="二", name_en="", total_area_m2=1, team_cap=1))
    assert audit_count() == start
    assert db.session.scalar(select(func.count()).select_from(Park)) == 1

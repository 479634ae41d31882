"""The audit log reads as people speak: each change a field with its translated name, old →
new in display form (labels, ¥, dates, 是/否, names of what it points to), the record by
its name with a link, Chinese never as \\u escapes (stored or shown), filters by type,
person (in pinyin order) and dates."""

from __future__ import annotations

import html as html_lib
import re
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from opc.audit.models import AuditEntry
from opc.auth.models import User
from opc.core.dates import ONE_DAY, local_today
from opc.core.db import transaction
from opc.extensions import db
from opc.space import operations as space_ops
from opc.space.models import Unit
from opc.teams import operations as team_ops
from opc.teams.models import Team
from tests.conftest import login
from tests.core.helpers import one, post_form

ZH = {"Accept-Language": "zh"}


def plain(response) -> str:
    """The page's text as people read it: no tags, spaces collapsed."""
    text = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return " ".join(html_lib.unescape(text).split()).replace(" :", ":")


def clear_log(app) -> None:
    with app.app_context():
        db.session.execute(sa.delete(AuditEntry))
        db.session.commit()


@pytest.fixture
def admin(client, make):
    user = make.user("admin", name="管理员")
    assert login(client, user.email).status_code == 302
    return user


def test_a_team_rename_reads_as_old_and_new_name_without_escapes(app, client, make, admin):
    park = make.park()
    team = make.team(park, name_zh="星云工作室", status="applicant")
    clear_log(app)
    data = {"name_zh": "星云影业", "track": "aigc_film", "kind": "company"}
    assert post_form(client, f"/teams/{team.id}/edit", data).status_code == 302
    response = client.get("/audit/", headers=ZH)
    text = plain(response)
    assert "名称: 星云工作室 → 星云影业" in text
    assert "\\u" not in response.get_data(as_text=True)
    assert "name_zh" not in text and "name_pinyin" not in text and "{" not in text
    assert f'<a href="/teams/{team.id}">星云影业</a>' in response.get_data(as_text=True)
    assert "团队 星云影业" in text  # the record type, translated, and the record's name
    # Stored as written, not escaped (new rows); the JSON text itself holds the characters.
    with app.app_context():
        stored = db.session.scalar(sa.select(sa.cast(AuditEntry.after, sa.Text)))
    assert "星云影业" in stored and "\\u" not in stored


def test_codes_money_areas_dates_and_references_in_display_form(app, client, make, admin, ctx):
    park = make.park(name_zh="成都园区")
    unit = make.unit(park, code="2-O01", area_m2=Decimal("30"), rent_fen_per_m2=8000)
    team = make.team(park, name_zh="星云工作室", status="resident")
    actor = db.session.get(User, admin.id)
    clear_log(app)
    space_ops.update_unit(
        db.session.get(Unit, unit.id), actor=actor, rent_fen_per_m2=123456700, kind="studio"
    )
    space_ops.allocate(
        actor=actor, team_id=team.id, unit_id=unit.id, start=date(2026, 1, 1), end=date(2026, 7, 1)
    )
    db.session.remove()
    text = plain(client.get("/audit/", headers=ZH))
    assert "租金（每 m²·月）: ¥80.00 → ¥1,234,567.00" in text
    assert "类型: 办公室 → 工作室" in text
    # The allocation: named by unit and team, its team by name, its end as the last day held.
    assert "2-O01 · 星云工作室" in text
    assert "团队: 星云工作室" in text and "空间单元: 2-O01" in text
    assert "起始日: 2026年1月1日" in text and "最后一天: 2026年6月30日" in text
    assert "2026年7月1日" not in text and "2026-07-01" not in text


def test_status_changes_booleans_and_collections(app, client, make, admin, ctx):
    park_a, park_b = make.park(name_zh="甲园区"), make.park(name_zh="乙园区")
    team = make.team(park_a, name_zh="星云工作室", status="applicant")
    staff = make.user("staff", parks=[park_a])
    actor = db.session.get(User, admin.id)
    clear_log(app)
    team_ops.transition(db.session.get(Team, team.id), "admitted", actor=actor)
    db.session.remove()
    with app.app_context():
        with transaction(db.session.get(User, admin.id)) as session:
            user = session.get(User, staff.id)
            user.is_active = False
            user.parks = [
                session.get(type(park_a), park_a.id),
                session.get(type(park_b), park_b.id),
            ]
        db.session.remove()
    text = plain(client.get("/audit/", headers=ZH))
    assert "状态: 申请人 → 已录取" in text
    assert "启用: 是 → 否" in text
    assert "园区: 甲园区 → 甲园区、乙园区" in text


def test_old_rows_with_escaped_chinese_read_the_same(app, client, make, admin):
    team = make.team(make.park(), name_zh="星云")
    clear_log(app)
    escaped = '{"name_zh": "\\u661f\\u4e91\\u5de5\\u4f5c\\u5ba4"}'  # as rows were stored before
    with app.app_context():
        db.session.execute(
            sa.text(
                "INSERT INTO audit_entries (at, actor_id, actor_label, action, entity, entity_id,"
                " before, after) VALUES (:at, NULL, 'system', 'update', 'teams', :id, :b, :a)"
            ),
            {"at": "2026-03-01 02:00:00", "id": team.id, "b": escaped, "a": '{"name_zh": "星云"}'},
        )
        db.session.commit()
    response = client.get("/audit/", headers=ZH)
    assert "名称: 星云工作室 → 星云" in plain(response)
    assert "\\u" not in response.get_data(as_text=True)
    assert "<td>系统</td>" in response.get_data(as_text=True)  # no actor: the system


def entries(client, query=""):
    return re.findall(
        r'<tr data-entry="\d+">', client.get(f"/audit/?{query}").get_data(as_text=True)
    )


def test_filters_by_translated_type_person_in_pinyin_order_and_dates(app, client, make, admin):
    zhang, li, _an = (make.user("staff", name=n) for n in ("张三", "李四", "安娜"))
    park = make.park()
    make.team(park)
    with app.app_context():
        with transaction(db.session.get(User, li.id)) as session:
            session.get(type(park), park.id).team_cap = 99
        db.session.remove()
    page = client.get("/audit/", headers=ZH).get_data(as_text=True)
    types = re.search(r'<select name="entity">(.*?)</select>', page, re.S)[1]
    assert re.search(r'<option value="teams"\s*>团队</option>', types)
    assert re.search(r'<option value="parks"\s*>园区</option>', types)
    people = re.search(r'<select name="actor_id">(.*?)</select>', page, re.S)[1]
    labels = re.findall(r">([^<(]+?)(?: \(|<)", people)
    shown = [name for name in labels if name in ("安娜", "管理员", "李四", "张三")]
    assert shown == ["安娜", "管理员", "李四", "张三"]  # an, guan, li, zhang
    assert len(entries(client, "entity=teams")) == 1
    assert len(entries(client, f"actor_id={li.id}")) == 1
    assert len(entries(client, f"actor_id={zhang.id}")) == 0
    today = local_today("Asia/Shanghai")
    day, before, after = (d.isoformat() for d in (today, today - ONE_DAY, today + ONE_DAY))
    assert len(entries(client, f"actor_id={li.id}&from={day}&to={day}")) == 1
    assert len(entries(client, f"actor_id={li.id}&from={after}")) == 0
    assert len(entries(client, f"actor_id={li.id}&to={before}")) == 0
    assert len(entries(client, f"entity=parks&from={before}&to={after}")) == 2  # made, changed


def test_a_deleted_record_is_named_from_the_log_without_a_link(app, client, make, admin, ctx):
    park = make.park()
    unit = make.unit(park, code="9-Z99")
    clear_log(app)
    space_ops.delete_unit(db.session.get(Unit, unit.id), actor=db.session.get(User, admin.id))
    db.session.remove()
    response = client.get("/audit/", headers=ZH)
    assert "空间单元 9-Z99" in plain(response)
    assert f'href="/units/{unit.id}"' not in response.get_data(as_text=True)
    assert one(app, Unit, unit.id) is None


def test_every_audited_model_has_a_record_kind(ctx):
    """A domain's audited records show by their type's name in the log, never as a table
    name: each domain registers a RecordKind for every audited model (from its init_app)."""
    from opc.audit.registry import kind_of
    from opc.core.models import Audited

    audited = [
        mapper.class_ for mapper in db.Model.registry.mappers if issubclass(mapper.class_, Audited)
    ]
    assert audited
    missing = sorted(m.__tablename__ for m in audited if kind_of(m.__tablename__) is None)
    assert not missing, "register a RecordKind (opc.audit.registry) for: " + ", ".join(missing)

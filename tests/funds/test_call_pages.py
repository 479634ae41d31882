"""The fund and call pages: staff see their parks' funds with the figures and a chart, admins
add and change funds, staff open and change calls in the park's local time (criteria rows,
the pool of reviewers in pinyin order, tracks and statuses), a refused form answers 422 with
its input kept, a call's page lists its applications by state, and nobody else sees them."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import time_machine

from opc.funds.application_models import ApplicationStatus
from opc.funds.models import Call, Fund
from tests.conftest import login
from tests.funds.helpers import NOW, application, call, count, fund, post_form, rows


def _text(response):
    return response.get_data(as_text=True)


@pytest.fixture
def s(make):
    park = make.park(name_zh="成都科幻园", name_en="Chengdu Sci-Fi Park")
    f = fund(make, park, budget_fen=100_000_000, calls_fen=10_000_000)
    c = call(make, f, budget_fen=10_000_000, ceiling_fen=2_000_000)
    return {"park": park, "fund": f, "call": c}


CALL_FORM = {
    "title_zh": "AIGC 创作扶持",
    "title_en": "AIGC creators",
    "description_zh": "第一段\r\n第二段",
    "opens_at": "2026-12-01T09:00",
    "closes_at": "2026-12-31T18:00",
    "budget_yuan": "200,000.00",
    "ceiling_yuan": "50000",
    "criteria-0-name_zh": "创新性",
    "criteria-0-name_en": "Innovation",
    "criteria-0-weight": "60",
    "criteria-1-name_zh": "团队",
    "criteria-1-name_en": "",
    "criteria-1-weight": "40",
    "criteria-2-name_zh": "",
    "criteria-2-name_en": "",
    "criteria-2-weight": "",
    "required_documents": "商业计划书\r\n\r\n财务报表",
    "tracks": ["games", "aigc_film"],
    "team_statuses": ["resident"],
    "reviewers_per_application": "2",
    "disagreement_threshold": "2.5",
}


@time_machine.travel(NOW, tick=False)
def test_staff_see_their_parks_funds_with_figures_and_a_chart(client, make, as_user, s):
    fund(make, make.park(), name_zh="别处的基金")
    as_user("staff", parks=[s["park"]])
    response = client.get("/funds/")
    assert response.status_code == 200
    page = _text(response)
    assert f'href="/funds/{s["fund"].id}"' in page and "别处的基金" not in page
    assert "¥1,000,000.00" in page and "¥100,000.00" in page and "¥900,000.00" in page
    assert 'data-chart="bar"' in page
    assert 'href="/funds/"' in page  # the nav entry
    fund_page = _text(client.get(f"/funds/{s['fund'].id}"))
    assert f'href="/funds/calls/{s["call"].id}"' in fund_page
    assert 'data-state="open"' in fund_page and "New call" in fund_page
    assert f'href="/funds/{s["fund"].id}/edit"' not in fund_page  # admins change funds


@pytest.mark.parametrize("who", ["member", "reviewer", "other-park staff"])
def test_nobody_else_sees_the_fund_pages(client, make, s, who):
    kw: dict = {"parks": [make.park()]} if who == "other-park staff" else {}
    if who == "member":
        kw = {"team": make.team(s["park"], status="resident")}
    role = "staff" if who == "other-park staff" else who
    user = make.user(role, **kw)
    assert login(client, user.email).status_code == 302
    c = s["call"]
    for path in (
        f"/funds/{s['fund'].id}",
        f"/funds/calls/{c.id}",
        f"/funds/calls/{c.id}/edit",
        f"/funds/{s['fund'].id}/calls/new",
    ):
        assert client.get(path).status_code in (403, 404), path
    assert client.get("/funds/").status_code == (200 if role == "staff" else 404)
    if role != "staff":
        assert 'href="/funds/"' not in _text(client.get("/"))
    response = post_form(client, f"/funds/{s['fund'].id}/calls/new", CALL_FORM, page="/")
    assert response.status_code in (403, 404)


def test_an_admin_adds_and_changes_a_fund(app, client, make, as_user, s):
    as_user("admin")
    data = {"park_id": str(s["park"].id), "name_zh": "科幻基金", "budget_yuan": "3,000,000"}
    response = post_form(client, "/funds/new", data)
    assert response.status_code == 302
    (made,) = rows(app, Fund, Fund.name_zh == "科幻基金")
    assert response.headers["Location"].endswith(f"/funds/{made.id}")
    assert made.budget_fen == 300_000_000 and made.park_id == s["park"].id
    # Below what the calls commit: refused, the input kept.
    edit = f"/funds/{s['fund'].id}/edit"
    refused = post_form(client, edit, {"name_zh": "未来产业基金", "budget_yuan": "99,999.99"})
    assert refused.status_code == 422
    assert 'value="99,999.99"' in _text(refused) and "100000.00" in _text(refused)
    saved = post_form(client, edit, {"name_zh": "未来基金", "budget_yuan": "100000"})
    assert saved.status_code == 302
    assert rows(app, Fund, Fund.id == s["fund"].id)[0].budget_fen == 10_000_000


def test_staff_may_not_add_funds(client, as_user, s):
    as_user("staff", parks=[s["park"]])
    assert client.get("/funds/new").status_code == 403


@time_machine.travel(NOW, tick=False)
def test_staff_open_a_call_in_the_parks_local_time(app, client, make, as_user, s):
    as_user("staff", parks=[s["park"]])
    zhang = make.user("reviewer", name="张伟")
    an = make.user("reviewer", name="安娜")
    li = make.user("reviewer", name="李娜")
    make.user("staff", name="阿强", parks=[s["park"]])
    form_page = _text(client.get(f"/funds/{s['fund'].id}/calls/new"))
    pool = re.findall(r'name="reviewer_ids"[^>]*value="(\d+)"', form_page) or re.findall(
        r'value="(\d+)"[^>]*name="reviewer_ids"', form_page
    )
    assert pool == [str(an.id), str(li.id), str(zhang.id)]  # an, li, zhang: pinyin order
    assert 'type="datetime-local"' in form_page and 'value="games"' in form_page
    data = {**CALL_FORM, "reviewer_ids": [str(zhang.id), str(an.id)]}
    response = post_form(client, f"/funds/{s['fund'].id}/calls/new", data)
    assert response.status_code == 302, _text(response)
    (made,) = rows(app, Call, Call.title_zh == "AIGC 创作扶持")
    assert response.headers["Location"].endswith(f"/funds/calls/{made.id}")
    assert made.opens_at == datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # 09:00 in Chengdu
    assert made.closes_at == datetime(2026, 12, 31, 10, 0, tzinfo=UTC)
    assert made.budget_fen == 20_000_000 and made.ceiling_fen == 5_000_000
    assert made.required_documents == ["商业计划书", "财务报表"]
    assert made.tracks == ["aigc_film", "games"] and made.team_statuses == ["resident"]
    assert str(made.disagreement_threshold) == "2.50"
    page = _text(client.get(f"/funds/calls/{made.id}"))
    assert "1 Dec 2026, 09:00" in page and "31 Dec 2026, 18:00" in page
    assert "Innovation" in page and "60%" in page and "第一段<br>第二段" in page
    assert "张伟" in page and "安娜" in page
    edit = _text(client.get(f"/funds/calls/{made.id}/edit"))
    assert 'value="2026-12-01T09:00"' in edit and 'value="创新性"' in edit
    assert rows(app, Fund, Fund.id == s["fund"].id)[0].calls_fen == 30_000_000


@pytest.mark.parametrize(
    ("change", "shows"),
    [
        ({"criteria-1-weight": "30"}, "sum to 90"),
        ({"ceiling_yuan": "200000.01"}, "may not exceed the budget"),
        ({"closes_at": "2026-12-01T09:00"}, "must close after it opens"),
        ({"budget_yuan": "900000.01"}, "900000.00 yuan left"),
        ({"opens_at": "tomorrow"}, "Not a valid datetime value"),
    ],
)
def test_a_refused_call_form_is_422_with_its_input_kept(app, client, as_user, s, change, shows):
    as_user("staff", parks=[s["park"]])
    data = {**CALL_FORM, **change}
    response = post_form(client, f"/funds/{s['fund'].id}/calls/new", data)
    assert response.status_code == 422
    page = _text(response)
    assert shows in page
    assert 'value="AIGC 创作扶持"' in page and 'value="Innovation"' in page
    assert count(app, Call) == 1
    assert rows(app, Fund, Fund.id == s["fund"].id)[0].calls_fen == 10_000_000


def test_a_pool_member_who_is_no_reviewer_is_refused(app, client, make, as_user, s):
    staff = as_user("staff", parks=[s["park"]])
    data = {**CALL_FORM, "reviewer_ids": [str(staff.id)]}
    response = post_form(client, f"/funds/{s['fund'].id}/calls/new", data)
    assert response.status_code == 422  # not a choice of the form, nor a reviewer
    assert count(app, Call) == 1


@time_machine.travel(NOW, tick=False)
def test_staff_change_a_call_and_the_fund_follows(app, client, as_user, s):
    as_user("staff", parks=[s["park"]])
    path = f"/funds/calls/{s['call'].id}/edit"
    page = _text(client.get(path))
    assert 'value="2026-12-02T10:00"' in page  # NOW − 1 day, in Chengdu
    data = {
        **CALL_FORM,
        "opens_at": "2026-12-02T10:00",
        "budget_yuan": "150000",
    }
    response = post_form(client, path, data)
    assert response.status_code == 302, _text(response)
    (changed,) = rows(app, Call)
    assert changed.budget_fen == 15_000_000 and changed.title_zh == "AIGC 创作扶持"
    assert rows(app, Fund)[0].calls_fen == 15_000_000


@time_machine.travel(NOW, tick=False)
def test_a_calls_page_lists_its_applications_by_state(app, client, make, as_user, s):
    teams = [make.team(s["park"], status="resident") for _ in range(3)]
    submitted = application(make, s["call"], teams[0], ApplicationStatus.SUBMITTED, title="甲")
    application(make, s["call"], teams[1], ApplicationStatus.IN_REVIEW, title="乙")
    application(make, s["call"], teams[2], ApplicationStatus.DRAFT, title="丙")
    as_user("staff", parks=[s["park"]])
    page = _text(client.get(f"/funds/calls/{s['call'].id}"))
    assert "All (3)" in page and "Submitted (1)" in page and "In review (1)" in page
    assert page.index('data-status="draft"') < page.index('data-status="submitted"')
    if "applications.detail" in app.view_functions:
        assert f'href="/applications/{submitted.id}"' in page
    for endpoint, path in (("reviews.assignment", "assignment"), ("reviews.ranking", "ranking")):
        if endpoint in app.view_functions:  # the reviews' pages of the call, linked
            assert f'href="/calls/{s["call"].id}/{path}"' in page
    only = _text(client.get(f"/funds/calls/{s['call'].id}?status=submitted"))
    assert "甲" in only and "乙" not in only and "丙" not in only
    assert "乙" in _text(client.get(f"/funds/calls/{s['call'].id}?status=nonsense"))


@time_machine.travel(NOW, tick=False)
def test_the_pages_speak_chinese(client, as_user, s):
    as_user("staff", parks=[s["park"]])
    zh = {"Accept-Language": "zh"}
    funds_page = _text(client.get("/funds/", headers=zh))
    assert ">基金</a>" in funds_page and "批次已占用" in funds_page and "剩余可分配" in funds_page
    assert "申报中" in _text(client.get(f"/funds/{s['fund'].id}", headers=zh))
    form = _text(client.get(f"/funds/{s['fund'].id}/calls/new", headers=zh))
    assert "评审标准（权重合计 100）" in form and "权重（%）" in form
    data = {**CALL_FORM, "criteria-1-weight": "30"}
    refused = post_form(client, f"/funds/{s['fund'].id}/calls/new", data, headers=zh)
    assert refused.status_code == 422
    assert "权重合计为 90，须合计为 100。" in _text(refused)

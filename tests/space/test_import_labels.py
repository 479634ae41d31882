"""The unit import takes what the pages show: Chinese or English headers and kinds, floors
written "2 层", areas "30 m²", rents "¥80.00" (opc.core.columns)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from opc.space.importing import floor_text
from opc.space.models import Unit
from tests.core.helpers import error_of
from tests.space.helpers import stored


@pytest.fixture
def park(make):
    return make.park(total_area_m2=Decimal("2500"))


@pytest.fixture
def client_of(api, make, park):
    def _client(language="en"):
        client = api(make.user("staff", parks=[park]))
        client.headers["Accept-Language"] = language
        return client

    return _client


def _upload(client, park, text: str):
    return client.post(
        f"/parks/{park.id}/units/import",
        data={"file": (io.BytesIO(text.encode("utf-8-sig")), "u.csv")},
        content_type="multipart/form-data",
    )


def test_chinese_headers_kinds_and_display_numbers_import(app, park, client_of):
    text = (
        "编号,类型,楼层,面积（m²）,工位数,每平方米月租金（元）\n"
        "2-O01,办公室,2 层,30 m²,4,¥80.00\n"
        "B1-S01,工作室,B1,200.50平方米,0,\n"
        '3-D01,Desk area,F3,45.5,12,"￥1,200.00"\n'
    )
    response = _upload(client_of("zh"), park, text)
    assert response.status_code == 201, response.get_json()
    units = {u.code: u for u in stored(app, Unit)}
    assert (units["2-O01"].kind, units["2-O01"].floor) == ("office", 2)
    assert units["2-O01"].area_m2 == Decimal("30.00")
    assert units["2-O01"].rent_fen_per_m2 == 8000
    assert (units["B1-S01"].kind, units["B1-S01"].floor) == ("studio", -1)
    assert units["B1-S01"].area_m2 == Decimal("200.50")
    assert (units["3-D01"].kind, units["3-D01"].floor) == ("desk_area", 3)
    assert units["3-D01"].rent_fen_per_m2 == 120000


def test_an_unknown_kind_lists_the_kinds(app, park, client_of):
    response = _upload(client_of("zh"), park, "编号,类型,楼层,面积（m²）\nA,仓库,1,10\n")
    assert response.status_code == 422
    (problem,) = error_of(response)["fields"]["rows"]
    assert (problem["row"], problem["column"]) == (2, "类型")
    assert "仓库" in problem["reason"] and "工作室（studio）" in problem["reason"]
    assert stored(app, Unit) == []


@pytest.mark.parametrize(
    ("written", "floor"),
    [
        ("2", "2"),
        ("2 层", "2"),
        ("2F", "2"),
        ("floor 12", "12"),
        ("第3层", "3"),
        ("3楼", "3"),
        ("B2", "-2"),
        ("负1层", "-1"),
        ("-1", "-1"),
        ("屋顶", "屋顶"),
    ],
)
def test_floors_as_people_write_them(written, floor):
    assert floor_text(written) == floor


def test_the_template_is_in_the_page_language(app, client, make, park, as_user):
    as_user("staff", parks=[park])
    for language, header, kind in (("zh", "编号", "办公室"), ("en", "Code", "Office")):
        response = client.get(
            f"/parks/{park.id}/units/template.csv", headers={"Accept-Language": language}
        )
        head, example = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
        assert head[0] == header and example[1] == kind
    html = client.get(f"/parks/{park.id}/units/import", headers={"Accept-Language": "zh"}).get_data(
        as_text=True
    )
    assert "工位区 <code>desk_area</code>" in html

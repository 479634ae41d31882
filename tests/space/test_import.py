"""CSV import of units: all or nothing, every bad row reported, the encodings Excel writes."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest

from opc.space.models import Unit
from tests.conftest import login
from tests.space.helpers import count, error, post_form, stored

HEADER = "code,kind,floor,area_m2,seats,rent_per_m2_yuan\n"


@pytest.fixture
def park(make):
    return make.park(name_zh="成都科幻OPC", total_area_m2=Decimal("2500"))


@pytest.fixture
def staff(make, park):
    return make.user("staff", parks=[park])


def _upload(api_client, park, data: bytes, name="units.csv"):
    return api_client.post(
        f"/parks/{park.id}/units/import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_import_utf8_with_bom(app, api, park, staff):
    text = HEADER + "1-S01,studio,1,80.00,6,60.00\n1-L01,lab,1,120.5,10,70\n\n"
    response = _upload(api(staff), park, text.encode("utf-8-sig"))
    assert response.status_code == 201, response.get_json()
    assert response.get_json() == {"imported": 2}
    units = stored(app, Unit, order_by=Unit.code)
    assert [(u.code, u.kind, u.area_m2, u.rent_fen_per_m2) for u in units] == [
        ("1-L01", "lab", Decimal("120.50"), 7000),
        ("1-S01", "studio", Decimal("80.00"), 6000),
    ]


def test_import_gb18030_with_chinese_codes(app, api, park, staff):
    text = "code,kind,floor,area_m2\n星云-01,office,2,30\n共享会议室,shared_room,1,150\n"
    response = _upload(api(staff), park, text.encode("gb18030"))
    assert response.status_code == 201, response.get_json()
    assert {u.code for u in stored(app, Unit)} == {"星云-01", "共享会议室"}
    assert {u.seats for u in stored(app, Unit)} == {0}


def test_every_bad_row_is_listed_and_nothing_imported(app, make, api, park, staff):
    make.unit(park, code="TAKEN")
    text = HEADER + (
        "A1,office,2,30,4,80\n"  # row 2: good
        "A2,castle,2,30,4,80\n"  # row 3: kind
        "A3,office,two,0,4,80\n"  # row 4: floor and area
        "A1,office,2,30,4,80\n"  # row 5: duplicate of row 2
        "TAKEN,office,2,30,4,80\n"  # row 6: code used in the park
        "A4,office,2,30.123,-1,abc\n"  # row 7: area, seats, rent
        ",office,2,30,4,80\n"  # row 8: code missing
    )
    response = _upload(api(staff), park, text.encode())
    assert response.status_code == 422
    err = error(response)
    assert err["code"] == "invalid_rows"
    problems = {(r["row"], r["column"]) for r in err["fields"]["rows"]}
    assert problems == {
        (3, "kind"),
        (4, "floor"),
        (4, "area_m2"),
        (5, "code"),
        (6, "code"),
        (7, "area_m2"),
        (7, "seats"),
        (7, "rent_per_m2_yuan"),
        (8, "code"),
    }
    assert all(r["reason"] for r in err["fields"]["rows"])
    assert count(app, Unit) == 1


def test_the_file_must_fit_into_the_park(app, make, api, park, staff):
    make.unit(park, area_m2=Decimal("2400"))
    text = HEADER + "B1,office,2,60,4,80\nB2,office,2,40,4,80\nB3,office,2,0.01,4,80\n"
    response = _upload(api(staff), park, text.encode())
    assert response.status_code == 422
    rows = error(response)["fields"]["rows"]
    assert [(r["row"], r["column"]) for r in rows] == [(4, "area_m2")]
    assert "2500.00" in rows[0]["reason"] and "成都科幻OPC" in rows[0]["reason"]
    assert count(app, Unit) == 1
    fits = HEADER + "B1,office,2,60,4,80\nB2,office,2,40,4,80\n"
    assert _upload(api(staff), park, fits.encode()).status_code == 201
    assert count(app, Unit) == 3


@pytest.mark.parametrize(
    "data,column",
    [
        (b"code,kind,floor\nA,office,1\n", "area_m2"),
        (b"code,kind,floor,area_m2,colour\nA,office,1,30,red\n", "colour"),
        (b"", ""),
        ("code,kind,floor,area_m2\nA,office,1,30\n".encode("utf-16"), ""),
    ],
    ids=["missing column", "unknown column", "empty", "wrong encoding"],
)
def test_unusable_files_are_refused(app, api, park, staff, data, column):
    response = _upload(api(staff), park, data)
    assert response.status_code == 422
    rows = error(response)["fields"]["rows"]
    assert column in {r["column"] for r in rows}
    assert count(app, Unit) == 0


def test_header_only_file_is_refused(app, api, park, staff):
    response = _upload(api(staff), park, HEADER.encode())
    assert response.status_code == 422
    assert count(app, Unit) == 0


def test_import_needs_a_file_and_the_park_staff(app, make, api, park, staff):
    assert api(staff).post(f"/parks/{park.id}/units/import", data={}).status_code == 422
    outsider = make.user("staff", parks=[make.park()])
    good = (HEADER + "A,office,1,30,1,1\n").encode()
    assert _upload(api(outsider), park, good).status_code == 404
    member = make.user("member", team=make.team(park, status="resident"))
    assert _upload(api(member), park, good).status_code == 403  # members import nowhere
    assert count(app, Unit) == 0


def test_import_page_lists_problems_then_imports(app, client, park, staff):
    login(client, staff.email)
    page = f"/parks/{park.id}/units/import"
    template = client.get(f"/parks/{park.id}/units/template.csv")
    assert template.status_code == 200
    # Headers and example in the page's language; imported back as they are.
    assert template.data.startswith("\ufeffCode,Kind,Floor,Area m²".encode())
    bad = (HEADER + "A,office,1,30,1,1\nB,office,1,-3,1,1\n").encode("gb18030")
    response = post_form(
        client,
        page,
        {"file": (io.BytesIO(bad), "u.csv")},
        page,
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'data-row="3"' in html and "area_m2" in html
    assert count(app, Unit) == 0
    response = post_form(
        client,
        page,
        {"file": (io.BytesIO(template.data), "u.csv")},
        page,
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert [u.code for u in stored(app, Unit)] == ["2-O01"]

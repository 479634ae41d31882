"""Bulk onboarding: CSV imports are all or nothing and list every bad row."""

from __future__ import annotations

import io

import pytest

from opc.teams.models import Team, TeamStatusChange
from tests.conftest import csrf_token
from tests.teams.helpers import OTHER_USCC, VALID_USCC, count, rows

EN = {"Accept-Language": "en"}
HEADER = "name_zh,name_en,track,kind,uscc,status,contact_email"
GOOD = (
    f"{HEADER}\n"
    f"星云工作室,Nebula Studio,aigc_film,solo,,resident,star@example.cn\n"
    f"幻境影业,Mirage Pictures,digital_humans,company,{VALID_USCC},admitted,\n"
    f"\n"  # blank lines are skipped
    f"天枢智能,Tianshu AI,ai_agents,company,{OTHER_USCC.lower()},,\n"
)


def upload(client, park, data: bytes, name="teams.csv"):
    token = csrf_token(client, "/teams/import")
    return client.post(
        "/teams/import",
        data={"csrf_token": token, "park_id": park.id, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        headers=EN,
    )


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_a_good_file_imports_every_team(app, client, make, as_user, encoding):
    park = make.park(team_cap=5)
    staff = as_user("staff", parks=[park])
    response = upload(client, park, GOOD.encode(encoding))
    assert response.status_code == 302, response.get_data(as_text=True)
    teams = {t.name_zh: t for t in rows(app, Team)}
    assert set(teams) == {"星云工作室", "幻境影业", "天枢智能"}
    assert teams["星云工作室"].status == "resident"
    assert teams["星云工作室"].name_pinyin == "xingyungongzuoshi"
    assert teams["幻境影业"].uscc == VALID_USCC
    assert teams["天枢智能"].uscc == OTHER_USCC and teams["天枢智能"].status == "applicant"
    steps = rows(app, TeamStatusChange, TeamStatusChange.team_id == teams["星云工作室"].id)
    assert [s.to_status for s in steps] == ["applicant", "admitted", "resident"]
    assert {s.actor_id for s in steps} == {staff.id}
    listing = client.get("/teams/?q=xingyun").get_data(as_text=True)
    assert "星云工作室" in listing


def problems(response) -> str:
    return response.get_data(as_text=True)


def test_wrong_encoding_imports_nothing(app, client, make, as_user):
    park = make.park()
    as_user("staff", parks=[park])
    response = upload(client, park, GOOD.encode("utf-16"))
    assert response.status_code == 422
    assert "not UTF-8 or GB18030" in problems(response)
    assert count(app, Team) == 0


def test_missing_column_imports_nothing(app, client, make, as_user):
    park = make.park()
    as_user("staff", parks=[park])
    response = upload(client, park, "name_zh,kind\n星云,solo\n".encode())
    assert response.status_code == 422
    html = problems(response)
    assert "Required column “Track” is missing" in html and "<td>track</td>" in html
    assert count(app, Team) == 0


def test_every_bad_row_is_listed_and_nothing_is_imported(app, client, make, as_user):
    park = make.park(team_cap=1)
    make.team(park, name_zh="已存在")
    make.team(make.park(), uscc=OTHER_USCC)  # a code held in another park
    as_user("staff", parks=[park])
    data = (
        f"{HEADER}\n"
        f"好队,Good,vfx,company,,,\n"  # row 2: fine on its own
        f"坏码,Bad code,vfx,company,91510100MA6CGUGA1X,,\n"  # row 3: check character
        f"重码一,Dup 1,vfx,company,{VALID_USCC},,\n"  # row 4
        f"重码二,Dup 2,vfx,company,{VALID_USCC},,\n"  # row 5: same code as row 4
        f"好队,Again,vfx,company,,,\n"  # row 6: same name as row 2
        f"未知,Unknown,cooking,company,,,\n"  # row 7: unknown track
        f"已存在,Exists,vfx,company,,,\n"  # row 8: name taken in the park
        f"他园,Elsewhere,vfx,company,{OTHER_USCC},,\n"  # row 9: code taken in the database
        f"入驻一,In 1,vfx,company,,resident,\n"  # row 10: fills the cap of 1
        f"入驻二,In 2,vfx,company,,resident,\n"  # row 11: beyond the cap
        f"怪状态,Odd,vfx,company,,famous,\n"  # row 12: unknown status
    ).encode("utf-8-sig")
    response = upload(client, park, data)
    assert response.status_code == 422
    html = problems(response)
    import re

    listed = re.findall(r'<tr data-row="(\d+)"><td class="num">\d+</td><td>([^<]*)</td>', html)
    assert listed == [
        ("3", "uscc"),
        ("5", "uscc"),
        ("6", "name_zh"),
        ("7", "track"),
        ("8", "name_zh"),
        ("9", "uscc"),
        ("11", "status"),
        ("12", "status"),
    ]
    assert "check character" in html and "Same credit code as row 4" in html
    assert "Same name as row 2" in html and "Unknown value “cooking”. Allowed:" in html
    assert count(app, Team) == 2  # only the two made before
    assert count(app, TeamStatusChange) == 0


def test_a_row_with_extra_cells_is_reported_with_the_others(app, client, make, as_user):
    park = make.park()
    as_user("staff", parks=[park])
    data = f"{HEADER}\n甲,A,vfx,company,,,,extra\n乙,B,nope,company,,,\n".encode()
    html = problems(upload(client, park, data))
    assert 'data-row="2"' in html and 'data-row="3"' in html
    assert count(app, Team) == 0


def test_the_template_downloads_and_imports(app, client, make, as_user):
    park = make.park()
    as_user("staff", parks=[park])
    response = client.get("/teams/import/template.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens it as UTF-8
    assert upload(client, park, response.data).status_code == 302
    assert count(app, Team) == 1


def test_members_cannot_import(app, client, make, as_user):
    park = make.park()
    as_user("member", team=make.team(park))
    assert client.get("/teams/import").status_code == 403
    assert client.get("/teams/import/template.csv").status_code == 403

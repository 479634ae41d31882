"""The team import takes what the pages show: headers and values as codes or as labels in
either language (opc.core.columns), its template is in the page's language, and its page
lists each column's allowed values."""

from __future__ import annotations

import csv
import io

from opc.teams.models import Team, TeamStatusChange
from tests.conftest import csrf_token
from tests.core.helpers import error_of
from tests.teams.helpers import count, rows

ZH = {"Accept-Language": "zh"}
EN = {"Accept-Language": "en"}


def upload(client, park, data: bytes, headers=EN):
    token = csrf_token(client, "/teams/import")
    return client.post(
        "/teams/import",
        data={"csrf_token": token, "park_id": park.id, "file": (io.BytesIO(data), "t.csv")},
        content_type="multipart/form-data",
        headers=headers,
    )


def test_chinese_headers_and_labels_import(app, client, make, as_user):
    park = make.park(team_cap=5)
    as_user("staff", parks=[park])
    data = (
        "中文名称,赛道,类型,状态,状态起始日,联系人\n"
        "星云工作室,AIGC 影视,个人,已入驻,2025/3/1,张星\n"  # the date as Excel rewrites it
        "幻境影业,虚拟数字人,企业（公司）,申请人,,\n"  # an unknown gloss: refused below
        "天枢智能, AIGC影视 ,个人（超级个体）,已录取,2025年4月2日,\n"  # spaces, the full label
    )
    response = upload(client, park, data.encode("utf-8-sig"), ZH)
    assert response.status_code == 422  # "企业（公司）" is not a kind
    html = response.get_data(as_text=True)
    assert '<tr data-row="3"><td class="num">3</td><td>类型</td>' in html  # as the file wrote it
    assert "未知" in html and "企业" in html and "company" in html  # the allowed values
    assert count(app, Team) == 0
    fixed = data.replace("企业（公司）", "企业")
    response = upload(client, park, fixed.encode("gb18030"), ZH)
    assert response.status_code == 302, response.get_data(as_text=True)
    teams = {t.name_zh: t for t in rows(app, Team)}
    assert (teams["星云工作室"].track, teams["星云工作室"].kind) == ("aigc_film", "solo")
    assert teams["星云工作室"].status == "resident"
    assert teams["星云工作室"].status_since.isoformat() == "2025-03-01"
    assert teams["星云工作室"].contact_name == "张星"
    assert (teams["幻境影业"].track, teams["幻境影业"].kind) == ("digital_humans", "company")
    assert teams["幻境影业"].status == "applicant"
    assert (teams["天枢智能"].track, teams["天枢智能"].status) == ("aigc_film", "admitted")
    assert teams["天枢智能"].status_since.isoformat() == "2025-04-02"
    assert count(app, TeamStatusChange) == 3 + 1 + 2


def test_english_labels_any_case_and_width_import(app, client, make, as_user):
    park = make.park(team_cap=5)
    as_user("staff", parks=[park])
    data = (
        "Name (Chinese), TRACK ,kind,Status\n"
        "星云工作室,aigc FILM,Solo,Resident\n"
        "幻境影业,ＡＩ ａｇｅｎｔｓ,company,admitted\n"  # full-width, as a Chinese IME types
        "天枢智能,Virtual digital humans,Solo (super-individual),\n"
    )
    response = upload(client, park, data.encode())
    assert response.status_code == 302, response.get_data(as_text=True)
    got = {t.name_zh: (t.track, t.kind, t.status) for t in rows(app, Team)}
    assert got == {
        "星云工作室": ("aigc_film", "solo", "resident"),
        "幻境影业": ("ai_agents", "company", "admitted"),
        "天枢智能": ("digital_humans", "solo", "applicant"),
    }


def test_an_unknown_value_names_row_column_and_allowed_values(app, api, make):
    park = make.park(team_cap=5)
    staff = make.user("staff", parks=[park])
    data = "name_zh,赛道,kind,status\n甲,aigc_film,solo,\n乙,烹饪,solo,\n丙,vfx,solo,graduated\n"
    client = api(staff)
    client.headers.update(EN)
    response = client.post(
        "/teams/import",
        data={"park_id": park.id, "file": (io.BytesIO(data.encode()), "t.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    problems = error_of(response)["fields"]["rows"]
    assert [(p["row"], p["column"]) for p in problems] == [(3, "赛道"), (4, "status")]
    assert problems[0]["reason"].startswith(
        "Unknown value “烹饪”. Allowed: AIGC film (aigc_film), "
    )
    assert "Other (other)" in problems[0]["reason"]
    # A team arrives as an applicant, admitted or resident: only those are allowed.
    assert problems[1]["reason"] == (
        "Unknown value “graduated”. Allowed: Applicant (applicant), Admitted (admitted), "
        "Resident (resident)."
    )
    assert count(app, Team) == 0


def test_a_header_given_twice_in_two_languages_is_refused(app, client, make, as_user):
    park = make.park()
    as_user("staff", parks=[park])
    response = upload(client, park, "name_zh,track,赛道,kind\n甲,vfx,vfx,solo\n".encode())
    assert response.status_code == 422
    assert "A column appears twice" in response.get_data(as_text=True)


def test_a_missing_column_is_named_in_the_page_language(app, client, make, as_user):
    park = make.park()
    as_user("staff", parks=[park])
    response = upload(client, park, "中文名称,类型\n甲,个人\n".encode(), ZH)
    assert response.status_code == 422
    assert "“赛道”" in response.get_data(as_text=True)


def _template(client, headers):
    response = client.get("/teams/import/template.csv", headers=headers)
    assert response.status_code == 200
    assert response.data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_the_template_is_in_the_page_language_and_imports_back(app, client, make, as_user):
    park = make.park(team_cap=5)
    as_user("staff", parks=[park])
    header, example = _template(client, ZH)
    assert header[:4] == ["中文名称", "赛道", "类型", "英文名称"]
    assert example[:3] == ["星云工作室", "AIGC 影视", "企业"] and "已入驻" in example
    header, example = _template(client, EN)
    assert header[:4] == ["Name (Chinese)", "Track", "Kind", "Name (English)"]
    assert example[1:3] == ["AIGC film", "Company"] and "Resident" in example
    data = client.get("/teams/import/template.csv", headers=ZH).data
    assert upload(client, park, data, ZH).status_code == 302
    assert [(t.track, t.kind, t.status) for t in rows(app, Team)] == [
        ("aigc_film", "company", "resident")
    ]


def test_the_import_page_lists_each_columns_values(app, client, make, as_user):
    park = make.park()
    as_user("staff", parks=[park])
    html = client.get("/teams/import", headers=ZH).get_data(as_text=True)
    assert '<tr data-column="track"><th scope="row">赛道</th><td><code>track</code></td>' in html
    assert "AIGC 影视 <code>aigc_film</code>" in html
    assert "个人（超级个体） <code>solo</code>" in html
    assert "申请人 <code>applicant</code>" in html
    assert "<code>graduated</code>" not in html  # no team arrives graduated
    html = client.get("/teams/import", headers=EN).get_data(as_text=True)
    assert "AIGC film <code>aigc_film</code>" in html

"""The usage upload page: staff upload a provider's CSV on its behalf, all rows or none,
every bad row listed by its row number (422), duplicates counted (post/redirect/get)."""

from __future__ import annotations

import io
import re

import pytest

from opc.compute.models import UsageBatch, UsageRecord
from tests.compute.usage_helpers import (
    count,
    programme,
    provider,
    resident,
    rows,
    subsidies,
    voucher,
)
from tests.conftest import csrf_token
from tests.core.helpers import table_counts

EN = {"Accept-Language": "en"}
PAGE = "/compute/usage/upload"
CODES = "external_id,team_id,gpu_type,start,end,gpu_hours,cost_yuan"


def csv_of(team, *rows_: str, header: str = CODES) -> str:
    return "\n".join([header, *(r.format(team=team.id) for r in rows_)]) + "\n"


GOOD = (
    "job-1,{team},A100-80G,2026-03-10T09:00:00+08:00,2026-03-10T11:00:00+08:00,16.00,100.00",
    'job-2,{team},H800,2026-03-11 09:00:00+08:00,2026-03-11 10:30:00+08:00,8,"¥1,200.50"',
)


def upload(client, source, data: bytes, name="usage.csv"):
    token = csrf_token(client, PAGE)
    return client.post(
        PAGE,
        data={"csrf_token": token, "provider_id": source.id, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        headers=EN,
    )


@pytest.fixture
def world(make, as_user):
    park = make.park()
    team = resident(make, park, "2026-01-01")
    voucher(make, programme(make, park, rate="50"), team, 1_000_000)
    source = provider(make)
    staff = as_user("staff", parks=[park])
    return park, team, source, staff


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_a_good_file_is_stored_and_the_page_says_so(app, client, world, encoding):
    _park, team, source, staff = world
    response = upload(client, source, csv_of(team, *GOOD).encode(encoding))
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"].endswith(PAGE)
    page = client.get(PAGE, headers=EN).get_data(as_text=True)
    assert "Stored 2 usage records; 0 rows were stored before" in page
    assert subsidies(app) == {"job-1": 5000, "job-2": 60025}  # ¥1,200.50 at 50 %
    batch = rows(app, UsageBatch)[0]
    assert (batch.source, batch.provider_id, batch.submitted_by_id) == ("csv", source.id, staff.id)


def test_headers_may_be_the_chinese_labels_the_template_shows(app, client, world):
    _park, team, source, _staff = world
    template = client.get("/compute/usage/template.csv", headers={"Accept-Language": "zh"})
    assert template.status_code == 200
    header = template.data.decode("utf-8-sig").splitlines()[0]
    assert "作业编号" in header and "费用（元）" in header
    response = upload(client, source, csv_of(team, *GOOD, header=header).encode("gb18030"))
    assert response.status_code == 302
    other = "作业ID,团队编号,GPU型号,开始时间,结束时间,卡时,费用(元)"
    row = "job-3,{team},A100,2026-03-12T09:00:00+08:00,2026-03-12T10:00:00+08:00,1,1"
    assert upload(client, source, csv_of(team, row, header=other).encode()).status_code == 302
    assert count(app, UsageRecord) == 3


def test_a_file_sent_again_counts_its_rows_as_duplicates(app, client, world):
    _park, team, source, _staff = world
    data = csv_of(team, *GOOD).encode()
    upload(client, source, data)
    response = upload(client, source, data)
    assert response.status_code == 302
    page = client.get(PAGE, headers=EN).get_data(as_text=True)
    assert "Stored 0 usage records; 2 rows were stored before" in page
    assert count(app, UsageRecord) == 2 and count(app, UsageBatch) == 1


def test_every_bad_row_is_listed_by_its_row_number_and_nothing_stored(app, client, world):
    _park, team, source, _staff = world
    data = csv_of(
        team,
        GOOD[0],
        "",  # a blank line: skipped, but counted as a row of the sheet
        "job-3,{team},A100,2026-03-10T09:00:00+08:00,2026-03-10T08:00:00+08:00,0,1.001",
        "job-4,999999,A100,2026-03-10T09:00:00+08:00,2026-03-10T10:00:00+08:00,1,1,extra",
    ).encode()
    before = table_counts(app)
    response = upload(client, source, data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    found = re.findall(r'<tr data-row="(\d+)"><td class="num">\d+</td><td>([^<]*)</td>', page)
    assert found == [
        ("4", "End"),
        ("4", "GPU-hours"),
        ("4", "Cost (yuan)"),
        ("5", "—"),  # more cells than the header
        ("5", "Team id"),  # and no such team
    ]
    assert "Nothing was stored: 2 records are not valid." in page
    assert table_counts(app) == before


def test_a_file_without_a_required_column_is_refused_at_once(app, client, world):
    _park, _team, source, _staff = world
    data = b"external_id,team_id,gpu_type,start,end,gpu_hours\njob,1,A,x,y,1\n"
    response = upload(client, source, data)
    assert response.status_code == 422
    assert 'data-row="1"' in response.get_data(as_text=True)
    assert "Cost (yuan)" in response.get_data(as_text=True)


def test_more_rows_than_a_batch_takes_are_refused(app, client, world, monkeypatch):
    _park, team, source, _staff = world
    monkeypatch.setitem(app.config, "USAGE_BATCH_MAX_RECORDS", 1)
    response = upload(client, source, csv_of(team, *GOOD).encode())
    assert response.status_code == 422
    assert "USAGE_BATCH_MAX_RECORDS" in response.get_data(as_text=True)
    assert count(app, UsageRecord) == 0


def test_staff_upload_only_for_the_teams_of_their_parks(app, client, make, world):
    _park, _team, source, _staff = world
    elsewhere = resident(make, make.park(), "2026-01-01")
    response = upload(client, source, csv_of(elsewhere, GOOD[0]).encode())
    assert response.status_code == 422
    assert "No such team." in response.get_data(as_text=True)


def test_the_page_lists_the_providers_and_the_columns(client, world):
    _park, _team, source, _staff = world
    page = client.get(PAGE, headers=EN).get_data(as_text=True)
    assert f'<option value="{source.id}">{source.name}</option>' in page
    for code in CODES.split(","):
        assert f'data-column="{code}"' in page


def test_members_may_not_upload_usage(client, make, as_user):
    team = make.team(make.park())
    as_user("member", team=team)
    assert client.get(PAGE).status_code == 403
    assert client.get("/compute/usage/template.csv").status_code == 403

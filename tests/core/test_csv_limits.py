"""CSV imports at their limits (opc.core.csvio): a cell longer than the csv module reads, and
control characters in cells, are row errors (422); a file beyond MAX_IMPORT_ROWS is refused
at once, naming the limit; within it, statements stay small (chunks of CHUNK rows, never
the database's parameter limit) and the import stays all or nothing."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from opc.core import csvio
from opc.extensions import db
from opc.space.models import Unit
from opc.teams import importing as team_importing
from opc.teams.models import Team, TeamStatusChange
from tests.conftest import csrf_token
from tests.core.helpers import count, error_of, table_counts

UNITS = "code,kind,floor,area_m2\n"
TEAMS = "name_zh,track,kind,status\n"


@pytest.fixture
def park(make):
    return make.park(total_area_m2=Decimal("9999999"), team_cap=100_000)


@pytest.fixture
def staff_api(api, make, park):
    return api(make.user("staff", parks=[park]))


def upload_units(staff_api, park, text: str):
    return staff_api.post(
        f"/parks/{park.id}/units/import",
        data={"file": (io.BytesIO(text.encode()), "units.csv")},
        content_type="multipart/form-data",
    )


def upload_teams_page(client, park, text: str):
    token = csrf_token(client, "/teams/import")
    return client.post(
        "/teams/import",
        data={
            "csrf_token": token,
            "park_id": park.id,
            "file": (io.BytesIO(text.encode()), "t.csv"),
        },
        content_type="multipart/form-data",
        headers={"Accept-Language": "en"},
    )


def test_a_cell_longer_than_the_csv_module_reads_is_a_row_error(app, staff_api, park):
    long_cell = "x" * (csv.field_size_limit() + 1)
    text = f'{UNITS}A1,office,1,10\nA2,office,1,10\n"{long_cell}",office,1,10\n'
    before = table_counts(app)
    response = upload_units(staff_api, park, text)
    assert response.status_code == 422
    rows = error_of(response)["fields"]["rows"]
    assert rows == [
        {
            "row": 4,
            "column": "",
            "reason": f"A cell is longer than {csv.field_size_limit()} characters.",
        }
    ]
    assert table_counts(app) == before


def test_control_characters_in_cells_are_row_errors(app, client, as_user, park):
    as_user("staff", parks=[park])
    text = (
        f"{TEAMS}星云\x00工作室,aigc_film,company,\n"
        "幻境,aigc_film,company\x1b,\n"
        "好团队,aigc_film,company,\n"
    )
    response = upload_teams_page(client, park, text)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Control characters are not allowed (found U+0000)." in page
    assert "Control characters are not allowed (found U+001B)." in page
    assert count(app, Team) == 0
    multiline = f'{TEAMS.rstrip()},description\n星云,aigc_film,company,,"line one\r\nline two"\n'
    assert upload_teams_page(client, park, multiline).status_code == 302  # breaks in a cell


def test_a_file_beyond_max_import_rows_is_refused_at_once_naming_the_limit(app, staff_api, park):
    limit = app.config["MAX_IMPORT_ROWS"]
    text = UNITS + "".join(f"U{n},office,1,1\n" for n in range(100_000))
    before = table_counts(app)
    started = time.monotonic()
    response = upload_units(staff_api, park, text)
    assert time.monotonic() - started < 10
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "too_many_rows"
    assert "MAX_IMPORT_ROWS" in error["message"] and str(limit) in error["message"]
    assert error["fields"]["rows"][0]["row"] == limit + 2  # the first row past the limit
    assert table_counts(app) == before


def test_the_teams_page_names_the_row_limit_too(app, client, as_user, park, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_IMPORT_ROWS", 3)
    as_user("staff", parks=[park])
    text = TEAMS + "".join(f"团队{n},aigc_film,company,\n" for n in range(4))
    response = upload_teams_page(client, park, text)
    assert response.status_code == 422
    assert "more than 3 rows" in response.get_data(as_text=True)
    assert count(app, Team) == 0


# --- statements in chunks ---------------------------------------------------------------------


@contextmanager
def largest_statement(app) -> Iterator[list[int]]:
    """[the most parameters any one statement of the block had]."""
    most = [0]

    def measure(_conn: Any, _cursor: Any, _statement: str, parameters: Any, *_a: Any) -> None:
        sets = parameters if isinstance(parameters, list) else [parameters]
        for params in sets:
            most[0] = max(most[0], len(params or ()))

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", measure)
    try:
        yield most
    finally:
        sa.event.remove(engine, "before_cursor_execute", measure)


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(csvio, "CHUNK", 50)
    monkeypatch.setattr(team_importing, "CHUNK", 50)
    return 50


def test_a_units_import_runs_in_chunks_of_bounded_statements(
    app, make, staff_api, park, small_chunks
):
    text = UNITS + "".join(f"U{n},office,1,1\n" for n in range(600))
    with largest_statement(app) as most:
        response = upload_units(staff_api, park, text)
    assert response.status_code == 201, response.get_json()
    assert count(app, Unit) == 600
    assert most[0] <= small_chunks * 8  # a chunk's codes, or a chunk of rows of a few columns


def test_a_teams_import_runs_in_chunks_of_bounded_statements(
    app, client, as_user, park, small_chunks
):
    as_user("staff", parks=[park])
    text = TEAMS + "".join(f"团队{n},aigc_film,company,resident\n" for n in range(300))
    with largest_statement(app) as most:
        response = upload_teams_page(client, park, text)
    assert response.status_code == 302, response.get_data(as_text=True)[-1000:]
    assert count(app, Team) == 300
    assert count(app, TeamStatusChange) == 900
    assert most[0] <= small_chunks * 30


def test_a_chunked_import_is_still_all_or_nothing(app, make, staff_api, park, small_chunks):
    make.unit(park, code="TAKEN")
    before = table_counts(app)
    text = UNITS + "".join(f"U{n},office,1,1\n" for n in range(300)) + "TAKEN,office,1,1\n"
    response = upload_units(staff_api, park, text)
    assert response.status_code == 422
    assert error_of(response)["fields"]["rows"] == [
        {"row": 302, "column": "code", "reason": "The park has a unit with this code already."}
    ]
    assert table_counts(app) == before

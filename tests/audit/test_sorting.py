"""Issue 14: the audit log sorts by when, action and record (?sort=&dir= in the URL, kept by
the filters, the pages and the export), and an empty log says what to do next."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from opc.audit.models import AuditEntry
from opc.extensions import db

EN = {"Accept-Language": "en"}


@pytest.fixture
def entries(app):
    """Three entries, written out of time order (ids 1, 2, 3 at 2, 3, 1 o'clock)."""
    db_rows = [
        ("update", "teams", 7, datetime(2026, 3, 1, 2, tzinfo=UTC)),
        ("create", "parks", 9, datetime(2026, 3, 1, 3, tzinfo=UTC)),
        ("delete", "units", 3, datetime(2026, 3, 1, 1, tzinfo=UTC)),
    ]
    with app.app_context(), Session(db.engine) as session:
        session.execute(db.metadata.tables["audit_entries"].delete())
        made = [
            AuditEntry(action=a, entity=e, entity_id=i, at=at, after={"x": 1})
            for a, e, i, at in db_rows
        ]
        session.add_all(made)
        session.commit()
        return [str(m.id) for m in made]


def _ids(html: str, among: list[str] | None = None) -> list[str]:
    found = re.findall(r'<tr data-entry="(\d+)">', html)
    return [i for i in found if among is None or i in among]


def _link(html: str, key: str) -> str:
    found = re.search(rf'<a class="sort[^"]*" href="([^"]+sort={key}[^"]*)"', html)
    assert found, html
    return found[1].replace("&amp;", "&")


def test_the_log_sorts_by_its_headings(client, as_user, entries):
    first, second, third = entries
    as_user("admin")
    html = client.get("/audit/").get_data(as_text=True)
    assert _ids(html, entries) == [third, second, first]  # the last written first
    html = client.get("/audit/?sort=when&dir=desc").get_data(as_text=True)
    assert _ids(html, entries) == [second, first, third]
    html = client.get("/audit/?sort=when&dir=asc").get_data(as_text=True)
    assert _ids(html, entries) == [third, first, second]
    html = client.get("/audit/?sort=action&dir=asc").get_data(as_text=True)
    assert _ids(html, entries) == [second, third, first]  # create, delete, update
    html = client.get("/audit/?sort=record&dir=asc").get_data(as_text=True)
    assert _ids(html, entries) == [second, first, third]  # parks, teams, units


def test_unknown_orders_are_the_default(client, as_user, entries):
    as_user("admin")
    default = _ids(client.get("/audit/").get_data(as_text=True))
    for query in ("sort=actor_id&dir=desc", "sort=&dir=", "sort=%00&dir=%FF"):
        response = client.get(f"/audit/?{query}")
        assert response.status_code == 200
        assert _ids(response.get_data(as_text=True)) == default


def test_sorting_keeps_the_filters_and_the_export_follows(client, as_user, entries):
    as_user("admin")
    html = client.get("/audit/?entity=parks&action=create&page=2").get_data(as_text=True)
    link = _link(html, "record")
    assert "entity=parks" in link and "action=create" in link and "page=" not in link
    html = client.get("/audit/?sort=when&dir=asc").get_data(as_text=True)
    assert '<input type="hidden" name="sort" value="when">' in html
    assert '<input type="hidden" name="dir" value="asc">' in html
    rising, falling = (
        list(csv.reader(io.StringIO(client.get(f"/audit/export.csv?{q}").get_data(as_text=True))))
        for q in ("sort=when&dir=asc", "sort=when&dir=desc")
    )
    assert len(rising) > 3 and rising[1:] == falling[1:][::-1]


def test_an_empty_log_says_what_to_do_next(client, as_user, entries):
    as_user("admin")
    html = client.get("/audit/?entity=nothing", headers=EN).get_data(as_text=True)
    assert "No changes match these filters" in html and "Clear the filters" in html

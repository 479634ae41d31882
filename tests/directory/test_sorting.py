"""Issue 14: the directory and a park's introductions sort by their columns (?sort=&dir= in
the URL, kept by the filters), and an empty list says what to do next."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from opc.directory.models import Introduction
from tests.core.listing import page as _get
from tests.core.listing import row_ids as _ids


def _residents(make):
    park = make.park()
    teams = [
        make.team(park, status="resident", name_zh=name, name_pinyin=pinyin, track=track)
        for name, pinyin, track in (
            ("乙", "yi", "vfx"),
            ("甲", "jia", "aigc_film"),
            ("丙", "bing", "games"),
        )
    ]
    return park, [t.id for t in teams]


def test_the_directory_sorts_by_name_and_track_and_keeps_its_filters(client, make, as_user):
    park, (yi, jia, bing) = _residents(make)
    as_user("staff", parks=[park])
    assert _ids(_get(client, "/directory/"), "team") == [bing, jia, yi]
    assert _ids(_get(client, "/directory/?sort=name&dir=desc"), "team") == [yi, jia, bing]
    for query in ("sort=password&dir=asc", "sort=name&dir=sideways", "sort=%00&dir=%00"):
        assert _ids(_get(client, f"/directory/?{query}"), "team") == [bing, jia, yi]

    html = _get(client, "/directory/?q=i&sort=name&dir=desc&page=2")
    link = re.search(r'<a class="sort" href="([^"]+sort=track[^"]*)"', html)
    assert link and "q=i" in link[1] and "page=" not in link[1]
    assert '<input type="hidden" name="sort" value="name">' in html


def test_an_empty_directory_says_what_to_do_next(client, make, as_user):
    park = make.park()
    as_user("staff", parks=[park])
    html = _get(client, "/directory/")
    assert "No residents in the directory yet" in html and 'href="/teams/new"' in html
    make.team(park, status="resident")
    html = _get(client, "/directory/?q=nothing-like-it")
    assert "No residents match these filters" in html and "Clear the filters" in html


def test_introductions_sort_by_their_columns(client, make, as_user):
    park, (yi, jia, bing) = _residents(make)
    staff = as_user("staff", parks=[park])
    url = f"/parks/{park.id}/introductions"
    assert "No introductions yet" in _get(client, url)
    assert 'href="#introduce-h"' in _get(client, url)

    def introduce(a, b, day, outcome=None):
        return make._save(
            Introduction(
                park_id=park.id,
                team_a_id=a,
                team_b_id=b,
                made_by_id=staff.id,
                created_at=datetime(2026, 11, day, tzinfo=UTC),
                outcome=outcome,
            )
        ).id

    older = introduce(yi, bing, 1, outcome="met")
    newer = introduce(jia, bing, 2)
    assert _ids(_get(client, url), "introduction") == [newer, older]  # the newest first
    assert _ids(_get(client, f"{url}?sort=teams"), "introduction") == [newer, older]
    assert _ids(_get(client, f"{url}?sort=teams&dir=desc"), "introduction") == [older, newer]
    assert _ids(_get(client, f"{url}?sort=date&dir=asc"), "introduction") == [older, newer]
    # No outcome yet goes last whichever way.
    assert _ids(_get(client, f"{url}?sort=outcome&dir=desc"), "introduction") == [older, newer]
    for query in ("sort=password&dir=asc", "sort=date&dir=sideways", "sort=%00&dir=%00"):
        assert _ids(_get(client, f"{url}?{query}"), "introduction") == [newer, older]

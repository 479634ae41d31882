"""Per-park settings: typed keys with defaults, changed by admins (page and API), audited,
read per park (one park's settings never leak into another's)."""

from __future__ import annotations

import pytest

from opc.audit.models import AuditEntry
from opc.parks.settings import ParkSetting, value_of, values_of
from tests.rent.helpers import count, error_of, post_form, rows

DEFAULTS = {"rent_four_eyes": False, "rent_due_day": 15, "rent_rounding": "fen"}


def test_a_park_reads_the_defaults_until_it_sets_a_value(ctx, make):
    park = make.park()
    assert {k: v for k, v in values_of(park.id).items() if k in DEFAULTS} == DEFAULTS


def test_an_admin_changes_settings_through_the_api_and_each_change_is_audited(app, make, api):
    park, other = make.park(), make.park()
    admin = make.user("admin")
    response = api(admin).patch(
        f"/parks/{park.id}/settings",
        json={"values": {"rent_four_eyes": True, "rent_due_day": 10}},
    )
    assert response.status_code == 200, response.get_json()
    values = {s["key"]: s["value"] for s in response.get_json()["settings"]}
    assert values["rent_four_eyes"] is True and values["rent_due_day"] == 10
    assert values["rent_rounding"] == "fen"
    stored = rows(app, ParkSetting, ParkSetting.park_id == park.id)
    assert {(s.key, s.value) for s in stored} == {
        ("rent_four_eyes", "true"),
        ("rent_due_day", "10"),
    }
    assert count(app, AuditEntry, AuditEntry.entity == "park_settings") == 2
    with app.app_context():
        assert value_of(other.id, "rent_four_eyes") is False  # the other park is untouched
        assert value_of(park.id, "rent_four_eyes") is True

    again = api(admin).patch(f"/parks/{park.id}/settings", json={"values": {"rent_due_day": 12}})
    assert again.status_code == 200
    assert count(app, AuditEntry, AuditEntry.entity == "park_settings") == 3  # one update


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"rent_due_day": 29}, "rent_due_day"),
        ({"rent_due_day": 0}, "rent_due_day"),
        ({"rent_rounding": "cent"}, "rent_rounding"),
        ({"rent_four_eyes": "maybe"}, "rent_four_eyes"),
        ({"no_such_key": 1}, "no_such_key"),
    ],
)
def test_bad_values_are_refused_by_key_and_nothing_is_written(app, make, api, values, field):
    park = make.park()
    admin = make.user("admin")
    response = api(admin).patch(f"/parks/{park.id}/settings", json={"values": values})
    assert response.status_code == 422, response.get_json()
    assert field in error_of(response)["fields"]
    assert count(app, ParkSetting) == 0


def test_staff_read_their_park_settings_but_may_not_change_them(app, make, api):
    park, other = make.park(), make.park()
    staff = make.user("staff", parks=[park])
    assert api(staff).get(f"/parks/{park.id}/settings").status_code == 200
    assert api(staff).get(f"/parks/{other.id}/settings").status_code == 404
    refused = api(staff).patch(f"/parks/{park.id}/settings", json={"values": {"rent_due_day": 3}})
    assert refused.status_code == 403
    assert count(app, ParkSetting) == 0


def test_the_settings_page_saves_for_admins_and_shows_for_staff(app, client, make, as_user):
    park = make.park()
    as_user("admin")
    path = f"/parks/{park.id}/settings"
    response = post_form(
        client, path, {"rent_four_eyes": "y", "rent_due_day": "5", "rent_rounding": "jiao"}
    )
    assert response.status_code == 302
    with app.app_context():
        assert values_of(park.id)["rent_due_day"] == 5
        assert values_of(park.id)["rent_four_eyes"] is True
        assert values_of(park.id)["rent_rounding"] == "jiao"
    refused = post_form(client, path, {"rent_due_day": "31", "rent_rounding": "fen"})
    assert refused.status_code == 422
    assert "Must be between 1 and 28" in refused.get_data(as_text=True)


def test_staff_see_the_settings_page_without_a_form(client, make, as_user):
    park = make.park()
    as_user("staff", parks=[park])
    page = client.get(f"/parks/{park.id}/settings")
    assert page.status_code == 200
    assert "<form" not in page.get_data(as_text=True).split("<main", 1)[-1]

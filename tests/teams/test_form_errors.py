"""Team forms report every invalid field at once (the credit code's check with the missing
name, not after it) and mark the fields they require."""

from __future__ import annotations

import re

from opc.teams.models import Team
from tests.core.helpers import count, post_form, text

EN = {"Accept-Language": "en"}
BAD_USCC = "91510100MA61234567"  # 18 characters, the wrong check character


def profile(park, **kw):
    data = {
        "park_id": park.id,
        "name_zh": "",
        "name_en": "Future Theatre",
        "track": "aigc_film",
        "kind": "company",
        "uscc": BAD_USCC,
        "description": "",
        "contact_name": "王导",
        "contact_email": "wang@",
        "contact_phone": "",
    }
    data.update(kw)
    return data


def field_errors(html):
    """Field id -> its error messages, as the page shows them."""
    return {
        name: re.findall(r"<li>(.*?)</li>", errors)
        for name, errors in re.findall(r'<ul class="errors" id="([\w-]+)-err">(.*?)</ul>', html)
    }


def test_new_team_reports_the_credit_code_with_the_other_errors(app, client, make, as_user):
    park = make.park()
    as_user("staff", parks=[park])

    response = post_form(client, "/teams/new", profile(park), headers=EN)

    assert response.status_code == 422
    errors = field_errors(text(response))
    assert set(errors) >= {"name_zh", "uscc", "contact_email"}
    assert "check character" in errors["uscc"][0]
    assert len(errors["name_zh"]) == 1  # one message, not the form's and the operation's
    assert count(app, Team) == 0


def test_the_application_form_reports_every_field_at_once(app, client, make):
    park = make.park()

    response = post_form(client, "/apply", profile(park, contact_name=""), headers=EN)

    assert response.status_code == 422
    assert set(field_errors(text(response))) >= {"name_zh", "uscc", "contact_name", "contact_email"}
    assert count(app, Team) == 0


def test_a_form_that_parses_still_reports_every_operation_error(app, client, make, as_user):
    park = make.park()
    as_user("staff", parks=[park])

    response = post_form(client, "/teams/new", profile(park, name_zh="未来剧场"), headers=EN)

    assert response.status_code == 422
    assert set(field_errors(text(response))) == {"uscc", "contact_email"}


def test_required_fields_are_marked(client, make, as_user):
    park = make.park()
    as_user("staff", parks=[park])

    html = text(client.get("/teams/new", headers=EN))

    marked = set(re.findall(r'<label for="(\w+)">[^<]*<span class="required"', html))
    assert {"name_zh", "park_id"} <= marked
    assert not marked & {"name_en", "uscc", "description"}
    assert "(required)" in html  # said to screen readers, not only shown

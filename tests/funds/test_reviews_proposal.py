"""Proposed assignments: each application its reviewers, loads within one, no conflicts;
staff accept as is or adjusted, in one transaction that checks every pair again."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from opc.funds.review_models import Review
from tests.conftest import login
from tests.core.helpers import text
from tests.funds import helpers as h


@pytest.fixture
def s(make):
    """Six applications of six teams in review, a pool of four (two reviewers each); the
    first pool reviewer is a member of the first application's team."""
    s = h.review_setup(make, reviewers=4, per_application=2)
    s.applications = [s.application]
    for _ in range(5):
        team = make.team(s.park, status="resident")
        s.applications.append(h.application(make, s.call, team, status="in_review"))
    s.insider = make.user("reviewer", team=s.team)
    s.pool[0] = s.insider
    h.replace_pool(make, s.call, s.pool)
    return s


def _propose(api, s):
    return api(s.staff).post(f"/calls/{s.call.id}/assignment-proposal")


def _pairs(body):
    return [
        {"application_id": a["application_id"], "reviewer_id": r}
        for a in body["applications"]
        for r in a["new_reviewer_ids"]
    ]


def test_the_proposal_covers_every_application_evenly_without_conflicts(app, make, api, s):
    response = _propose(api, s)

    assert response.status_code == 200
    body = response.get_json()
    assert [a["application_id"] for a in body["applications"]] == [a.id for a in s.applications]
    assert all(len(a["reviewer_ids"]) == 2 for a in body["applications"])
    assert s.insider.id not in body["applications"][0]["reviewer_ids"]
    assert sorted(x["load"] for x in body["loads"]) == [3, 3, 3, 3]
    assert body["spread"] == 0
    assert h.count(app, Review) == 0  # proposing writes nothing

    accepted = api(s.staff).post(
        f"/calls/{s.call.id}/assignment-proposal/accept", json={"assignments": _pairs(body)}
    )

    assert accepted.status_code == 201 and accepted.get_json()["created"] == 12
    loads = Counter(r.reviewer_id for r in h.rows(app, Review))
    assert sorted(loads.values()) == [3, 3, 3, 3]
    assert (s.application.id, s.insider.id) not in {
        (r.application_id, r.reviewer_id) for r in h.rows(app, Review)
    }


def test_kept_assignments_count_and_loads_stay_within_one(app, make, api, s):
    for application in s.applications[1:4]:
        h.review(make, application, s.pool[1])  # pool[1] carries three already

    body = _propose(api, s).get_json()

    loads = {x["reviewer_id"]: x["load"] for x in body["loads"]}
    assert max(loads.values()) - min(loads.values()) <= 1
    assert loads[s.pool[1].id] == 3
    for a in body["applications"][1:4]:
        assert s.pool[1].id in a["reviewer_ids"] and s.pool[1].id not in a["new_reviewer_ids"]


def test_accepting_checks_each_pair_again_all_or_nothing(app, make, api, s):
    body = _propose(api, s).get_json()
    pairs = [*_pairs(body)[:3], {"application_id": s.application.id, "reviewer_id": s.insider.id}]

    refused = api(s.staff).post(
        f"/calls/{s.call.id}/assignment-proposal/accept", json={"assignments": pairs}
    )

    assert refused.status_code == 409
    error = h.error_of(refused)
    assert (error["code"], error["conflict"]["reason"]) == ("conflict_of_interest", "team_member")
    assert h.count(app, Review) == 0


def test_an_application_of_another_call_is_refused(app, make, api, s):
    other = h.application(make, h.call(make, s.fund), make.team(s.park), status="in_review")
    pairs = [{"application_id": other.id, "reviewer_id": s.pool[1].id}]

    refused = api(s.staff).post(
        f"/calls/{s.call.id}/assignment-proposal/accept", json={"assignments": pairs}
    )

    assert refused.status_code == 422
    assert h.count(app, Review) == 0


def test_a_recusal_is_filled_by_the_next_proposal(app, make, api, s):
    h.review(make, s.application, s.pool[1])
    h.recused(make, s.application, s.pool[2], "曾投资该团队")

    body = _propose(api, s).get_json()

    first = body["applications"][0]
    assert len(first["reviewer_ids"]) == 2 and s.pool[1].id in first["reviewer_ids"]
    assert s.pool[2].id not in first["reviewer_ids"]  # the declared conflict holds
    assert s.insider.id not in first["reviewer_ids"]
    assert first["new_reviewer_ids"] == [s.pool[3].id]


def test_an_impossible_assignment_names_the_applications(app, make, api, s):
    h.replace_pool(make, s.call, [s.insider, s.pool[1]])

    refused = _propose(api, s)

    assert refused.status_code == 409
    error = h.error_of(refused)
    assert error["code"] == "assignment_impossible"
    assert [a["id"] for a in error["applications"]] == [s.application.id]


def test_staff_propose_adjust_and_accept_on_the_page(app, make, client, s):
    login(client, s.staff.email)
    page = f"/calls/{s.call.id}/assignment"

    proposed = text(client.get(f"{page}?propose=1"))

    slots = re.findall(r'<select name="(slot_(\d+)_\d+)"', proposed)
    assert len(slots) == 12
    data = {name: "" for name, _a in slots}
    chosen = {}
    for name, _application_id in slots:  # each select's proposed reviewer
        block = proposed.split(f'name="{name}"')[1].split("</select>")[0]
        chosen[name] = re.search(r'<option value="(\d+)" selected>', block).group(1)
    data.update(chosen)
    first_slot = next(n for n, a in slots if int(a) == s.applications[-1].id)
    data[first_slot] = ""  # adjusted: one place left empty
    accepted = h.post_form(client, page, data, page=page)

    assert accepted.status_code == 302
    assert h.count(app, Review) == 11
    refused = h.post_form(
        client,
        page,
        {f"slot_{s.application.id}_1": str(s.insider.id)},
        page=page,
    )
    assert refused.status_code == 422 and "the applying team" in text(refused)
    assert h.count(app, Review) == 11

"""Usage ingestion (ingest_usage, what the API and the upload page call): every bad record
of a batch is listed with its index, field and reason and nothing is stored; a record sent
again is a duplicate; residency is the team's, on the record's park-local start day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from opc.auth.models import User
from opc.compute.models import UsageBatch, UsageDraw, UsageRecord, Voucher
from opc.compute.operations.usage import ingest_usage
from opc.compute.operations.usage_input import InvalidRecords
from opc.core.errors import DomainError
from opc.extensions import db
from opc.teams.models import TeamStatusChange
from tests.compute.usage_helpers import (
    D,
    count,
    ingest,
    programme,
    provider,
    record,
    resident,
    rows,
    voucher,
)
from tests.core.helpers import table_counts


@pytest.fixture
def world(make):
    park = make.park()
    team = resident(make, park, "2026-01-01")
    return park, team, provider(make)


def refused(app, source, records, actor=None) -> list[tuple[int, str, str]]:
    """The problems of a refused batch; nothing was written."""
    before = table_counts(app)
    with pytest.raises(InvalidRecords) as caught:
        ingest(app, source, records, actor)
    assert caught.value.code == "invalid_records" and caught.value.status == 422
    assert table_counts(app) == before
    return caught.value.problems


def test_a_batch_is_stored_with_its_month_park_and_batch(app, make, world):
    park, team, source = world
    done = ingest(app, source, [record(team, external_id="a"), record(team, external_id="b")])
    assert (done.stored, done.duplicates, done.cost_fen, done.subsidy_fen) == (2, 0, 20000, 0)
    stored = rows(app, UsageRecord, order_by=UsageRecord.external_id)
    assert [r.external_id for r in stored] == ["a", "b"]
    first = stored[0]
    assert (first.park_id, first.provider_id, first.batch_id) == (park.id, source.id, done.batch_id)
    assert first.started_at == datetime(2026, 3, 10, 1, tzinfo=UTC)  # stored in UTC
    assert (first.month, first.gpu_hours_hundredths, first.cost_fen) == ("2026-03", 1600, 10000)
    batch = rows(app, UsageBatch)[0]
    assert (batch.source, batch.stored, batch.duplicates, batch.cost_fen) == ("api", 2, 0, 20000)


def test_times_are_stored_as_the_orm_stores_them_so_ranges_in_sql_hold(app, make, world):
    """On SQLite a datetime is text: written in bulk it must be the ORM's text, or a range
    in SQL (`started_at >= midnight`) would miss a job that starts at midnight."""
    _park, team, source = world
    midnight = record(team, start="2026-03-01T00:00:00Z", end="2026-03-01T01:00:00Z")
    ingest(app, source, [midnight])
    since = datetime(2026, 3, 1, tzinfo=UTC)
    assert count(app, UsageRecord, UsageRecord.started_at >= since) == 1
    assert count(app, UsageRecord, UsageRecord.ended_at <= since + timedelta(hours=1)) == 1
    with app.app_context():
        texts = db.session.execute(sa.text("SELECT started_at FROM usage_records")).scalars()
        if db.engine.dialect.name == "sqlite":
            assert list(texts) == ["2026-03-01 00:00:00.000000"]
        db.session.remove()


def test_the_month_is_the_park_local_month_of_the_start(app, make, world):
    _park, team, source = world
    late = record(team, start="2026-03-31T23:30:00+08:00", end="2026-04-01T01:00:00+08:00")
    utc = record(team, start="2026-03-31T16:30:00Z", end="2026-03-31T18:00:00Z")
    ingest(app, source, [late, utc])
    assert {r.month for r in rows(app, UsageRecord)} == {"2026-03", "2026-04"}


# Each kind of bad record: (changes to a good record, field named, words of the reason).
BAD = [
    ({"team_id": 999_999}, "team_id", "No such team"),
    ({"team_id": "12"}, "team_id", "whole number"),
    ({"team_id": 0}, "team_id", "whole number"),
    ({"gpu_hours": "0"}, "gpu_hours", "greater than zero"),
    ({"gpu_hours": "0.00"}, "gpu_hours", "greater than zero"),
    ({"gpu_hours": "-1.00"}, "gpu_hours", "greater than zero"),
    ({"gpu_hours": "1.005"}, "gpu_hours", "At most 2 decimals"),
    ({"gpu_hours": 16}, "gpu_hours", "written as a string"),
    ({"gpu_hours": "99999999.00"}, "gpu_hours", "At most"),
    ({"cost_yuan": "-0.01"}, "cost_yuan", "not be negative"),
    ({"cost_yuan": "-0"}, "cost_yuan", "not be negative"),
    ({"cost_yuan": "10.001"}, "cost_yuan", "At most 2 decimals"),
    ({"cost_yuan": "1e3"}, "cost_yuan", "written as a string"),
    ({"cost_yuan": "010.00"}, "cost_yuan", "written as a string"),
    ({"cost_yuan": "100000000.00"}, "cost_yuan", "At most"),
    ({"end": "2026-03-10T09:00:00+08:00"}, "end", "after the start"),
    ({"end": "2026-03-10T08:00:00+08:00"}, "end", "after the start"),
    ({"start": "2026-03-10T09:00:00"}, "start", "offset"),
    ({"start": "2026-03-10 09:00:00+08:00"}, "start", "offset"),
    ({"start": "2026-03-10T09:00:00+08:00\n"}, "start", "offset"),
    ({"start": "2026-02-30T09:00:00+08:00"}, "start", "real date"),
    ({"start": "0001-01-01T00:00:00+08:00"}, "start", "Dates from"),
    ({"external_id": ""}, "external_id", "Required"),
    ({"external_id": "   "}, "external_id", "Required"),
    ({"external_id": "x" * 101}, "external_id", "At most 100 characters"),
    ({"external_id": "job\x00"}, "external_id", "Control characters"),
    ({"external_id": 7}, "external_id", "Must be text"),
    ({"gpu_type": "g" * 41}, "gpu_type", "At most 40 characters"),
    ({"gpu_type": "A100\nH100"}, "gpu_type", "one line"),
    ({"colour": "red"}, "colour", "Unknown field"),
]


@pytest.mark.parametrize(("change", "field", "words"), BAD)
def test_each_kind_of_bad_record_is_named_with_its_index_and_field(
    app, world, change, field, words
):
    _park, team, source = world
    bad = record(team, **change)
    problems = refused(app, source, [record(team), bad, record(team)])
    assert [(i, f) for i, f, _r in problems] == [(1, field)], problems
    assert words in problems[0][2], problems


@pytest.mark.parametrize("missing", ["external_id", "team_id", "start", "end", "cost_yuan"])
def test_a_missing_field_is_named(app, world, missing):
    _park, team, source = world
    bad = record(team)
    del bad[missing]
    assert refused(app, source, [bad]) == [(0, missing, "Required.")]


def test_a_record_that_is_no_object_is_named(app, world):
    _park, team, source = world
    problems = refused(app, source, [record(team), ["a", "list"], None])
    assert [(i, f) for i, f, _r in problems] == [(1, ""), (2, "")]


def test_a_job_that_ends_in_the_future_is_refused(app, world):
    _park, team, source = world
    soon = datetime.now(UTC) + timedelta(hours=1)
    bad = record(team, start="2026-03-10T09:00:00+08:00", end=soon.isoformat(timespec="seconds"))
    assert refused(app, source, [bad])[0][:2] == (0, "end")


def test_every_bad_record_is_listed_and_every_bad_field_of_each(app, world):
    _park, team, source = world
    batch = [
        record(team),
        record(team, gpu_hours="0", cost_yuan="-1.00"),
        record(team),
        record(team, team_id=999_999),
        record(team, end="2026-03-10T08:00:00+08:00"),
    ]
    problems = refused(app, source, batch)
    assert [(i, f) for i, f, _r in problems] == [
        (1, "gpu_hours"),
        (1, "cost_yuan"),
        (3, "team_id"),
        (4, "end"),
    ]


# --- residency -------------------------------------------------------------------------


def test_usage_before_the_move_in_day_is_refused_park_local(app, make):
    park = make.park()  # Asia/Shanghai
    team = resident(make, park, "2026-03-01")
    source = provider(make)
    # 2026-03-01 00:30 in Beijing is still 2026-02-28 in UTC: resident on its local day.
    first = record(team, start="2026-02-28T16:30:00Z", end="2026-02-28T18:00:00Z")
    before = record(team, start="2026-02-28T23:30:00+08:00", end="2026-03-01T01:00:00+08:00")
    problems = refused(app, source, [first, before])
    assert [(i, f) for i, f, _r in problems] == [(1, "start")]
    assert "1 Mar 2026" in problems[0][2] and "28 Feb 2026" in problems[0][2]
    assert ingest(app, source, [first]).stored == 1


def test_usage_on_and_after_the_exit_day_is_refused(app, make):
    park = make.park()
    team = resident(make, park, "2026-01-01")
    make._save(
        TeamStatusChange(
            team_id=team.id, from_status="resident", to_status="exited", on=D("2026-03-10")
        )
    )
    source = provider(make)
    last = record(team, start="2026-03-09T22:00:00+08:00", end="2026-03-10T02:00:00+08:00")
    on_exit = record(team, start="2026-03-10T00:10:00+08:00", end="2026-03-10T02:00:00+08:00")
    problems = refused(app, source, [last, on_exit])
    assert [(i, f) for i, f, _r in problems] == [(1, "start")]
    assert "left on 10 Mar 2026" in problems[0][2]
    assert ingest(app, source, [last]).stored == 1


def test_a_team_never_resident_has_no_usage(app, make):
    park = make.park()
    applicant = make.team(park, status="applicant")
    source = provider(make)
    problems = refused(app, source, [record(applicant)])
    assert problems[0][:2] == (0, "start")
    assert "not resident" in problems[0][2]


def test_a_resident_from_before_histories_were_kept_has_usage(app, make):
    park = make.park()
    team = make.team(park, status="resident")  # no move-in in its history
    assert ingest(app, provider(make), [record(team)]).stored == 1


def test_staff_may_send_usage_only_for_the_teams_of_their_parks(app, make, world):
    park, team, source = world
    other = resident(make, make.park(), "2026-01-01")
    staff = make.user("staff", parks=[park])
    with app.app_context():
        actor = db.session.get(User, staff.id)
        with pytest.raises(InvalidRecords) as caught:
            ingest_usage(source.id, [record(team), record(other)], source="csv", actor=actor)
        assert caught.value.problems == [(1, "team_id", "No such team.")]
        assert ingest_usage(source.id, [record(team)], source="csv", actor=actor).stored == 1
        db.session.remove()


# --- idempotency -----------------------------------------------------------------------


def test_a_record_sent_again_is_a_duplicate_and_stores_nothing(app, world):
    _park, team, source = world
    sent = record(team, external_id="job-1")
    ingest(app, source, [sent])
    before = table_counts(app)
    again = ingest(app, source, [dict(sent)])
    assert (again.stored, again.duplicates, again.batch_id) == (0, 1, None)
    assert table_counts(app) == before  # not even a batch


def test_a_whole_batch_sent_again_is_all_duplicates(app, make, world):
    park, team, source = world
    prog = programme(make, park)
    voucher(make, prog, team, 1_000_000)
    batch = [record(team, external_id=f"job-{n}") for n in range(20)]
    first = ingest(app, source, batch)
    assert (first.stored, first.duplicates) == (20, 0)
    again = ingest(app, source, [dict(r) for r in batch])
    assert (again.stored, again.duplicates) == (0, 20)
    assert count(app, UsageRecord) == 20 and count(app, UsageDraw) == 20
    assert rows(app, Voucher)[0].used_fen == 20 * 5000  # drawn once


def test_a_batch_partly_sent_before_stores_only_the_new_records(app, world):
    _park, team, source = world
    ingest(app, source, [record(team, external_id="a"), record(team, external_id="b")])
    done = ingest(app, source, [record(team, external_id=x) for x in ("a", "b", "c")])
    assert (done.stored, done.duplicates) == (1, 2)
    assert rows(app, UsageBatch, order_by=UsageBatch.id)[-1].duplicates == 2


def test_a_job_id_repeated_in_one_batch_is_a_duplicate_when_identical(app, world):
    _park, team, source = world
    sent = record(team, external_id="same")
    done = ingest(app, source, [sent, dict(sent), record(team)])
    assert (done.stored, done.duplicates) == (2, 1)


def test_a_job_id_repeated_in_one_batch_with_other_values_is_refused(app, world):
    _park, team, source = world
    first = record(team, external_id="same")
    problems = refused(app, source, [first, {**first, "cost_yuan": "1.00"}])
    assert problems == [(1, "external_id", "Same job id as record 0, with other values.")]


def test_a_job_id_sent_again_with_other_values_is_refused(app, world):
    _park, team, source = world
    sent = record(team, external_id="job-7")
    ingest(app, source, [sent])
    problems = refused(app, source, [record(team), {**sent, "gpu_hours": "8.00"}])
    assert [(i, f) for i, f, _r in problems] == [(1, "external_id")]
    assert "other values" in problems[0][2]


def test_another_providers_job_id_is_refused(app, make, world):
    _park, team, source = world
    ingest(app, source, [record(team, external_id="theirs")])
    problems = refused(app, provider(make), [record(team, external_id="theirs")])
    assert problems == [(0, "external_id", "This job id is another provider's.")]


def test_the_same_time_in_another_offset_is_the_same_record(app, world):
    _park, team, source = world
    ingest(app, source, [record(team, external_id="z")])
    utc = record(team, external_id="z", start="2026-03-10T01:00:00Z", end="2026-03-10T03:00:00Z")
    assert ingest(app, source, [utc]).duplicates == 1


# --- the batch itself ------------------------------------------------------------------


def test_an_empty_batch_is_refused(app, world):
    _park, _team, source = world
    with pytest.raises(DomainError) as caught:
        ingest(app, source, [])
    assert "records" in caught.value.fields


def test_more_records_than_the_limit_answer_413_naming_it(app, world, monkeypatch):
    _park, team, source = world
    monkeypatch.setitem(app.config, "USAGE_BATCH_MAX_RECORDS", 3)
    with pytest.raises(DomainError) as caught:
        ingest(app, source, [record(team) for _ in range(4)])
    assert (caught.value.status, caught.value.code) == (413, "too_many_records")
    assert caught.value.extra == {"limit": 3, "setting": "USAGE_BATCH_MAX_RECORDS"}
    assert ingest(app, source, [record(team) for _ in range(3)]).stored == 3


def test_no_such_provider_is_a_field_error(app, world):
    _park, team, _source = world
    with pytest.raises(DomainError) as caught:
        ingest(app, type("P", (), {"id": 999_999})(), [record(team)])
    assert caught.value.fields == {"provider_id": ["No such provider."]}

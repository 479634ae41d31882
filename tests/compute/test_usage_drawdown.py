"""The draw-down: cost × rate, half-up to the fen, capped by what a voucher has left; the
team's vouchers valid on the record's park-local day and redeemable at its provider, the one
expiring first first; a record split across vouchers; what none covers, unsubsidised."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from opc.compute.drawdown import Balance, draw, half_up, reached
from opc.compute.models import AlertKind, UsageBatch, UsageDraw, UsageRecord
from opc.extensions import db
from tests.compute.usage_helpers import (
    ingest,
    programme,
    provider,
    record,
    resident,
    rows,
    subsidies,
    used,
    voucher,
)

DAY = date(2026, 3, 10)


def balance(ident: int, amount: int, rate: int, **kw) -> Balance:
    values = {
        "valid_from": date(2026, 1, 1),
        "valid_to": date(2026, 12, 31),
        "used_fen": 0,
        "hours": None,
        "used_hours": 0,
        "providers": None,
    }
    values.update(kw)
    return Balance(id=ident, rate=rate, amount_fen=amount, **values)


def drawn(taken):
    return [(v.id, fen, hours) for v, fen, hours in taken]


# --- the arithmetic --------------------------------------------------------------------


def test_half_up_to_the_fen():
    assert [half_up(n, 2) for n in (0, 1, 2, 3, 5)] == [0, 1, 1, 2, 3]  # 0.5 -> 1, 1.5 -> 2
    assert half_up(49_995, 1000) == 50 and half_up(49_499, 1000) == 49


def test_a_rate_of_33_33_percent_is_exact_to_the_fen():
    cases = {10_000: 3333, 150: 50, 1: 0, 2: 1, 3: 1, 999_999: 333_300}  # 49.995 -> 50
    for cost, share in cases.items():
        one = balance(1, 10**9, 3333)
        assert drawn(draw(cost, 100, [one], 1, DAY)) == ([(1, share, 100)] if share else [])


def test_a_share_that_rounds_to_nothing_draws_nothing():
    one = balance(1, 1000, 1000)  # 10 %
    assert draw(4, 100, [one], 1, DAY) == [] and one.used_fen == 0  # 0.4 fen
    assert drawn(draw(5, 100, [one], 1, DAY)) == [(1, 1, 100)]  # 0.5 fen, half up


def test_a_voucher_pays_at_most_what_it_has_left_and_the_rest_passes_on():
    first = balance(1, 10, 5000, used_fen=0)  # 10 fen left at 50 %
    second = balance(2, 10**6, 3333)
    taken = drawn(draw(100, 1000, [first, second], 1, DAY))
    # 10 fen pay for 20 fen of the cost (and 20 % of the hours); 80 fen at 33.33 % = 26.664.
    assert taken == [(1, 10, 200), (2, 27, 800)]
    assert (first.used_fen, second.used_fen) == (10, 27)


def test_without_another_voucher_the_subsidy_is_capped():
    only = balance(1, 1000, 10_000, used_fen=990)
    assert drawn(draw(5000, 100, [only], 1, DAY)) == [(1, 10, 0)]  # 10/5000 of 100 hundredths
    assert only.used_fen == only.amount_fen


def test_a_gpu_hour_voucher_covers_at_most_its_hours_and_the_cost_in_proportion():
    hours = balance(1, 10**6, 5000, hours=300, used_hours=100)  # 2 GPU-hours left
    money = balance(2, 10**6, 5000)
    taken = drawn(draw(1000, 800, [hours, money], 1, DAY))  # 8 GPU-hours, ¥10.00
    assert taken == [(1, 125, 200), (2, 375, 600)]  # a quarter, then the rest
    assert hours.used_hours == hours.hours


def test_spent_expired_unstarted_and_other_providers_vouchers_are_passed_over():
    spent = balance(1, 100, 5000, used_fen=100)
    expired = balance(2, 10**6, 5000, valid_to=date(2026, 3, 9))
    unstarted = balance(3, 10**6, 5000, valid_from=date(2026, 3, 11))
    elsewhere = balance(4, 10**6, 5000, providers=frozenset({9}))
    here = balance(5, 10**6, 5000, providers=frozenset({1, 9}))
    taken = draw(100, 100, [spent, expired, unstarted, elsewhere, here], 1, DAY)
    assert drawn(taken) == [(5, 50, 100)]
    assert draw(100, 100, [balance(6, 10**6, 5000, valid_to=DAY)], 1, DAY)  # last day: valid


def test_a_free_record_draws_nothing():
    assert draw(0, 100, [balance(1, 100, 5000)], 1, DAY) == []


def test_alerts_at_80_and_100_percent_of_the_amount_or_of_the_hours():
    assert reached(balance(1, 100, 5000, used_fen=79)) == []
    assert reached(balance(1, 100, 5000, used_fen=80)) == [AlertKind.USED_80]
    assert reached(balance(1, 100, 5000, used_fen=100)) == [AlertKind.USED_80, AlertKind.USED_100]
    by_hours = balance(1, 100, 5000, used_fen=1, hours=1000, used_hours=800)
    assert reached(by_hours) == [AlertKind.USED_80]


# --- ingested --------------------------------------------------------------------------


def test_records_draw_the_voucher_expiring_first_then_the_lowest_id(app, make):
    park = make.park()
    team = resident(make, park, "2026-01-01")
    source = provider(make)
    prog = programme(make, park, rate="50")
    late = voucher(make, prog, team, 1_000_000, valid_to="2026-12-31")
    tie_low = voucher(make, prog, team, 1_000_000, valid_to="2026-06-30")
    tie_high = voucher(make, prog, team, 1_000_000, valid_to="2026-06-30")
    ingest(app, source, [record(team)])
    assert [used(app, v)[0] for v in (late, tie_low, tie_high)] == [0, 5000, 0]


def test_a_record_splits_across_two_vouchers_exactly(app, make):
    park = make.park()
    team = resident(make, park, "2026-01-01")
    source = provider(make)
    first = voucher(make, programme(make, park, rate="33.33"), team, 1000, valid_to="2026-06-30")
    second = voucher(make, programme(make, park, rate="50"), team, 1_000_000)
    done = ingest(app, source, [record(team, external_id="big", cost_yuan="100.00")])
    # ¥10.00 at 33.33 % pays for 10000/3333 of the cost: ¥30.00…; the rest at 50 %.
    rest = half_up((10_000 * 3333 - 1000 * 10_000) * 5000, 3333 * 10_000)
    assert used(app, first)[0] == 1000 and used(app, second)[0] == rest == 3500
    assert subsidies(app) == {"big": 4500} and done.subsidy_fen == 4500
    draws = rows(app, UsageDraw, order_by=UsageDraw.voucher_id)
    assert [(d.voucher_id, d.subsidy_fen, d.gpu_hours_hundredths) for d in draws] == [
        (first.id, 1000, 480),  # 30.003 % of 16 GPU-hours
        (second.id, 3500, 1120),
    ]


def test_a_voucher_is_never_overdrawn_and_the_rest_is_owed_by_the_team(app, make):
    park = make.park()
    team = resident(make, park, "2026-01-01")
    source = provider(make)
    only = voucher(make, programme(make, park, rate="80"), team, 10_000)  # ¥100
    batch = [record(team, external_id=f"j{n}", cost_yuan="60.00") for n in range(4)]
    done = ingest(app, source, batch)
    assert used(app, only)[0] == 10_000
    assert subsidies(app) == {"j0": 4800, "j1": 4800, "j2": 400, "j3": 0}
    assert (done.cost_fen, done.subsidy_fen) == (24_000, 10_000)


def test_usage_no_voucher_covers_is_stored_unsubsidised(app, make):
    park = make.park()
    team = resident(make, park, "2026-01-01")
    done = ingest(app, provider(make), [record(team, external_id="bare")])
    assert (done.stored, done.subsidy_fen) == (1, 0)
    assert subsidies(app) == {"bare": 0} and rows(app, UsageDraw) == []


def test_a_voucher_is_drawn_only_within_its_days_in_the_parks_zone(app, make):
    park = make.park()  # Asia/Shanghai
    team = resident(make, park, "2026-01-01")
    source = provider(make)
    prog = programme(make, park)
    june = voucher(make, prog, team, 1_000_000, valid_from="2026-06-01", valid_to="2026-06-30")
    jobs = {
        "may31": ("2026-05-31T23:00:00+08:00", "2026-06-01T01:00:00+08:00"),  # before
        "jun01": ("2026-05-31T16:30:00Z", "2026-05-31T18:00:00Z"),  # 00:30 on June 1 locally
        "jun30": ("2026-06-30T23:00:00+08:00", "2026-07-01T01:00:00+08:00"),  # last day
        "jul01": ("2026-06-30T16:10:00Z", "2026-06-30T18:00:00Z"),  # 00:10 on July 1 locally
    }
    ingest(app, source, [record(team, external_id=k, start=s, end=e) for k, (s, e) in jobs.items()])
    assert subsidies(app) == {"may31": 0, "jun01": 5000, "jun30": 5000, "jul01": 0}
    assert used(app, june)[0] == 10_000


def test_vouchers_are_redeemable_only_at_their_providers(app, make):
    park = make.park()
    team = resident(make, park, "2026-01-01")
    listed, other, third = provider(make), provider(make), provider(make)
    by_programme = programme(make, park, rate="50", providers=(listed,))
    anywhere = programme(make, park, rate="50")
    own_list = voucher(make, anywhere, team, 1_000_000, providers=(other,), valid_to="2026-06-30")
    programmes = voucher(make, by_programme, team, 1_000_000, valid_to="2026-07-31")
    everywhere = voucher(make, anywhere, team, 1_000_000)
    ingest(app, other, [record(team)])  # its own list names `other`
    ingest(app, listed, [record(team)])  # lists none: the programme's providers
    ingest(app, third, [record(team)])  # neither: the programme without providers
    assert [used(app, v)[0] for v in (own_list, programmes, everywhere)] == [5000, 5000, 5000]


def test_a_batch_draws_its_records_in_the_order_they_started(app, make):
    park = make.park()
    team = resident(make, park, "2026-01-01")
    voucher(make, programme(make, park, rate="100"), team, 10_000)
    later = record(team, external_id="later", start="2026-03-11T09:00:00+08:00",
                   end="2026-03-11T10:00:00+08:00")  # fmt: skip
    earlier = record(team, external_id="earlier")
    ingest(app, provider(make), [later, earlier])
    assert subsidies(app) == {"earlier": 10_000, "later": 0}


def test_records_subsidies_are_their_draws_and_the_batch_sums_them(app, make):
    park = make.park()
    teams = [resident(make, park, "2026-01-01") for _ in range(3)]
    prog = programme(make, park, rate="33.33")
    for team in teams[:2]:
        voucher(make, prog, team, 5_000)
    batch = [record(t, cost_yuan=f"{n}7.91") for n in range(1, 8) for t in teams]
    done = ingest(app, provider(make), batch)
    with app.app_context():
        by_record = dict(
            db.session.execute(
                select(UsageDraw.record_id, func.sum(UsageDraw.subsidy_fen)).group_by(
                    UsageDraw.record_id
                )
            ).all()
        )
        for stored in db.session.scalars(select(UsageRecord)):
            assert stored.subsidy_fen == by_record.get(stored.id, 0)
        assert db.session.scalar(select(func.sum(UsageRecord.subsidy_fen))) == done.subsidy_fen
        db.session.remove()
    batch_row = rows(app, UsageBatch)[0]
    assert (batch_row.cost_fen, batch_row.subsidy_fen) == (done.cost_fen, done.subsidy_fen)
    assert done.subsidy_fen == 2 * 5_000  # both vouchers drawn to the fen, none over

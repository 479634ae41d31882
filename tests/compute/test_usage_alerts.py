"""Alerts of the draw-down: a voucher used to 80 % and to 100 % is alerted once each (a
VoucherAlert row, and `voucher_alerted` sent once for it), not once per record or batch."""

from __future__ import annotations

from contextlib import contextmanager

from opc.compute.models import VoucherAlert
from opc.compute.signals import voucher_alerted
from tests.compute.usage_helpers import (
    ingest,
    programme,
    provider,
    record,
    resident,
    rows,
    voucher,
)


@contextmanager
def heard():
    """The (voucher id, kind) of every voucher_alerted sent meanwhile."""
    sent: list[tuple[int, str]] = []

    def receiver(voucher, kind, **_kw):
        sent.append((voucher.id, kind))

    with voucher_alerted.connected_to(receiver):
        yield sent


def alerts(app) -> list[tuple[int, str]]:
    return sorted((a.voucher_id, a.kind) for a in rows(app, VoucherAlert))


def test_80_and_100_percent_are_each_alerted_once(app, make):
    park = make.park()
    team = resident(make, park, "2026-01-01")
    source = provider(make)
    full = voucher(make, programme(make, park, rate="100"), team, 10_000)  # ¥100
    with heard() as sent:
        ingest(app, source, [record(team, cost_yuan="50.00")])
        assert sent == [] and alerts(app) == []
        ingest(app, source, [record(team, cost_yuan="30.00"), record(team, cost_yuan="1.00")])
        assert sent == [(full.id, "used_80")]  # one alert for two records past the line
        ingest(app, source, [record(team, cost_yuan="5.00")])
        assert sent == [(full.id, "used_80")]  # still at 86 %: nothing new
        ingest(app, source, [record(team, cost_yuan="50.00")])
        assert sent == [(full.id, "used_80"), (full.id, "used_100")]
        ingest(app, source, [record(team, cost_yuan="50.00")])  # spent: unsubsidised
    assert sent == [(full.id, "used_80"), (full.id, "used_100")]
    assert alerts(app) == [(full.id, "used_100"), (full.id, "used_80")]


def test_one_draw_past_both_lines_records_both_alerts(app, make):
    park = make.park()
    team = resident(make, park, "2026-01-01")
    full = voucher(make, programme(make, park, rate="50"), team, 1000)
    with heard() as sent:
        ingest(app, provider(make), [record(team, cost_yuan="100.00")])
    assert sorted(sent) == [(full.id, "used_100"), (full.id, "used_80")]
    assert alerts(app) == [(full.id, "used_100"), (full.id, "used_80")]


def test_a_gpu_hour_voucher_is_alerted_by_its_hours(app, make):
    park = make.park()
    team = resident(make, park, "2026-01-01")
    hours = voucher(make, programme(make, park, rate="50"), team, 1_000_000, hours=2000)
    with heard() as sent:
        ingest(app, provider(make), [record(team, gpu_hours="16.00")])  # 80 % of 20 hours
    assert sent == [(hours.id, "used_80")]


def test_only_the_vouchers_drawn_are_alerted(app, make):
    park = make.park()
    team = resident(make, park, "2026-01-01")
    prog = programme(make, park, rate="100")
    drawn = voucher(make, prog, team, 1000, valid_to="2026-06-30")
    voucher(make, prog, team, 1000)  # expires later: untouched
    with heard() as sent:
        ingest(app, provider(make), [record(team, cost_yuan="9.00")])
    assert sent == [(drawn.id, "used_80")]

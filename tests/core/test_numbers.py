"""Numbers read as numbers (opc.core.numbers): thousands separators in areas and counts,
percentages that never read 0% for something that is there; on the pages too."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from opc.core.money import format_money
from opc.core.numbers import format_area, format_number, format_percent, share
from tests.conftest import login


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("100000"), "100,000.00"),
        (Decimal("1234.5"), "1,234.50"),
        (Decimal("0.005"), "0.01"),
        (30, "30.00"),
        (None, "—"),
    ],
)
def test_areas(value, text):
    assert format_area(value) == text


def test_numbers_and_money_have_thousands_separators():
    assert format_number(1234567) == "1,234,567"
    assert format_number(Decimal("1234.5")) == "1,234.5"
    assert format_number(Decimal("-9876.54"), 1) == "-9,876.5"
    assert format_money(123456700) == "¥1,234,567.00"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0, "0%"),
        (Decimal("0.4"), "0.4%"),
        (Decimal("0.45"), "0.5%"),
        (Decimal("0.04"), "<0.1%"),
        (Decimal("0.5"), "1%"),
        (Decimal("45.4"), "45%"),
        (Decimal("99.4"), "99%"),
        (Decimal("99.6"), "99.6%"),
        (Decimal("99.97"), ">99.9%"),
        (100, "100%"),
        (None, "—"),
    ],
)
def test_percentages_that_would_read_0_or_100_show_a_decimal(value, text):
    assert format_percent(value) == text


def test_share():
    assert share(Decimal("4"), Decimal("1000")) == "0.4%"
    assert share(Decimal("450"), Decimal("1000")) == "45%"
    assert share(1, 0) == "—"


def test_pages_show_areas_with_separators_and_small_shares_with_a_decimal(client, make):
    park = make.park(total_area_m2=Decimal("100000"))
    unit = make.unit(park, code="A-1", area_m2=Decimal("400"))
    make.allocation(make.team(park, status="resident"), unit, date(2020, 1, 1))
    login(client, make.user("staff", parks=[park]).email)
    page = client.get(f"/parks/{park.id}/occupancy", headers={"Accept-Language": "en"})
    text = page.get_data(as_text=True)
    assert "Allocated of 100,000.00 m² (0.4%)" in text
    assert "400.00 m²" in text
    dashboard = client.get(f"/parks/{park.id}", headers={"Accept-Language": "en"})
    text = dashboard.get_data(as_text=True)
    assert "100,000.00 m²" in text and ">0.4%<" in text
    assert "0%" not in text.replace("100%", "")

"""The dashboard's chart geometry: bars scale to the largest value within the plot, stacks
add up, lines leave out months to come; nothing is drawn outside the SVG."""

from __future__ import annotations

from decimal import Decimal

from opc.outcomes.dashboard import charts


def inside(chart: charts.Chart) -> bool:
    return all(
        r.x >= 0 and r.x + r.width <= chart.width and 0 <= r.y <= chart.base_y for r in chart.rects
    )


def test_grouped_bars_scale_to_the_largest_value():
    chart = charts.grouped_bars([("A", [(50, "a"), (100, "b")]), ("B", [(0, "c"), (25, "d")])])

    heights = [r.height for r in chart.rects]
    plot = chart.height - charts.TOP - charts.BOTTOM
    assert heights == [plot / 2, plot, 0, plot / 4]
    assert [r.series for r in chart.rects] == [0, 1, 0, 1]
    assert [label.text for label in chart.labels] == ["A", "B"] and inside(chart)


def test_stacked_bars_add_up_and_the_line_shares_the_scale():
    chart = charts.stacked_bars(
        [("Q1", [(10, ""), (30, ""), (0, "")]), ("Q2", [(20, ""), (0, ""), (20, "")])],
        [(80, "Q1"), (0, "Q2")],
    )

    plot = chart.height - charts.TOP - charts.BOTTOM
    assert len(chart.rects) == 4  # nothing is drawn for a zero
    assert sum(r.height for r in chart.rects[:2]) == plot * 40 / 80
    [(series, _points, marks)] = chart.lines
    assert series == 3 and marks[0][1] == charts.TOP and marks[1][1] == chart.base_y
    assert inside(chart)


def test_month_lines_leave_out_months_to_come():
    chart = charts.months_lines(
        ["1", "2", "3"],
        [(4, "4"), (2, "2"), None],
        [(Decimal("50.0"), "50%"), (Decimal("100"), "100%"), None],
    )

    area, residents = chart.lines
    assert len(area[2]) == len(residents[2]) == 2
    assert residents[2][0][1] == charts.TOP  # the most residents at the top
    assert area[2][1][1] == charts.TOP  # 100 % at the top
    assert chart.area.startswith(f"{area[2][0][0]},{chart.base_y}")


def test_empty_charts_draw_nothing():
    assert charts.grouped_bars([]).rects == []
    assert charts.months_lines([], [], []).lines == []

"""The dashboard's charts as geometry for server-drawn SVG (templates/outcomes/_charts.html):
no script, no library from a CDN. Every chart has the table of its numbers beside it.

Coordinates are in the SVG's own units: the plot spans `LEFT`…`width - RIGHT` across and
`TOP`…`height - BOTTOM` down; labels go below, values above the bars.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

LEFT, RIGHT, TOP, BOTTOM = 8, 8, 18, 40
WIDTH, HEIGHT = 720, 240


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    series: int  # which series (colour and legend)
    title: str  # the hover text: label and value


@dataclass(frozen=True)
class Label:
    x: float
    text: str


@dataclass
class Chart:
    width: int = WIDTH
    height: int = HEIGHT
    rects: list[Rect] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    # Lines as SVG point lists ("x,y x,y"), with their series and points' hover texts.
    lines: list[tuple[int, str, list[tuple[float, float, str]]]] = field(default_factory=list)
    area: str = ""  # an area's polygon points (occupancy), drawn under the lines

    @property
    def base_y(self) -> float:
        return self.height - BOTTOM


def _scale(top: float, height: int = HEIGHT) -> float:
    """Units of SVG per unit of value so that `top` fills the plot."""
    return (height - TOP - BOTTOM) / top if top else 0.0


def _slots(n: int, width: int = WIDTH) -> tuple[float, float]:
    """Where slot 0 starts and how wide each of `n` slots is."""
    return LEFT, (width - LEFT - RIGHT) / max(n, 1)


def grouped_bars(groups: list[tuple[str, list[tuple[int, str]]]]) -> Chart:
    """Bars side by side per group (a track: the year before, then this year): `groups`
    as (label, [(value, hover text) per series])."""
    chart = Chart()
    top = max([v for _label, bars in groups for v, _t in bars] + [1])
    unit = _scale(top)
    x0, slot = _slots(len(groups))
    for i, (label, bars) in enumerate(groups):
        inner = slot * 0.8 / max(len(bars), 1)
        for s, (value, text) in enumerate(bars):
            h = round(value * unit, 1)
            x = round(x0 + i * slot + slot * 0.1 + s * inner, 1)
            chart.rects.append(
                Rect(x, round(chart.base_y - h, 1), round(inner * 0.9, 1), h, s, text)
            )
        chart.labels.append(Label(round(x0 + i * slot + slot / 2, 1), label))
    return chart


def stacked_bars(
    groups: list[tuple[str, list[tuple[int, str]]]], line: list[tuple[int, str]]
) -> Chart:
    """Per group (a quarter) the series stacked (rent, compute, funds), and a line of
    another figure (revenue and taxes) on the same scale, a point per group."""
    chart = Chart()
    top = max([sum(v for v, _t in bars) for _label, bars in groups] + [v for v, _t in line] + [1])
    unit = _scale(top)
    x0, slot = _slots(len(groups))
    points = []
    for i, (label, bars) in enumerate(groups):
        y = chart.base_y
        x = round(x0 + i * slot + slot * 0.25, 1)
        for s, (value, text) in enumerate(bars):
            h = round(value * unit, 1)
            y = round(y - h, 1)
            if h:
                chart.rects.append(Rect(x, y, round(slot * 0.5, 1), h, s, text))
        centre = round(x0 + i * slot + slot / 2, 1)
        chart.labels.append(Label(centre, label))
        if i < len(line):
            value, text = line[i]
            points.append((centre, round(chart.base_y - value * unit, 1), text))
    if points:
        chart.lines.append((len(groups[0][1]) if groups else 0, _polyline(points), points))
    return chart


def months_lines(
    labels: list[str], counts: list[tuple[int, str] | None], pcts: list[tuple[Decimal, str] | None]
) -> Chart:
    """Residents as a line (scaled to the most) and occupancy as an area (0–100 %) by
    month; months to come (None) are left out."""
    chart = Chart()
    top = max([c[0] for c in counts if c] + [1])
    unit, pct_unit = _scale(top), _scale(100)
    x0, slot = _slots(len(labels))
    resident_points, area_points = [], []
    for i, label in enumerate(labels):
        centre = round(x0 + i * slot + slot / 2, 1)
        chart.labels.append(Label(centre, label))
        if counts[i] is not None:
            n, text = counts[i]  # type: ignore[misc]
            resident_points.append((centre, round(chart.base_y - n * unit, 1), text))
        if pcts[i] is not None:
            pct, text = pcts[i]  # type: ignore[misc]
            area_points.append((centre, round(chart.base_y - float(pct) * pct_unit, 1), text))
    if area_points:
        first, last = area_points[0][0], area_points[-1][0]
        chart.area = f"{first},{chart.base_y} {_polyline(area_points)} {last},{chart.base_y}"
        chart.lines.append((1, _polyline(area_points), area_points))
    if resident_points:
        chart.lines.append((0, _polyline(resident_points), resident_points))
    return chart


def _polyline(points: list[tuple[float, float, str]]) -> str:
    return " ".join(f"{x},{y}" for x, y, _text in points)

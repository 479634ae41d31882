"""The outcome dashboard's figures for a park and a year, against the year before: what the
page, its tables and the JSON twin show, from the statements of `queries`.

Like is compared with like. Output compares the quarters reported so far this year (Q1 to
the latest quarter any team reported) with the same quarters of the year before; a year's
headcount is its last compared quarter's, never a sum. Residents, occupancy, graduations
and subsidy compare the year to date (its months up to the park's today; a past year all
twelve) with the same months of the year before. Output per yuan of subsidy divides the
revenue and taxes of the compared quarters by the subsidy spent in those quarters' months.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask_babel import lazy_gettext as _l

from opc.outcomes.dashboard import queries
from opc.outcomes.dashboard.queries import Graduation, Output
from opc.parks.models import Park
from opc.teams.models import Track

# The years a dashboard may show: those a KPI report may have (ck_kpi_reports_year_sane).
MIN_YEAR, MAX_YEAR = 2000, 2100
TENTH = Decimal("0.1")
HUNDREDTH = Decimal("0.01")


def growth(this: int | Decimal, last: int | Decimal) -> Decimal | None:
    """The change from `last` to `this` in percent, to a tenth; None when `last` is nothing
    (growth from zero has no percentage)."""
    if not last:
        return None
    return (Decimal(this - last) * 100 / Decimal(last)).quantize(TENTH, rounding=ROUND_HALF_UP)


def ratio(part: int, whole: int) -> Decimal | None:
    """`part` per unit of `whole`, to the hundredth; None when `whole` is nothing."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Figure:
    """A headline figure this year and the year before: `kind` says how to show it (money
    in fen, count, percent, ratio); `key` is its name in the API."""

    key: str
    label: Any
    kind: str
    this: int | Decimal | None
    last: int | Decimal | None

    @property
    def growth(self) -> Decimal | None:
        """The change in percent; for a percentage (occupancy) in percentage points, since
        "2% to 3%" is one point more, not "50% more"."""
        if self.this is None or self.last is None:
            return None
        if self.kind == "pct":
            return Decimal(self.this - self.last).quantize(TENTH, rounding=ROUND_HALF_UP)
        return growth(self.this, self.last)


@dataclass
class TrackOutput:
    track: str
    this: Output
    last: Output


@dataclass
class Month:
    """A month of the year: residents and area held at its end (today for the running
    month, None for months to come), graduations and subsidy spent in it."""

    month: int
    day: date | None
    residents: int | None
    allocated_m2: Decimal | None
    occupancy_pct: Decimal | None
    graduations: int
    subsidy: list[int]  # fen: rent waived, compute subsidised, funds disbursed

    @property
    def subsidy_fen(self) -> int:
        return sum(self.subsidy)


@dataclass
class Quarter:
    quarter: int
    output: Output
    subsidy: list[int]  # fen, as Month.subsidy, summed over the quarter's months

    @property
    def subsidy_fen(self) -> int:
        return sum(self.subsidy)


@dataclass
class Dashboard:
    park: Park
    year: int
    today: date
    quarters_compared: int  # 0: no team reported for the year yet
    months_compared: int  # 0: the year has not begun
    this: Output
    last: Output
    tracks: list[TrackOutput]
    quarters: list[Quarter]
    last_quarters: list[Quarter]
    months: list[Month]
    last_months: list[Month]
    graduated: list[Graduation] = field(default_factory=list)

    @property
    def residents(self) -> tuple[int, int]:
        """Residents at the end of the last compared month, this year and the year before."""
        return self._at_end(lambda m: m.residents or 0)

    @property
    def occupancy_pct(self) -> tuple[Decimal, Decimal]:
        return self._at_end(lambda m: m.occupancy_pct or Decimal(0))

    def _at_end(self, figure: Callable[[Month], Any]) -> Any:
        if not self.months_compared:
            return 0, 0
        i = self.months_compared - 1
        return figure(self.months[i]), figure(self.last_months[i])

    @property
    def graduations(self) -> tuple[int, int]:
        n = self.months_compared
        return (
            sum(m.graduations for m in self.months[:n]),
            sum(m.graduations for m in self.last_months[:n]),
        )

    @property
    def subsidy(self) -> tuple[list[int], list[int]]:
        """Per source, the fen spent in the compared months, this year and the year before."""
        n = self.months_compared
        return _sum_sources(self.months[:n]), _sum_sources(self.last_months[:n])

    @property
    def output_per_subsidy_yuan(self) -> tuple[Decimal | None, Decimal | None]:
        """Revenue and taxes per yuan of subsidy over the compared quarters."""
        n = self.quarters_compared
        pairs = []
        for quarters in (self.quarters[:n], self.last_quarters[:n]):
            output = sum(q.output.revenue_and_taxes_fen for q in quarters)
            pairs.append(ratio(output, sum(q.subsidy_fen for q in quarters)))
        return pairs[0], pairs[1]


def headline(d: Dashboard) -> list[Figure]:
    """The headline figures with their growth, in the order the page shows them."""
    spent, spent_before = d.subsidy
    return [
        Figure("revenue_yuan", _l("Revenue"), "money", d.this.revenue_fen, d.last.revenue_fen),
        Figure("taxes_yuan", _l("Taxes paid"), "money", d.this.taxes_fen, d.last.taxes_fen),
        Figure(
            "financing_yuan",
            _l("Financing raised"),
            "money",
            d.this.financing_fen,
            d.last.financing_fen,
        ),
        Figure("rnd_yuan", _l("R&D spending"), "money", d.this.rnd_fen, d.last.rnd_fen),
        Figure("headcount", _l("Headcount"), "count", d.this.headcount, d.last.headcount),
        Figure("ip_applied", _l("IP applied"), "count", d.this.ip_applied, d.last.ip_applied),
        Figure("ip_granted", _l("IP granted"), "count", d.this.ip_granted, d.last.ip_granted),
        Figure(
            "works_released",
            _l("Works released"),
            "count",
            d.this.works_released,
            d.last.works_released,
        ),
        Figure("residents", _l("Resident teams"), "count", *d.residents),
        Figure("occupancy_pct", _l("Occupancy"), "pct", *d.occupancy_pct),
        Figure("graduations", _l("Graduations"), "count", *d.graduations),
        Figure("subsidy_yuan", _l("Subsidy spent"), "money", sum(spent), sum(spent_before)),
        Figure(
            "output_per_subsidy_yuan",
            _l("Revenue and taxes per yuan of subsidy"),
            "ratio",
            *d.output_per_subsidy_yuan,
        ),
    ]


def _sum_sources(rows: list[Month] | list[Quarter]) -> list[int]:
    return [sum(r.subsidy[i] for r in rows) for i in range(len(queries.SUBSIDY_SOURCES))]


def _year_output(
    rows: dict[tuple[int, int, str], Output], year: int, quarters: int
) -> tuple[Output, dict[str, Output], list[Output]]:
    """The year's output over Q1…`quarters`, in total and per track, and per quarter.

    Stocks (headcount) come from the last of those quarters that has any report, the same
    quarter for every track, so the tracks add up to the total."""
    per_quarter = [Output() for _q in range(4)]
    for (y, q, _track), out in rows.items():
        if y == year:
            per_quarter[q - 1].add(out)
    reported = [q for q in range(1, quarters + 1) if per_quarter[q - 1].reports]
    stock_quarter = max(reported, default=0)
    total, tracks = Output(), {}
    for (y, q, track), out in rows.items():
        if y != year or q > quarters:
            continue
        same = q == stock_quarter
        total.add(out, stocks=same)
        tracks.setdefault(track, Output()).add(out, stocks=same)
    return total, tracks, per_quarter


def _month_end(year: int, month: int) -> date:
    first = date(year, month, 1)
    return (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def _days(year: int, today: date) -> list[date | None]:
    """Each month's day of reading: its end, today for the running month, None to come."""
    return [
        None if date(year, m, 1) > today else min(_month_end(year, m), today) for m in range(1, 13)
    ]


def _year_earlier(day: date | None, year: int) -> date | None:
    """The same day of the month a year earlier: a month end stays a month end (28 February
    of a year after a leap year reads 29 February)."""
    if day is None:
        return None
    end = _month_end(year, day.month)
    return end if day == _month_end(day.year, day.month) else end.replace(day=min(day.day, end.day))


def dashboard(park: Park, year: int, today: date) -> Dashboard:
    """Everything the dashboard shows for `park` and `year`, `today` being the park's day:
    seven statements, whatever the number of teams."""
    last_year = year - 1
    rows = queries.output_rows(park, (last_year, year))
    quarters = max((q for (y, q, _t) in rows if y == year), default=0)
    this, this_tracks, this_quarters = _year_output(rows, year, quarters)
    last, last_tracks, last_quarters = _year_output(rows, last_year, quarters or 4)
    order = {t.value: i for i, t in enumerate(Track)}
    tracks = [
        TrackOutput(t, this_tracks.get(t, Output()), last_tracks.get(t, Output()))
        for t in sorted(set(this_tracks) | set(last_tracks), key=lambda t: order.get(t, 99))
    ]

    subsidy = queries.subsidy_by_month(park, date(last_year, 1, 1), date(year + 1, 1, 1))
    this_days = _days(year, today)
    months_compared = sum(1 for d in this_days if d is not None)
    last_days = [_year_earlier(d, last_year) for d in this_days]
    days = [d for d in this_days + last_days if d is not None]
    residents = queries.residents_on(park, days)
    allocated = queries.allocated_on(park, days)
    graduated = queries.graduations(park, date(last_year, 1, 1), date(year + 1, 1, 1))
    total_m2 = Decimal(park.total_area_m2 or 0)

    def month(y: int, m: int, day: date | None, spent: list[int]) -> Month:
        held = allocated.get(day) if day else None
        pct = (held * 100 / total_m2).quantize(TENTH) if held is not None and total_m2 else None
        count = sum(1 for g in graduated if g.on.year == y and g.on.month == m)
        return Month(m, day, residents.get(day) if day else None, held, pct, count, spent)

    months = [month(year, m, this_days[m - 1], subsidy[(year, m)]) for m in range(1, 13)]
    last_months = [
        month(last_year, m, last_days[m - 1], subsidy[(last_year, m)]) for m in range(1, 13)
    ]
    return Dashboard(
        park=park,
        year=year,
        today=today,
        quarters_compared=quarters,
        months_compared=months_compared,
        this=this,
        last=last,
        tracks=tracks,
        quarters=_quarters(this_quarters, months),
        last_quarters=_quarters(last_quarters, last_months),
        months=months,
        last_months=last_months,
        graduated=[g for g in graduated if g.on.year == year],
    )


def _quarters(outputs: list[Output], months: list[Month]) -> list[Quarter]:
    return [
        Quarter(q, outputs[q - 1], _sum_sources(months[3 * q - 3 : 3 * q])) for q in range(1, 5)
    ]

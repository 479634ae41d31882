"""The Torch survey's form per year (config/torch.toml, or the file TORCH_MAPPING_FILE names):
which figures its table of resident enterprises holds, in which order, under which printed
header and unit. Read and checked once when the app starts, so that a mapping the export
could not follow stops the start with a message naming the year, the column and the fault,
instead of failing at the first download.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from opc.config import ROOT, ConfigError

DEFAULT_FILE = ROOT / "config" / "torch.toml"
FIRST_YEAR, LAST_YEAR = 2000, 2100  # the years a KPI report may have (ck_kpi_reports_year_sane)

# What each kind of figure may be measured in. Money: fen per unit, and the decimals a unit
# keeps unless the column says (千元 to the yuan: 3).
MONEY_UNITS = {"元": (100, 0), "千元": (100_000, 3), "万元": (1_000_000, 4)}
COUNT_UNITS = frozenset({"人", "件", "项", "个", "部"})
AREA_UNITS = frozenset({"m²", "平方米"})
FLAG_UNITS = frozenset({"是/否"})
KINDS_UNITS: dict[str, frozenset[str]] = {
    "text": frozenset({""}),
    "date": frozenset({""}),
    "money": frozenset(MONEY_UNITS),
    "count": COUNT_UNITS,
    "area": AREA_UNITS,
    "flag": FLAG_UNITS,
}

# The figures the export knows, by key, and their kind. Money and counts of the KPI reports
# are the year's sum of its quarters; employees and graduates hired the last quarter's.
FIELDS: dict[str, str] = {
    "name": "text",  # the legal entity's name, else the team's Chinese name
    "team_name": "text",
    "uscc": "text",
    "track": "text",
    "founded_on": "date",
    "moved_in_on": "date",
    "left_on": "date",
    "area_m2": "area",
    "employees": "count",
    "graduates_hired": "count",
    "revenue": "money",
    "rnd": "money",
    "taxes": "money",
    "financing": "money",
    "patents_applied": "count",
    "patents_granted": "count",
    "software_copyrights_applied": "count",
    "software_copyrights_granted": "count",
    "trademarks_applied": "count",
    "trademarks_granted": "count",
    "works_released": "count",
    "graduated": "flag",
}
MAX_DECIMALS = 6
_COLUMN_KEYS = frozenset({"key", "header", "unit", "decimals"})
_YEAR_KEYS = frozenset({"title", "columns"})


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    unit: str = ""
    decimals: int = 0

    @property
    def kind(self) -> str:
        return FIELDS[self.key]

    @property
    def title(self) -> str:
        """The header as the form prints it, with its unit: 营业收入（千元）."""
        return f"{self.header}（{self.unit}）" if self.unit else self.header

    @property
    def fen_per_unit(self) -> int:
        return MONEY_UNITS[self.unit][0]

    @property
    def quantum(self) -> Decimal:
        return Decimal(1).scaleb(-self.decimals)


@dataclass(frozen=True)
class Form:
    year: int
    title: str
    columns: tuple[Column, ...]


def load(path: Path | str | None = None) -> dict[int, Form]:
    """The forms of a mapping file by year; ConfigError naming what is wrong."""
    file = Path(path) if path else DEFAULT_FILE
    if not file.is_absolute():
        file = ROOT / file
    try:
        with file.open("rb") as fh:
            raw = tomllib.load(fh)
    except FileNotFoundError as exc:
        raise ConfigError(f"Torch mapping not found: {file} (check TORCH_MAPPING_FILE)") from exc
    except (IsADirectoryError, PermissionError) as exc:
        raise ConfigError(f"Torch mapping {file} cannot be read: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"Torch mapping {file} is not valid TOML: {exc}") from exc
    return parse(raw, str(file))


def parse(raw: dict[str, Any], where: str = "Torch mapping") -> dict[int, Form]:
    """Check a mapping read from TOML; every fault in one ConfigError."""
    problems: list[str] = []
    forms: dict[int, Form] = {}
    if not raw:
        problems.append("it names no survey year")
    for name, table in raw.items():
        year = int(name) if name.isdigit() else None
        if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
            problems.append(f"{name!r} is not a survey year ({FIRST_YEAR} to {LAST_YEAR})")
            continue
        form = _form(year, table, problems)
        if form is not None:
            forms[year] = form
    if problems:
        raise ConfigError(f"{where}: " + "; ".join(problems) + ".")
    return dict(sorted(forms.items()))


def _form(year: int, table: Any, problems: list[str]) -> Form | None:
    if not isinstance(table, dict):
        problems.append(f"year {year} must be a table with `columns`")
        return None
    for unknown in sorted(set(table) - _YEAR_KEYS):
        problems.append(f"year {year}: unknown setting {unknown!r} (title, columns)")
    title = table.get("title", "")
    if not isinstance(title, str):
        problems.append(f"year {year}: title must be a string")
    columns = table.get("columns")
    if not isinstance(columns, list) or not columns:
        problems.append(f"year {year}: `columns` must list the form's columns")
        return None
    made = [_column(year, n, c, problems) for n, c in enumerate(columns, start=1)]
    keys = [c.key for c in made if c is not None]
    for key in sorted({k for k in keys if keys.count(k) > 1}):
        problems.append(f"year {year}: {key!r} is in more than one column")
    if any(c is None for c in made):
        return None
    return Form(year, title if isinstance(title, str) else "", tuple(made))  # type: ignore[arg-type]


def _column(year: int, number: int, raw: Any, problems: list[str]) -> Column | None:
    where = f"year {year}, column {number}"
    if not isinstance(raw, dict):
        problems.append(f"{where} must be a table {{ key, header, unit }}")
        return None
    before = len(problems)
    for unknown in sorted(set(raw) - _COLUMN_KEYS):
        problems.append(f"{where}: unknown setting {unknown!r} (key, header, unit, decimals)")
    key, header, unit = raw.get("key"), raw.get("header"), raw.get("unit", "")
    if key not in FIELDS:
        problems.append(f"{where}: key {key!r} is not one the export knows ({', '.join(FIELDS)})")
        return None
    where = f"{where} ({key})"
    if not isinstance(header, str) or not header.strip():
        problems.append(f"{where}: header must be the text the form prints")
    allowed = KINDS_UNITS[FIELDS[key]]
    if unit not in allowed:
        shown = ", ".join(sorted(u for u in allowed if u)) or "none"
        problems.append(f"{where}: unit {unit!r} is not one of {shown}")
    decimals = raw.get("decimals")
    if decimals is not None and FIELDS[key] != "money":
        problems.append(f"{where}: only money columns take decimals")
    elif decimals is not None and (type(decimals) is not int or not 0 <= decimals <= MAX_DECIMALS):
        problems.append(f"{where}: decimals must be a whole number from 0 to {MAX_DECIMALS}")
    if len(problems) > before:
        return None
    if decimals is None:
        decimals = MONEY_UNITS[unit][1] if FIELDS[key] == "money" else 0
    return Column(key, header.strip(), unit, decimals)

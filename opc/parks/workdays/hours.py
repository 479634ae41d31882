"""A park's working hours: four per-park settings (opc.parks.settings) read as one value.

The day runs from `workday_starts` to `workday_ends`, less the lunch break from
`lunch_starts` to `lunch_ends` (a break of no length is none). Times go in quarter hours so
that the settings page offers them as a list and no value can be malformed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from opc.parks.settings import Setting, define

STEP_MINUTES = 15


def clock(minute: int) -> str:
    """A minute of the day as "HH:MM"."""
    return f"{minute // 60:02d}:{minute % 60:02d}"


QUARTERS = {clock(m): clock(m) for m in range(0, 1440, STEP_MINUTES)}
QUARTERS["24:00"] = "24:00"  # a day may work until midnight


def _hour(key: str, label: Any, default: str, order: int) -> Setting:
    return define(
        Setting(
            key,
            label,
            "choice",
            default,
            choices=QUARTERS,  # type: ignore[arg-type]  # times read the same in every language
            hint=_l("In the park's timezone; service deadlines count working time only."),
            order=order,
        )
    )


STARTS = _hour("workday_starts", _l("Working day starts at"), "09:00", 60)
LUNCH_STARTS = _hour("lunch_starts", _l("Lunch break starts at"), "12:00", 61)
LUNCH_ENDS = _hour("lunch_ends", _l("Lunch break ends at"), "13:30", 62)
ENDS = _hour("workday_ends", _l("Working day ends at"), "18:00", 63)
KEYS = (STARTS.key, LUNCH_STARTS.key, LUNCH_ENDS.key, ENDS.key)


def minute_of(text: str) -> int:
    """The minute of the day of an "HH:MM" setting (24:00 is 1440)."""
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


@dataclass(frozen=True)
class WorkingHours:
    """A working day's periods as [start, end) minutes of the day, in order."""

    periods: tuple[tuple[int, int], ...]

    @classmethod
    def of(cls, starts: int, lunch_starts: int, lunch_ends: int, ends: int) -> WorkingHours:
        """The day [starts, ends) less the break [lunch_starts, lunch_ends), empty parts dropped."""
        parts = [(starts, min(ends, lunch_starts)), (max(starts, lunch_ends), ends)]
        if lunch_ends <= lunch_starts:
            parts = [(starts, ends)]
        return cls(tuple((a, b) for a, b in parts if a < b))

    @classmethod
    def from_settings(cls, values: dict[str, Any]) -> WorkingHours:
        """The hours from a park's setting values (opc.parks.settings.values_of)."""
        return cls.of(*(minute_of(values[key]) for key in KEYS))

    def until(self, minute: int) -> WorkingHours:
        """The hours of a half day: work stops at `minute`."""
        return WorkingHours(tuple((a, min(b, minute)) for a, b in self.periods if a < minute))

    @property
    def minutes(self) -> int:
        return sum(b - a for a, b in self.periods)

    def label(self) -> str:
        """ "09:00–12:00, 13:30–18:00"."""
        return ", ".join(f"{clock(a)}–{clock(b)}" for a, b in self.periods)

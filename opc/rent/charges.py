"""Charges that domains above rent put on a team's statement (opc.rooms: a shared room's
hours beyond the team's free quota), without rent importing them.

A *provider* is `provider(session, park_id, first_day, end_day) -> {team_id: [Line, …]}`:
the lines it charges the park's teams for the month [first_day, end_day). Each registers
from its domain's init_app; opc.rent.compute adds their lines to the drafts (after rent and
waivers: waivers never waive them), counts them in gross, and corrects a month issued
before that computes differently today like rent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from opc.rent.compute import Line

Provider = Callable[[Session, int, date, date], Mapping[int, list["Line"]]]
# The line kinds a provider may give (the statement_lines' check constraint knows them).
KINDS = ("room",)

PROVIDERS: list[Provider] = []


def register(provider: Provider) -> None:
    """Add a provider of charges (idempotent)."""
    if provider not in PROVIDERS:
        PROVIDERS.append(provider)


def charged(session: Session, park_id: int, first: date, end: date) -> dict[int, list[Line]]:
    """Every provider's lines for the park's teams in [first, end), by team."""
    lines: dict[int, list[Line]] = defaultdict(list)
    for provider in PROVIDERS:
        for team_id, more in provider(session, park_id, first, end).items():
            lines[team_id].extend(more)
    return lines

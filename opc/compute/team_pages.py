"""What compute adds to the team page (opc.teams.pages): a card with what the team's valid
vouchers have left and when the first runs out at the recent rate."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from opc.compute import queries
from opc.compute.permissions import can_grant_vouchers, can_view_voucher
from opc.core.dates import local_today
from opc.teams.models import Team
from opc.teams.pages import Section, add_section


def _compute_card(team: Team, user: Any) -> Mapping[str, Any] | None:
    if not can_view_voucher(user, team):
        return None
    today = local_today(team.park.timezone)
    views = queries.voucher_views(team, today)
    if not views and not can_grant_vouchers(user, team):
        return None  # nothing to show a member whose team never had a voucher
    valid = [v for v in views if queries.state_of(v.voucher, today) == "active"]
    run_out = [v.forecast.runs_out_on for v in valid if v.forecast.before_expiry]
    return {
        "vouchers": len(valid),
        "remaining_fen": sum(v.voucher.remaining_fen for v in valid),
        "runs_out_on": min(run_out) if run_out else None,
    }


def register() -> None:
    add_section(Section("compute", "compute/_team_section.html", _compute_card, order=75))

"""What compute adds to the team home (opc.teams.pages.add_due): a valid voucher that runs
out within a month at its recent rate (the forecast of opc.compute.queries, reused), or
that expires within a month with money left on it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import url_for
from flask_babel import gettext as _

from opc.compute import queries
from opc.compute.permissions import can_view_voucher
from opc.core.i18n import locale_code
from opc.teams.models import Team
from opc.teams.pages import LATER, SOON, DueItem, add_due

WITHIN_DAYS = 30  # a voucher running out or expiring within a month is worth a look
SOON_DAYS = 7


def _due(team: Team, user: Any, today: date) -> list[DueItem]:
    """Two statements (the team's vouchers, then their facts: opc.compute.voucher_facts)."""
    if not can_view_voucher(user, team):
        return []
    horizon, locale = today + timedelta(days=WITHIN_DAYS), locale_code()
    url = url_for("compute.team_vouchers", team_id=team.id)
    items = []
    for view in queries.voucher_views(team, today):
        voucher = view.voucher
        if queries.state_of(voucher, today) != "active":
            continue
        name = voucher.programme.display_name(locale)
        runs_out = view.forecast.runs_out_on if view.forecast.before_expiry else None
        if runs_out is not None and runs_out <= horizon:
            text = _("Voucher %(name)s runs out at the last 30 days’ rate", name=name)
            day = runs_out
        elif voucher.valid_to <= horizon:
            text = _("Voucher %(name)s expires with money left on it", name=name)
            day = voucher.valid_to
        else:
            continue
        urgency = SOON if day <= today + timedelta(days=SOON_DAYS) else LATER
        items.append(DueItem(_("Compute"), text, url, day, voucher.remaining_fen, urgency))
    return items


def register() -> None:
    add_due("compute", _due)

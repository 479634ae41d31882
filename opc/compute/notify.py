"""Compute's notifications: a voucher's alerts reach the team's members and the park's staff.

The receiver of `voucher_alerted` (opc.compute.signals), connected in init_app: the draw-down
sends it for used_80 / used_100 and the expiry reminders (opc.compute.tasks) for expires_30
/ expires_7, each once per voucher (the VoucherAlert's unique key). It writes in the
sender's transaction, so an alert rolled back tells nobody.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from opc import notifications
from opc.auth.models import User
from opc.compute.models import AlertKind, Voucher
from opc.compute.signals import voucher_alerted
from opc.core.dates import format_day
from opc.core.money import format_money
from opc.core.permissions import Role
from opc.extensions import db
from opc.notifications import local, path_for, sentences
from opc.parks.models import staff_parks
from opc.teams.queries import active_member_ids

Params = dict[str, Any]


# --- who hears of it -------------------------------------------------------------------


def park_staff_ids(session: Session, park_id: int) -> list[int]:
    """The park's staff whose accounts are active."""
    stmt = (
        select(User.id)
        .join(staff_parks, staff_parks.c.user_id == User.id)
        .where(staff_parks.c.park_id == park_id, User.role == Role.STAFF, User.is_active.is_(True))
    )
    return list(session.scalars(stmt.order_by(User.id)))


# --- what they read --------------------------------------------------------------------


def _hours(hundredths: int) -> str:
    return f"{hundredths // 100}.{hundredths % 100:02d}"


def voucher_params(voucher: Voucher) -> Params:
    """What the messages say of a voucher, as it stands when the alert is sent."""
    team, programme = voucher.team, voucher.programme
    return {
        "voucher_id": voucher.id,
        "team_id": voucher.team_id,
        "team": {"zh": team.name_zh, "en": team.name_en},
        "programme": {"zh": programme.name_zh, "en": programme.name_en},
        "amount_fen": voucher.amount_fen,
        "used_fen": voucher.used_fen,
        "hours_hundredths": voucher.gpu_hours_hundredths,
        "used_hundredths": voucher.used_hundredths,
        "valid_to": voucher.valid_to.isoformat(),
    }


def _names(p: Params) -> Params:
    return {"team": local(p["team"]), "programme": local(p["programme"])}


def _balance(p: Params) -> str:
    """Used of amount (and GPU-hours), left, and the last valid day."""
    text = _(
        "Used %(used)s of %(amount)s, %(left)s left; valid until %(valid_to)s.",
        used=format_money(p["used_fen"]),
        amount=format_money(p["amount_fen"]),
        left=format_money(p["amount_fen"] - p["used_fen"]),
        valid_to=format_day(date.fromisoformat(p["valid_to"])),
    )
    if not p.get("hours_hundredths"):
        return text
    hours = _(
        "GPU-hours: %(used)s of %(hours)s used.",
        used=_hours(p["used_hundredths"]),
        hours=_hours(p["hours_hundredths"]),
    )
    return sentences(text, hours)


def _link(p: Params) -> str:
    page = path_for("compute.team_vouchers", team_id=p["team_id"])
    return f"{page}#voucher-{p['voucher_id']}-h"


def register_kinds() -> None:
    """The kinds of compute's notifications (called from init_app)."""
    notifications.kind(
        f"voucher.{AlertKind.USED_80}",
        title=lambda p: _("%(team)s: voucher %(programme)s is 80%% used", **_names(p)),
        body=_balance,
        link=_link,
    )
    notifications.kind(
        f"voucher.{AlertKind.USED_100}",
        title=lambda p: _("%(team)s: voucher %(programme)s is used up", **_names(p)),
        body=lambda p: sentences(_balance(p), _("It pays for no further usage.")),
        link=_link,
    )
    for reminder in (AlertKind.EXPIRES_30, AlertKind.EXPIRES_7):
        notifications.kind(
            f"voucher.{reminder}",
            title=lambda p: _(
                "%(team)s: voucher %(programme)s expires on %(valid_to)s",
                valid_to=format_day(date.fromisoformat(p["valid_to"])),
                **_names(p),
            ),
            body=lambda p: sentences(_balance(p), _("What is not used by then is lost.")),
            link=_link,
        )


# --- the receiver ----------------------------------------------------------------------


def notify_voucher_alert(voucher: Voucher, *, kind: str, **_kw: Any) -> None:
    """Notify the team's members and the park's staff of a voucher's alert."""
    session = db.session()
    recipients = active_member_ids(session, voucher.team_id)
    recipients += park_staff_ids(session, voucher.park_id)
    notifications.notify(session, recipients, f"voucher.{kind}", voucher_params(voucher))


def connect() -> None:
    register_kinds()
    voucher_alerted.connect(notify_voucher_alert)

"""What registrants hear when their registration changes (a placeholder: the check-in
helper writes the real one — the confirmation with its QR code, the waitlist notice, the
offer with its deadline, the lapse, in-app notifications for members)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session


def registration_changed(session: Session, registration: Any) -> None:
    """Called by opc.events.operations inside the transaction, after every change of a
    registration's status (its new status is on the record; a cancelled event's
    registrations are cancelled with it: `registration.event.status` says why)."""
    return None

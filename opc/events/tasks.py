"""Scheduled job of events: offered places whose deadline passed lapse.

Every five minutes (each five-minute slot a run of its own, claimed once whatever the
number of scheduler processes): every offered registration past its `offer_expires_at`
lapses and its place goes to the next in line (opc.events.operations.registrations.
lapse_offers, each event under its row lock). A run that is late or missed only lapses
the offers a little later: accepting is refused from the deadline on anyway (409
`offer_expired`), and a registration made meanwhile lapses its event's expired offers first.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from opc.core.db import utcnow
from opc.events.operations.registrations import lapse_offers
from opc.jobs.registry import job

log = logging.getLogger(__name__)
JOB = "events.lapse-offers"


def five_minutes(now: datetime) -> str:
    """The local five-minute slot: 2026-03-01T08:15."""
    return now.replace(minute=now.minute - now.minute % 5).strftime("%Y-%m-%dT%H:%M")


@job(JOB, cron={"minute": "*/5"}, period=five_minutes, lease=timedelta(minutes=4))
def lapse_offers_job(period: str) -> None:
    """Every five minutes: lapse the offers past their deadline, serving the line."""
    log.info("%s: %d offers lapsed", period, lapse_offers(utcnow()))

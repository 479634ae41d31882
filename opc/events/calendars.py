"""iCalendar (RFC 5545) files of events: one event's `.ics` and a park's feed.

Times are the park's: DTSTART/DTEND carry TZID=<the park's zone> (Asia/Shanghai) and the
calendar its VTIMEZONE, so a calendar in another zone shows the right instant and one in
the park's shows the park's clock. UIDs are stable per event (event-<id>@<host of
EXTERNAL_URL>), so a feed read again updates its events rather than adding copies; a
cancelled event stays in the feed with STATUS:CANCELLED, which is how calendars learn of it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import Response, current_app
from flask_babel import gettext as _
from icalendar import Calendar, Timezone
from icalendar import Event as VEvent
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.routing import BuildError

from opc.core.db import utcnow
from opc.core.errors import NotFound
from opc.core.filetypes import content_disposition
from opc.core.links import external_url, has_external_url
from opc.events.models import Event, EventStatus
from opc.events.permissions import can_view_event
from opc.extensions import db
from opc.parks.models import Park

PRODID = "-//OPC Ops//Events//ZH"
FEED_DAYS_BACK = 90  # a park's feed: its events from this many days back on
MIME = "text/calendar; charset=utf-8"
BOTH = "both"  # a title in Chinese and English (a guest's mail: their language is unknown)


def _host() -> str:
    return urlsplit(current_app.config.get("EXTERNAL_URL") or "").hostname or "opc.local"


def uid(event: Event) -> str:
    """The event's UID, the same in every file and feed."""
    return f"event-{event.id}@{_host()}"


def _text(zh: str, en: str, locale: str) -> str:
    if locale == BOTH:
        return f"{zh} / {en}" if en and en != zh else zh
    return en if locale.startswith("en") and en else zh


def event_url(event: Event) -> str | None:
    """The event's page for whoever reads the calendar: the public page of a public event,
    else the residents' page; None before the pages exist or without EXTERNAL_URL."""
    if not has_external_url():
        return None
    try:
        if event.public:
            return external_url("events.public", event_id=event.id)
        return external_url("events.detail", event_id=event.id)
    except BuildError:
        return None


def location(event: Event, locale: str) -> str:
    """The room of the park (its code, with the park's name) or the outside place."""
    if event.venue_unit_id is not None and event.venue is not None:
        park = event.park.display_name("zh" if locale == BOTH else locale)
        return f"{event.venue.code}, {park}"
    return event.venue_text


def _vevent(event: Event, locale: str, stamp: object) -> VEvent:
    zone = ZoneInfo(event.park.timezone)
    item = VEvent()
    item.add("uid", uid(event))
    item.add("dtstamp", stamp)
    item.add("created", event.created_at)
    item.add("dtstart", event.starts_at.astimezone(zone))
    item.add("dtend", event.ends_at.astimezone(zone))
    item.add("summary", _text(event.title_zh, event.title_en, locale))
    description = _text(event.description_zh, event.description_en, locale)
    link = event_url(event)
    if link:
        item.add("url", link)
        description = f"{description}\n\n{link}".strip()
    if description:
        item.add("description", description)
    where = location(event, locale)
    if where:
        item.add("location", where)
    cancelled = event.status == EventStatus.CANCELLED
    item.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    item.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    return item


def calendar(events: Iterable[Event], *, locale: str, name: str = "") -> bytes:
    """The events as one VCALENDAR (UTF-8), with a VTIMEZONE for each zone used."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    if name:
        cal.add("x-wr-calname", name)
    stamp = utcnow().replace(microsecond=0)
    for event in events:
        cal.add_component(_vevent(event, locale, stamp))
    # Before the events, as add_missing_timezones() puts them, but built once per zone.
    for index, tzid in enumerate(sorted(cal.get_missing_tzids())):
        cal.subcomponents.insert(index, _vtimezone(tzid))
    return bytes(cal.to_ical())


@functools.cache
def _vtimezone(tzid: str) -> Timezone:
    """A zone's VTIMEZONE: building it walks the zone's transitions (~0.1 s), so once per
    zone and process. A shared component is only ever read (to_ical)."""
    return Timezone.from_tzid(tzid)


def feed_since() -> object:
    """The first instant a park's feed covers."""
    return utcnow() - timedelta(days=FEED_DAYS_BACK)


def ics_response(body: bytes, filename: str | None = None) -> Response:
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = MIME
    if filename:
        response.headers["Content-Disposition"] = content_disposition(filename)
    return response


def event_for_calendar(event_id: int, user: Any) -> Event:
    """An event whose .ics the user may have: a public one for anyone; else one they may
    see (NotFound otherwise: a residents-only event is not told to exist)."""
    event = db.session.get(Event, event_id)
    if event is None:
        raise NotFound("not_found", _("Not found."))
    if event.public:
        return event
    if not getattr(user, "is_authenticated", False) or not can_view_event(user, event):
        raise NotFound("not_found", _("Not found."))
    return event


def park_feed(park_id: int) -> tuple[Park, list[Event]]:
    """The park and its public events (scheduled or cancelled) ending FEED_DAYS_BACK days
    ago or later, by start."""
    park = db.session.get(Park, park_id)
    if park is None:
        raise NotFound("not_found", _("Not found."))
    stmt = (
        select(Event)
        .options(joinedload(Event.venue), joinedload(Event.park))
        .where(
            Event.park_id == park.id,
            Event.public.is_(True),
            Event.status.in_((EventStatus.SCHEDULED, EventStatus.CANCELLED)),
            Event.ends_at >= feed_since(),
        )
        .order_by(Event.starts_at, Event.id)
    )
    return park, list(db.session.scalars(stmt))

"""Today's queue of a park's staff: what needs them now (waivers to approve, requests near
their SLA, applications to screen, reports produced), each a count that links to its
filtered list. The domains above register their items from their init_app, so that the
dashboard (opc.overview) shows a new domain's items without knowing it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

URGENT, SOON, NORMAL = "urgent", "soon", "normal"  # an item's urgency, most urgent first
_RANK = {URGENT: 0, SOON: 1, NORMAL: 2}


@dataclass(frozen=True)
class QueueItem:
    """`count` things of one kind waiting (`label` says which, already counted in its
    text); `url` the list filtered to exactly those."""

    label: str
    count: int
    url: str
    urgency: str = NORMAL


# A domain's items for the parks (by id) on the parks' `today`: a few counting statements,
# however many things wait; items with a count of 0 are left out of the card.
Queue = Callable[[list[int], date], list[QueueItem]]

_queues: dict[str, tuple[int, Queue]] = {}


def add_queue(name: str, queue: Queue, order: int = 50) -> None:
    """Add a domain's items to the staff's "Today" card, at `order` among items equally
    urgent (registering a name again replaces it)."""
    _queues[name] = (order, queue)


def queue_for(park_ids: list[int], today: date) -> list[QueueItem]:
    """What waits on the staff of these parks: the most urgent first, then by each domain's
    order; kinds with nothing waiting left out."""
    ranked = [
        (_RANK.get(item.urgency, 9), order, n, item)
        for order, queue in _queues.values()
        for n, item in enumerate(queue(park_ids, today))
        if item.count > 0
    ]
    return [item for *_key, item in sorted(ranked, key=lambda r: r[:3])]


def one_park(park_ids: list[int]) -> int | None:
    """The park a list link filters to: the only one, else none (the list of all of them)."""
    return park_ids[0] if len(park_ids) == 1 else None

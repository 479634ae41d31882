"""Signals of the team lifecycle, so that other domains react without teams importing them.

`status_changed` is sent inside the transaction that changes the status, with
sender=team and keyword arguments from_status, to_status, on (local date), actor.
A receiver that raises aborts the whole change.
"""

from blinker import Namespace

_signals = Namespace()

status_changed = _signals.signal("team-status-changed")

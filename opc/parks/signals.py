"""Signals of parks, so that domains above hold their rules without parks importing them.

`resizing` is sent inside the transaction that changes a park's area or team cap, with the
park locked, sender=park and keyword arguments total_area_m2 and team_cap (the new values;
None when unchanged). A receiver refuses by raising. Receivers: opc.space (the units must
fit the area), opc.teams (the residents must fit the cap).
"""

from blinker import Namespace

_signals = Namespace()

resizing = _signals.signal("park-resizing")

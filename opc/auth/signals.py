"""Signals of people's accounts, so that domains above react without auth importing them.

`user_created` is sent inside the transaction that creates a user, after the flush (the
user has its id), with sender=user and keyword argument actor. A receiver that raises
aborts the creation. Receivers: opc.compute (a provider user gets its provider record).
"""

from blinker import Namespace

_signals = Namespace()

user_created = _signals.signal("user-created")

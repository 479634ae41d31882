"""Signals of compute subsidies, so that other modules react without the draw-down knowing them.

`voucher_alerted` is sent inside the transaction that records a VoucherAlert (the drawing
transaction for used_80 / used_100, the expiry reminder job for expires_30 / expires_7),
after the alert row is flushed, with sender=voucher and keyword argument kind (an
opc.compute.models.AlertKind value). A receiver that raises aborts that transaction.
Receivers: opc.compute.notify (notifies the team's members and the park's staff).
"""

from blinker import Namespace

_signals = Namespace()

voucher_alerted = _signals.signal("voucher-alerted")

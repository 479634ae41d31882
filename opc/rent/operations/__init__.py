"""Every change to rent, by subject: policies, waivers, statements (issue_month in
operations.statements) and payments. The rules they check are in opc.rent.rules."""

from opc.rent.operations.payments import record_payment
from opc.rent.operations.policies import clean_policy, create_policy
from opc.rent.operations.waivers import approve_waiver, propose_waiver, reject_waiver

__all__ = [
    "approve_waiver",
    "clean_policy",
    "create_policy",
    "propose_waiver",
    "record_payment",
    "reject_waiver",
]

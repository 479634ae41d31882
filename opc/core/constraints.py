"""Map database constraint violations to domain rules, so a race that the checks could not
see still answers with the rule's code (409), not a 500."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from opc.core.errors import RuleViolation

# constraint name (as it appears in the driver's message) -> (code, message factory)
_RULES: dict[str, tuple[str, object]] = {}


def register(constraint: str, code: str, message: object) -> None:
    """Name the rule a constraint enforces; `message` is a callable giving translated text."""
    _RULES[constraint] = (code, message)


def rule_for_integrity_error(exc: IntegrityError) -> RuleViolation:
    text = str(exc.orig)
    for constraint, (code, message) in _RULES.items():
        if constraint in text:
            return RuleViolation(code, message() if callable(message) else str(message))
    if "UNIQUE" in text.upper() or "duplicate key" in text:
        return RuleViolation("duplicate", _("A record with these values exists already."))
    return RuleViolation("constraint_violated", _("The change breaks a rule of the database."))

"""The profile's values that follow a standard or the calendar: the credit code (GB
32100-2015) and the founding date. opc.teams.operations.clean_profile applies them."""

from __future__ import annotations

import contextlib
import re
from datetime import date
from typing import Any

from flask_babel import gettext as _
from stdnum.cn import uscc as uscc_std
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidLength, ValidationError

from opc.core.dates import date_problem
from opc.core.errors import ValidationFailed


def normalize_uscc(value: str | None) -> str | None:
    """A Unified Social Credit Code in compact upper case, or None when blank.

    GB 32100-2015: 18 characters, the 18th a check character over the first 17
    (python-stdnum's cn.uscc computes it). ValidationFailed names what is wrong.
    """
    if value is None or not value.strip():
        return None
    try:
        return str(uscc_std.validate(value))
    except InvalidLength as exc:
        reason = _("A credit code has 18 characters.")
        raise ValidationFailed({"uscc": [reason]}) from exc
    except InvalidChecksum as exc:
        reason = _("The check character does not match the code (GB 32100-2015).")
        raise ValidationFailed({"uscc": [reason]}) from exc
    except (InvalidComponent, ValidationError) as exc:
        reason = _(
            "A credit code is 8 digits then digits and capital letters (not I, O, S, V or Z)."
        )
        raise ValidationFailed({"uscc": [reason]}) from exc


def clean_date(key: str, raw: Any) -> date | None:
    """A date of the profile: a date, its ISO text, or nothing (None or blank)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    day = raw if isinstance(raw, date) else None
    if isinstance(raw, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", raw.strip()):
        with contextlib.suppress(ValueError):
            day = date.fromisoformat(raw.strip())
    if day is None:
        raise ValidationFailed({key: [_("Not a date (YYYY-MM-DD).")]})
    if problem := date_problem(day):
        raise ValidationFailed({key: [problem]})
    return day


def check_founded(founded_on: date | None, today: date) -> None:
    """A team was founded on a day that has come (422 on `founded_on`): `today` is the
    park's."""
    if founded_on is not None and founded_on > today:
        raise ValidationFailed({"founded_on": [_("The founding date may not be in the future.")]})

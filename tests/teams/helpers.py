"""Helpers for the team tests: credit codes, invitation links (stored rows and forms come
from tests.core.helpers)."""

from __future__ import annotations

import re

from tests.core.helpers import count, one, post_form, rows

__all__ = ["LINK", "OTHER_USCC", "VALID_USCC", "count", "one", "post_form", "rows"]

VALID_USCC = "91510100MA6CGUGA1W"  # check character W, per GB 32100-2015
OTHER_USCC = "91110000600037341L"

LINK = re.compile(r"https?://[^\s<\"]+/invitations/[A-Za-z0-9_\-]+")

"""Names of user roles and API token scopes for people, in the page's language."""

from flask_babel import lazy_gettext as _l

from opc.core.i18n import locale_code
from opc.core.permissions import Role

ROLES = {
    Role.ADMIN: _l("Administrator"),
    Role.STAFF: _l("Park staff"),
    Role.REVIEWER: _l("Reviewer"),
    Role.MEMBER: _l("Team member"),
    Role.PROVIDER: _l("Service provider"),
}


def role_label(role: str) -> str:
    return str(ROLES.get(role, role))


# What each token scope lets a token do (opc.auth.operations.TOKEN_SCOPES).
SCOPES = {
    "all": _l("Everything its user may do"),
    "read": _l("Read only"),
    "usage:write": _l("Report compute usage"),
    "reports:read": _l("Read reports"),
}


def scope_label(scope: str) -> str:
    """A token's scope (one or more, space-separated) for people."""
    separator = "、" if locale_code() == "zh" else ", "
    return separator.join(str(SCOPES.get(s, s)) for s in scope.split())

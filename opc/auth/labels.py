"""Names of user roles for people, in the page's language."""

from flask_babel import lazy_gettext as _l

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

"""Names of user roles for people, in the page's language."""

from flask_babel import lazy_gettext as _l

ROLES = {
    "admin": _l("Administrator"),
    "staff": _l("Park staff"),
    "reviewer": _l("Reviewer"),
    "member": _l("Team member"),
    "provider": _l("Service provider"),
}


def role_label(role: str) -> str:
    return str(ROLES.get(role, role))

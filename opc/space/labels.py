"""Names of unit kinds and occupancy states for people, in the page's language."""

from flask_babel import lazy_gettext as _l

KINDS = {
    "studio": _l("Studio"),
    "office": _l("Office"),
    "desk_area": _l("Desk area"),
    "lab": _l("Lab"),
    "zone": _l("Zone"),
    "shared_room": _l("Shared room"),
}

STATES = {
    "free": _l("Free"),
    "taken": _l("Taken"),
    "ending": _l("Ending soon"),
}


def kind_label(kind: str) -> str:
    return str(KINDS.get(kind, kind))


def state_label(state: str) -> str:
    return str(STATES.get(state, state))

"""Names of tracks, statuses and kinds for people, in the page's language."""

from flask_babel import lazy_gettext as _l

TRACKS = {
    "aigc_film": _l("AIGC film"),
    "digital_humans": _l("Virtual digital humans"),
    "ai_agents": _l("AI agents"),
    "games": _l("Games"),
    "vfx": _l("VFX"),
    "immersive": _l("Immersive experiences"),
    "hard_tech": _l("Hard tech"),
    "content": _l("Content creation"),
    "other": _l("Other"),
}

STATUSES = {
    "applicant": _l("Applicant"),
    "admitted": _l("Admitted"),
    "resident": _l("Resident"),
    "suspended": _l("Suspended"),
    "graduated": _l("Graduated"),
    "exited": _l("Exited"),
}

KINDS = {"solo": _l("Solo (super-individual)"), "company": _l("Company")}


def track_label(track: str) -> str:
    return str(TRACKS.get(track, track))


def status_label(status: str) -> str:
    return str(STATUSES.get(status, status))


# The button that takes a team from one status to the next, as staff say it.
STEPS = {
    ("applicant", "admitted"): _l("Admit"),
    ("applicant", "exited"): _l("Refuse"),
    ("admitted", "resident"): _l("Move in (resident)"),
    ("admitted", "exited"): _l("Withdraw the admission"),
    ("resident", "suspended"): _l("Suspend"),
    ("resident", "graduated"): _l("Graduate"),
    ("resident", "exited"): _l("Exit"),
    ("suspended", "resident"): _l("Reinstate"),
    ("suspended", "exited"): _l("Exit"),
}

# Steps that cannot be undone and give the team's space back: each asks first, on a page
# of its own with its date and a note (a refusal's reason, required); leaving looks
# destructive.
CONFIRMED_STEPS = frozenset({"exited", "graduated"})
DESTRUCTIVE_STEPS = frozenset({"exited"})

INVITATION_STATES = {
    "pending": _l("Pending"),
    "accepted": _l("Accepted"),
    "revoked": _l("Withdrawn"),
    "expired": _l("Expired"),
}


def step_label(from_status: str, to_status: str) -> str:
    return str(STEPS.get((from_status, to_status), status_label(to_status)))


def kind_label(kind: str) -> str:
    return str(KINDS.get(kind, kind))

"""Every change to teams: profiles, the lifecycle under the park's cap, and the waitlist.

Members and invitations are in opc.teams.members, the CSV import in opc.teams.importing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from opc.core.constraints import rule_for_integrity_error
from opc.core.dates import check_dates, format_day, local_today
from opc.core.db import lock, retrying, transaction, utcnow
from opc.core.errors import NotFound, RuleViolation, ValidationFailed
from opc.core.permissions import require_actor
from opc.core.values import check_texts, is_id, text_problem
from opc.parks.models import Park
from opc.teams.arrival import STEPS, arrival_steps, check_not_future, clean_arrival
from opc.teams.labels import status_label
from opc.teams.models import TRANSITIONS, Team, TeamKind, TeamStatus, TeamStatusChange, Track
from opc.teams.permissions import can_edit_profile, can_manage_teams
from opc.teams.rules import cap_refusal, check_refusal_reason, resident_count
from opc.teams.signals import status_changed
from opc.teams.values import check_founded, clean_date, normalize_uscc

PROFILE_FIELDS = (
    "name_zh",
    "name_en",
    "track",
    "kind",
    "legal_name",
    "uscc",
    "description",
    "contact_name",
    "contact_email",
    "contact_phone",
    "founded_on",
)
# Profile values that are dates (YYYY-MM-DD), not texts.
DATE_FIELDS = frozenset({"founded_on"})
# The longest each text of a profile may be, here only: the API's schema states them from these.
MAX_LENGTH = {
    "name_zh": 200,
    "name_en": 200,
    "legal_name": 200,
    "description": 5000,
    "contact_name": 100,
    "contact_email": 254,
    "contact_phone": 40,
}
# The texts that may span lines; the rest are one line (no control characters in any).
MULTILINE = frozenset({"description"})

# --- profile ---------------------------------------------------------------------------


def clean_profile(values: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Checked, normalised profile values; ValidationFailed lists every bad field at once.

    With `partial`, only the given keys are checked (a PATCH); otherwise missing keys get
    their defaults and name_zh and track are required.
    """
    unknown = set(values) - set(PROFILE_FIELDS)
    if unknown:
        raise ValidationFailed({k: [_("Unknown field.")] for k in sorted(unknown)})
    given = dict(values) if partial else {k: values.get(k) for k in PROFILE_FIELDS}
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    for key, raw in given.items():
        if key in DATE_FIELDS:
            try:
                out[key] = clean_date(key, raw)
            except ValidationFailed as exc:
                errors.update(exc.fields)
            continue
        value = raw.strip() if isinstance(raw, str) else raw
        if value is None:
            value = ""
        if not isinstance(value, str):
            errors[key] = [_("Must be text.")]
            continue
        if problem := text_problem(value, multiline=key in MULTILINE):
            errors[key] = [problem]
            continue
        limit = MAX_LENGTH.get(key)
        if limit and len(value) > limit:
            errors[key] = [_("At most %(n)d characters.", n=limit)]
            continue
        try:
            out[key] = _clean_field(key, value)
        except ValidationFailed as exc:
            errors.update(exc.fields)
    if errors:
        raise ValidationFailed(errors)
    return out


def _clean_field(key: str, value: str) -> Any:
    if key == "name_zh" and not value:
        raise ValidationFailed({key: [_("The Chinese name is required.")]})
    if key == "track" and not value:
        raise ValidationFailed({key: [_("Choose a track.")]})
    if key == "track" and value not in {t.value for t in Track}:
        known = ", ".join(t.value for t in Track)
        raise ValidationFailed({key: [_("Unknown track. Known: %(known)s.", known=known)]})
    if key == "kind":
        value = value or TeamKind.COMPANY.value
        if value not in {k.value for k in TeamKind}:
            raise ValidationFailed({key: [_("Unknown kind: solo or company.")]})
    if key == "uscc":
        return normalize_uscc(value)
    if key == "legal_name":
        return value or None
    if key == "contact_email" and value:
        try:
            return validate_email(value, check_deliverability=False).normalized.lower()
        except EmailNotValidError as exc:
            raise ValidationFailed({key: [_("Not a valid e-mail address.")]}) from exc
    return value


def check_unique(
    session: Session,
    park_id: int,
    *,
    name_zh: str | None,
    uscc: str | None,
    exclude_id: int | None = None,
) -> None:
    """Refuse a name the park uses already, or a credit code any team holds (409 with fields)."""
    others = Team.id != exclude_id if exclude_id is not None else Team.id.is_not(None)
    if name_zh and session.scalar(
        select(Team.id).where(Team.park_id == park_id, Team.name_zh == name_zh, others)
    ):
        message = _("The park has a team named %(name)s.", name=name_zh)
        raise RuleViolation(
            "team_name_taken",
            message,
            fields={"name_zh": [message]},
            conflict={"park_id": park_id, "name_zh": name_zh},
        )
    if uscc and session.scalar(select(Team.id).where(Team.uscc == uscc, others)):
        message = _("The credit code %(code)s is registered to another team.", code=uscc)
        raise RuleViolation(
            "uscc_taken", message, fields={"uscc": [message]}, conflict={"uscc": uscc}
        )


@retrying
def create_team(
    *,
    park_id: int,
    actor: Any,
    note: str = "",
    on: date | None = None,
    status: str | None = None,
    since: date | None = None,
    **profile: Any,
) -> Team:
    """A new team in a park: an applicant today (or `on`), or a team that arrives with its
    past (`status` admitted or resident, reached on `since`: opc.teams.arrival)."""
    values = clean_profile(profile)
    check_dates(on=on)
    arriving, since = clean_arrival(status, since)
    with transaction(actor) as session:
        park = None
        if is_id(park_id):
            # A resident counts against the cap: lock the park before counting.
            resident = arriving == TeamStatus.RESIDENT
            park = lock(Park, park_id) if resident else session.get(Park, park_id)
        if park is None:
            raise ValidationFailed({"park_id": [_("No such park.")]})
        require_actor(can_manage_teams, actor, park)  # None: the public application form
        check_unique(session, park.id, name_zh=values["name_zh"], uscc=values["uscc"])
        today = local_today(park.timezone)
        day = since or on or today
        check_not_future(day, today)
        check_founded(values["founded_on"], today)
        if resident:
            refusal = cap_refusal(park, resident_count(session, park.id))
            if refusal is not None:
                raise refusal
        team = Team(park_id=park.id, status=arriving, status_since=day, **values)
        actor_id = getattr(actor, "id", None)
        team.history.extend(arrival_steps(arriving, day, actor_id=actor_id, note=note))
        session.add(team)
        session.flush()
        previous = TeamStatus.APPLICANT.value
        for step in STEPS[arriving][1:]:
            status_changed.send(team, from_status=previous, to_status=step, on=day, actor=actor)
            previous = step
    return team


# The refusals that say a team of that name or credit code exists (in a park the visitor
# need not know of): the public form answers them all with one message that confirms nothing.
DUPLICATE_CODES = frozenset({"team_name_taken", "uscc_taken"})


def apply_to_join(*, park_id: int, note: str = "", **profile: Any) -> Team:
    """An application through the public form: an applicant team, created by nobody.

    Every refusal is the operation's own, except a duplicate name or credit code: the
    visitor is anonymous, so the refusal does not confirm which teams exist (staff adding a
    team see the precise duplicate). The same holds when the database's unique constraint
    refuses it in a race.
    """
    try:
        return create_team(park_id=park_id, actor=None, note=note, **profile)
    except RuleViolation as err:
        if err.code not in DUPLICATE_CODES:
            raise
    except IntegrityError as exc:
        if rule_for_integrity_error(exc).code not in DUPLICATE_CODES:
            raise
    raise RuleViolation(
        "application_not_accepted",
        _(
            "We could not accept this application. If your team has applied already, "
            "please contact the park."
        ),
    )


@retrying
def update_profile(team: Team, *, actor: Any, **values: Any) -> Team:
    """Change a team's profile (not its park or status)."""
    cleaned = clean_profile(values, partial=True)
    require_actor(can_edit_profile, actor, team)
    with transaction(actor) as session:
        team = lock(Team, team.id)  # type: ignore[assignment]
        if team is None:
            raise NotFound("not_found", _("Not found."))
        check_unique(
            session,
            team.park_id,
            name_zh=cleaned.get("name_zh"),
            uscc=cleaned.get("uscc"),
            exclude_id=team.id,
        )
        check_founded(cleaned.get("founded_on"), local_today(team.park.timezone))
        for key, value in cleaned.items():
            setattr(team, key, value)
    return team


# --- lifecycle -------------------------------------------------------------------------


def _check_day(day: date, today: date, team: Team) -> None:
    if day > today:
        raise ValidationFailed({"on": [_("The date may not be in the future.")]})
    if team.status_since and day < team.status_since:
        raise ValidationFailed(
            {
                "on": [
                    _(
                        "The date may not be before the current status began (%(d)s).",
                        d=format_day(team.status_since),
                    )
                ]
            }
        )


def waitlist_position(session: Session, team: Team) -> int:
    """1-based place of a waitlisted team in its park's waitlist (first come, first served)."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Team)
            .where(
                Team.park_id == team.park_id,
                Team.waitlisted_at.is_not(None),
                or_(
                    Team.waitlisted_at < team.waitlisted_at,
                    and_(Team.waitlisted_at == team.waitlisted_at, Team.id <= team.id),
                ),
            )
        )
        or 0
    )


@retrying
def transition(
    team: Team, to: str, *, actor: Any, on: date | None = None, note: str = ""
) -> TeamStatusChange:
    """Move a team one step along its lifecycle, dated (park-local, default today), attributed.

    Entering `resident` counts the park's residents after locking the park row, so that two
    admissions racing for the last place cannot both pass. Beyond the cap the step is
    refused (`team_cap_reached`) and the team goes on the park's waitlist: that write is
    committed before the refusal is raised (when this is the outermost transaction).
    """
    if to not in {s.value for s in TeamStatus}:
        raise ValidationFailed({"to": [_("Unknown status.")]})
    check_dates(on=on)
    check_texts({"note": note})
    refusal: RuleViolation | None = None
    change: TeamStatusChange | None = None
    with transaction(actor) as session:
        park = lock(Park, team.park_id)
        locked = lock(Team, team.id)
        if park is None or locked is None:
            raise NotFound("not_found", _("Not found."))
        team = locked
        require_actor(can_manage_teams, actor, team)
        from_status = team.status
        if to not in TRANSITIONS.get(from_status, ()):
            raise RuleViolation(
                "invalid_transition",
                _(
                    "A team cannot go from %(from_)s to %(to)s.",
                    from_=status_label(from_status),
                    to=status_label(to),
                ),
                conflict={
                    "team_id": team.id,
                    "from": from_status,
                    "to": to,
                    "allowed": list(TRANSITIONS.get(from_status, ())),
                },
            )
        check_refusal_reason(from_status, to, note)
        today = local_today(park.timezone)
        day = on or today
        _check_day(day, today, team)
        if to == TeamStatus.RESIDENT:
            refusal = _over_cap(session, park, team)
        if refusal is None:
            change = TeamStatusChange(
                team_id=team.id,
                from_status=from_status,
                to_status=to,
                on=day,
                actor_id=getattr(actor, "id", None),
                note=note or "",
            )
            session.add(change)
            team.status = to
            team.status_since = day
            team.waitlisted_at = None
            session.flush()
            status_changed.send(team, from_status=from_status, to_status=to, on=day, actor=actor)
    if refusal is not None:
        raise refusal
    assert change is not None
    return change


def _over_cap(session: Session, park: Park, team: Team) -> RuleViolation | None:
    """None while a place is free; else waitlist the team and return the refusal."""
    residents = resident_count(session, park.id)
    if cap_refusal(park, residents) is None:
        return None
    if team.waitlisted_at is None:
        team.waitlisted_at = utcnow()
        session.flush()
    position = waitlist_position(session, team)
    return RuleViolation(
        "team_cap_reached",
        _(
            "The park's cap of %(cap)d resident teams is reached. %(team)s was put on the "
            "waitlist (place %(n)d).",
            cap=park.team_cap,
            team=team.name_zh,
            n=position,
        ),
        conflict={
            "park_id": park.id,
            "park": park.name_zh,
            "team_cap": park.team_cap,
            "residents": residents,
            "team_id": team.id,
            "waitlist_position": position,
        },
    )

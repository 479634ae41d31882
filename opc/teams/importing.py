"""Bulk onboarding: a CSV of teams, imported all or nothing.

Every row is checked (fields, the credit code's check character, duplicates within the file
and against the database, the park's cap for rows that arrive as residents) before anything
is written; one bad row imports nothing and the report lists every bad row.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from opc.core.columns import Choice, Column, Sheet, date_text
from opc.core.csvio import CHUNK, ImportErrors, chunks
from opc.core.dates import date_problem, local_today
from opc.core.db import lock, retrying, transaction
from opc.core.errors import ValidationFailed
from opc.core.permissions import require_actor
from opc.core.values import is_id
from opc.parks.models import Park
from opc.teams.arrival import ARRIVAL_STATUSES, STEPS, arrival_steps
from opc.teams.labels import KINDS, TRACKS, status_label
from opc.teams.models import Team, TeamStatus
from opc.teams.operations import clean_profile
from opc.teams.permissions import can_manage_teams
from opc.teams.rules import cap_refusal, resident_count
from opc.teams.signals import status_changed
from opc.teams.values import check_founded

# The file's columns: a header may be the code or the label in either language, a track,
# kind or status its code or its label ("AIGC 影视", "个人", "申请人"), as pages show them.
SHEET = Sheet(
    Column("name_zh", _l("Name (Chinese)"), required=True, example="星云工作室"),
    Column("track", _l("Track"), required=True, choice=Choice.of(TRACKS), example="aigc_film"),
    Column("kind", _l("Kind"), required=True, choice=Choice.of(KINDS), example="company"),
    Column("name_en", _l("Name (English)"), example="Nebula Studio"),
    Column("legal_name", _l("Legal entity name"), example="成都星云工作室有限公司"),
    Column(
        "uscc",
        _l("Unified Social Credit Code"),
        example="91510100MA6CGUGA1W",
        hint=_l("18 characters, as on the business licence; leave empty if none."),
    ),
    Column(
        "founded_on",
        _l("Founded on"),
        example="2024-11-08",
        hint=_l("The legal entity's founding date (YYYY-MM-DD); leave empty if none."),
        clean=date_text,
    ),
    Column("description", _l("What the team does"), example="AIGC 短片创作"),
    Column("contact_name", _l("Contact person"), example="张星"),
    Column("contact_email", _l("Contact e-mail"), example="zhang.xing@example.cn"),
    Column("contact_phone", _l("Contact phone"), example="+86 28 1234 5678"),
    Column(
        "status",
        _l("Status"),
        choice=Choice([s.value for s in ARRIVAL_STATUSES], status_label),
        example="resident",
        hint=_l("Empty: applicant."),
    ),
    Column(
        "since",
        _l("Since"),
        example="2025-03-01",
        hint=_l("The day it reached that status (YYYY-MM-DD); empty: today."),
        clean=date_text,
    ),
)
REQUIRED = SHEET.required
OPTIONAL = SHEET.optional
SINCE = "_since"  # a row's `since` among its cleaned values, until the team is created


def template_csv() -> bytes:
    """The downloadable template: every column and one example row, in the page's language."""
    return SHEET.template()


def _since(number: int, raw: str, errors: ImportErrors) -> tuple[date | None, bool]:
    """A row's `since` (YYYY-MM-DD, or empty: today) and whether it is acceptable."""
    if not raw:
        return None, True
    try:
        day = date.fromisoformat(raw) if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", raw) else None
    except ValueError:
        day = None
    problem = _("Not a date (YYYY-MM-DD).") if day is None else date_problem(day)
    if problem:
        errors.add(number, "since", problem)
        return None, False
    return day, True


def _check_rows(
    rows: list[tuple[int, dict[str, str]]], errors: ImportErrors
) -> list[tuple[int, dict[str, Any], str]]:
    """Each row's cleaned values and status; problems go to `errors`."""
    good: list[tuple[int, dict[str, Any], str]] = []
    names: dict[str, int] = {}
    codes: dict[str, int] = {}
    for number, row in rows:
        status = row.pop("status", "") or TeamStatus.APPLICANT.value  # one of SHEET's
        since, ok = _since(number, row.pop("since", ""), errors)
        try:
            values = clean_profile(row)
        except ValidationFailed as exc:
            errors.add_fields(number, exc.fields)
            continue
        name, code = values["name_zh"], values["uscc"]
        if name in names:
            errors.add(number, "name_zh", _("Same name as row %(row)d.", row=names[name]))
            ok = False
        names.setdefault(name, number)
        if code and code in codes:
            errors.add(number, "uscc", _("Same credit code as row %(row)d.", row=codes[code]))
            ok = False
        if code:
            codes.setdefault(code, number)
        if ok:
            values[SINCE] = since  # taken out again by _create
            good.append((number, values, status))
    return good


@retrying
def import_teams(park_id: int, data: bytes, *, actor: Any) -> list[Team]:
    """Create the teams of a CSV file in a park, or none of them (ImportRejected)."""
    errors = ImportErrors()
    good = _check_rows(SHEET.read(data, errors), errors)
    with transaction(actor) as session:
        park = lock(Park, park_id) if is_id(park_id) else None
        if park is None:
            raise ValidationFailed({"park_id": [_("No such park.")]})
        require_actor(can_manage_teams, actor, park)
        names = [v["name_zh"] for _n, v, _s in good]
        codes = [v["uscc"] for _n, v, _s in good if v["uscc"]]
        taken_names: set[str] = set()
        for some in chunks(names):
            taken_names.update(
                session.scalars(
                    select(Team.name_zh).where(Team.park_id == park.id, Team.name_zh.in_(some))
                )
            )
        taken_codes: set[str | None] = set()
        for some in chunks(codes):
            taken_codes.update(session.scalars(select(Team.uscc).where(Team.uscc.in_(some))))
        residents = resident_count(session, park.id)
        today = local_today(park.timezone)
        for number, values, status in good:
            if values[SINCE] is not None and values[SINCE] > today:
                errors.add(number, "since", _("The date may not be in the future."))
            try:
                check_founded(values["founded_on"], today)
            except ValidationFailed as exc:
                errors.add_fields(number, exc.fields)
            if values["name_zh"] in taken_names:
                errors.add(number, "name_zh", _("The park has a team of this name."))
            if values["uscc"] in taken_codes:
                errors.add(number, "uscc", _("This credit code is registered to another team."))
            if status == TeamStatus.RESIDENT:
                refusal = cap_refusal(park, residents)
                if refusal is not None:
                    errors.add(number, "status", refusal.message)
                residents += 1
        errors.raise_if_any()
        return _create(session, park, good, actor)


def _create(
    session: Any, park: Park, good: list[tuple[int, dict[str, Any], str]], actor: Any
) -> list[Team]:
    day = local_today(park.timezone)
    actor_id = getattr(actor, "id", None)
    note = _("CSV import")
    teams: list[Team] = []
    for number, (_n, values, status) in enumerate(good, start=1):
        since = values.pop(SINCE) or day
        team = Team(park_id=park.id, status=status, status_since=since, **values)
        arriving = TeamStatus(status)
        team.history.extend(arrival_steps(arriving, since, actor_id=actor_id, note=note))
        session.add(team)
        teams.append(team)
        if number % CHUNK == 0:
            session.flush()  # in chunks: bounded statements, however long the file
    session.flush()
    for team in teams:
        previous = TeamStatus.APPLICANT.value
        for step in STEPS[TeamStatus(team.status)][1:]:
            on = team.status_since
            status_changed.send(team, from_status=previous, to_status=step, on=on, actor=actor)
            previous = step
    return teams

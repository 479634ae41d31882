"""The two demo parks at their real scale: space, teams with two years of history, allocations.

Written with the ORM in the caller's transaction (the audit recorder sees every record):
the operations would add the same rows one transaction at a time, too slowly for a few
hundred teams. What the operations enforce holds by construction, and the tests check it:
the units fit into the park's area, allocations of a unit never overlap, residents stay
within the cap, and a team holds space only while it is resident.

Deterministic: each park draws from its own fixed random seed, so every run gives the same
teams and the same history, dated relative to today.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from opc.core.db import utcnow
from opc.demo.specs import FATES, HISTORY_DAYS, TZ, ParkSpec, UnitSpec
from opc.demo.words import Namer, Profile
from opc.parks.models import Park
from opc.space.models import Allocation, Unit
from opc.teams.models import Team, TeamStatusChange

# --- a team's life ---------------------------------------------------------------------


@dataclass
class Life:
    """Lifecycle steps (from, to, on, note) and the periods [start, end) of residency."""

    steps: list[tuple[str | None, str, date, str]] = field(default_factory=list)
    stays: list[tuple[date, date | None]] = field(default_factory=list)

    def step(self, to: str, on: date, note: str) -> date:
        self.steps.append((self.steps[-1][1] if self.steps else None, to, on, note))
        return on


def life_of(fate: str, rng: random.Random, today: date) -> Life:
    """Plausible dates for a team that ends up as `fate`, all within the last two years."""

    def ago(low: int, high: int) -> date:
        return today - timedelta(days=rng.randint(low, high))

    def after(day: date, low: int, high: int) -> date:
        return min(day + timedelta(days=rng.randint(low, high)), today - timedelta(days=1))

    life = Life()
    if fate == "applicant":
        life.step("applicant", ago(1, 40), "提交入驻申请")
        return life
    if fate == "admitted":
        applied = life.step("applicant", ago(25, 70), "提交入驻申请")
        life.step("admitted", after(applied, 7, 20), "入驻评审通过，等待签约")
        return life
    if fate in ("rejected", "withdrew"):
        applied = life.step("applicant", ago(120, 650), "提交入驻申请")
        if fate == "rejected":
            life.step("exited", after(applied, 14, 35), "未通过入驻评审")
            return life
        admitted = life.step("admitted", after(applied, 7, 25), "入驻评审通过")
        life.step("exited", after(admitted, 10, 40), "放弃入驻")
        return life
    # Fates with a residency: the hub's opening wave, then a steady flow.
    window = {
        "resident": (60, 720) if rng.random() > 0.3 else (640, 725),
        "graduated": (450, 725),
        "left": (300, 700),
        "suspended": (250, 700),
        "resumed": (400, 725),
    }[fate]
    applied = life.step("applicant", ago(*window), "提交入驻申请")
    admitted = life.step("admitted", after(applied, 7, 30), "入驻评审通过")
    moved_in = life.step("resident", after(admitted, 5, 30), "签约入驻")
    if fate == "resident":
        life.stays.append((moved_in, None))
    elif fate == "graduated":
        out = min(after(moved_in, 240, 420), today - timedelta(days=5))
        life.step("graduated", out, "完成孵化，迁入独立办公")
        life.stays.append((moved_in, out))
    elif fate == "left":
        out = after(moved_in, 60, 200)
        life.step("exited", out, "提前退租")
        life.stays.append((moved_in, out))
    elif fate == "suspended":
        out = max(ago(5, 60), moved_in + timedelta(days=30))
        life.step("suspended", out, "整改期间暂停入驻")
        life.stays.append((moved_in, out))
    else:  # resumed
        out = after(moved_in, 90, 150)
        life.step("suspended", out, "整改期间暂停入驻")
        back = life.step("resident", after(out, 20, 45), "整改完成，恢复入驻")
        life.stays += [(moved_in, out), (back, None)]
    return life


# --- space -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    team: int  # index into the park's teams
    start: date
    end: date | None
    wants: tuple[str, ...]
    moving: bool = False  # moving up: not into the unit the team leaves


def requests_for(
    team: int,
    stays: list[tuple[date, date | None]],
    wants: tuple[str, ...],
    spec: ParkSpec,
    rng: random.Random,
    today: date,
) -> Iterator[Request]:
    """What a team asks of the park's space: a unit per stay; some move up; some leases end."""
    for start, end in stays:
        if end is not None:
            yield Request(team, start, end, wants)
            continue
        until = today + timedelta(days=rng.randint(30, 330)) if rng.random() < 0.25 else None
        if start < today - timedelta(days=300) and rng.random() < 0.2:
            move = start + timedelta(days=rng.randint(120, 240))
            yield Request(team, start, move, spec.small)
            yield Request(team, move, until, wants, moving=True)
        else:
            yield Request(team, start, until, wants)


def place(
    units: tuple[UnitSpec, ...], requests: list[Request], rng: random.Random
) -> list[tuple[Request, int]]:
    """Give each request, in order of start, a free unit of the kind it wants most.

    A unit is free from the end of its last allocation (requests come in order of start, so
    allocations of one unit follow each other and never overlap); shared rooms are booked,
    not allocated. A request no unit can take is left out (the team holds no space then).
    """
    free_from = {i: date.min for i, u in enumerate(units) if u.kind != "shared_room"}
    last_unit: dict[int, int] = {}
    placed = []
    for request in sorted(requests, key=lambda r: (r.start, r.team)):
        avoid = last_unit.get(request.team) if request.moving else None
        candidates: list[int] = []
        for kind in (*request.wants, None):
            candidates = [
                i
                for i, day in free_from.items()
                if day <= request.start and i != avoid and kind in (None, units[i].kind)
            ]
            if candidates:
                break
        if not candidates:
            continue
        unit = rng.choice(candidates)
        free_from[unit] = request.end or date.max
        last_unit[request.team] = unit
        placed.append((request, unit))
    return placed


# --- writing ---------------------------------------------------------------------------


def at(day: date) -> datetime:
    """A moment of a park-local day (10:00), in UTC, never in the future."""
    moment = datetime.combine(day, time(10, 0), ZoneInfo(TZ)).astimezone(UTC)
    return min(moment, utcnow())


def _teams(spec: ParkSpec, rng: random.Random, namer: Namer) -> Iterator[tuple[str, ...]]:
    """(zh, en, track, kind, fate): the named teams, then the generated ones, shuffled."""
    yield from spec.named
    fates = [fate for fate in FATES for _ in range(spec.fates.get(fate, 0))]
    rng.shuffle(fates)
    tracks, weights = list(spec.tracks), list(spec.tracks.values())
    for fate in fates:
        track = rng.choices(tracks, weights)[0]
        kind = "solo" if rng.random() < spec.solo_share else "company"
        zh, en = namer.name(track, kind)
        yield zh, en, track, kind, fate


@dataclass(frozen=True)
class TeamPlan:
    profile: Profile
    life: Life


@dataclass(frozen=True)
class ParkPlan:
    """What a demo park gets, before it is written: the same for the same day, every run."""

    spec: ParkSpec
    teams: list[TeamPlan]
    allocations: list[tuple[int, int, date, date | None]]  # team, unit (indexes), start, end


def plan_park(spec: ParkSpec, today: date, taken: set[str]) -> ParkPlan:
    """The park's teams, their lives and their allocations, drawn from the park's own seed.

    `taken`: names the park's generated teams must not use (the named teams of the demo).
    """
    rng = random.Random(f"opc-demo/{spec.code}")
    namer = Namer(rng, spec.prefixes, taken)
    teams: list[TeamPlan] = []
    requests: list[Request] = []
    for zh, en, track, kind, fate in _teams(spec, rng, namer):
        profile = namer.profile(zh, en, track, kind, spec.city, spec.phone)
        life = life_of(fate, rng, today)
        wants = spec.wants["solo" if kind == "solo" else track]
        requests += requests_for(len(teams), life.stays, wants, spec, rng, today)
        teams.append(TeamPlan(profile, life))
    allocations = [(r.team, u, r.start, r.end) for r, u in place(spec.units, requests, rng)]
    return ParkPlan(spec, teams, allocations)


def seed_park(
    session: Session, spec: ParkSpec, today: date, actor_id: int | None, taken: set[str]
) -> Park:
    """The park with its units, teams, lifecycle history and allocations, in one flush."""
    plan = plan_park(spec, today, taken)
    park = Park(
        code=spec.code,
        name_zh=spec.name_zh,
        name_en=spec.name_en,
        total_area_m2=Decimal(spec.area),
        team_cap=spec.cap,
        timezone=TZ,
        currency="CNY",
        created_at=at(today - timedelta(days=HISTORY_DAYS)),
    )
    session.add(park)
    session.flush()
    units = [Unit(park_id=park.id, created_at=park.created_at, **asdict(u)) for u in spec.units]
    teams = [_team(park, team, actor_id) for team in plan.teams]
    allocations = [
        Allocation(team=teams[t], unit=units[u], start=start, end=end, created_at=at(start))
        for t, u, start, end in plan.allocations
    ]
    session.add_all([*units, *teams, *allocations])
    session.flush()
    return park


def _founded_on(profile: Profile, applied: date) -> date | None:
    """A company's founding, three months to five years before it applied; drawn from its
    credit code, so the park's own draws (names, lives, space) stay as they were."""
    if profile.uscc is None:
        return None
    return applied - timedelta(days=random.Random(profile.uscc).randint(90, 5 * 365))


def _team(park: Park, plan: TeamPlan, actor_id: int | None) -> Team:
    """A team with its lifecycle steps, attributed to the staff member (applying: to no one)."""
    steps = plan.life.steps
    team = Team(
        park_id=park.id,
        status=steps[-1][1],
        status_since=steps[-1][2],
        created_at=at(steps[0][2]),
        founded_on=_founded_on(plan.profile, steps[0][2]),
        **asdict(plan.profile),
    )
    team.history = [
        TeamStatusChange(
            from_status=from_,
            to_status=to,
            on=on,
            at=at(on),
            actor_id=None if to == "applicant" else actor_id,
            note=note,
        )
        for from_, to, on, note in steps
    ]
    return team

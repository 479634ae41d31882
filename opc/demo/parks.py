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
from opc.demo.words import CHENGDU_PREFIXES, SHOUGANG_PREFIXES, Namer, Profile
from opc.parks.models import Park
from opc.space.models import Allocation, Unit
from opc.teams.models import Team, TeamStatusChange

HISTORY_DAYS = 730  # two years
TZ = "Asia/Shanghai"


@dataclass(frozen=True)
class UnitSpec:
    code: str
    kind: str
    floor: int
    area_m2: Decimal
    seats: int
    rent_fen_per_m2: int


def _units(
    prefix: str, kind: str, floor: int, count: int, area: int, seats: int, rent: int
) -> list[UnitSpec]:
    return [
        UnitSpec(f"{prefix}{n:02d}", kind, floor, Decimal(area), seats, rent)
        for n in range(1, count + 1)
    ]


def chengdu_units() -> tuple[UnitSpec, ...]:
    """Three floors in Bailuwan, 2,478 m² of the hub's 2,500."""
    return (
        *_units("1-S", "studio", 1, 8, 80, 6, 6000),  # AIGC film and virtual production
        UnitSpec("1-L01", "lab", 1, Decimal(120), 10, 7000),  # motion capture
        UnitSpec("1-L02", "lab", 1, Decimal(120), 10, 7000),  # GPU render lab
        UnitSpec("1-SR01", "shared_room", 1, Decimal(150), 60, 0),  # roadshow hall
        *_units("2-O", "office", 2, 20, 30, 4, 8000),
        *_units("2-D", "desk_area", 2, 16, 12, 2, 5000),  # desk clusters for solo creators
        *_units("3-O", "office", 3, 12, 40, 6, 8000),
        *_units("3-D", "desk_area", 3, 8, 12, 2, 5000),
        UnitSpec("3-L01", "lab", 3, Decimal(80), 8, 7000),  # LED virtual stage
    )


def shougang_units() -> tuple[UnitSpec, ...]:
    """Halls of the old steelworks, studios, labs and offices: 99,000 m² of the 100,000."""
    halls = (6000, 5500, 5000, 4500, 4000, 4000, 3500, 3500, 3000, 3000)
    return (
        *(
            UnitSpec(f"H{n:02d}", "zone", 1, Decimal(a), a // 50, 3000)
            for n, a in enumerate(halls, 1)
        ),
        *_units("S", "studio", 1, 20, 1100, 40, 4500),  # VFX and virtual production stages
        *_units("L", "lab", 1, 10, 1200, 30, 5000),  # hard tech
        *_units("O2", "office", 2, 40, 300, 30, 7000),
        *_units("O3", "office", 3, 40, 150, 15, 7000),
        *_units("O4", "office", 4, 30, 80, 8, 7000),
        UnitSpec("F01", "shared_room", 1, Decimal(2000), 400, 0),  # forum hall
        *_units("M", "shared_room", 2, 6, 100, 20, 0),  # meeting rooms
    )


# How many generated teams of a park end up where (besides its named teams):
# resident, resident again after a suspension, suspended now, graduated, left while
# resident, not admitted, withdrew after admission, admitted and waiting, applicant.
FATES = (
    "resident",
    "resumed",
    "suspended",
    "graduated",
    "left",
    "rejected",
    "withdrew",
    "admitted",
    "applicant",
)


@dataclass(frozen=True)
class ParkSpec:
    code: str
    name_zh: str
    name_en: str
    area: str
    cap: int
    city: str
    phone: str
    prefixes: tuple[tuple[str, str], ...]
    units: tuple[UnitSpec, ...]
    named: tuple[tuple[str, str, str, str, str], ...]  # zh, en, track, kind, fate
    fates: dict[str, int]
    tracks: dict[str, int]  # weights
    solo_share: float
    # Unit kinds a team asks for, in order of preference: by track, and "solo".
    wants: dict[str, tuple[str, ...]]
    small: tuple[str, ...]  # where a team starts that moves up later


CHENGDU = ParkSpec(
    code="CD-OPC",
    name_zh="成都科幻IP+未来场景OPC社区",
    name_en="Chengdu Sci-Fi IP OPC Hub",
    area="2500",
    cap=100,
    city="成都",
    phone="028",
    prefixes=CHENGDU_PREFIXES,
    units=chengdu_units(),
    named=(
        ("星云工作室", "Nebula Studio", "aigc_film", "solo", "resident"),
        ("幻境影业", "Mirage Pictures", "aigc_film", "company", "resident"),
        ("光年叙事", "Lightyear Narratives", "aigc_film", "company", "resident"),
        ("赛博演员坊", "Cyber Actors Lab", "digital_humans", "company", "resident"),
        ("数字分身科技", "Digital Twin Tech", "digital_humans", "company", "resident"),
        ("灵犀虚拟人", "Lingxi Virtual Humans", "digital_humans", "solo", "resident"),
        ("智能体工坊", "Agent Works", "ai_agents", "company", "resident"),
        ("自主代理实验室", "Autonomous Agents Lab", "ai_agents", "solo", "resident"),
        ("天枢智能", "Tianshu AI", "ai_agents", "company", "admitted"),
        ("未来剧场", "Future Theatre", "aigc_film", "solo", "applicant"),
        ("元宇宙造梦", "Metaverse Dreamworks", "immersive", "company", "applicant"),
    ),
    fates={
        "resident": 48,
        "resumed": 1,
        "suspended": 2,
        "graduated": 5,
        "left": 2,
        "rejected": 1,
        "withdrew": 1,
        "admitted": 3,
        "applicant": 6,
    },
    tracks={
        "aigc_film": 36,
        "digital_humans": 18,
        "ai_agents": 18,
        "games": 6,
        "vfx": 6,
        "immersive": 6,
        "hard_tech": 4,
        "content": 8,
        "other": 3,
    },
    solo_share=0.45,
    wants={
        "solo": ("desk_area", "office"),
        "aigc_film": ("studio", "office"),
        "digital_humans": ("studio", "lab", "office"),
        "ai_agents": ("office",),
        "games": ("office",),
        "vfx": ("studio", "office"),
        "immersive": ("lab", "studio", "office"),
        "hard_tech": ("lab", "office"),
        "content": ("office",),
        "other": ("office",),
    },
    small=("desk_area", "office"),
)

SHOUGANG = ParkSpec(
    code="SG-SCIFI",
    name_zh="首钢科幻产业集聚区",
    name_en="Shougang Sci-Fi Industry Cluster",
    area="100000",
    cap=200,
    city="北京",
    phone="010",
    prefixes=SHOUGANG_PREFIXES,
    units=shougang_units(),
    named=(
        ("钢铁特效", "Steel VFX", "vfx", "company", "resident"),
        ("沉浸空间", "Immersive Space", "immersive", "company", "resident"),
        ("硬核机甲", "Hardcore Mecha", "hard_tech", "company", "resident"),
        ("科幻内容社", "Sci-Fi Content Guild", "content", "company", "resident"),
    ),
    fates={
        "resident": 104,
        "resumed": 1,
        "suspended": 1,
        "graduated": 4,
        "left": 3,
        "rejected": 1,
        "withdrew": 1,
        "admitted": 3,
        "applicant": 3,
    },
    tracks={
        "content": 28,
        "vfx": 24,
        "hard_tech": 20,
        "immersive": 20,
        "aigc_film": 4,
        "digital_humans": 2,
        "games": 2,
    },
    solo_share=0.08,
    wants={
        "solo": ("office",),
        "aigc_film": ("studio", "office"),
        "digital_humans": ("studio", "office"),
        "ai_agents": ("office",),
        "games": ("office", "studio"),
        "vfx": ("studio", "zone", "office"),
        "immersive": ("zone", "studio", "office"),
        "hard_tech": ("lab", "office"),
        "content": ("office", "studio"),
        "other": ("office",),
    },
    small=("office",),
)
PARKS = (CHENGDU, SHOUGANG)


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


def _team(park: Park, plan: TeamPlan, actor_id: int | None) -> Team:
    """A team with its lifecycle steps, attributed to the staff member (applying: to no one)."""
    steps = plan.life.steps
    team = Team(
        park_id=park.id,
        status=steps[-1][1],
        status_since=steps[-1][2],
        created_at=at(steps[0][2]),
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

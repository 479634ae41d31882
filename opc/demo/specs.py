"""What the two demo parks are: their space, their named teams and how the rest fare."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from opc.demo.words import CHENGDU_PREFIXES, SHOUGANG_PREFIXES

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
    """Three floors in Bailuwan, 2,500 m² of the hub's 2,500."""
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
        # Last, so that the allocations of the units above stay as they were.
        UnitSpec("2-M01", "shared_room", 2, Decimal(12), 6, 0),  # meeting room
        UnitSpec("1-P01", "shared_room", 1, Decimal(10), 4, 0),  # green-screen booth for shoots
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

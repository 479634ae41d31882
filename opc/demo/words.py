"""Word parts the demo builds its teams from: names, descriptions, contacts, credit codes.

Names are combinations (prefix + field + suffix), so that a few lists give hundreds of
distinct, plausible names in Chinese and English without naming a real company.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from stdnum.cn import uscc

from opc.demo.prose import describe
from opc.teams.models import pinyin_of

# Two-character prefixes, a set per park so that no name repeats across the two parks:
# sci-fi imagery, Sichuan places for Chengdu, the steelworks and Beijing for Shougang.
CHENGDU_PREFIXES = (
    ("曜石", "Obsidian"),
    ("澄光", "Clearlight"),
    ("极昼", "Polar Day"),
    ("玄鸟", "Black Swift"),
    ("青鸾", "Azure Luan"),
    ("深空", "Deep Space"),
    ("弦月", "Crescent"),
    ("零点", "Zero Point"),
    ("流明", "Lumen"),
    ("星图", "Starmap"),
    ("远航", "Far Voyage"),
    ("晨曦", "Daybreak"),
    ("潮汐", "Tidal"),
    ("奇点", "Singularity"),
    ("脉冲", "Pulse"),
    ("回声", "Echo"),
    ("熊猫", "Panda"),
    ("锦城", "Jincheng"),
    ("芙蓉", "Hibiscus"),
    ("岷江", "Min River"),
    ("青城", "Qingcheng"),
    ("峨眉", "Emei"),
    ("墨竹", "Ink Bamboo"),
    ("萤火", "Firefly"),
)
SHOUGANG_PREFIXES = (
    ("棱镜", "Prism"),
    ("冰川", "Glacier"),
    ("霓虹", "Neon"),
    ("苍穹", "Vault"),
    ("破晓", "First Light"),
    ("蜂巢", "Hive"),
    ("熔炉", "Crucible"),
    ("高炉", "Blast Furnace"),
    ("钢轨", "Steel Rail"),
    ("永定", "Yongding"),
    ("冷焰", "Cold Flame"),
    ("赤焰", "Red Flare"),
    ("光锥", "Light Cone"),
    ("银翼", "Silver Wing"),
    ("方舟", "Ark"),
    ("灯塔", "Lighthouse"),
    ("彼岸", "Far Shore"),
    ("时砂", "Timesand"),
    ("月壤", "Regolith"),
    ("引力", "Gravity"),
    ("原点", "Origin"),
    ("拾光", "Gleam"),
    ("琥珀", "Amber"),
    ("鲸落", "Whalefall"),
)

# Per track: field words, company suffixes, solo suffixes (what a team does: opc.demo.prose).
FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "aigc_film": (
        ("影像", "Imaging"),
        ("光影", "Lightplay"),
        ("叙事", "Storyworks"),
        ("镜像", "Mirror"),
        ("帧画", "Frames"),
        ("映画", "Cinema"),
    ),
    "digital_humans": (
        ("数字人", "Digital Humans"),
        ("虚拟人", "Virtual Humans"),
        ("分身", "Avatars"),
        ("偶像", "Idols"),
        ("拟像", "Simulacra"),
        ("形象", "Personas"),
    ),
    "ai_agents": (
        ("智能体", "Agents"),
        ("智算", "Compute"),
        ("认知", "Cognition"),
        ("神经元", "Neuron"),
        ("心智", "Mind"),
        ("推理", "Reasoning"),
    ),
    "games": (("游戏", "Games"), ("互动", "Interactive"), ("像素", "Pixel"), ("关卡", "Levels")),
    "vfx": (
        ("特效", "VFX"),
        ("视效", "Visual Effects"),
        ("渲染", "Render"),
        ("合成", "Compositing"),
        ("粒子", "Particles"),
    ),
    "immersive": (
        ("沉浸", "Immersive"),
        ("全息", "Holo"),
        ("光场", "Lightfield"),
        ("穹幕", "Domescape"),
        ("元境", "Metascape"),
    ),
    "hard_tech": (
        ("机甲", "Mecha"),
        ("机器人", "Robotics"),
        ("光电", "Photonics"),
        ("动捕", "Mocap"),
        ("传感", "Sensing"),
        ("仿生", "Bionics"),
    ),
    "content": (
        ("文创", "Creative"),
        ("出版", "Press"),
        ("漫画", "Comics"),
        ("有声", "Audio"),
        ("故事", "Tales"),
        ("编剧", "Screenwriting"),
    ),
    "other": (("版权", "Rights"), ("咨询", "Advisory"), ("孵化", "Ventures"), ("会展", "Expo")),
}

COMPANY_SUFFIXES: dict[str, tuple[tuple[str, str], ...]] = {
    "aigc_film": (("影业", "Pictures"), ("文化", "Culture"), ("传媒", "Media")),
    "digital_humans": (("科技", "Technology"), ("数字科技", "Digital"), ("互娱", "Entertainment")),
    "ai_agents": (("科技", "Technology"), ("智能科技", "AI"), ("信息技术", "IT")),
    "games": (("互娱", "Entertainment"), ("网络科技", "Network"), ("科技", "Technology")),
    "vfx": (("科技", "Technology"), ("影视", "Film & TV"), ("数字", "Digital")),
    "immersive": (("科技", "Technology"), ("文旅", "Cultural Tourism"), ("展览", "Exhibitions")),
    "hard_tech": (
        ("科技", "Technology"),
        ("智能装备", "Intelligent Equipment"),
        ("精工", "Precision"),
    ),
    "content": (("文化", "Culture"), ("传媒", "Media"), ("文化传播", "Communications")),
    "other": (("科技", "Technology"), ("管理咨询", "Consulting"), ("服务", "Services")),
}
SOLO_SUFFIXES = (("工作室", "Studio"), ("实验室", "Lab"), ("工坊", "Workshop"))

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余"
    "杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎"
    "贺顾毛郝龚邵万严武戴孔汤"
)
GIVEN = (
    "子轩",
    "浩然",
    "雨桐",
    "思远",
    "欣怡",
    "宇航",
    "若曦",
    "梓涵",
    "晨阳",
    "一鸣",
    "佳琪",
    "俊杰",
    "诗雨",
    "天宇",
    "明哲",
    "语嫣",
    "嘉豪",
    "晓彤",
    "志远",
    "可馨",
    "博文",
    "雅琴",
    "峻熙",
    "静怡",
    "文博",
    "梦琪",
    "鹏飞",
    "婉清",
    "昊天",
    "安然",
)

# Characters of a credit code (GB 32100-2015): digits and capitals without I, O, S, V, Z.
CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


@dataclass(frozen=True)
class Profile:
    name_zh: str
    name_en: str
    track: str
    kind: str
    description: str
    contact_name: str
    contact_email: str
    contact_phone: str
    legal_name: str | None = None
    uscc: str | None = None


def _org_code(body: str) -> str:
    """An organisation code (GB 11714): 8 characters and their check character."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c, 36) * w for c, w in zip(body, weights, strict=True))
    check = 11 - total % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def credit_code(rng: random.Random, region: str) -> str:
    """A Unified Social Credit Code of an enterprise (91) registered in `region`.

    The organisation code inside is a new-style one ("MA…") with its own GB 11714 check,
    and the 18th character is the GB 32100-2015 check that python-stdnum verifies.
    """
    body = "MA" + "".join(rng.choice(CODE_CHARS) for _ in range(6))
    base = "91" + region + _org_code(body)
    return base + uscc.calc_check_digit(base)


def contact(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def slug(name_en: str) -> str:
    words = "".join(c if c.isalnum() else " " for c in name_en.lower()).split()
    return ".".join(words)


class Namer:
    """Hands out team names no one in the demo has yet (Chinese and English both unique)."""

    def __init__(
        self, rng: random.Random, prefixes: tuple[tuple[str, str], ...], taken: set[str]
    ) -> None:
        self.rng = rng
        self.prefixes = prefixes
        self.taken = set(taken)
        self.codes: set[str] = set()
        self.prefix_use: dict[str, int] = {}

    def name(self, track: str, kind: str) -> tuple[str, str]:
        suffixes = SOLO_SUFFIXES if kind == "solo" else COMPANY_SUFFIXES[track]
        for _attempt in range(1000):
            prefix_zh, prefix_en = self.rng.choice(self.prefixes)
            if self.prefix_use.get(prefix_zh, 0) >= 8:
                continue
            field_zh, field_en = self.rng.choice(FIELDS[track])
            suffix_zh, suffix_en = self.rng.choice(suffixes)
            zh = prefix_zh + field_zh + suffix_zh
            en = f"{prefix_en} {field_en} {suffix_en}"
            # "xingyun" finds 星云工作室 alone in the demo (a test searches for it).
            if zh in self.taken or en in self.taken or "xingyun" in pinyin_of(zh):
                continue
            self.taken |= {zh, en}
            self.prefix_use[prefix_zh] = self.prefix_use.get(prefix_zh, 0) + 1
            return zh, en
        raise RuntimeError("the demo's word lists ran out of names")  # pragma: no cover

    def credit_code(self, region: str) -> str:
        while True:
            code = credit_code(self.rng, region)
            if code not in self.codes:
                self.codes.add(code)
                return code

    def profile(self, zh: str, en: str, track: str, kind: str, city: str, phone: str) -> Profile:
        rng = self.rng
        company = kind == "company"
        return Profile(
            name_zh=zh,
            name_en=en,
            track=track,
            kind=kind,
            description=describe(rng, zh, en, track, kind),
            contact_name=contact(rng),
            contact_email=f"{slug(en)}@example.cn",
            contact_phone=f"{phone}-{rng.choice('68')}{rng.randint(1000000, 9999999)}",
            legal_name=f"{city}{zh}有限公司" if company else None,
            uscc=self.credit_code(REGIONS[city]) if company else None,
        )


# Where the demo's companies are registered: 彭州市 (Bailuwan) and 石景山区 (Shougang).
REGIONS = {"成都": "510182", "北京": "110107"}

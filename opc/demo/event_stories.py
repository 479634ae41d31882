"""The demo's events (opc.demo.events plays them): what each is, when (counted from the
park-local Monday of this week), how big, who registers and how many come."""

from __future__ import annotations

from dataclasses import dataclass

ORGANISATIONS = (
    "天府创投",
    "四川大学",
    "电子科技大学",
    "成都日报",
    "科幻世界杂志社",
    "高新区管委会",
    "红杉中国",
    "腾讯云",
    "成都传媒集团",
    "西南交通大学",
)


@dataclass(frozen=True)
class Spec:
    kind: str
    title_zh: str
    title_en: str
    description_zh: str
    description_en: str
    day: int  # days after the park-local Monday of this week
    at: str  # HH:MM, park time
    minutes: int
    capacity: int
    members: int  # resident teams' members who register
    guests: int
    room: str | None = None  # a room of the park (held), else `place`
    place: str = ""
    public: bool = True
    waitlist_mode: str = "auto"
    attendance: float = 0.0  # of the confirmed, checked in (past events)
    cancelled: int = 0  # registrations cancelled again (guests', by their ticket)


CHENGDU_EVENTS = (
    Spec(
        "demo_day",
        "OPC 社区第三期 Demo Day",
        "OPC Hub Demo Day, round 3",
        "十支在孵团队向投资人与产业伙伴展示 AIGC 影视、数字人与智能体作品，每队 8 分钟。",
        "Ten resident teams show investors and industry partners their AIGC film, digital "
        "human and agent work, eight minutes each.",
        -59,
        "14:00",
        240,
        80,
        members=14,
        guests=18,
        room="1-SR01",
        attendance=0.81,
    ),
    Spec(
        "forum",
        "科幻产业与 AIGC 创作论坛",
        "Forum: the sci-fi industry and AIGC creation",
        "科幻作家、导演与技术团队对谈：生成式 AI 如何改变科幻 IP 的开发与制作。",
        "Sci-fi writers, directors and technologists on how generative AI changes the "
        "development and production of sci-fi IP.",
        -30,
        "09:30",
        180,
        100,
        members=10,
        guests=30,
        place="成都科幻馆 · 雨果厅",
        attendance=0.6,
        cancelled=1,
    ),
    Spec(
        "workshop",
        "ComfyUI 工作流实战工作坊",
        "Hands-on ComfyUI workflows",
        "从分镜到成片：用 ComfyUI 搭建可复用的 AIGC 视频工作流，请自带笔记本电脑。",
        "From storyboard to final cut: reusable AIGC video workflows in ComfyUI. Bring a laptop.",
        -12,
        "14:00",
        180,
        20,
        members=18,
        guests=2,
        room="1-SR01",
        public=False,
        attendance=0.95,
    ),
    Spec(
        "roadshow",
        "OPC 项目路演 · 第 12 期",
        "OPC project roadshow no. 12",
        "六个项目面向天使与早期投资机构路演，会后一对一交流。",
        "Six projects pitch to angel and early-stage investors, then meet them one to one.",
        10,
        "14:00",
        210,
        60,
        members=10,
        guests=12,
        room="1-SR01",
    ),
    Spec(
        "salon",
        "超级个体夜谈：一个人的公司怎么做",
        "Evening salon: running a one-person company",
        "园区内部交流：一人公司的财税、版权与接单经验分享，仅限在孵团队。",
        "For residents only: tax, copyright and finding clients as a one-person company.",
        8,
        "19:00",
        120,
        20,
        members=9,
        guests=0,
        place="社区一层 · 星空咖啡角",
        public=False,
    ),
    Spec(
        "workshop",
        "AI 漫剧分镜工作坊",
        "Workshop: storyboards for AI comics",
        "小班教学，12 个名额；满员后候补者将收到名额邀请，48 小时内确认。",
        "A small class of twelve; when a place frees up the next on the waitlist is offered "
        "it and has 48 hours to accept.",
        16,
        "14:00",
        180,
        12,
        members=6,
        guests=6,
        room="1-SR01",
        waitlist_mode="offer",
        cancelled=1,
    ),
    Spec(
        "forum",
        "2026 成都科幻 IP 开发者大会·开放论坛",
        "Chengdu Sci-Fi IP Developers Forum 2026",
        "面向公众开放：科幻 IP 的影视化、游戏化与出海。名额有限，额满后进入候补。",
        "Open to the public: sci-fi IP on screen, in games and abroad. Places are limited; "
        "once full, registrations join the waitlist.",
        19,
        "09:30",
        150,
        30,
        members=8,
        guests=27,
        place="成都科幻馆 · 雨果厅",
    ),
)
SHOUGANG_EVENTS = (
    Spec(
        "forum",
        "首钢科幻产业集聚区开放日论坛",
        "Shougang sci-fi cluster open-day forum",
        "特效、沉浸式体验与硬科技企业分享园区合作案例。",
        "VFX, immersive and hard-tech companies share what they built together in the park.",
        12,
        "09:30",
        150,
        300,
        members=5,
        guests=15,
        room="F01",
    ),
)
EVENTS = {"CD-OPC": CHENGDU_EVENTS, "SG-SCIFI": SHOUGANG_EVENTS}

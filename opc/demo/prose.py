"""What each demo team does, written as a park's directory would put it: two or three
sentences in Chinese, then the same in English, naming the team.

The work and the need are drawn from the park's random sequence as before (so that every
other value of the demo stays as it was); how the sentences are put together is drawn from
the team's name, so that descriptions vary and are the same on every run.
"""

from __future__ import annotations

import random

# Per track: what a team does, as a verb phrase that follows its subject
# ("星云工作室…" / "Nebula Studio makes …"); the same number per track as before.
WHAT: dict[str, tuple[tuple[str, str], ...]] = {
    "aigc_film": (
        (
            "用生成式视频模型制作科幻短片与预告片",
            "makes sci-fi shorts and trailers with generative video models",
        ),
        (
            "为网络电影绘制AI分镜与概念设计",
            "draws AI storyboards and concept art for streaming films",
        ),
        ("把科幻小说改编成AIGC动画剧集", "adapts sci-fi novels into AIGC animated series"),
        ("用AI辅助虚拟制片与实时预演", "runs AI-assisted virtual production and real-time previs"),
    ),
    "digital_humans": (
        (
            "打造虚拟偶像，并运营她们的直播与短视频",
            "creates virtual idols and runs their live streams and clips",
        ),
        (
            "为品牌和文旅景区定制数字人讲解员",
            "builds digital-human guides for brands and scenic sites",
        ),
        (
            "为影视剧扫描并驱动高精度数字演员",
            "scans and animates high-fidelity digital actors for film and TV",
        ),
        (
            "开发面向政务与客服大厅的交互数字人",
            "develops interactive digital humans for service halls",
        ),
    ),
    "ai_agents": (
        (
            "开发面向影视制作的多智能体协作平台",
            "develops a platform on which AI agents work together on film productions",
        ),
        ("为剧本创作训练AI编剧智能体", "trains AI screenwriting agents for script development"),
        (
            "用智能体把企业知识库和日常流程自动化",
            "automates companies' daily workflows with agents over their knowledge bases",
        ),
        (
            "用大模型驱动游戏里的非玩家角色",
            "brings game characters to life with large language models",
        ),
    ),
    "games": (
        ("开发科幻题材的独立游戏", "develops independent sci-fi games"),
        ("用AIGC生成游戏美术资产", "generates game art with AIGC"),
        (
            "把互动叙事和剧本杀搬到线上",
            "brings interactive stories and murder-mystery games online",
        ),
    ),
    "vfx": (
        (
            "为院线电影制作视效与数字合成",
            "creates visual effects and compositing for feature films",
        ),
        ("运营云端渲染平台和特效资产库", "runs a cloud render farm and a library of VFX assets"),
        ("为LED虚拟拍摄棚制作内容", "makes content for LED virtual production stages"),
    ),
    "immersive": (
        ("策划科幻主题的沉浸式展览与剧场", "stages sci-fi immersive exhibitions and theatre"),
        ("打造XR大空间体验和文旅夜游项目", "builds large-space XR experiences and night tours"),
        ("制作全息投影节目与穹幕影片", "produces holographic shows and dome films"),
    ),
    "hard_tech": (
        ("研发影视拍摄用的机器人与机械臂", "builds robots and robotic arms for film shoots"),
        (
            "研制光学动作捕捉设备并提供整体方案",
            "designs optical motion-capture systems and sets them up",
        ),
        ("研发可穿戴的触觉反馈设备", "develops wearable haptic devices"),
        ("为科普展演制造仿生机甲", "builds bionic mecha for science shows"),
    ),
    "content": (
        ("创作原创科幻小说并孵化IP", "writes original sci-fi fiction and develops it into IP"),
        ("出版科幻漫画与有声书", "publishes sci-fi comics and audiobooks"),
        ("制作科普短视频与线上课程", "makes science short videos and online courses"),
    ),
    "other": (
        ("运营科幻IP的版权与授权", "manages and licenses the rights of sci-fi IP"),
        ("为园区企业提供融资与财税咨询", "advises resident companies on financing and tax"),
        ("策划并执行科幻会展", "plans and runs sci-fi conventions"),
    ),
}

# What a team looks for or offers, as a sentence of its own (as many as before).
NEEDS = (
    ("目前正在寻找算力合作伙伴。", "It is looking for compute partners."),
    ("团队正在招募AI美术与动画师。", "The team is hiring AI artists and animators."),
    ("希望与影视发行渠道建立合作。", "It would like to meet film distributors."),
    ("正在筹备天使轮融资。", "It is raising an angel round."),
    ("欢迎园区里的其他团队一起合作共创。", "It is happy to co-produce with other residents."),
    ("近期需要一处动作捕捉场地。", "It needs a motion-capture stage soon."),
    ("也可以为园区里的其他团队提供技术服务。", "It also offers technical services to other teams."),
    ("已经申请了未来产业基金。", "It has applied to the future industry fund."),
)

# The field of each track, for sentences that name it.
FIELD_OF_TRACK = {
    "aigc_film": ("AIGC影视", "AIGC film"),
    "digital_humans": ("虚拟数字人", "digital humans"),
    "ai_agents": ("AI智能体", "AI agents"),
    "games": ("游戏", "games"),
    "vfx": ("影视特效", "visual effects"),
    "immersive": ("沉浸式体验", "immersive experiences"),
    "hard_tech": ("硬科技", "hard tech"),
    "content": ("内容创作", "content"),
    "other": ("产业服务", "industry services"),
}

# How a description opens: {name}, {field} and {what} filled in.
SOLO_OPENINGS = (
    (
        "{name}是一家一人公司，创始人独自{what}。",
        "{name} is a one-person company: its founder {what}, alone.",
    ),
    (
        "{name}是园区里的一位“AI超级个体”：一个人借助AI工具{what}。",
        "{name} is one of the park's AI super-individuals, who {what} single-handed with AI tools.",
    ),
    (
        "{name}由一位创作者独立运营，专注{field}，{what}。",
        "{name} is run by a single creator in {field} who {what}.",
    ),
)
COMPANY_OPENINGS = (
    ("{name}是一家{field}领域的初创公司，{what}。", "{name} is a start-up in {field} that {what}."),
    ("{name}的团队{what}。", "The team of {name} {what}."),
    ("{name}专注于{field}，{what}。", "Working in {field}, {name} {what}."),
)
# A third sentence for some companies.
COMPANY_MORE = (
    ("创始团队来自影视和互联网行业。", "Its founders come from the film and internet industries."),
    (
        "团队与几所高校的实验室保持着合作。",
        "It works with the laboratories of several universities.",
    ),
    (
        "去年，团队的作品入选了园区的年度展映。",
        "Last year its work was chosen for the park's annual showcase.",
    ),
    ("团队的大部分成员是近几年的毕业生。", "Most of its members graduated in the last few years."),
)


def describe(rng: random.Random, name_zh: str, name_en: str, track: str, kind: str) -> str:
    """A team's description: a paragraph in Chinese, then one in English."""
    what_zh, what_en = rng.choice(WHAT[track])  # the park's sequence, drawn as before
    need_zh, need_en = rng.choice(NEEDS)
    style = random.Random(f"opc-demo/describe/{name_zh}")
    field_zh, field_en = FIELD_OF_TRACK[track]
    opening_zh, opening_en = style.choice(SOLO_OPENINGS if kind == "solo" else COMPANY_OPENINGS)
    zh = [opening_zh.format(name=name_zh, field=field_zh, what=what_zh), need_zh]
    en = [opening_en.format(name=name_en, field=field_en, what=what_en), need_en]
    if kind != "solo" and style.random() < 0.5:
        more_zh, more_en = style.choice(COMPANY_MORE)
        zh.insert(1, more_zh)
        en.insert(1, more_en)
    english = " ".join(en)
    return "".join(zh) + "\n" + english[0].upper() + english[1:]

"""What the demo's residents ask the service workstation, and how each request went.

A story: the team (a named team, or the n-th other resident of the park), the category it
opened under and the one staff filed it under, title and description, when it opened
(("days", n): a working morning n days ago; ("work", m): m working minutes ago, so that
its SLA state now is what the story needs) and its steps, each m working minutes after the
opening: triage, assign, note (internal), say (staff, in public), ask (the team for
information), answer (the team), resolve, confirm, reopen, rate.

Between them they cover every state; the member login's team (星云工作室) has one waiting
on it, one resolved for it to confirm, and one closed and rated.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Step = tuple[Any, ...]  # (kind, working minutes after opening, *arguments)


@dataclass(frozen=True)
class Story:
    team: str | int
    category: str
    title: str
    description: str
    ago: tuple[str, int]
    steps: tuple[Step, ...] = ()
    filed_as: str | None = None  # the category staff triage it to, when not `category`


CHENGDU_STORIES = (
    Story(
        "星云工作室",
        "talent_visas",
        "外籍AI剪辑师的工作许可与居留许可",
        "我们计划聘用一名法国籍AI剪辑师，明年一月到岗。想了解外国人工作许可和工作类居留许可"
        "的办理流程、材料和周期，以及园区能否协助加急。",
        ("work", 900),
        (
            ("assign", 20),
            ("note", 25, "高新区外国人工作管理服务窗口已对接，材料齐全后可走人才绿色通道。"),
            (
                "say",
                40,
                "您好！工作许可在“外国人来华工作管理服务系统”线上申报，一般20个工作日；"
                "取得许可后再办工作签证和居留许可。园区可以先帮您预审材料。",
            ),
            (
                "ask",
                300,
                "请补充以下材料，我们先做预审：1. 护照首页扫描件；2. 最高学历证书及认证；"
                "3. 无犯罪记录证明（需认证）；4. 拟签劳动合同。",
            ),
        ),
    ),
    Story(
        "星云工作室",
        "ip_copyright",
        "AI漫剧《星海拾遗》作品登记与软件著作权",
        "第一季12集已完成，想办理作品著作权登记；自研的分镜生成工具也想申请软件著作权。"
        "AI生成的内容能否登记？需要准备什么？",
        ("days", 9),
        (
            ("triage", 10),
            ("assign", 15),
            (
                "say",
                60,
                "AI辅助创作的作品，体现了人的独创性选择与安排的，可以登记，需附创作过程说明。"
                "软件著作权需源程序前后各30页和用户手册。",
            ),
            ("answer", 500, "材料已上传：创作说明、分镜工具源码节选和用户手册。"),
            (
                "resolve",
                1300,
                "作品登记和软件著作权申请都已提交四川省版权局，受理号已发到您的邮箱，"
                "预计30个工作日出证。",
            ),
        ),
    ),
    Story(
        "星云工作室",
        "compute_access",
        "算力券额度提升申请",
        "第二季制作量翻倍，现有3万元算力券预计下月用完，申请提升额度。",
        ("days", 48),
        (
            ("assign", 30),
            ("say", 90, "已收到，额度提升需提交近三个月用量明细，我们从算力平台直接调取。"),
            ("resolve", 900, "成都市算力券额度已提升至5万元，即日生效。"),
            ("confirm", 1400),
            ("rate", 1400, 5, "两天就批下来了，流程很清楚，感谢！"),
        ),
    ),
    Story(
        "赛博演员坊",
        "facilities",
        "动捕棚空调不制冷",
        "1-L01动捕棚的空调从昨天起不制冷，室温28度，动捕相机过热报警，影响拍摄。",
        ("days", 6),
        (
            ("assign", 10),
            ("say", 30, "已通知物业，维修师傅今天下午上门。"),
            ("resolve", 400, "物业已更换压缩机电容，制冷恢复。"),
            ("reopen", 900, "修好后第二天下午又不制冷了，室温到了29度。"),
        ),
    ),
    Story(
        "数字分身科技",
        "financing",
        "天使轮融资对接投资机构",
        "公司计划融资500万元天使轮，希望园区推荐关注数字人方向的投资机构，并参加下一次路演。",
        ("work", 400),
        (
            ("triage", 10),
            ("assign", 20),
            ("note", 25, "可推荐成都科创投和两家合作基金；先看BP质量再安排路演。"),
            ("say", 120, "已收到BP，我们会在本周内反馈修改意见，并为您预留本月路演名额。"),
        ),
    ),
    Story(
        "灵犀虚拟人",
        "talent_visas",
        "应届毕业生人才公寓申请",
        "新招的两名应届生（电子科大）想申请园区周边的人才公寓，请问条件和流程？",
        ("work", 150),
        (("assign", 40),),
    ),
    Story(
        "智能体工坊",
        "other",
        "申请接入园区GPU集群专线",
        "我们在训练多智能体模型，希望把办公室网络接入园区GPU集群的万兆专线。",
        ("work", 100),
        (("triage", 30),),
        filed_as="compute_access",
    ),
    Story(
        "自主代理实验室",
        "other",
        "路演厅借用：12月Demo Day",
        "想借用一楼路演厅半天，做产品Demo Day，约60人。",
        ("work", 20),
    ),
    Story(
        "幻境影业",
        "company_registration",
        "设立影视制作全资子公司",
        "为承接院线项目，计划在高新区设立一家影视制作全资子公司，请协助办理工商登记和许可证。",
        ("days", 120),
        (
            ("triage", 15),
            ("assign", 20),
            ("say", 60, "可以办理。请先确定子公司名称（备选3个）和注册资本。"),
            ("ask", 200, "请提供子公司章程草案和法定代表人身份证明。"),
            ("answer", 1100, "章程草案和身份证明已上传。"),
            ("resolve", 2600, "营业执照已领取，广播电视节目制作经营许可证已提交申请。"),
            ("confirm", 3000),
            ("rate", 3000, 4, "办理顺利，建议一开始就给出完整的材料清单。"),
        ),
    ),
    Story(
        "光年叙事",
        "policy_consultation",
        "成都市AIGC产业扶持政策申报",
        "想了解今年成都市对AIGC企业的扶持政策，我们符合哪些条件？",
        ("days", 75),
        (
            ("assign", 10),
            ("say", 45, "可申报：算力券、首版次作品奖励、人才安居。已整理申报指南发您邮箱。"),
            ("resolve", 300, "已协助完成首版次作品奖励申报。"),
            ("confirm", 700),
            ("rate", 700, 5, "讲得很透，省了我们很多时间。"),
        ),
    ),
    Story(
        0,
        "company_registration",
        "个体工商户转为有限公司",
        "目前以个体工商户经营，客户要求开具专票，想转为有限公司，原有合同怎么处理？",
        ("work", 700),
    ),
    Story(
        1,
        "policy_consultation",
        "高新技术企业认定条件咨询",
        "公司成立两年，有3项软著，想了解明年申报高新技术企业的条件。",
        ("work", 1150),
        (("assign", 30), ("say", 90, "您好，先请提供近两年的研发费用明细，我们对照条件评估。")),
    ),
    Story(
        2,
        "ip_copyright",
        "商标被抢注，如何提出异议",
        "我们的品牌名被他人抢先申请商标，公告期还有两个月，希望得到法律帮助。",
        ("days", 100),
        (
            ("assign", 60),
            ("note", 70, "转园区合作律所，费用按入驻企业优惠价。"),
            ("say", 200, "已转合作律所，律师会在三个工作日内联系您。"),
            ("resolve", 3600, "异议申请已由律所提交商标局。"),
            ("confirm", 4200),
            ("rate", 4200, 3, "结果满意，但中间等了比较久。"),
        ),
    ),
    Story(
        3,
        "facilities",
        "门禁卡补办",
        "新成员入职，需要补办两张门禁卡。",
        ("days", 30),
        (
            ("say", 20, "今天下午可到一楼前台领取。"),
            ("resolve", 60, "已办好两张门禁卡。"),
            ("confirm", 200),
            ("rate", 200, 5, "当天就办好了。"),
        ),
    ),
    Story(
        4,
        "financing",
        "知识产权质押贷款咨询",
        "想用已登记的作品著作权做质押，申请200万元贷款。",
        ("days", 150),
        (
            ("assign", 30),
            ("say", 100, "可对接成都银行科创贷，需先做知识产权评估。"),
            ("resolve", 1800, "已完成评估并提交银行，预计两周放款。"),
            ("confirm", 2500),
        ),
    ),
    Story(
        5,
        "talent_visas",
        "外籍配音演员短期来华邀请函",
        "请协助出具邀请函，邀请一位日本配音演员来成都录音两周。",
        ("days", 4),
        (("assign", 15), ("resolve", 400, "邀请函已盖章，电子版已发到您的邮箱。")),
    ),
    Story(
        6,
        "financing",
        "申请首贷贴息",
        "公司首笔银行贷款已放款，想申请首贷贴息。",
        ("work", 600),
        (("assign", 20), ("ask", 200, "请提供贷款合同和放款凭证。")),
    ),
)

SHOUGANG_STORIES = (
    Story(
        "钢铁特效",
        "facilities",
        "摄影棚电力扩容（LED墙）",
        "S05摄影棚要安装LED虚拟拍摄墙，需要把用电容量扩到400千瓦。",
        ("work", 500),
        (("assign", 20), ("say", 60, "已约供电公司下周现场勘查。")),
    ),
    Story(
        "沉浸空间",
        "ip_copyright",
        "沉浸式展览《钢铁之心》版权登记",
        "展览的互动装置和影像内容想一起做版权登记。",
        ("days", 60),
        (
            ("assign", 20),
            ("say", 100, "建议分为美术作品和视听作品分别登记。"),
            ("resolve", 1200, "两项登记均已提交北京市版权局。"),
            ("confirm", 1600),
            ("rate", 1600, 4, "建议很专业。"),
        ),
    ),
    Story(
        "硬核机甲",
        "talent_visas",
        "外籍机器人工程师R字签证",
        "德国工程师来京参与外骨骼项目，申请R字（高端人才）签证。",
        ("work", 60),
    ),
    Story(
        "科幻内容社",
        "policy_consultation",
        "北京市科幻产业专项资金申报",
        "今年的科幻产业专项资金什么时候申报？我们的科幻小说IP孵化项目是否符合？",
        ("days", 12),
        (("assign", 20), ("resolve", 300, "符合条件，申报指南和模板已发送，截止日期为月底。")),
    ),
)
STORIES = {"CD-OPC": CHENGDU_STORIES, "SG-SCIFI": SHOUGANG_STORIES}

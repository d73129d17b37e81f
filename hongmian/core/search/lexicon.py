"""The search's own word lists: question words to ignore, and groups of synonyms.

Both are written in simplified Chinese; the analyser normalises text (traditional →
simplified, full-width → half-width) before it looks anything up, so 身份證 and 身分證 meet
身份证 here. The lists come from everyday government-service vocabulary and the usual
mainland / Taiwan / Hong Kong variants of the same thing, not from any evaluation set: a
word added because one test question needed it would flatter the figures and help nobody.
"""

from __future__ import annotations

# Words that say how something is asked, not what is asked about. Kept out of the word
# channel on both sides and out of the bigram channel as whole bigrams, so that "请问如何"
# neither finds articles that happen to say 如何 nor pushes the real words down.
STOPWORDS: frozenset[str] = frozenset(
    """
    的 了 吗 呢 吧 啊 呀 嘛 么 哦 喔 之 其 及 与 和 或 或者 而 且
    并 并且 但 但是 则 即 是 有 在 为 以 于 对 对于 由 从 向 到 给
    让 把 被 将 就 也 都 还 又 再 很 更 最 能 会 我 我们 你 你们
    您 他 她 它 他们 她们 本人 自己 大家 人家 咱们 这 那 这个 那个
    这些 那些 这样 那样 这里 那里 此 该 各 每 某 请问 请教 想问 想知道
    咨询 问一下 请 问 一下 一个 如何 怎么 怎样 怎么样 怎么办 为什么 为何
    何 什么 什么样 啥 哪 哪些 哪里 哪儿 哪个 几 是否 是不是 能否 可否
    得否 能不能 可不可以 有没有 有无 可以 可 能够 要 需要 需 应 应该
    应当 须 必须 得 是否可 要不要 吗 如果 若 假如 的话 时 时候
    """.split()  # noqa: SIM905  # a word list reads better as text than as a list of strings
)

# Characters that carry no meaning on their own in a bigram ("补助的", "了吗"): a bigram that
# contains one says nothing the other bigrams do not.
PARTICLES: frozenset[str] = frozenset("的了吗呢吧啊呀嘛么哦喔")

# Each group names one thing. Any member found in a text also indexes the group, so a
# question that says 社保 finds an article that only says 社会保险. Longest match wins
# (居民身份证 before 身份证), members are matched as substrings of the normalised text.
SYNONYM_GROUPS: tuple[tuple[str, ...], ...] = (
    ("身份证", "居民身份证", "身份证件", "身分证", "国民身分证", "身份证明"),
    ("社保", "社会保险"),
    ("社保卡", "社会保障卡", "社会保障卡片"),
    ("医保", "医疗保险", "基本医疗保险", "健保", "健康保险"),
    ("医保卡", "健保卡"),
    ("养老金", "退休金", "养老保险金"),
    ("公积金", "住房公积金"),
    ("户口", "户籍", "户口簿", "户口本", "户籍誊本"),
    ("驾照", "驾驶证", "驾驶执照", "驾驶证照"),
    ("行驶证", "行车执照", "车辆行驶证"),
    ("居住证", "暂住证"),
    ("营业执照", "工商执照", "营业登记"),
    ("出生证", "出生证明", "出生医学证明"),
    ("结婚证", "结婚登记"),
    ("残疾人", "残障人士", "身心障碍者", "身障者"),
    ("残疾", "残障", "身心障碍", "身障"),
    ("残疾证", "残疾人证", "身心障碍证明", "身心障碍手册"),
    ("低保", "最低生活保障", "低收入户"),
    ("老人", "老年人", "长者", "长辈", "年长者"),
    ("小孩", "孩子", "儿童", "幼儿", "子女"),
    ("房东", "出租人", "业主"),
    ("房客", "租客", "承租人", "租户"),
    ("押金", "保证金", "订金"),
    ("补贴", "补助", "津贴"),
    ("补办", "补领", "补发", "重新申领", "遗失补办"),
    ("挂失", "报失"),
    ("提取", "支取", "领取"),
    ("停水", "断水", "没水", "无水", "供水中断"),
    ("停电", "断电", "没电", "供电中断"),
    ("停气", "断气", "燃气中断"),
    ("噪音", "噪声", "吵闹", "扰民"),
    ("投诉", "申诉", "反映"),
    ("违建", "违章建筑", "违法建设", "违法建筑"),
    ("出租车", "的士", "计程车", "出租汽车"),
    ("地铁", "捷运", "轨道交通"),
    ("自行车", "单车", "脚踏车"),
    ("摩托车", "机车", "电单车"),
    ("电动车", "电动自行车", "电瓶车"),
    ("停车", "泊车", "停放"),
    ("网上", "线上", "在线", "网络", "网路", "互联网"),
    ("手机", "移动电话", "行动电话"),
    ("电话", "联系电话", "联络电话"),
    ("营业时间", "办公时间", "上班时间", "服务时间"),
    ("地址", "地点", "位置"),
    ("费用", "收费", "规费", "价格"),
    ("罚款", "罚金", "罚锾"),
    ("垃圾", "废弃物", "废物"),
    ("宠物", "猫狗", "犬猫"),
    ("狗", "犬", "犬只"),
    ("幼儿园", "幼稚园"),
    ("小学", "国小"),
    ("初中", "国中"),
    ("失业", "待业"),
    ("工资", "薪资", "薪水", "报酬"),
    ("加班费", "延长工时工资"),
    ("劳动合同", "劳动契约", "雇佣合同"),
    ("员工", "劳工", "雇员", "职工"),
    ("老板", "雇主", "用人单位"),
    ("救护车", "急救车"),
    ("医院", "医疗机构"),
    ("疫苗", "预防接种", "接种"),
    ("护照", "出国证件"),
    ("签注", "签证"),
    ("港澳通行证", "往来港澳通行证"),
    ("台胞证", "台湾居民来往大陆通行证"),
    ("水费", "自来水费"),
    ("电费", "用电费用"),
    ("煤气", "燃气", "天然气", "瓦斯"),
    ("路灯", "街灯"),
    ("井盖", "窨井盖", "人孔盖"),
    ("水浸", "积水", "淹水", "内涝"),
    ("树木", "行道树", "路树"),
    ("交通违法", "交通违章", "违章"),
    ("车位", "停车位"),
    ("房产证", "不动产权证", "房屋所有权证", "产权证"),
    ("税", "税款", "税费", "赋税"),
    ("个税", "个人所得税", "综合所得税"),
    ("发票", "统一发票"),
)

# What a question asks about, and how an article shows that it answers it: (the question's
# pattern, the article's pattern), both regular expressions on normalised (simplified) text.
# Features of the learned ranking (learned.py): among sibling answers of one topic — a
# subsidy's eligibility, documents, address, phone, fee — the one that holds what is asked
# wins. Written from the shape of government answers, not from evaluation questions.
ASPECTS: dict[str, tuple[str, str]] = {
    "phone": (
        r"电话|联系|联络|专线|咨询|洽询|客服",
        r"\d{2,4}[-)）]?\d{3,4}-?\d{3,4}|电话|分机",
    ),
    "place": (
        r"哪里|地点|地址|在哪|何处|窗口|哪个单位|哪边|去哪",
        r"路|街|[0-9一二三四五六七八九十]+号|楼|区公所|服务处|办公室",
    ),
    "amount": (
        r"多少钱|费用|收费|金额|多少元|补助多少|价格|价钱|罚",
        r"\d+元|元|新台币|费用|免费|罚锾",
    ),
    "time": (
        r"时间|何时|多久|期限|日期|几天|几点|什么时候|期间|截止",
        r"\d+[日天月年]|\d+[:：]\d+|时|星期|周[一二三四五六日]|上午|下午|工作天",
    ),
    "documents": (
        r"文件|证件|资料|准备|携带|应备|带什么|附件|证明",
        r"身分证|身份证|影本|证明|申请书|正本|印章|照片",
    ),
    "eligibility": (
        r"资格|条件|谁可以|哪些人|对象|适用|符合|限制",
        r"年满|设籍|未满|以上|以下|符合|应|须",
    ),
    "procedure": (
        r"如何|怎么|流程|程序|方式|步骤|办理|申请",
        r"网站|网路|线上|临柜|http|www|申请|办理",
    ),
    "yes_no": (
        r"是否|可否|可以|能否|能不能|会不会|有没有",
        r"可以|不可|不得|得|无须|免",
    ),
    "reason": (r"为什么|为何|原因", r"因为|因|由于|以致|所以"),
}

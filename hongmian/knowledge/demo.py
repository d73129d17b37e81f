"""Demo data for the knowledge base: a few dozen Guangzhou articles of the kind a 12345
agent reads out every day. Called by `hongmian seed_demo` after identity (which makes the
units); idempotent — each article has an external id "demo-…" and is skipped when present.

The texts are written for the demo: they describe how things usually go, not the exact
current rules, and point to the official channels for details.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from hongmian.core.actors import Actor
from hongmian.identity.models import OrgUnit
from hongmian.knowledge import services
from hongmian.knowledge.models import Article
from hongmian.knowledge.states import Audience

Progress = Callable[[str, int, int], None]

P, S = Audience.PUBLIC, Audience.STAFF

# (id, owning unit code, audience, tags, title, body)
ARTICLES: tuple[tuple[str, str, str, tuple[str, ...], str, str], ...] = (
    (
        "shebaoka-buban",
        "gz-hrss",
        P,
        ("社保", "证件"),
        "社保卡丢失了怎么补办？",
        "社会保障卡遗失后请先挂失：可拨打12345或通过“穗好办”APP、粤省事小程序办理临时挂失。"
        "挂失后可到就近的社保卡服务网点或合作银行网点申请补办，携带本人居民身份证原件；"
        "也可在线申请补卡并选择邮寄到家。补领的社保卡需重新激活金融账户后方可使用。",
    ),
    (
        "shebaoka-shenling",
        "gz-hrss",
        P,
        ("社保", "证件"),
        "第一次申领社会保障卡需要什么材料？",
        "首次申领社保卡需本人有效居民身份证，16周岁以下可用户口簿。可在“穗好办”APP在线申领，"
        "或到社保卡服务网点现场办理。制卡完成后按选择的方式到网点领取或邮寄。",
    ),
    (
        "shebao-jiaofei-jishu",
        "gz-hrss",
        P,
        ("社保",),
        "灵活就业人员如何在广州缴纳社会保险？",
        "在本市办理灵活就业登记后，可以个人身份参加企业职工基本养老保险和基本医疗保险。"
        "缴费基数在规定的上下限之间自选，可通过税务部门的缴费渠道按月缴纳。"
        "具体缴费档次以当年公布的标准为准。",
    ),
    (
        "gongjijin-tiqu-zufang",
        "gz-housing-fund",
        P,
        ("公积金",),
        "租房可以提取住房公积金吗？",
        "在本市无自有住房且租房自住的缴存职工，可申请提取住房公积金支付房租。"
        "可通过广州住房公积金管理中心网上服务平台或“穗好办”APP申请，"
        "按规定的额度和周期提取，提取款项转入本人银行账户。",
    ),
    (
        "gongjijin-tiqu-lizhi",
        "gz-housing-fund",
        P,
        ("公积金",),
        "离职后公积金怎么取出来？",
        "与单位终止劳动关系后，符合条件的可办理销户提取，例如户籍迁出本市、出境定居或"
        "达到退休年龄等。一般离职不能立即提取，账户可封存，在新单位续缴时转移接续。",
    ),
    (
        "gongjijin-daikuan",
        "gz-housing-fund",
        P,
        ("公积金", "住房"),
        "住房公积金贷款申请条件",
        "正常连续足额缴存住房公积金满规定期限、具有完全民事行为能力且购买本市自住住房的职工，"
        "可申请住房公积金贷款。贷款额度与账户余额、缴存年限和还款能力挂钩，"
        "由受托银行受理，公积金中心审批。",
    ),
    (
        "juzhuzheng-banli",
        "gz-police",
        P,
        ("居住证", "证件"),
        "如何办理广州居住证？",
        "来穗人员在居住地办理居住登记满半年，并符合有合法稳定就业、合法稳定住所或连续就读"
        "条件之一的，可申领居住证。可通过“穗好办”APP或到居住地的来穗人员服务管理中心申请，"
        "携带居民身份证、近期照片和居住证明材料。",
    ),
    (
        "juzhuzheng-qianzhu",
        "gz-police",
        P,
        ("居住证",),
        "居住证到期了怎么续签？",
        "居住证每年签注一次，逾期未签注的居住证暂停使用。持证人可在有效期满前通过"
        "“穗好办”APP在线签注，或到居住地来穗人员服务管理站点办理。",
    ),
    (
        "shenfenzheng-buban",
        "gz-police",
        P,
        ("证件", "户籍"),
        "身份证丢了在哪里补办？",
        "居民身份证丢失后可到任一派出所户籍窗口或公安出入境及户政服务点申请补领，"
        "现场采集照片和指纹。广州户籍居民可跨区办理，外省户籍居民可按跨省通办规定办理。"
        "补领期间如需乘车等，可申请临时居民身份证。",
    ),
    (
        "hukou-qianru",
        "gz-police",
        P,
        ("户籍",),
        "人才引进入户广州需要什么条件？",
        "符合本市人才引进条件的，可通过人才引进渠道申请户籍迁入，条件通常与学历、职称、"
        "技能等级及社保缴纳年限有关。申请经人力资源社会保障部门审核后，到公安机关办理落户。"
        "具体条件以现行入户政策为准。",
    ),
    (
        "jiazhao-huanzheng",
        "gz-police",
        P,
        ("交通", "证件"),
        "驾驶证到期换证怎么办？",
        "机动车驾驶证有效期满前90日内可申请换证。可通过“交管12123”APP在线申请并邮寄新证，"
        "或到车管所、交警服务站办理，需提交身体条件证明。",
    ),
    (
        "tingshui-chaxun",
        "gz-tapwater",
        P,
        ("供水",),
        "停水了怎么查询原因和恢复时间？",
        "计划停水会提前在自来水公司官网、微信公众号和小区公告中发布，注明停水范围和时间。"
        "突然停水时，可拨打自来水公司客服热线或12345查询是否为抢修停水，并确认是否只是"
        "本户或本楼的问题（如水表、楼宇加压设备故障）。",
    ),
    (
        "shuifei-jiaona",
        "gz-tapwater",
        P,
        ("供水", "缴费"),
        "自来水费怎么缴？",
        "水费可通过自来水公司微信公众号、支付宝、银行代扣或营业厅缴纳。"
        "欠费超过规定期限会产生违约金，请按时缴费。",
    ),
    (
        "tingdian-baoxiu",
        "gz-power",
        P,
        ("供电",),
        "家里停电了怎么报修？",
        "先检查家中总开关和漏电保护开关是否跳闸、邻居是否也停电。确认是供电线路问题的，"
        "可拨打95598供电服务热线或通过“南网在线”APP报修，也可查询计划停电公告。",
    ),
    (
        "ranqi-louqi",
        "gz-gas",
        P,
        ("燃气", "安全"),
        "闻到燃气泄漏的味道怎么办？",
        "立即关闭燃气总阀，打开门窗通风，不要开关电器、不要使用明火和手机，"
        "到室外安全地点后拨打燃气公司抢修电话或119。",
    ),
    (
        "zaoyin-tousu",
        "gz-12345",
        P,
        ("噪音", "投诉"),
        "噪音扰民向哪里投诉？",
        "不同噪音由不同部门管理：社会生活噪音（如邻居装修、广场舞、商铺喇叭）可向公安机关"
        "或街道反映；建筑施工噪音（特别是夜间施工）由生态环境或住房城乡建设部门查处；"
        "工业噪音由生态环境部门处理。不确定时可直接拨打12345，由热线转给承办单位。",
    ),
    (
        "yejian-shigong",
        "gz-eco",
        P,
        ("噪音", "施工"),
        "晚上施工太吵可以投诉吗？",
        "夜间（一般为22时至次日6时）禁止产生噪音污染的建筑施工作业，因抢修、抢险或"
        "工艺要求必须连续施工的，需取得证明并公告附近居民。可拨打12345反映，"
        "说明工地位置和施工时间。",
    ),
    (
        "weijian-jubao",
        "gz-urban",
        P,
        ("违建", "城管"),
        "发现违法建设怎么举报？",
        "可拨打12345或通过“穗好办”APP反映违法建设，写明具体地址、建设情况并可附照片。"
        "由属地街道（镇）综合执法队核查处理。",
    ),
    (
        "laji-fenlei",
        "gz-urban",
        P,
        ("垃圾分类",),
        "广州生活垃圾怎么分类？",
        "生活垃圾分为可回收物、厨余垃圾、有害垃圾和其他垃圾四类。定时定点投放，"
        "大件垃圾和装修垃圾需预约清运。",
    ),
    (
        "chuzuche-tousu",
        "gz-transport",
        P,
        ("交通", "投诉"),
        "出租车绕路、拒载怎么投诉？",
        "保留车票或电子支付凭证，记下车牌号、乘车时间和上下车地点，拨打12345投诉，"
        "交通运输部门会调查处理。遗失物品也可凭车票信息查找。",
    ),
    (
        "ditie-shiwu",
        "gz-transport",
        P,
        ("地铁", "交通"),
        "在地铁上丢了东西怎么找？",
        "可联系广州地铁客服热线或到车站客服中心登记，说明乘车线路、时间和物品特征。",
    ),
    (
        "yibao-yidi",
        "gz-medical",
        P,
        ("医保",),
        "医保异地就医备案怎么办？",
        "参保人到外地长期居住或工作、转诊就医前，可通过国家医保服务平台APP、粤医保小程序"
        "或“穗好办”APP办理异地就医备案，备案后在外地定点医疗机构可直接结算。",
    ),
    (
        "chusheng-yijianshi",
        "gz-data",
        P,
        ("一件事", "出生"),
        "新生儿出生后要办哪些证？能一次办吗？",
        "新生儿出生“一件事”可在“穗好办”APP一次申请出生医学证明、户口登记、医保参保、"
        "社保卡申领等事项，无需逐个部门跑。",
    ),
    (
        "yingyezhizhao",
        "gz-market",
        P,
        ("企业", "证照"),
        "个体工商户营业执照怎么申请？",
        "可通过广东政务服务网或“穗好办”APP在线申请个体工商户登记，填写经营者、经营场所和"
        "经营范围，上传身份证明；材料齐全的一般当场或短时间内办结，可领取电子营业执照。",
    ),
    (
        "chongwu-quanzheng",
        "gz-agri",
        P,
        ("养犬",),
        "在广州养狗要办证吗？",
        "在本市养犬需为犬只接种狂犬病疫苗并办理养犬登记，出户时须束犬链并及时清理犬只粪便。"
        "禁养犬只名录以公布的规定为准。",
    ),
    (
        "ertong-yimiao",
        "gz-health",
        P,
        ("医疗", "儿童"),
        "孩子打疫苗去哪里预约？",
        "儿童预防接种在居住地的社区卫生服务中心或指定接种门诊进行，"
        "可通过粤苗小程序查看接种计划并预约。",
    ),
    (
        "12345-zhijie-dafu",
        "gz-12345",
        S,
        ("热线规范",),
        "【内部】直接答复的口径要求",
        "能依据知识库直接答复的咨询，坐席应在受理时完整答复并在工单中记录所引用的知识条目；"
        "知识库无依据或需核实的，不得自行推测答复，应按派单目录派单。",
    ),
    (
        "12345-sanqu",
        "gz-12345",
        S,
        ("热线规范", "应急"),
        "【内部】紧急标签工单的处理时限",
        "带紧急标签的工单须在标签规定的时限内办结，坐席受理后立即派单并电话通知承办单位值班人员。",
    ),
    (
        "yiqing-tiaozheng",
        "gz-health",
        P,
        ("医疗",),
        "发热门诊在哪里可以查到？",
        "全市设有发热门诊的医疗机构名单由卫生健康部门公布，可在其官网或微信公众号查询。",
    ),
    (
        "taifeng-tingke",
        "gz-emergency",
        P,
        ("应急", "天气"),
        "台风天停工停课怎么通知？",
        "台风红色预警信号生效期间，全市停课，除必要岗位外停工。预警信息通过电视、电台、"
        "短信和官方新媒体发布，请以气象部门和应急管理部门的公告为准。",
    ),
)


def seed(*, actor: Actor, progress: Progress) -> None:
    total = len(ARTICLES)
    progress("knowledge: 知识条目", 0, total)
    existing = set(
        Article.objects.filter(external_id__startswith="demo-").values_list(
            "external_id", flat=True
        )
    )
    units = {u.code: u for u in OrgUnit.objects.filter(code__in={a[1] for a in ARTICLES})}
    for done, (slug, unit_code, audience, tags, title, body) in enumerate(ARTICLES, start=1):
        key = f"demo-{slug}"
        unit = units.get(unit_code)
        if key in existing or unit is None:
            continue
        article = services.article_create(
            actor=actor,
            owning_unit=unit,
            title=title,
            body=body,
            category_codes=tags,
            audience=audience,
            valid_from=dt.date(2025, 1, 1),
            external_id=key,
        )
        services.article_submit(actor=actor, article=article)
        services.article_approve(actor=actor, article=article, note="演示数据")
        progress("knowledge: 知识条目", done, total)
    progress("knowledge: 知识条目", total, total)


__all__ = ["ARTICLES", "seed"]

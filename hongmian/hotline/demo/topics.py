"""What the demo's callers ask about: one Topic per kind of problem, with the words a caller
uses, the units that usually handle it, and the shape of its replies.

`names` and `keywords` let the seeder find the matching category in whatever taxonomy is
loaded; `units` are fallbacks for when the dispatch catalogue has no rule ("{district}" is
the district government of the order's district, "{street}" its street office).
Weights are shares of the hotline's volume, roughly as a big city's centre sees them.
"""

from __future__ import annotations

from dataclasses import dataclass

ASK_FIX = ("请相关部门尽快处理。", "希望有关部门核实处理。", "请尽快协调解决。")
ASK_REPAIR = ("请尽快安排维修。", "请相关单位尽快修复。", "希望尽快恢复正常。")
ASK_ANSWER = ("请予以解答。", "请告知具体办理流程。", "希望得到明确答复。")
ASK_ENFORCE = ("请执法部门依法查处。", "请相关部门加强管理。", "希望尽快整治。")


@dataclass(frozen=True, slots=True)
class Topic:
    key: str
    names: tuple[str, ...]  # category names to look for, most specific first
    keywords: tuple[str, ...]
    weight: int
    request_types: tuple[tuple[str, int], ...]
    units: tuple[str, ...]
    titles: tuple[str, ...]  # titles[i] heads contents[i]
    contents: tuple[str, ...]
    replies: tuple[str, ...]
    asks: tuple[str, ...] = ASK_FIX
    answers: tuple[str, ...] = ()  # direct answers at intake (inquiries)
    # The knowledge demo's article (its slug) behind answers[i], "" where none is: a direct
    # answer read from one records it (ArticleUsage), as an agent's would.
    articles: tuple[str, ...] = ()
    address_share: float = 1.0  # how often the caller names a place
    direct_share: float = 0.0  # of this topic's inquiries, answered at intake
    urgent_share: float = 0.0
    emergency_share: float = 0.0  # priority 特急
    zone_share: float = 0.0  # tagged as from an emergency zone
    enterprise_share: float = 0.0


TOPICS: tuple[Topic, ...] = (
    Topic(
        key="noise_construction",
        names=("建筑施工噪声", "施工噪音", "噪声污染"),
        keywords=("施工噪音", "噪音", "夜间施工"),
        weight=70,
        request_types=(("complaint", 9), ("report", 1)),
        units=("gz-housing", "gz-urban", "{district}"),
        titles=(
            "反映{spot}附近工地夜间施工噪音扰民",
            "{spot}旁工地{hour}仍在施工",
            "投诉夜间施工噪音",
        ),
        contents=(
            "附近工地连续{duration}在{hour}施工，打桩机、泥头车噪音很大，严重影响周边居民休息。",
            "旁边的工地每天{hour}还在浇筑混凝土，机器轰鸣，家中老人小孩无法入睡，多次劝说无果。",
            "在建项目夜间施工未见公示夜间施工许可，噪音持续到{hour}。",
        ),
        replies=(
            "经现场核查，该工地存在夜间违规施工情况，我局已责令施工单位停止夜间作业，并依法立案调查。",
            "经核实，该项目已办理夜间施工证明，施工时段为混凝土连续浇筑；已要求施工单位采取降噪措施并做好公示。",
        ),
        asks=ASK_ENFORCE,
        urgent_share=0.05,
    ),
    Topic(
        key="noise_life",
        names=("社会生活噪声", "生活噪音", "噪声污染"),
        keywords=("噪音", "扰民", "广场舞", "音响"),
        weight=60,
        request_types=(("complaint", 1),),
        units=("gz-police", "{street}"),
        titles=("{spot}{shop}噪音扰民", "反映{spot}广场舞音响声音过大", "{neighbour}噪音扰民"),
        contents=(
            "楼下{shop}每天营业到{hour}，音响和食客喧哗声很大，持续了{duration}。",
            "每晚有人在小区广场跳广场舞，音响开得很大，一直到晚上10点后才结束。",
            "{neighbour}长期在{hour}装修、拖动家具，敲击声不断，沟通多次没有改善。",
        ),
        replies=(
            "经民警到场了解，已对相关人员进行批评教育，当事人承诺控制音量、合理安排时间。",
            "街道已联合社区、物业对广场舞团队进行劝导，约定活动时间和音量，将持续跟进。",
        ),
    ),
    Topic(
        key="street_light",
        names=("路灯照明", "路灯", "市政设施"),
        keywords=("路灯", "照明", "灯不亮"),
        weight=55,
        request_types=(("report", 6), ("help", 4)),
        units=("gz-urban", "{district}"),
        titles=("{spot}路灯不亮", "反映{spot}一段路灯损坏", "{spot}附近路灯晚上不亮"),
        contents=(
            "附近一段路的路灯已经{duration}不亮了，晚上一片漆黑，行人和电动车很容易发生危险。",
            "有{count}盏路灯不亮，还有一根灯杆倾斜，存在安全隐患。",
            "路灯时亮时不亮，夜间出行很不方便。",
        ),
        replies=(
            "经现场检查，该路段路灯因电缆故障熄灭，我单位已于{day}完成抢修，路灯恢复正常照明。",
            "已安排维修人员更换损坏灯具{count}套，倾斜灯杆已加固，现照明恢复正常。",
        ),
        asks=ASK_REPAIR,
    ),
    Topic(
        key="street_vending",
        names=("占道经营", "流动摊贩", "市容环境"),
        keywords=("占道经营", "摆摊", "流动摊贩", "乱摆卖"),
        weight=50,
        request_types=(("complaint", 7), ("report", 3)),
        units=("{street}", "gz-urban"),
        titles=("反映{spot}流动摊贩乱摆卖", "{spot}商铺出店经营", "{spot}路边占道经营"),
        contents=(
            "每天傍晚有大量流动摊贩在人行道上摆卖，占用盲道，垃圾遍地，行人只能走机动车道。",
            "路边多家商铺把货物、桌椅摆到人行道上经营，{hour}还有{shop}摆夜市，影响通行。",
            "地铁口附近有人长期摆摊卖水果和小吃，造成人流拥堵。",
        ),
        replies=(
            "街道综合执法队已到场整治，劝离流动摊贩{count}档，对出店经营商户下达整改通知书，并将加强巡查。",
            "已将该路段纳入重点巡查范围，安排执法人员在高峰时段驻点管理。",
        ),
        asks=ASK_ENFORCE,
    ),
    Topic(
        key="water_outage",
        names=("停水", "供水"),
        keywords=("停水", "水压低", "供水", "自来水"),
        weight=45,
        request_types=(("help", 7), ("complaint", 3)),
        units=("gz-tapwater", "gz-water"),
        titles=(
            "{spot}突然停水且未提前通知",
            "{spot}停水超过12小时未恢复",
            "{spot}水压低、高层用不上水",
        ),
        contents=(
            "今天早上开始整栋楼停水，事先没有收到任何停水通知，家里有老人小孩，生活很不方便。",
            "已经停水超过12个小时，没有看到送水车，也不知道什么时候恢复。",
            "最近{duration}高层住户水压很低，晚上用水高峰基本没有水。",
        ),
        replies=(
            "经查，该区域因市政供水管道爆管抢修临时停水，已于当日恢复供水；对未及时发布通知一事向用户致歉。",
            "经检测，小区二次供水加压设备故障，已督促物业维修，水压已恢复正常。",
        ),
        asks=ASK_REPAIR,
        urgent_share=0.5,
        zone_share=0.02,
    ),
    Topic(
        key="power_outage",
        names=("停电", "供电"),
        keywords=("停电", "跳闸", "供电"),
        weight=30,
        request_types=(("help", 8), ("complaint", 2)),
        units=("gz-power",),
        titles=("{spot}频繁停电", "{spot}整片停电", "反映{spot}停电时间过长"),
        contents=(
            "这{duration}已经停电好几次，每次都没有通知，冰箱里的东西都坏了。",
            "从{hour}开始整片停电，至今未恢复，天气炎热，老人身体吃不消。",
            "公告说是计划检修停电，但停电时间已远超公告时间，至今未恢复。",
        ),
        replies=(
            "经查，该片区因配电变压器过载跳闸停电，抢修人员已更换设备，供电已恢复；已安排增容改造。",
            "停电原因为用户内部线路故障，我局已协助物业排查并恢复供电。",
        ),
        asks=ASK_REPAIR,
        urgent_share=0.6,
        emergency_share=0.05,
    ),
    Topic(
        key="gas",
        names=("燃气泄漏", "瓶装液化气", "燃气"),
        keywords=("燃气", "煤气", "漏气"),
        weight=12,
        request_types=(("help", 6), ("report", 4)),
        units=("gz-gas", "gz-urban"),
        titles=("{spot}疑似燃气泄漏", "反映{spot}燃气管道老化", "{shop}违规使用液化气瓶"),
        contents=(
            "楼道里闻到很浓的煤气味，怀疑燃气管道泄漏，担心发生危险。",
            "小区燃气管道锈蚀严重，已有{duration}，一直没有人来检修。",
            "街边{shop}在店内存放多个液化气瓶，存在很大安全隐患。",
        ),
        replies=(
            "抢险人员接报后到场检测，确认为户内阀门松动漏气，已现场处置并恢复安全供气。",
            "已对该小区燃气管道开展安全检查，锈蚀管段已列入更新改造计划。",
        ),
        asks=ASK_ENFORCE,
        urgent_share=0.4,
        emergency_share=0.4,
    ),
    Topic(
        key="wage_arrears",
        names=("拖欠工资", "劳动关系"),
        keywords=("拖欠工资", "欠薪", "工资"),
        weight=45,
        request_types=(("complaint", 7), ("help", 3)),
        units=("gz-hrss", "{district}"),
        titles=("{company}拖欠工资", "反映{company}拖欠{months}个月工资", "工地拖欠农民工工资"),
        contents=(
            "本人在{company}工作，公司已拖欠{months}个月工资共计{amount}元，多次催讨无果。",
            "我们{count}名工人在工地干活，包工头拖欠工资{amount}元，现在联系不上。",
            "离职已经{duration}，{company}一直不结算最后一个月工资和加班费。",
        ),
        replies=(
            "劳动保障监察机构已约谈用人单位，该公司承诺于本月{day}前支付拖欠工资；如未按期支付将依法立案查处。",
            "经协调，施工总承包单位已从工资专用账户代发拖欠工资{amount}元，诉求人已确认收到。",
        ),
        asks=("请帮忙追讨工资。", "请劳动部门介入处理。", "希望尽快拿到工资。"),
        urgent_share=0.1,
    ),
    Topic(
        key="training_refund",
        names=("校外培训", "基础教育"),
        keywords=("培训", "退费", "课时费"),
        weight=30,
        request_types=(("complaint", 9), ("help", 1)),
        units=("gz-edu", "gz-market"),
        titles=("{school}拒不退费", "反映{school}停课后不退课时费", "校外培训机构退费难"),
        contents=(
            "孩子在{school}报了课程，预交学费{amount}元，机构现在突然停课，剩余课时费拒不退还。",
            "我在{school}交了一年的费用，上了几节课后要求退费，机构一直拖着不办。",
            "{school}门店已关闭，老师联系不上，家长群里有{count}位家长都没有退到费。",
        ),
        replies=(
            "经核查，该机构已纳入预收费监管，我局已督促其按合同退还剩余课时费，机构承诺分期退还。",
            "已约谈机构负责人，责令其于10个工作日内完成退费；对拒不退费的将移交市场监管部门处理。",
        ),
    ),
    Topic(
        key="social_insurance",
        names=("养老保险", "社会保险"),
        keywords=("社保", "养老保险", "缴费年限"),
        weight=60,
        request_types=(("inquiry", 9), ("complaint", 1)),
        units=("gz-hrss",),
        titles=("咨询社保缴费年限查询", "咨询养老保险转移接续", "咨询灵活就业人员社保缴费"),
        contents=(
            "本人在广州缴纳社保已满{months}年，想了解如何查询个人缴费明细和累计缴费年限。",
            "从外省调到广州工作，想咨询养老保险关系如何转移到广州。",
            "目前是灵活就业人员，想了解在广州如何以个人身份参加社保、每月缴多少。",
        ),
        replies=(
            "可通过“粤省事”小程序或广州人社网上服务平台查询个人参保缴费明细，也可携带身份证到就近社保经办窗口打印。",
        ),
        answers=(
            "已告知市民可通过“粤省事”小程序、广州人社网上服务平台查询社保缴费明细，或携身份证到社保窗口打印参保证明。",
            "已告知市民养老保险跨省转移可在国家社会保险公共服务平台线上申请，无需两地往返。",
            "已告知市民灵活就业人员可通过“粤税通”小程序办理参保登记并按月缴费。",
        ),
        articles=("", "", "shebao-jiaofei-jishu"),
        asks=ASK_ANSWER,
        address_share=0.0,
        direct_share=0.9,
    ),
    Topic(
        key="housing_fund",
        names=("公积金缴存提取", "住房公积金"),
        keywords=("公积金", "提取", "贷款"),
        weight=35,
        request_types=(("inquiry", 1),),
        units=("gz-housing-fund",),
        titles=("咨询租房提取公积金", "咨询公积金贷款额度", "咨询离职后公积金提取"),
        contents=(
            "在广州租房居住，想咨询租房提取住房公积金需要什么材料、每年能提取多少。",
            "准备首次购房，想了解公积金贷款最高额度和申请条件。",
            "已从单位离职{months}个月，户口不在广州，想咨询能否提取公积金。",
        ),
        replies=("按照现行政策，租房提取公积金可通过“穗好办”APP在线申请，无需提交租赁合同。",),
        answers=(
            "已告知市民无房租房提取可通过“穗好办”APP或公积金中心网站在线申请，每月可提取额度以最新政策为准。",
            "已告知市民公积金贷款额度与账户余额和缴存时间有关，可在公积金中心网站使用额度试算。",
        ),
        articles=("gongjijin-tiqu-zufang", "gongjijin-daikuan"),
        asks=ASK_ANSWER,
        address_share=0.0,
        direct_share=0.92,
    ),
    Topic(
        key="medical_insurance",
        names=("医疗保险", "社会保险"),
        keywords=("医保", "报销", "异地就医"),
        weight=30,
        request_types=(("inquiry", 8), ("complaint", 2)),
        units=("gz-medical",),
        titles=("咨询异地就医备案", "咨询门诊特定病种报销", "反映医院医保结算问题"),
        contents=(
            "家里老人要去外地长住，想了解医保异地就医备案怎么办理。",
            "想了解门诊特定病种的认定和报销比例。",
            "在医院就诊时医保卡无法结算，只能全自费，想知道后续怎么报销。",
        ),
        replies=("经核实，该院系统故障已修复，市民可持票据到医保经办窗口办理零星报销。",),
        answers=(
            "已告知市民可通过“粤医保”小程序在线办理异地就医备案，即时生效。",
            "已告知市民门特病种需经定点医院认定后备案，报销比例按参保类别执行。",
        ),
        articles=("yibao-yidi", ""),
        asks=ASK_ANSWER,
        address_share=0.0,
        direct_share=0.8,
    ),
    Topic(
        key="garbage",
        names=("垃圾清运", "环境卫生"),
        keywords=("垃圾", "清运", "卫生"),
        weight=45,
        request_types=(("complaint", 8), ("report", 2)),
        units=("{street}", "gz-urban"),
        titles=("{spot}垃圾长期无人清运", "{spot}建筑垃圾乱堆放", "反映{spot}垃圾桶满溢"),
        contents=(
            "小区垃圾收集点垃圾堆积{duration}无人清运，天气炎热臭气熏天，蚊蝇滋生。",
            "路边有人长期偷倒建筑垃圾和大件家具，已经堆成小山。",
            "垃圾分类投放点的垃圾桶经常满溢，清运不及时，污水横流。",
        ),
        replies=(
            "街道已安排环卫车辆对积存垃圾进行清运，并要求物业增加清运频次。",
            "已清理路边堆放的建筑垃圾约{count}吨，并在该处安装监控、设置警示牌。",
        ),
    ),
    Topic(
        key="illegal_building",
        names=("违法建设", "城市规划"),
        keywords=("违建", "违章搭建", "加建"),
        weight=30,
        request_types=(("report", 8), ("complaint", 2)),
        units=("{district}", "gz-urban"),
        titles=("举报{spot}楼顶违章搭建", "{spot}业主私自加建", "反映{spot}违法建设"),
        contents=(
            "有业主在楼顶私自搭建铁皮房，施工已经{duration}，存在安全隐患。",
            "首层商铺私自向外扩建，占用了公共通道。",
            "有人在村里空地上连夜加建楼房，已经建到三层。",
        ),
        replies=(
            "经现场核查，该处确有违法建设行为，已下达责令停止违法行为通知书，并将依法拆除。",
            "经核查，该建筑已取得建设工程规划许可，不属于违法建设，已向诉求人解释。",
        ),
        asks=ASK_ENFORCE,
    ),
    Topic(
        key="road_damage",
        names=("道路设施", "市政设施"),
        keywords=("路面", "坑洼", "井盖", "破损"),
        weight=35,
        request_types=(("report", 6), ("help", 4)),
        units=("gz-transport", "{district}"),
        titles=("{spot}路面坑洼", "{spot}井盖缺失", "反映{spot}人行道砖松动"),
        contents=(
            "路面出现多个大坑，下雨后积水看不清，已有电动车摔倒。",
            "路中间一个井盖缺失，只放了一个雪糕筒，晚上非常危险。",
            "人行道地砖大面积松动翘起，老人小孩容易绊倒。",
        ),
        replies=(
            "已安排养护单位对破损路面进行修补，于{day}完成施工。",
            "接报后已立即设置围蔽，并于当日补装井盖，消除安全隐患。",
        ),
        asks=ASK_REPAIR,
        urgent_share=0.2,
        emergency_share=0.1,
    ),
    Topic(
        key="waterlogging",
        names=("排水设施", "市政设施"),
        keywords=("水浸", "内涝", "排水", "渠道堵塞"),
        weight=20,
        request_types=(("help", 7), ("report", 3)),
        units=("gz-water", "{district}"),
        titles=("{spot}一下雨就水浸", "{spot}排水渠堵塞", "{spot}积水严重"),
        contents=(
            "每逢下暴雨路面积水就超过膝盖，车辆无法通行，商铺进水。",
            "排水渠被垃圾堵塞，污水溢出路面，气味难闻。",
            "今天暴雨后积水一直退不下去，已经淹到首层住户门口。",
        ),
        replies=(
            "已组织排水抢险队伍清疏管渠，积水已消退；该点已纳入内涝点整治计划。",
            "经排查为雨水口被杂物堵塞，已完成清疏。",
        ),
        asks=ASK_REPAIR,
        urgent_share=0.5,
        emergency_share=0.15,
        zone_share=0.05,
    ),
    Topic(
        key="bus",
        names=("公交服务", "公共交通"),
        keywords=("公交", "班次", "线路", "站点"),
        weight=25,
        request_types=(("suggestion", 5), ("complaint", 5)),
        units=("gz-transport",),
        titles=("建议{line}公交车增加班次", "反映{line}司机服务态度差", "建议在{spot}增设公交站"),
        contents=(
            "{line}早高峰班次太少，经常等20分钟以上，车上非常拥挤。",
            "乘坐{line}时司机不等乘客坐稳就急刹急开，乘客提醒后还出言不逊。",
            "附近新建了多个小区，但最近的公交站要走1公里，出行很不方便。",
        ),
        replies=(
            "已要求公交企业在早高峰加密{line}发车班次，并对涉事驾驶员进行教育处理。",
            "已将增设站点的建议转交线网规划部门研究，将结合道路条件统筹考虑。",
        ),
        address_share=0.4,
    ),
    Topic(
        key="taxi",
        names=("出租车服务", "出租车与网约车"),
        keywords=("出租车", "网约车", "拒载", "绕路"),
        weight=15,
        request_types=(("complaint", 1),),
        units=("gz-transport",),
        titles=("投诉出租车{plate}拒载", "投诉出租车{plate}绕路多收费", "投诉网约车司机态度恶劣"),
        contents=(
            "在{spot}打车，车牌{plate}的出租车司机问了目的地后拒绝载客。",
            "乘坐车牌{plate}的出租车，司机故意绕路，多收了{small_amount}元。",
            "通过网约车平台叫车，司机中途要求加价，乘客拒绝后被赶下车。",
        ),
        replies=("经调查核实，已对涉事驾驶员依法作出处罚，并责令其退还多收车费。",),
        address_share=0.8,
    ),
    Topic(
        key="food_safety",
        names=("餐饮食品安全", "食品安全"),
        keywords=("食品", "变质", "卫生", "过期"),
        weight=25,
        request_types=(("report", 6), ("complaint", 4)),
        units=("gz-market",),
        titles=("举报{spot}{shop}卫生条件差", "反映在{spot}购买到过期食品", "{shop}无证经营"),
        contents=(
            "附近一家{shop}后厨卫生很差，老鼠蟑螂多，吃完后多人出现腹泻。",
            "在超市购买的牛奶已经过期{duration}还在销售。",
            "{shop}没有悬挂营业执照和食品经营许可证，怀疑无证经营。",
        ),
        replies=(
            "执法人员已对该店进行检查，责令其限期整改，并对过期食品予以没收，依法立案调查。",
            "经检查该店证照齐全，后厨卫生存在问题，已责令整改并将开展复查。",
        ),
        asks=ASK_ENFORCE,
    ),
    Topic(
        key="prepaid_card",
        names=("预付卡消费", "消费维权"),
        keywords=("消费", "预付卡", "退款", "健身房"),
        weight=30,
        request_types=(("complaint", 1),),
        units=("gz-market",),
        titles=("健身房关门预付卡无法退款", "{shop}充值卡不能使用", "反映商家拒绝七天无理由退货"),
        contents=(
            "在附近健身房办了年卡{amount}元，现在健身房突然关门，老板联系不上。",
            "在{shop}充值了{small_amount}元，现在商家换了老板说之前的卡不认。",
            "网上购买的商品未拆封，商家拒绝七天无理由退货。",
        ),
        replies=(
            "已组织双方调解，商家同意退还剩余款项{small_amount}元，诉求人表示接受。",
            "经核查，经营者已失联，已告知诉求人可通过司法途径维权，并将该商户列入经营异常名录。",
        ),
        address_share=0.5,
    ),
    Topic(
        key="property_management",
        names=("物业管理", "房屋管理"),
        keywords=("物业", "电梯", "停车", "维修基金"),
        weight=45,
        request_types=(("complaint", 8), ("help", 2)),
        units=("gz-housing", "{street}"),
        titles=("{spot}电梯经常故障", "反映{spot}物业乱收停车费", "{spot}物业不作为"),
        contents=(
            "小区电梯{duration}内坏了三次，有人被困，物业只是简单维修。",
            "物业擅自上调停车管理费，没有召开业主大会，也没有公示。",
            "小区消防通道长期被车辆堵塞，公共区域漏水，物业一直不处理。",
        ),
        replies=(
            "已约谈物业服务企业，要求其联系电梯维保单位全面检修，并公示维修情况。",
            "经核查，物业上调收费未按规定履行程序，已责令其恢复原收费标准。",
        ),
    ),
    Topic(
        key="rental",
        names=("房屋租赁", "房屋管理"),
        keywords=("租房", "押金", "中介", "房东"),
        weight=20,
        request_types=(("complaint", 8), ("help", 2)),
        units=("gz-housing", "{street}"),
        titles=("房东拒不退还押金", "反映{company}中介违规收费", "长租公寓跑路无法退租"),
        contents=(
            "租房合同到期后，房东以各种理由拒绝退还押金{small_amount}元。",
            "通过{company}租房，中介收取了额外服务费，和合同约定不符。",
            "租住的长租公寓运营方跑路，房东要求我们搬走，已交的{months}个月房租无法退回。",
        ),
        replies=(
            "已组织租赁双方调解，房东同意退还押金，诉求人表示接受。",
            "经核查，该中介机构存在违规收费行为，已责令退还并依法处理。",
        ),
        address_share=0.6,
    ),
    Topic(
        key="hukou",
        names=("户籍证件", "治安管理"),
        keywords=("户口", "居住证", "入户", "身份证"),
        weight=30,
        request_types=(("inquiry", 1),),
        units=("gz-police",),
        titles=("咨询居住证办理", "咨询积分入户条件", "咨询身份证异地换领"),
        contents=(
            "刚来广州工作，想咨询办理居住证需要哪些材料、在哪里办。",
            "想了解积分入户的申请条件和分数线。",
            "身份证快到期了，户口不在广州，想知道能不能在广州换领。",
        ),
        replies=("已告知诉求人居住证可在“穗好办”APP申请，或到居住地派出所办理。",),
        answers=(
            "已告知市民居住证可通过“穗好办”APP或居住地派出所申领，需提供身份证和居住登记信息。",
            "已告知市民积分入户政策以当年公布的实施办法为准，可在市人社局网站查询。",
            "已告知市民身份证可在广州任一户政窗口异地换领。",
        ),
        articles=("juzhuzheng-banli", "hukou-qianru", "shenfenzheng-buban"),
        asks=ASK_ANSWER,
        address_share=0.0,
        direct_share=0.9,
    ),
    Topic(
        key="school_admission",
        names=("入学招生", "基础教育"),
        keywords=("入学", "学位", "积分入学", "转学"),
        weight=20,
        request_types=(("inquiry", 8), ("complaint", 2)),
        units=("gz-edu", "{district}"),
        titles=("咨询来穗人员随迁子女积分入学", "咨询小学转学手续", "反映学位分配不合理"),
        contents=(
            "孩子今年要上一年级，户口不在广州，想了解积分入学的申请时间和材料。",
            "家里搬家了，想咨询孩子小学转学需要办理什么手续。",
            "小区对口学校学位不足，孩子被分配到很远的学校。",
        ),
        replies=("已向诉求人解释学位分配政策，并告知可在规定时间内申请调剂。",),
        answers=(
            "已告知市民积分入学申请时间和材料以所在区教育局当年公布的通知为准，可在区教育局官网查询。",
            "已告知市民转学手续可向转入学校所在区教育局咨询，在学籍系统中办理。",
        ),
        asks=ASK_ANSWER,
        address_share=0.3,
        direct_share=0.7,
    ),
    Topic(
        key="business_registration",
        names=("企业登记", "企业开办与准入"),
        keywords=("营业执照", "企业开办", "注册", "变更登记"),
        weight=20,
        request_types=(("inquiry", 8), ("complaint", 2)),
        units=("gz-market",),
        titles=("咨询企业开办流程", "咨询营业执照经营范围变更", "反映营业执照办理时间过长"),
        contents=(
            "准备在广州开一家公司，想了解企业开办全流程需要多少天、能否全程网办。",
            "{company}想增加经营范围，想咨询变更登记需要哪些材料。",
            "{company}提交营业执照变更申请已经{duration}，一直显示审核中。",
        ),
        replies=("经查，该申请因材料不齐被退回，已联系企业补正，现已办结。",),
        answers=(
            "已告知企业可通过“广州市开办企业一网通平台”全程网办，一般1个工作日内办结。",
            "已告知企业经营范围变更可在线申请，无需到现场。",
        ),
        articles=("yingyezhizhao", ""),
        asks=ASK_ANSWER,
        address_share=0.0,
        direct_share=0.75,
        enterprise_share=0.9,
    ),
    Topic(
        key="enterprise_policy",
        names=("政策兑现", "惠企政策"),
        keywords=("补贴", "惠企", "政策兑现", "营商环境"),
        weight=20,
        request_types=(("help", 5), ("inquiry", 3), ("complaint", 2)),
        units=("gz-iit", "gz-commerce", "gz-sti"),
        titles=("{company}反映补贴资金未兑现", "咨询中小企业稳岗补贴", "反映项目审批环节多"),
        contents=(
            "{company}去年申报的技术改造补贴已公示，但至今资金未拨付。",
            "{company}想了解今年的中小企业稳岗补贴申报条件和时间。",
            "{company}一个改扩建项目需要跑多个部门盖章，审批时间超过{months}个月。",
        ),
        replies=(
            "经核实，补贴资金已完成审核，正在履行拨付程序，预计本月内到账。",
            "已安排专人对接企业，协调相关部门并联审批。",
        ),
        address_share=0.3,
        direct_share=0.3,
        enterprise_share=1.0,
    ),
    Topic(
        key="trees",
        names=("树木管理", "园林绿化"),
        keywords=("树木", "倒伏", "修剪", "绿化"),
        weight=15,
        request_types=(("help", 5), ("report", 5)),
        units=("gz-forestry", "{district}"),
        titles=("{spot}树木倒伏", "{spot}树枝遮挡交通信号灯", "反映{spot}绿化带被毁"),
        contents=(
            "昨晚大风后路边一棵大树倒下，压住了部分车道，还压到了电线。",
            "路边行道树长得太茂密，树枝遮挡了交通信号灯和路灯。",
            "有人把绿化带里的树挖掉改成了停车位。",
        ),
        replies=(
            "已安排园林养护队伍清理倒伏树木，恢复道路通行。",
            "已对遮挡信号灯的树枝进行修剪。",
        ),
        urgent_share=0.3,
        emergency_share=0.1,
    ),
    Topic(
        key="cooking_fumes",
        names=("餐饮油烟", "大气污染"),
        keywords=("油烟", "异味", "废气"),
        weight=20,
        request_types=(("complaint", 1),),
        units=("gz-eco", "{street}"),
        titles=("{spot}{shop}油烟扰民", "反映{spot}附近工厂排放异味", "{shop}排烟管正对住户窗口"),
        contents=(
            "楼下{shop}没有安装油烟净化设施，油烟直接排到居民楼，窗户都不敢开。",
            "附近有工厂每天晚上排放刺鼻气味，怀疑偷排废气。",
            "{shop}把排烟管接到居民楼窗户下方，油烟和风机噪音直冲住户。",
        ),
        replies=(
            "经现场检查，该店未正常使用油烟净化设施，已责令整改并立案处罚。",
            "已对周边企业开展夜间巡查，对一家违规排放企业依法查处。",
        ),
        asks=ASK_ENFORCE,
    ),
    Topic(
        key="dogs",
        names=("犬只管理", "动物管理"),
        keywords=("养犬", "遛狗", "犬只"),
        weight=10,
        request_types=(("complaint", 1),),
        units=("gz-police", "{street}"),
        titles=("{spot}有人遛狗不拴绳", "反映{spot}犬只整夜吠叫"),
        contents=(
            "小区里经常有人遛大型犬不拴绳，已有小孩被吓倒。",
            "{neighbour}养的狗每天{hour}一直叫，影响休息。",
        ),
        replies=("已联合社区、物业对养犬人进行教育，要求其文明养犬。",),
    ),
    Topic(
        key="praise",
        names=("工作人员作风", "热线服务"),
        keywords=("工作人员作风", "热线服务", "锦旗"),
        weight=8,
        request_types=(("praise", 1),),
        units=("{street}",),
        titles=("表扬{role}热心服务", "感谢{role}帮忙解决问题"),
        contents=(
            "{role}{surname}同志在处理问题时非常耐心，帮我们解决了困扰很久的问题，特此表扬。",
            "前段时间反映的问题很快得到解决，{role}多次上门了解情况，非常感谢。",
        ),
        replies=("已将市民的表扬转达相关工作人员，感谢市民对我们工作的支持。",),
        asks=("特此致谢。", "希望对其提出表扬。"),
        address_share=0.3,
    ),
    Topic(
        key="illegal_parking",
        names=("违法停车", "道路交通"),
        keywords=("乱停车", "违停", "堵路"),
        weight=30,
        request_types=(("complaint", 6), ("report", 4)),
        units=("gz-police", "{street}"),
        titles=("{spot}车辆乱停放", "反映{spot}消防通道被占", "{spot}路口违停严重"),
        contents=(
            "路边长期有车辆违停，占用一条车道，早晚高峰堵成一片。",
            "小区门口消防通道经常停满私家车，一旦发生火情消防车根本进不来。",
            "有车牌{plate}的货车长期停在路口，遮挡视线，已经发生过剐蹭。",
        ),
        replies=(
            "交警部门已加强该路段巡查，对违停车辆依法处罚{count}宗。",
            "已联合物业在消防通道设置禁停标识和隔离桩。",
        ),
        asks=ASK_ENFORCE,
    ),
    Topic(
        key="ebike_charging",
        names=("电动自行车充电", "消防安全"),
        keywords=("电动车", "充电", "飞线", "楼道"),
        weight=15,
        request_types=(("report", 7), ("complaint", 3)),
        units=("{street}", "gz-emergency"),
        titles=("举报{spot}电动车楼道充电、飞线充电", "建议{spot}增设电动车充电桩"),
        contents=(
            "有住户把电动车推进楼道充电，还从窗口拉电线下来飞线充电，存在火灾隐患。",
            "小区没有集中充电点，很多人在楼梯间充电，物业不管。",
        ),
        replies=(
            "街道已联合社区、物业开展专项检查，清理楼道电动车{count}辆，拆除飞线。",
            "已督促物业在小区增设集中充电桩，预计下月投入使用。",
        ),
        asks=ASK_ENFORCE,
        urgent_share=0.2,
    ),
    Topic(
        key="elevator",
        names=("电梯安全", "特种设备"),
        keywords=("电梯", "困人", "维保"),
        weight=15,
        request_types=(("help", 5), ("complaint", 5)),
        units=("gz-market",),
        titles=("{spot}电梯困人", "{spot}电梯超期未检验", "反映{spot}电梯异响"),
        contents=(
            "电梯运行时突然停在两层之间，有人被困了半个多小时。",
            "电梯里的检验合格证已经过期，物业说在办但一直没有更新。",
            "电梯运行时有很大异响，还经常平层不准，担心出事。",
        ),
        replies=(
            "特种设备安全监察人员已到场检查，责令维保单位全面检修，检验合格前停止使用。",
            "经查该电梯已完成定期检验，已督促使用单位更新公示合格标志。",
        ),
        urgent_share=0.3,
        emergency_share=0.1,
    ),
    Topic(
        key="elderly_allowance",
        names=("高龄津贴", "养老服务"),
        keywords=("高龄津贴", "长者饭堂", "养老"),
        weight=15,
        request_types=(("inquiry", 7), ("help", 3)),
        units=("gz-civil", "{street}"),
        titles=("咨询高龄老人津贴申领", "咨询长者饭堂助餐服务", "反映高龄津贴未按时发放"),
        contents=(
            "家里老人今年满80岁，想咨询高龄津贴怎么申请、每月多少。",
            "想了解社区长者饭堂的用餐补贴和报名方式。",
            "老人的高龄津贴已经{months}个月没有到账。",
        ),
        replies=("经核查，因老人银行账户变更导致发放失败，已更新账户并补发。",),
        answers=(
            "已告知市民高龄津贴可向户籍所在地街道社区服务中心申请，也可在“穗好办”APP办理。",
            "已告知市民可到所在社区长者饭堂登记，符合条件的长者可享受助餐补贴。",
        ),
        asks=ASK_ANSWER,
        address_share=0.2,
        direct_share=0.7,
    ),
    Topic(
        key="river_pollution",
        names=("河涌污染", "水污染"),
        keywords=("河涌", "黑臭", "排污", "死鱼"),
        weight=10,
        request_types=(("report", 6), ("complaint", 4)),
        units=("gz-water", "gz-eco"),
        titles=("{spot}附近河涌发黑发臭", "举报{spot}偷排污水", "{spot}河涌出现死鱼"),
        contents=(
            "附近河涌水体发黑，臭味很大，夏天根本不敢开窗。",
            "有小作坊把污水直接排进河涌，晚上排得特别多。",
            "河涌里出现大量死鱼，怀疑有人排放有毒污水。",
        ),
        replies=(
            "经现场排查，发现一处雨污混流排口，已完成截污整改，水质正在恢复。",
            "已对周边排水户开展检查，对一家违法排污作坊依法查处。",
        ),
        asks=ASK_ENFORCE,
    ),
)

__all__ = ["TOPICS", "Topic"]

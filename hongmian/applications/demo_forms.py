"""The demo's application forms (申请表单), written for the project: every item of the demo's
life events and ten more that people apply for most get a form. The common part comes
from the applicant's file (each with its source); the rest is what the item itself asks.
demo.py gives them to the items by name (each variant of a licence shares its form)."""

from __future__ import annotations

from typing import Any

Field = dict[str, Any]

PERSON: tuple[Field, ...] = (
    {"key": "name", "label": "申请人姓名", "file_field": "identity.name"},
    {"key": "resident_id", "label": "公民身份号码", "file_field": "identity.resident_id"},
    {"key": "address", "label": "居住地址", "file_field": "address.residence"},
    {"key": "phone", "label": "联系电话", "kind": "phone"},
)
ENTERPRISE: tuple[Field, ...] = (
    {"key": "company", "label": "企业名称", "file_field": "licence.name"},
    {"key": "legal_rep", "label": "法定代表人", "file_field": "licence.legal_representative"},
    {"key": "phone", "label": "联系电话", "kind": "phone"},
)


def _f(key: str, label: str, kind: str = "text", **more: Any) -> Field:
    return {"key": key, "label": label, "kind": kind, **more}


REASON = _f("reason", "申请事由", "textarea", required=False)
HOUSEHOLD = _f("registered_address", "户籍地址", file_field="household.registered_address")
SOCIAL = _f("insured_months", "累计缴费月数", "int", file_field="social_insurance.months")
EDUCATION = _f("education", "最高学历", file_field="education.highest")
CHILD = (
    _f("child_name", "新生儿姓名"),
    _f("child_birth_date", "出生日期", "date"),
    _f("child_gender", "性别", "choice", choices=["男", "女"]),
)
PROPERTY = (_f("property_no", "不动产权证号"), _f("property_address", "房屋坐落"))
BANK = _f("bank_account", "收款银行账号")
SHOP = (
    _f("shop_name", "经营场所名称"),
    _f("shop_address", "经营场所地址"),
    _f("area", "经营面积（平方米）", "int"),
)

# Item name (without the variant suffix) → the fields after the applicant's.
EXTRA: dict[str, tuple[Field, ...]] = {
    # life events
    "出生医学证明首次签发": CHILD,
    "出生登记（户口申报）": (*CHILD, HOUSEHOLD),
    "城乡居民医保参保登记": (HOUSEHOLD,),
    "社会保障卡申领": (
        _f("bank", "开户银行", "choice", choices=["工商银行", "建设银行", "农业银行", "中国银行"]),
    ),
    "生育医疗费用报销": (SOCIAL, BANK),
    "义务教育阶段入学申请": (*CHILD[:2], HOUSEHOLD),
    "积分入学申请": (*CHILD[:2], SOCIAL),
    "学生休学、复学审批": (_f("school", "就读学校"), REASON),
    "就业登记": (_f("employer", "用人单位"), _f("start_date", "入职日期", "date"), EDUCATION),
    "职工参保登记": (_f("employer", "用人单位"),),
    "住房公积金提取（租房）": (_f("rent", "月租金（元）", "int"), BANK),
    "失业登记": (_f("last_employer", "原用人单位"), _f("left_on", "离职日期", "date")),
    "失业保险金申领": (SOCIAL, BANK),
    "医保关系转移接续": (_f("from_city", "转出地"),),
    "内地居民婚姻登记": (_f("spouse_name", "对方姓名"), _f("spouse_id", "对方身份号码")),
    "生育登记": (_f("spouse_name", "配偶姓名"), _f("due_date", "预产期", "date")),
    "补领婚姻登记证": (_f("registered_on", "原登记日期", "date"), REASON),
    "内地居民离婚登记": (_f("spouse_name", "对方姓名"), _f("spouse_id", "对方身份号码")),
    "个体工商户设立登记": SHOP,
    "食品经营许可": (
        *SHOP,
        _f("category", "经营项目", "choice", choices=["热食类", "冷食类", "生食类", "饮品店"]),
    ),
    "公共场所卫生许可": SHOP,
    "户外广告设施设置许可": (_f("site", "设置地点"), _f("size", "面积（平方米）", "int")),
    "发票领用": (
        _f("invoice_kind", "发票种类", "choice", choices=["增值税普通发票", "增值税专用发票"]),
    ),
    "企业名称自主申报": (_f("proposed_name", "拟用名称"),),
    "有限责任公司设立登记": (
        _f("capital", "注册资本（万元）", "int"),
        _f("scope", "经营范围", "textarea"),
    ),
    "单位住房公积金缴存登记": (_f("staff", "职工人数", "int"),),
    "退休养老金申领": (SOCIAL, BANK),
    "住房公积金提取（退休）": (BANK,),
    "异地就医备案": (_f("to_city", "就医地"), _f("hospital", "就医医院")),
    "户口注销（死亡）": (
        _f("deceased_name", "死者姓名"),
        _f("deceased_id", "死者身份号码"),
        _f("died_on", "死亡日期", "date"),
    ),
    "殡葬补贴申领": (_f("deceased_name", "死者姓名"), BANK),
    "丧葬补助金、抚恤金申领": (_f("deceased_name", "死者姓名"), _f("relation", "与死者关系"), BANK),
    "基本养老保险待遇停发及个人账户余额结算": (
        _f("deceased_name", "死者姓名"),
        _f("deceased_id", "死者身份号码"),
        _f("relation", "与死者关系"),
        BANK,
    ),
    "不动产继承登记": (*PROPERTY, _f("deceased_name", "被继承人姓名")),
    "二手房转移登记": (*PROPERTY, _f("price", "成交价（元）", "int")),
    "房产交易契税申报": (*PROPERTY, _f("price", "计税价格（元）", "int")),
    "住房公积金提取（购房）": (*PROPERTY, BANK),
    "住房公积金个人住房贷款": (*PROPERTY, _f("amount", "贷款金额（元）", "int")),
    "不动产抵押登记": (*PROPERTY, _f("lender", "抵押权人")),
    "房屋租赁登记备案": (_f("rental_address", "租赁房屋地址"), _f("rent", "月租金（元）", "int")),
    "居住证申领": (_f("rental_address", "居住地址"), _f("since", "居住起始日期", "date")),
    "住房租赁补贴申请": (_f("rent", "月租金（元）", "int"), _f("family_size", "家庭人口", "int")),
    "居民用电报装": (_f("site", "用电地址"),),
    "居民用水报装": (_f("site", "用水地址"),),
    "管道燃气开户": (_f("site", "用气地址"),),
    "户口迁入（人才引进）": (EDUCATION, _f("employer", "用人单位")),
    "公共租赁住房申请": (_f("family_size", "家庭人口", "int"), HOUSEHOLD),
    "最低生活保障审核确认": (
        _f("family_size", "家庭人口", "int"),
        _f("income", "家庭月收入（元）", "int"),
    ),
    "特困人员救助供养审核确认": (REASON,),
    "高龄老人津贴申领": (BANK,),
    "老年人优待证办理": (_f("photo_note", "照片说明", required=False),),
    "残疾人两项补贴申领": (_f("disability_no", "残疾人证号"), BANK),
    "门诊特定病种待遇认定": (_f("disease", "病种"), _f("hospital", "定点医院")),
    "退役军人优待证申领": (_f("veteran_no", "退役证号"),),
    "伤残抚恤关系接收": (_f("from_place", "转出地"),),
    "机动车登记（注册登记）": (_f("vin", "车辆识别代号"), _f("model", "品牌型号")),
    "机动车驾驶证换证": (_f("licence_no", "驾驶证档案编号"),),
    "建设用地规划许可": (_f("project", "项目名称"), _f("site", "用地位置")),
    "建设工程规划许可": (_f("project", "项目名称"), _f("area", "建筑面积（平方米）", "int")),
    "建筑工程施工许可": (_f("project", "项目名称"), _f("contractor", "施工单位")),
    "建设项目环境影响评价审批": (_f("project", "项目名称"), REASON),
    "医疗机构执业登记": (_f("clinic", "机构名称"), _f("site", "执业地址")),
    "医师执业注册": (_f("doctor", "医师姓名"), _f("certificate_no", "医师资格证书编号")),
    # ten common ones outside the life events
    "居民身份证换领": (HOUSEHOLD, REASON),
    "居民身份证挂失补领": (HOUSEHOLD, REASON),
    "临时居民身份证申领": (HOUSEHOLD,),
    "出入境证件申领（普通护照）": (_f("destination", "前往国家或地区"), REASON),
    "社会保障卡挂失补换": (
        _f("reason_kind", "补换原因", "choice", choices=["遗失", "损坏", "换新"]),
    ),
    "个人所得税综合所得汇算清缴": (_f("year", "所属年度", "int"), BANK),
    "教师资格认定": (EDUCATION, _f("subject", "任教学科")),
    "创业担保贷款申请": (_f("amount", "贷款金额（元）", "int"), _f("business", "创业项目")),
    "技能人员职业资格证书补发": (_f("certificate_no", "原证书编号"), REASON),
    "计划生育家庭特别扶助金申领": (_f("family_size", "家庭人口", "int"), BANK),
    "网络预约出租汽车驾驶员证申请": (_f("licence_no", "驾驶证档案编号"),),
}


def base_name(name: str) -> str:
    """An item's name without its variant suffix (新办, 变更, 延续, 注销)."""
    for suffix in ("（新办）", "（变更）", "（延续）", "（注销）"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def form_for(name: str, *, enterprise: bool) -> list[Field] | None:
    """The demo form of the item `name`, or None when the demo gives it none."""
    extra = EXTRA.get(base_name(name)) or EXTRA.get(name)
    if extra is None:
        return None
    applicant = ENTERPRISE if enterprise else PERSON
    taken = {f["key"] for f in applicant}
    return [*applicant, *(f for f in extra if f["key"] not in taken)]

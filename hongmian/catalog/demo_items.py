"""The demo catalogue's content, written for the project: Guangzhou's departments and the
items people apply for most, their conditions, materials and time limits (realistic, not
copied from any city's list). demo.py turns these templates into items."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import NamedTuple


class Template(NamedTuple):
    """One item as a citizen meets it. `dept` is the slug of a city department (gz-<dept>);
    `level` "district" items are implemented by every district; `variants` makes one item
    per stage of a licence (新办, 变更, 延续, 注销)."""

    dept: str
    name: str
    type: str  # states.ItemType
    who: str  # "p" person, "e" enterprise, "pe" both
    legal: int | None
    promised: int | None
    depth: int  # 网办深度 1-4
    level: str = "city"
    materials: tuple[str, ...] = ()
    conditions: str = ""
    fee: str = ""
    required_level: int = 2
    variants: bool = False
    code_service: bool = False
    appointment: bool = False


# Certificate types (电子证照): code → (name, issuer).
CERTIFICATE_TYPES: dict[str, tuple[str, str]] = {
    "id_card": ("居民身份证", "公安机关"),
    "household": ("居民户口簿", "公安机关"),
    "residence_permit": ("广东省居住证", "公安机关"),
    "marriage": ("结婚证", "民政部门"),
    "birth": ("出生医学证明", "卫生健康部门"),
    "death": ("居民死亡医学证明（推断）书", "卫生健康部门"),
    "biz_licence": ("营业执照", "市场监督管理部门"),
    "food_licence": ("食品经营许可证", "市场监督管理部门"),
    "property": ("不动产权证书", "规划和自然资源部门"),
    "social_card": ("社会保障卡", "人力资源和社会保障部门"),
    "diploma": ("毕业证书", "教育部门"),
    "driving": ("机动车驾驶证", "公安交通管理部门"),
    "vehicle": ("机动车行驶证", "公安交通管理部门"),
    "disability": ("残疾人证", "残疾人联合会"),
    "veteran": ("退役军人证", "退役军人事务部门"),
}

# Materials: key → (name, form, source, certificate type or "").
MATERIALS: dict[str, tuple[str, str, str, str]] = {
    "id": ("申请人居民身份证", "original", "applicant", "id_card"),
    "household": ("居民户口簿", "original", "applicant", "household"),
    "photo": ("近期免冠彩色证件照片", "electronic", "applicant", ""),
    "form": ("申请表", "electronic", "applicant", ""),
    "licence": ("营业执照", "copy", "department", "biz_licence"),
    "legal_rep_id": ("法定代表人身份证明", "copy", "applicant", "id_card"),
    "premises": ("经营场所使用证明（产权证明或租赁合同）", "copy", "applicant", "property"),
    "layout": ("经营场所平面布局图及设备布局图", "electronic", "applicant", ""),
    "food_safety": ("食品安全管理制度文本", "electronic", "applicant", ""),
    "marriage": ("结婚证", "original", "department", "marriage"),
    "birth": ("出生医学证明", "original", "department", "birth"),
    "death": ("居民死亡医学证明（推断）书", "original", "department", "death"),
    "property": ("不动产权证书", "original", "department", "property"),
    "contract": ("不动产买卖合同", "original", "applicant", ""),
    "tax": ("完税凭证", "electronic", "department", ""),
    "social_card": ("社会保障卡", "original", "applicant", "social_card"),
    "diploma": ("毕业证书", "copy", "department", "diploma"),
    "labour": ("劳动合同", "copy", "applicant", ""),
    "residence": ("居住登记信息或住所证明", "electronic", "department", "residence_permit"),
    "income": ("家庭收入及财产申报表", "electronic", "applicant", ""),
    "medical": ("医院诊断证明及病历资料", "copy", "applicant", ""),
    "bank": ("本人银行账户信息", "electronic", "applicant", ""),
    "driving": ("机动车驾驶证", "original", "department", "driving"),
    "vehicle": ("机动车行驶证", "original", "department", "vehicle"),
    "veteran": ("退役证明或退役军人证", "original", "department", "veteran"),
    "disability": ("残疾人证", "original", "department", "disability"),
    "plan": ("建设工程设计方案", "electronic", "applicant", ""),
    "eia": ("环境影响报告表", "electronic", "applicant", ""),
    "fire": ("消防设计文件", "electronic", "applicant", ""),
    "capital": ("公司章程及股东名册", "electronic", "applicant", ""),
    "entrust": ("授权委托书及受托人身份证", "original", "applicant", "id_card"),
}

# The templates themselves: data/demo_items.csv, one row per item (materials: the keys of
# MATERIALS, space-separated; flags: 1 or empty).
TEMPLATES_CSV = Path(__file__).resolve().parent / "data" / "demo_items.csv"


def _template(row: dict[str, str]) -> Template:
    def days(value: str) -> int | None:
        return int(value) if value else None

    return Template(
        dept=row["dept"],
        name=row["name"],
        type=row["type"],
        who=row["who"],
        legal=days(row["legal"]),
        promised=days(row["promised"]),
        depth=int(row["depth"]),
        level=row["level"],
        materials=tuple(row["materials"].split()),
        conditions=row["conditions"],
        fee=row["fee"],
        required_level=int(row["required_level"]),
        variants=bool(row["variants"]),
        code_service=bool(row["code_service"]),
        appointment=bool(row["appointment"]),
    )


def _templates() -> tuple[Template, ...]:
    with TEMPLATES_CSV.open(encoding="utf-8", newline="") as fh:
        return tuple(_template(row) for row in csv.DictReader(fh))


TEMPLATES = _templates()

# Licence stages: suffix → (time limits multiplier, extra material).
VARIANTS = (("新办", 1.0), ("变更", 0.5), ("延续", 0.5), ("注销", 0.25))

# Life events (一件事): slug → (name, audience, description, template names).
LIFE_EVENTS: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] = (
    (
        "birth",
        "出生一件事",
        "person",
        "宝宝出生后的出生医学证明、户口、医保、社保卡一次办",
        (
            "出生医学证明首次签发",
            "出生登记（户口申报）",
            "城乡居民医保参保登记",
            "社会保障卡申领",
            "生育医疗费用报销",
        ),
    ),
    (
        "school",
        "入学一件事",
        "person",
        "义务教育入学、积分入学",
        ("义务教育阶段入学申请", "积分入学申请", "学生休学、复学审批"),
    ),
    (
        "employment",
        "就业一件事",
        "person",
        "找工作、就业登记、社保参保",
        ("就业登记", "社会保障卡申领", "职工参保登记", "住房公积金提取（租房）"),
    ),
    (
        "unemployment",
        "失业一件事",
        "person",
        "失业登记与失业保险金",
        ("失业登记", "失业保险金申领", "医保关系转移接续"),
    ),
    (
        "marriage",
        "结婚一件事",
        "person",
        "婚姻登记与随后的户口、生育登记",
        ("内地居民婚姻登记", "生育登记", "补领婚姻登记证"),
    ),
    ("divorce", "离婚一件事", "person", "离婚登记", ("内地居民离婚登记",)),
    (
        "open-restaurant",
        "开办餐饮店一件事",
        "enterprise",
        "执照、食品经营许可、卫生、消防一次办",
        (
            "个体工商户设立登记",
            "食品经营许可（新办）",
            "公共场所卫生许可（新办）",
            "户外广告设施设置许可（新办）",
            "发票领用",
        ),
    ),
    (
        "open-company",
        "开办企业一件事",
        "enterprise",
        "名称、登记、发票、参保、公积金",
        (
            "企业名称自主申报",
            "有限责任公司设立登记",
            "发票领用",
            "职工参保登记",
            "单位住房公积金缴存登记",
        ),
    ),
    (
        "retirement",
        "退休一件事",
        "person",
        "养老金、公积金、医保",
        ("退休养老金申领", "住房公积金提取（退休）", "异地就医备案"),
    ),
    (
        "after-death",
        "身后事一件事",
        "person",
        "死亡后的户口注销、丧葬补助与继承",
        (
            "户口注销（死亡）",
            "殡葬补贴申领",
            "丧葬补助金、抚恤金申领",
            "基本养老保险待遇停发及个人账户余额结算",
            "不动产继承登记",
        ),
    ),
    (
        "buy-home",
        "购房一件事",
        "person",
        "交易、缴税、登记、公积金",
        (
            "二手房转移登记",
            "房产交易契税申报",
            "住房公积金提取（购房）",
            "住房公积金个人住房贷款",
            "不动产抵押登记",
        ),
    ),
    (
        "rent-home",
        "租房一件事",
        "person",
        "备案、居住证、补贴、公积金",
        ("房屋租赁登记备案", "居住证申领", "住房租赁补贴申请", "住房公积金提取（租房）"),
    ),
    (
        "move-in",
        "新居入住一件事",
        "person",
        "水电气开户",
        ("居民用电报装", "居民用水报装", "管道燃气开户"),
    ),
    (
        "talent",
        "人才落户一件事",
        "person",
        "落户、社保、住房",
        ("户口迁入（人才引进）", "社会保障卡申领", "公共租赁住房申请"),
    ),
    (
        "hardship",
        "困难救助一件事",
        "person",
        "低保、特困、住房保障",
        ("最低生活保障审核确认", "特困人员救助供养审核确认", "公共租赁住房申请"),
    ),
    (
        "elderly",
        "老年人服务一件事",
        "person",
        "高龄津贴、优待证",
        ("高龄老人津贴申领", "老年人优待证办理", "异地就医备案"),
    ),
    (
        "disability",
        "残疾人服务一件事",
        "person",
        "两项补贴与医保",
        ("残疾人两项补贴申领", "门诊特定病种待遇认定"),
    ),
    (
        "veteran",
        "退役一件事",
        "person",
        "退役军人优待与抚恤",
        ("退役军人优待证申领", "伤残抚恤关系接收", "就业登记"),
    ),
    ("car", "买车一件事", "person", "登记、驾照", ("机动车登记（注册登记）", "机动车驾驶证换证")),
    (
        "construction",
        "工程建设一件事",
        "enterprise",
        "规划、施工、环评",
        (
            "建设用地规划许可",
            "建设工程规划许可（新办）",
            "建筑工程施工许可（新办）",
            "建设项目环境影响评价审批",
        ),
    ),
    (
        "open-clinic",
        "开办诊所一件事",
        "enterprise",
        "执照与医疗机构执业登记",
        ("有限责任公司设立登记", "医疗机构执业登记（新办）", "医师执业注册（新办）"),
    ),
)

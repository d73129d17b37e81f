"""The fields of the person file and the enterprise file (一人一档 / 一企一档), in code.

Each field names the department that supplies it (by org unit code: only that unit, or a
unit below it, may push it), its kind (which decides how a pushed value is checked and how
it is shown) and, for personal data, the Person field whose masking rule it follows. A field
registry in code keeps the values typed and testable, and a new field is a reviewed change,
not a row someone adds at run time (decision 0044).
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from django.utils.translation import gettext

from hongmian.core import validators
from hongmian.core.errors import ApplicationError, ValidationFailed
from hongmian.core.masking import mask_address, mask_name, mask_resident_id

Subject = Literal["person", "enterprise"]
Kind = Literal["text", "date", "int", "money", "choice", "list"]

# Departments by org unit code (the demo's codes; a city names its own in the same way).
POLICE = "gz-police"  # 市公安局: 户籍, 身份证, 机动车 (车管所 is a unit under it)
EDUCATION = "gz-edu"  # 市教育局: 学历 (学信 data arrives through it)
HRSS = "gz-hrss"  # 市人社局: 社会保险
MARKET = "gz-market"  # 市市场监管局: 营业执照, 许可
TAX = "gz-tax"  # 市税务局: 纳税信用等级


@dataclass(frozen=True, slots=True)
class FieldSpec:
    key: str
    label: str
    subject: Subject
    group: str
    owner: str  # org unit code of the department that supplies it
    kind: Kind
    choices: tuple[str, ...] = ()
    # list fields: the keys each item must carry, with their labels, in display order
    item_keys: tuple[tuple[str, str], ...] = ()
    # The Person field whose masking rule applies ("resident_id", "name", "address").
    personal: str = ""
    unit_suffix: str = ""  # shown after a number: 元, 个月, 万元
    extra: Mapping[str, Any] = field(default_factory=dict)


GROUPS: dict[str, str] = {
    "identity": "身份信息",
    "household": "户籍信息",
    "address": "居住信息",
    "education": "学历信息",
    "social_insurance": "社会保险",
    "vehicles": "机动车",
    "licence": "营业执照",
    "tax": "纳税信用",
    "permits": "许可证件",
}

_SPECS = (
    # --- person ---
    FieldSpec("identity.name", "姓名", "person", "identity", POLICE, "text", personal="name"),
    FieldSpec(
        "identity.resident_id",
        "公民身份号码",
        "person",
        "identity",
        POLICE,
        "text",
        personal="resident_id",
        extra={"validate": "resident_id"},
    ),
    FieldSpec("identity.gender", "性别", "person", "identity", POLICE, "choice", ("男", "女")),
    FieldSpec("identity.birth_date", "出生日期", "person", "identity", POLICE, "date"),
    FieldSpec(
        "household.registered_address",
        "户籍地址",
        "person",
        "household",
        POLICE,
        "text",
        personal="address",
    ),
    FieldSpec("household.head", "户主", "person", "household", POLICE, "text", personal="name"),
    FieldSpec(
        "household.members",
        "户内成员",
        "person",
        "household",
        POLICE,
        "list",
        item_keys=(("name", "姓名"), ("relation", "与户主关系")),
        personal="name",
    ),
    FieldSpec(
        "address.residence", "居住地址", "person", "address", POLICE, "text", personal="address"
    ),
    FieldSpec(
        "education.highest",
        "最高学历",
        "person",
        "education",
        EDUCATION,
        "choice",
        ("小学", "初中", "高中", "中专", "大专", "本科", "硕士研究生", "博士研究生"),
    ),
    FieldSpec("education.school", "毕业院校", "person", "education", EDUCATION, "text"),
    FieldSpec("education.graduated_on", "毕业日期", "person", "education", EDUCATION, "date"),
    FieldSpec(
        "social_insurance.status",
        "参保状态",
        "person",
        "social_insurance",
        HRSS,
        "choice",
        ("正常参保", "暂停缴费", "终止参保", "未参保"),
    ),
    FieldSpec(
        "social_insurance.base",
        "缴费基数",
        "person",
        "social_insurance",
        HRSS,
        "money",
        unit_suffix="元",
    ),
    FieldSpec(
        "social_insurance.months",
        "累计缴费月数",
        "person",
        "social_insurance",
        HRSS,
        "int",
        unit_suffix="个月",
    ),
    FieldSpec(
        "vehicles.list",
        "名下机动车",
        "person",
        "vehicles",
        POLICE,
        "list",
        item_keys=(("plate", "号牌号码"), ("type", "车辆类型")),
    ),
    # --- enterprise ---
    FieldSpec("licence.name", "企业名称", "enterprise", "licence", MARKET, "text"),
    FieldSpec(
        "licence.type",
        "企业类型",
        "enterprise",
        "licence",
        MARKET,
        "choice",
        ("有限责任公司", "股份有限公司", "个人独资企业", "合伙企业", "个体工商户"),
    ),
    FieldSpec("licence.established_on", "成立日期", "enterprise", "licence", MARKET, "date"),
    FieldSpec("licence.scope", "经营范围", "enterprise", "licence", MARKET, "text"),
    FieldSpec(
        "licence.status",
        "登记状态",
        "enterprise",
        "licence",
        MARKET,
        "choice",
        ("存续", "在业", "迁出", "吊销", "注销"),
    ),
    FieldSpec(
        "licence.legal_representative", "法定代表人", "enterprise", "licence", MARKET, "text"
    ),
    FieldSpec(
        "licence.registered_capital",
        "注册资本",
        "enterprise",
        "licence",
        MARKET,
        "money",
        unit_suffix="万元",
    ),
    FieldSpec(
        "tax.credit_grade",
        "纳税信用等级",
        "enterprise",
        "tax",
        TAX,
        "choice",
        ("A", "B", "M", "C", "D"),
    ),
    FieldSpec(
        "permits.list",
        "许可证件",
        "enterprise",
        "permits",
        MARKET,
        "list",
        item_keys=(("name", "证件名称"), ("number", "证件编号"), ("valid_until", "有效期至")),
    ),
)

FIELDS: dict[str, FieldSpec] = {spec.key: spec for spec in _SPECS}

MASKS: dict[str, Callable[[str], str]] = {
    "name": mask_name,
    "resident_id": mask_resident_id,
    "address": mask_address,
}

_MAX_TEXT = 500
_MAX_ITEMS = 50


def field_spec(key: str, *, subject: Subject | None = None) -> FieldSpec:
    """The spec of `key`; a 422 "file.field_unknown" for a key that is not in the registry
    (or that belongs to the other kind of file)."""
    spec = FIELDS.get(key)
    if spec is None or (subject is not None and spec.subject != subject):
        raise ValidationFailed(
            gettext("档案字段不存在：%(key)s") % {"key": key},
            code="file.field_unknown",
            fields={"field": ["字段不存在"]},
        )
    return spec


def fields_of(subject: Subject) -> list[FieldSpec]:
    return [spec for spec in _SPECS if spec.subject == subject]


class ValueInvalid(ValueError):
    """A pushed value that does not fit its field; the message says why, in Chinese."""


def clean_value(spec: FieldSpec, value: Any) -> Any:
    """The value as stored (JSON): checked against the field's kind, normalised."""
    if spec.kind in {"text", "choice"}:
        if not isinstance(value, str) or not value.strip():
            raise ValueInvalid(gettext("应为非空文本"))
        text = value.strip()
        if len(text) > _MAX_TEXT:
            raise ValueInvalid(gettext("不能超过 %(_MAX_TEXT)s 字") % {"_MAX_TEXT": _MAX_TEXT})
        if spec.kind == "choice" and text not in spec.choices:
            raise ValueInvalid(
                gettext("应为以下之一：%(value0)s") % {"value0": "、".join(spec.choices)}
            )
        if spec.extra.get("validate") == "resident_id":
            try:
                text = validators.validate_resident_id(text)
            except ApplicationError as exc:
                raise ValueInvalid(exc.message) from None
        return text
    if spec.kind == "date":
        try:
            return dt.date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise ValueInvalid(gettext("应为日期，格式 YYYY-MM-DD")) from None
    if spec.kind == "int":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueInvalid(gettext("应为非负整数"))
        return value
    if spec.kind == "money":
        try:
            amount = decimal.Decimal(str(value))
        except decimal.InvalidOperation:
            raise ValueInvalid(gettext("应为金额数字")) from None
        if isinstance(value, bool) or not amount.is_finite() or amount < 0:
            raise ValueInvalid(gettext("应为非负金额"))
        # Stored as a string: JSON floats would turn 8123.45 into 8123.450000000001.
        return str(amount.quantize(decimal.Decimal("0.01")))
    return _clean_list(spec, value)


def _clean_list(spec: FieldSpec, value: Any) -> list[dict[str, str]]:
    if not isinstance(value, list) or len(value) > _MAX_ITEMS:
        raise ValueInvalid(
            gettext("应为列表（最多 %(_MAX_ITEMS)s 项）") % {"_MAX_ITEMS": _MAX_ITEMS}
        )
    wanted = [k for k, _label in spec.item_keys]
    items = []
    for item in value:
        if not isinstance(item, dict) or set(item) != set(wanted):
            raise ValueInvalid(
                gettext("每一项应包含且仅包含：%(value0)s") % {"value0": "、".join(wanted)}
            )
        if not all(isinstance(item[k], str) and item[k].strip() for k in wanted):
            raise ValueInvalid(gettext("每一项的内容应为非空文本"))
        items.append({k: item[k].strip()[:_MAX_TEXT] for k in wanted})
    return items


def display_value(spec: FieldSpec, value: Any, *, masked: bool) -> str:
    """The value as one line of text, masked when the reader's role does not need it."""
    mask = MASKS.get(spec.personal) if masked else None
    if spec.kind == "list":
        parts = []
        for item in value:
            cells = [
                mask(item[k]) if mask and k == "name" else item[k] for k, _label in spec.item_keys
            ]
            parts.append(f"{cells[0]}（{'，'.join(cells[1:])}）" if len(cells) > 1 else cells[0])
        return "；".join(parts) if parts else "无"
    text = str(value)
    if mask is not None:
        text = mask(text)
    return f"{text} {spec.unit_suffix}" if spec.unit_suffix else text

"""What issuing a certificate of each type needs, in code (reviewed like identity/file_fields.py):
the issuing department, the holder kind, the validity and the data fields with their kinds.

The catalogue's `catalog.CertificateType` (code, name, issuer) stays the one table of types:
materials name it, and `certificate_type_row` makes its row for a declared type when the
catalogue has none. A type the catalogue names but nothing here declares cannot be issued.
Codes match the catalogue's demo (`catalog/demo_items.py`) so that its materials match.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hongmian.certificates.states import HolderKind
from hongmian.core.errors import ValidationFailed


@dataclass(frozen=True, slots=True)
class DataField:
    key: str
    label: Any  # a lazy translation
    kind: str = "text"  # text | date | int | choice
    required: bool = True
    choices: tuple[str, ...] = ()
    max_length: int = 200


@dataclass(frozen=True, slots=True)
class CertificateSpec:
    code: str
    name: str
    issuer_unit: str  # the OrgUnit code of the issuing department
    holder: HolderKind
    # Days a certificate is valid from issuance; None: until revoked.
    validity_days: int | None
    fields: tuple[DataField, ...]

    def field(self, key: str) -> DataField | None:
        return next((f for f in self.fields if f.key == key), None)


SEXES = ("男", "女")
SPECS: dict[str, CertificateSpec] = {
    spec.code: spec
    for spec in (
        CertificateSpec(
            "birth",
            "出生医学证明",
            "gz-health",
            HolderKind.PERSON,
            None,
            (
                DataField("child_name", _("新生儿姓名"), max_length=50),
                DataField("sex", _("性别"), "choice", choices=SEXES),
                DataField("birth_date", _("出生日期"), "date"),
                DataField("birth_place", _("出生地点")),
                DataField("mother_name", _("母亲姓名"), max_length=50),
                DataField("father_name", _("父亲姓名"), required=False, max_length=50),
            ),
        ),
        CertificateSpec(
            "household",
            "居民户口簿",
            "gz-police",
            HolderKind.PERSON,
            None,
            (
                DataField("household_no", _("户号"), max_length=20),
                DataField("relation", _("与户主关系"), max_length=20),
                DataField("registered_address", _("户籍地址")),
                DataField("registered_on", _("登记日期"), "date"),
            ),
        ),
        CertificateSpec(
            "marriage",
            "结婚证",
            "gz-civil",
            HolderKind.PERSON,
            None,
            (
                DataField("certificate_no", _("结婚证字号"), max_length=30),
                DataField("spouse_name", _("配偶姓名"), max_length=50),
                DataField("registered_on", _("登记日期"), "date"),
            ),
        ),
        CertificateSpec(
            "diploma",
            "毕业证书",
            "gz-edu",
            HolderKind.PERSON,
            None,
            (
                DataField("school", _("学校")),
                DataField("major", _("专业")),
                DataField("level", _("层次"), "choice", choices=("高中", "专科", "本科", "研究生")),
                DataField("graduated_on", _("毕业日期"), "date"),
            ),
        ),
        CertificateSpec(
            "degree",
            "学位证书",
            "gz-edu",
            HolderKind.PERSON,
            None,
            (
                DataField("institution", _("授予单位")),
                DataField("degree", _("学位"), "choice", choices=("学士", "硕士", "博士")),
                DataField("discipline", _("学科门类"), max_length=50),
                DataField("conferred_on", _("授予日期"), "date"),
            ),
        ),
        CertificateSpec(
            "social_insurance",
            "社会保险参保缴费证明",
            "gz-hrss",
            HolderKind.PERSON,
            # A record of contributions speaks for the day it was drawn: three months.
            90,
            (
                DataField("insured_since", _("参保日期"), "date"),
                DataField("months", _("累计缴费月数"), "int"),
                DataField("employer", _("参保单位"), required=False),
            ),
        ),
        CertificateSpec(
            "biz_licence",
            "营业执照",
            "gz-market",
            HolderKind.ENTERPRISE,
            None,
            (
                DataField("legal_representative", _("法定代表人"), max_length=50),
                DataField("registered_capital", _("注册资本"), max_length=50),
                DataField("business_scope", _("经营范围"), max_length=500),
                DataField("established_on", _("成立日期"), "date"),
            ),
        ),
        CertificateSpec(
            "food_licence",
            "食品经营许可证",
            "gz-market",
            HolderKind.ENTERPRISE,
            # 食品经营许可证 is valid for five years.
            5 * 365,
            (
                DataField("licence_no", _("许可证编号"), max_length=30),
                DataField("business_type", _("经营项目"), max_length=200),
            ),
        ),
    )
}


def spec_get(code: str) -> CertificateSpec:
    spec = SPECS.get(code)
    if spec is None:
        message = gettext("未知的证照类型：{code}").format(code=code)
        raise ValidationFailed(message, code="certificate.type_unknown", fields={"type": [message]})
    return spec


def clean_data(spec: CertificateSpec, data: object) -> dict[str, Any]:
    """`data` checked against the type's fields: every required field present, no field the
    type does not have, each value of its kind. Raises ValidationFailed naming every bad field
    (`data.<key>`), code certificate.data_invalid."""
    if not isinstance(data, Mapping):
        raise ValidationFailed(
            gettext("证照数据须为 JSON 对象"),
            code="certificate.data_invalid",
            fields={"data": [gettext("须为对象")]},
        )
    problems: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for key in data:
        if spec.field(str(key)) is None:
            problems[f"data.{key}"] = [gettext("证照类型 {code} 没有此项").format(code=spec.code)]
    for field in spec.fields:
        value = data.get(field.key)
        if value is None or value == "":
            if field.required:
                problems[f"data.{field.key}"] = [gettext("必填")]
            continue
        try:
            clean[field.key] = _clean_value(field, value)
        except ValueError as exc:
            problems[f"data.{field.key}"] = [str(exc)]
    if problems:
        raise ValidationFailed(
            gettext("证照数据有误"), code="certificate.data_invalid", fields=problems
        )
    return clean


def _clean_value(field: DataField, value: object) -> Any:
    if field.kind == "int":
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ValueError(gettext("须为整数"))
        try:
            number = int(value)
        except ValueError:
            raise ValueError(gettext("须为整数")) from None
        if not 0 <= number <= 10_000:
            raise ValueError(gettext("超出范围"))
        return number
    if not isinstance(value, str):
        raise ValueError(gettext("须为文本"))
    text = value.strip()
    if "\x00" in text or len(text) > field.max_length:
        raise ValueError(gettext("不超过 {n} 个字符").format(n=field.max_length))
    if field.kind == "date":
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            raise ValueError(gettext("须为日期 YYYY-MM-DD")) from None
    if field.kind == "choice" and text not in field.choices:
        raise ValueError(gettext("可选：") + "、".join(field.choices))
    return text

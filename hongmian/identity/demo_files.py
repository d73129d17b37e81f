"""Demo person and enterprise files: what 市公安局, 市教育局, 市人社局, 市市场监管局 and 市税务局
would have pushed for the demo citizen, the first demo persons and the first enterprises.

Each department pushes its own fields through the same service as the API
(`services.file_push`), with a fixed batch id and fixed dates: a second run is a replay
that writes nothing. No consent or use is made up: those are the citizen's own acts.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from django.db import transaction

from hongmian.core import validators
from hongmian.core.actors import Actor
from hongmian.identity import fakes, file_fields, services
from hongmian.identity.models import Enterprise, OrgUnit, Person
from hongmian.identity.services.files import FileRecord

Progress = Callable[[str, int, int], None]

PERSONS_WITH_FILES = 30
ENTERPRISES_WITH_FILES = 10
_SEED = 20261101
_TZ = dt.timezone(dt.timedelta(hours=8))
# When each department's records were last brought up to date.
AS_OF = {
    file_fields.POLICE: dt.datetime(2026, 11, 3, 2, 0, tzinfo=_TZ),
    file_fields.EDUCATION: dt.datetime(2026, 9, 1, 2, 0, tzinfo=_TZ),
    file_fields.HRSS: dt.datetime(2026, 11, 30, 2, 0, tzinfo=_TZ),
    file_fields.MARKET: dt.datetime(2026, 11, 28, 2, 0, tzinfo=_TZ),
    file_fields.TAX: dt.datetime(2026, 4, 15, 2, 0, tzinfo=_TZ),
}
_SCHOOLS = (
    ("本科", "中山大学"),
    ("本科", "华南理工大学"),
    ("硕士研究生", "暨南大学"),
    ("本科", "华南师范大学"),
    ("本科", "广州大学"),
    ("大专", "广州番禺职业技术学院"),
    ("大专", "广东轻工职业技术大学"),
    ("高中", "广州市第六中学"),
    ("高中", "广东广雅中学"),
    ("中专", "广州市市政职业学校"),
)
_SCOPES = (
    "软件开发；信息技术咨询服务；数据处理和存储支持服务",
    "餐饮服务；食品销售；外卖递送服务",
    "服装服饰批发；服装服饰零售；互联网销售",
    "货物进出口；技术进出口；国内贸易代理",
    "住房租赁；物业管理；停车场服务",
)
_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I or O on plates


def _plate(rng: random.Random) -> tuple[str, str]:
    if rng.random() < 0.4:  # green plates: 粤A·D + five characters
        return f"粤A·D{rng.randrange(10000, 99999)}", "小型新能源汽车"
    return f"粤A·{rng.choice(_LETTERS)}{rng.randrange(1000, 9999)}", "小型汽车"


def _person_values(person: Person, rng: random.Random) -> dict[str, dict[str, Any]]:
    born = validators.resident_id_birthdate(person.resident_id)
    spouse, child = fakes.person_name(rng), person.name[0] + fakes.person_name(rng)[1:]
    level, school = rng.choice(_SCHOOLS)
    vehicles = (
        [dict(zip(("plate", "type"), _plate(rng), strict=True))] if rng.random() < 0.5 else []
    )
    insured = rng.random() < 0.9
    return {
        file_fields.POLICE: {
            "identity.name": person.name,
            "identity.resident_id": person.resident_id,
            "identity.gender": "男"
            if validators.resident_id_sex(person.resident_id) == "M"
            else "女",
            "identity.birth_date": born.isoformat(),
            "household.registered_address": person.address.split("栋")[0] + "栋",
            "household.head": person.name,
            "household.members": [
                {"name": person.name, "relation": "户主"},
                {"name": spouse, "relation": "配偶"},
                {"name": child, "relation": "子女"},
            ],
            "address.residence": person.address,
            "vehicles.list": vehicles,
        },
        file_fields.EDUCATION: {
            "education.highest": level,
            "education.school": school,
            "education.graduated_on": dt.date(born.year + 22, 6, 30).isoformat(),
        },
        file_fields.HRSS: {
            "social_insurance.status": "正常参保" if insured else "暂停缴费",
            # 广州 2026 缴费基数 runs from about 5,300 to 28,000 yuan a month.
            "social_insurance.base": rng.randrange(5300, 28000, 100),
            "social_insurance.months": rng.randrange(12, 360),
        },
    }


def _enterprise_values(enterprise: Enterprise, rng: random.Random) -> dict[str, dict[str, Any]]:
    established = dt.date(rng.randrange(2005, 2025), rng.randrange(1, 13), rng.randrange(1, 29))
    scope = rng.choice(_SCOPES)
    permits = []
    if "餐饮" in scope:
        permits.append(
            {
                "name": "食品经营许可证",
                "number": f"JY{rng.randrange(10**13, 10**14)}",
                "valid_until": dt.date(established.year + 5, 12, 31).isoformat(),
            }
        )
    return {
        file_fields.MARKET: {
            "licence.name": enterprise.name,
            "licence.type": "有限责任公司",
            "licence.established_on": established.isoformat(),
            "licence.scope": scope,
            "licence.status": "存续",
            "licence.legal_representative": enterprise.legal_representative or "—",
            "licence.registered_capital": rng.choice((50, 100, 200, 500, 1000, 3000)),
            "permits.list": permits,
        },
        file_fields.TAX: {"tax.credit_grade": rng.choice(("A", "A", "B", "B", "B", "M"))},
    }


def seed_files(*, actor: Actor, progress: Progress) -> None:
    """One batch per department over the demo persons and enterprises (fixed ids)."""
    rng = random.Random(_SEED)  # noqa: S311  # reproducible demo data, not secrets
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=AS_OF)}
    persons = list(Person.objects.filter(user__isnull=False).order_by("pk")[:1]) + list(
        Person.objects.filter(user__isnull=True).order_by("pk")[: PERSONS_WITH_FILES - 1]
    )
    enterprises = list(Enterprise.objects.order_by("pk")[:ENTERPRISES_WITH_FILES])
    batches: dict[str, list[FileRecord]] = {code: [] for code in units}
    for person in persons:
        for code, values in _person_values(person, rng).items():
            batches.setdefault(code, []).extend(
                FileRecord(field=k, value=v, as_of=AS_OF[code], resident_id=person.resident_id)
                for k, v in values.items()
            )
    for enterprise in enterprises:
        for code, values in _enterprise_values(enterprise, rng).items():
            batches.setdefault(code, []).extend(
                FileRecord(field=k, value=v, as_of=AS_OF[code], credit_code=enterprise.credit_code)
                for k, v in values.items()
            )
    for done, (code, records) in enumerate(batches.items(), start=1):
        if code in units and records:
            with transaction.atomic():
                services.file_push(
                    actor=actor, batch_id=f"demo-{code}-1", records=records, source=units[code]
                )
        progress("identity: 一人一档 / 一企一档", done, len(batches))

"""The certificates app's part of the demo seed: the demo citizen's wallet (household register,
marriage, diploma, degree, a child's birth certificate, a current and an expired
social-insurance record, one revoked), a few certificates for the first demo persons, and a
business licence for every demo enterprise (a food licence for every third). Issued through
`certificate_issue`, as the departments would; idempotent (a holder who already holds a type
is skipped). Called by `hongmian seed_demo` after the identity and catalogue seeds."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from hongmian.certificates.models import Certificate
from hongmian.certificates.services import certificate_issue, certificate_revoke
from hongmian.certificates.states import RevokeReason
from hongmian.core.actors import Actor
from hongmian.identity.models import Enterprise, Person

Progress = Callable[[str, int, int], None]
# Persons after the demo citizen who get a household register and one more certificate.
PERSONS = 40
SCHOOLS = ("中山大学", "华南理工大学", "暨南大学", "华南师范大学", "广州大学")
MAJORS = ("计算机科学与技术", "会计学", "临床医学", "汉语言文学", "土木工程")
STREETS = ("天河路", "中山五路", "江南大道中", "工业大道北", "广州大道南")
FOOD = ("热食类食品制售", "冷食类食品制售", "预包装食品销售（含冷藏冷冻食品）")


def _date(rng: random.Random, start: int, end: int) -> str:
    return dt.date(rng.randint(start, end), rng.randint(1, 12), rng.randint(1, 28)).isoformat()


def _person_data(rng: random.Random, person: Person) -> dict[str, dict[str, Any]]:
    school = rng.choice(SCHOOLS)
    return {
        "household": {
            "household_no": f"{rng.randint(10**8, 10**9 - 1)}",
            "relation": rng.choice(("户主", "配偶", "子女")),
            "registered_address": f"广州市天河区{rng.choice(STREETS)}{rng.randint(1, 999)}号",
            "registered_on": _date(rng, 1995, 2020),
        },
        "marriage": {
            "certificate_no": f"J440106-{rng.randint(2005, 2024)}-{rng.randint(1, 99999):05d}",
            "spouse_name": rng.choice(("李晓华", "王丽", "刘志强", "陈敏", "黄俊")),
            "registered_on": _date(rng, 2005, 2024),
        },
        "diploma": {
            "school": school,
            "major": rng.choice(MAJORS),
            "level": "本科",
            "graduated_on": _date(rng, 2000, 2022),
        },
        "degree": {
            "institution": school,
            "degree": "学士",
            "discipline": rng.choice(("工学", "管理学", "医学", "文学")),
            "conferred_on": _date(rng, 2000, 2022),
        },
        "social_insurance": {
            "insured_since": _date(rng, 2005, 2020),
            "months": rng.randint(24, 240),
            "employer": "广州市某科技有限公司",
        },
        "birth": {
            "child_name": person.name[0] + rng.choice(("小宝", "子涵", "一诺", "梓轩")),
            "sex": rng.choice(("男", "女")),
            "birth_date": _date(rng, 2015, 2025),
            "birth_place": "广东省广州市天河区 广东省妇幼保健院",
            "mother_name": rng.choice(("李晓华", "王丽", "陈敏")),
        },
    }


def _held(person: Person | None = None, enterprise: Enterprise | None = None) -> set[str]:
    rows = Certificate.objects.filter(person=person, enterprise=enterprise)
    return set(rows.values_list("type__code", flat=True))


def seed(*, actor: Actor, progress: Progress) -> None:
    rng = random.Random(13)  # noqa: S311  # reproducible demo data, not secrets
    persons = list(Person.objects.order_by("id")[: PERSONS + 1])
    enterprises = list(Enterprise.objects.order_by("id"))
    total = len(persons) + len(enterprises)
    citizen = Person.objects.filter(user__username="citizen").first()
    now = timezone.now()
    done = 0
    with transaction.atomic():
        for person in persons:
            data = _person_data(rng, person)
            held = _held(person=person)
            wanted = (
                ["household", "marriage", "diploma", "degree", "birth", "social_insurance"]
                if person == citizen
                else ["household", rng.choice(("marriage", "diploma", "social_insurance"))]
            )
            for code in wanted:
                if code not in held:
                    certificate_issue(actor=actor, type_code=code, holder=person, data=data[code])
            if person == citizen and "social_insurance" not in held:
                # Last spring's record, past its three months: the wallet shows it expired.
                certificate_issue(
                    actor=actor,
                    type_code="social_insurance",
                    holder=person,
                    data=data["social_insurance"],
                    valid_from=now - dt.timedelta(days=200),
                )
                # A household register replaced after a move: revoked, on the public list.
                old = certificate_issue(
                    actor=actor, type_code="household", holder=person, data=data["household"]
                )
                certificate_revoke(actor=actor, cert_id=old.cert_id, reason=RevokeReason.SUPERSEDED)
            done += 1
            progress("certificates: 电子证照", done, total)
        for position, enterprise in enumerate(enterprises):
            held = _held(enterprise=enterprise)
            if "biz_licence" not in held:
                certificate_issue(
                    actor=actor,
                    type_code="biz_licence",
                    holder=enterprise,
                    data={
                        "legal_representative": enterprise.legal_representative or "陈大文",
                        "registered_capital": f"{rng.choice((50, 100, 500, 1000))}万元人民币",
                        "business_scope": rng.choice(("餐饮服务", "软件开发", "货物进出口")),
                        "established_on": _date(rng, 2005, 2024),
                    },
                )
            if position % 3 == 0 and "food_licence" not in held:
                certificate_issue(
                    actor=actor,
                    type_code="food_licence",
                    holder=enterprise,
                    data={
                        "licence_no": f"JY1440106{rng.randint(10**6, 10**7 - 1)}",
                        "business_type": rng.choice(FOOD),
                    },
                )
            done += 1
            progress("certificates: 电子证照", done, total)

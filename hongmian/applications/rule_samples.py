"""Sample applicants for testing an instant-approval rule on the department's page: made-up
people written as the facts a rule reads (rules.sample_facts), never read from anyone's
file — testing a rule must not look into a real person's data (decision 0066)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

SAMPLES: dict[str, tuple[Any, dict[str, Any]]] = {
    "elder_gz": (
        _("85岁越秀区户籍老人"),
        {
            "file": {
                "identity.birth_date": "1941-03-02",
                "household.registered_address": "广州市越秀区北京街道惠福东路12号",
                "address.residence": "广州市越秀区惠福东路12号",
            },
            "certificates": ["household"],
            "answers": {"bank_account": "6222020200112233445"},
        },
    ),
    "elder_sz": (
        _("82岁深圳户籍、随子女居住的老人"),
        {
            "file": {
                "identity.birth_date": "1944-08-20",
                "household.registered_address": "深圳市南山区粤海街道科技园路1号",
                "address.residence": "广州市天河区天河北路233号",
            },
            "certificates": [],
            "answers": {},
        },
    ),
    "worker": (
        _("38岁天河区在职职工（缴费120个月）"),
        {
            "file": {
                "identity.birth_date": "1988-06-15",
                "household.registered_address": "广州市天河区石牌街道华师路1号",
                "address.residence": "广州市天河区石牌街道华师路1号",
                "social_insurance.status": "正常参保",
                "social_insurance.months": 120,
            },
            "certificates": ["household", "social_insurance"],
            "answers": {},
        },
    ),
    "newcomer": (
        _("刚来广州三个月的新市民"),
        {
            "file": {
                "identity.birth_date": "1999-11-01",
                "household.registered_address": "湖南省长沙市岳麓区麓山南路8号",
                "address.residence": "广州市海珠区新港西路135号",
                "social_insurance.status": "正常参保",
                "social_insurance.months": 3,
            },
            "certificates": [],
            "answers": {},
        },
    ),
}

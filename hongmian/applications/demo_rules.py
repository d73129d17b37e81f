"""The demo's instant-approval rules (秒批规则), written for the project, by item name (each
variant of an item gets the same rule). Chosen so that the demo shows both outcomes: the
demo citizen (born 2005, living and insured in 广州) is approved at once for a residence
permit and a social-security card, and is sent to a reviewer for the old-age allowance with
"年满80周岁" listed as the failed condition (decision 0066)."""

from __future__ import annotations

from typing import Any

RULES: dict[str, dict[str, Any]] = {
    "高龄老人津贴申领": {
        "all": [
            {"field": "identity.birth_date", "op": "age_gte", "value": 80, "label": "年满80周岁"},
            {
                "field": "household.registered_address",
                "op": "contains",
                "value": "广州市",
                "label": "广州市户籍",
            },
        ],
        "result": "高龄津贴自次月起按月发放至登记的银行账户",
    },
    "居住证申领": {
        "all": [
            {
                "field": "address.residence",
                "op": "contains",
                "value": "广州市",
                "label": "在广州市居住",
            },
            {
                "any": [
                    {
                        "field": "social_insurance.months",
                        "op": "gte",
                        "value": 6,
                        "label": "在穗参保满6个月",
                    },
                    {"certificate": "household", "op": "exists", "label": "持有户口簿电子证照"},
                ]
            },
        ],
        "result": "居住证已制发，可在“我的证照”中使用电子居住证",
    },
    "社会保障卡申领": {
        "all": [
            {
                "field": "social_insurance.status",
                "op": "in",
                "value": ["正常参保", "暂停缴费"],
                "label": "有参保记录",
            },
            {"field": "identity.birth_date", "op": "age_gte", "value": 16, "label": "年满16周岁"},
        ],
    },
}

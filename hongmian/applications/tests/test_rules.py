"""The instant-approval rules themselves (rules.py): each operator, the groups, a missing or
unconsented field, and the checks that refuse a bad rule with a code and a path. Pure: no
database."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from hongmian.applications import rules
from hongmian.core.errors import ValidationFailed

TODAY = dt.date(2026, 12, 8)
SUBJECT = rules.Subject(
    answers={"reason": ("text", ()), "count": ("int", ()), "kind": ("choice", ("甲", "乙"))},
    certificate_types=frozenset({"household", "social_insurance"}),
)
FACTS = rules.Facts(
    file={
        "identity.birth_date": "1945-12-09",  # 80 on TODAY; 81 tomorrow
        "household.registered_address": "广州市越秀区北京路1号",
        "social_insurance.months": 120,
        "social_insurance.base": "8123.45",
        "social_insurance.status": "正常参保",
        "vehicles.list": [],
    },
    certificates=frozenset({"household"}),
    answers={"reason": "本人申领", "count": "3", "kind": "甲"},
)


def judge(rule: dict[str, Any], facts: rules.Facts = FACTS) -> rules.Outcome:
    checked = rules.rules_check(rule, SUBJECT)
    kinds = {"reason": "text", "count": "int", "kind": "choice"}
    return rules.rules_evaluate_facts(checked, facts, today=TODAY, answer_kinds=kinds)


def one(cond: dict[str, Any]) -> bool:
    return judge({"all": [cond]}).qualified


@pytest.mark.parametrize(
    ("cond", "expected"),
    [
        ({"field": "social_insurance.status", "op": "eq", "value": "正常参保"}, True),
        ({"field": "social_insurance.status", "op": "eq", "value": "暂停缴费"}, False),
        ({"field": "social_insurance.status", "op": "in", "value": ["暂停缴费", "正常参保"]}, True),
        ({"field": "social_insurance.months", "op": "in", "value": [12, 24]}, False),
        ({"field": "social_insurance.months", "op": "gte", "value": 120}, True),
        ({"field": "social_insurance.months", "op": "gte", "value": 121}, False),
        ({"field": "social_insurance.months", "op": "lte", "value": 119}, False),
        ({"field": "social_insurance.base", "op": "between", "value": [5000, 9000]}, True),
        ({"field": "social_insurance.base", "op": "between", "value": [8124, 9000]}, False),
        ({"field": "identity.birth_date", "op": "lte", "value": "1950-01-01"}, True),
        ({"field": "identity.birth_date", "op": "age_gte", "value": 81}, False),
        ({"field": "identity.birth_date", "op": "age_gte", "value": 80}, True),
        ({"field": "identity.birth_date", "op": "age_lte", "value": 80}, True),
        ({"field": "household.registered_address", "op": "contains", "value": "广州市"}, True),
        ({"field": "household.registered_address", "op": "contains", "value": "深圳市"}, False),
        ({"field": "vehicles.list", "op": "exists"}, True),
        ({"field": "identity.name", "op": "exists"}, False),
        ({"certificate": "household", "op": "exists"}, True),
        ({"certificate": "social_insurance", "op": "exists"}, False),
        ({"answer": "reason", "op": "eq", "value": "本人申领"}, True),
        ({"answer": "count", "op": "gte", "value": 4}, False),
        ({"answer": "kind", "op": "in", "value": ["甲"]}, True),
    ],
)
def test_each_operator(cond: dict[str, Any], expected: bool) -> None:
    assert one(cond) is expected


def test_age_turns_on_the_birthday() -> None:
    cond = {"field": "identity.birth_date", "op": "age_gte", "value": 82}
    born = rules.Facts(file={"identity.birth_date": "1944-12-08"})
    assert judge({"all": [cond]}, born).qualified
    born = rules.Facts(file={"identity.birth_date": "1944-12-09"})
    assert not judge({"all": [cond]}, born).qualified


def test_groups_all_and_any_nest() -> None:
    yes = {"field": "social_insurance.months", "op": "gte", "value": 1}
    no = {"field": "social_insurance.months", "op": "gte", "value": 999}
    assert judge({"any": [no, yes]}).qualified
    assert not judge({"all": [no, yes]}).qualified
    outcome = judge({"all": [yes, {"any": [no, {"all": [yes, yes]}]}]})
    assert outcome.qualified
    assert [c.path for c in outcome.checks] == [
        "all[0]",
        "all[1].any[0]",
        "all[1].any[1].all[0]",
        "all[1].any[1].all[1]",
    ]


def test_missing_and_unconsented_fields_fail_with_their_reason() -> None:
    rule = {
        "all": [
            {"field": "identity.birth_date", "op": "age_gte", "value": 80, "label": "年满80周岁"},
            {"field": "social_insurance.months", "op": "gte", "value": 6},
        ]
    }
    outcome = judge(rule, rules.Facts(file={"social_insurance.months": 7}))
    assert not outcome.qualified
    [failed] = outcome.failed
    assert (failed.path, failed.label, failed.reason) == (
        "all[0]",
        "年满80周岁",
        "档案中没有该项信息",
    )
    outcome = judge(rule, rules.Facts(unconsented=frozenset({"identity.birth_date"})))
    assert next(c.reason for c in outcome.failed) == "未获本人授权读取该档案字段"
    answered = judge({"all": [{"answer": "reason", "op": "exists"}]}, rules.Facts())
    assert answered.failed[0].reason == "表单未填写该项"


@pytest.mark.parametrize(
    ("rule", "code", "path"),
    [
        ([], "rule.shape_invalid", "$"),
        ({"all": []}, "rule.shape_invalid", "all"),
        ({"all": [{"op": "eq", "value": 1}]}, "rule.subject_required", "all[0]"),
        (
            {"all": [{"field": "identity.shoe_size", "op": "eq", "value": 1}]},
            "rule.field_unknown",
            "all[0].field",
        ),
        (
            {"all": [{"field": "identity.name", "op": "like", "value": "x"}]},
            "rule.op_unknown",
            "all[0].op",
        ),
        (
            {"all": [{"field": "social_insurance.months", "op": "contains", "value": "1"}]},
            "rule.op_not_for_kind",
            "all[0].op",
        ),
        (
            {"all": [{"field": "social_insurance.months", "op": "gte", "value": "六"}]},
            "rule.value_invalid",
            "all[0].value",
        ),
        (
            {"all": [{"field": "social_insurance.status", "op": "eq", "value": "在保"}]},
            "rule.value_invalid",
            "all[0].value",
        ),
        (
            {
                "all": [
                    {
                        "field": "identity.birth_date",
                        "op": "between",
                        "value": ["2000-01-01", "1990-01-01"],
                    }
                ]
            },
            "rule.value_invalid",
            "all[0].value",
        ),
        ({"all": [{"field": "identity.name", "op": "eq"}]}, "rule.value_required", "all[0].value"),
        (
            {"all": [{"certificate": "passport", "op": "exists"}]},
            "rule.certificate_unknown",
            "all[0].certificate",
        ),
        ({"all": [{"answer": "colour", "op": "exists"}]}, "rule.answer_unknown", "all[0].answer"),
        (
            {"all": [{"answer": "reason", "op": "exists", "when": 1}]},
            "rule.key_unknown",
            "all[0].when",
        ),
        (
            {
                "any": [
                    {"all": [{"all": [{"all": [{"any": [{"answer": "reason", "op": "exists"}]}]}]}]}
                ]
            },
            "rule.too_deep",
            "any[0].all[0].all[0].all[0]",
        ),
    ],
)
def test_bad_rules_are_refused_with_code_and_path(rule: Any, code: str, path: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        rules.rules_check(rule, SUBJECT)
    assert caught.value.code == code
    assert path in caught.value.fields
    assert caught.value.fields[path][0].startswith(code)


def test_every_problem_is_named() -> None:
    rule = {
        "all": [
            {"field": "nope", "op": "eq", "value": 1},
            {"answer": "reason", "op": "gt", "value": 1},
        ]
    }
    with pytest.raises(ValidationFailed) as caught:
        rules.rules_check(rule, SUBJECT)
    assert set(caught.value.fields) == {"all[0].field", "all[1].op"}


def test_fields_and_certificates_a_rule_reads() -> None:
    rule = {
        "all": [
            {"field": "identity.birth_date", "op": "age_gte", "value": 80},
            {
                "any": [
                    {"certificate": "household", "op": "exists"},
                    {"field": "household.registered_address", "op": "exists"},
                ]
            },
        ]
    }
    assert rules.rules_file_fields(rule) == ["household.registered_address", "identity.birth_date"]
    assert rules.rules_certificates(rule) == ["household"]

"""Instant-approval rules (秒批规则): a declarative condition tree over the applicant's file
fields (identity/file_fields.py), the e-certificates they hold and the form's answers,
checked before it is stored and evaluated at submission (decision 0066).

The rule is JSON, not code, so that a department edits and tests it without a release:

    {"all": [
        {"field": "identity.birth_date", "op": "age_gte", "value": 80, "label": "年满80周岁"},
        {"field": "household.registered_address", "op": "contains", "value": "广州市"},
        {"any": [{"certificate": "household_register", "op": "exists"},
                 {"answer": "reason", "op": "in", "value": ["本人申领", "代领"]}]}
     ],
     "result": "高龄津贴自次月起发放"}

A group is {"all": [...]} or {"any": [...]} (optionally with a "label"); a condition names
one subject (`field`, `certificate` or `answer`), an `op` and, but for `exists`, a `value`.
The top group may carry `result`: the result note issued at once on approval. A value that
is missing from the file is a failed condition with its reason — never a pass."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from hongmian.core.errors import ValidationFailed
from hongmian.identity import file_fields

MAX_CONDITIONS = 50
MAX_DEPTH = 4
MAX_TEXT = 200
MAX_IN = 50
# Operators by the kind of value they compare (file field kinds, form field kinds).
OPERATORS = ("eq", "in", "gte", "lte", "between", "exists", "contains", "age_gte", "age_lte")
_BY_KIND: dict[str, frozenset[str]] = {
    "text": frozenset({"eq", "in", "contains", "exists"}),
    "choice": frozenset({"eq", "in", "exists"}),
    "int": frozenset({"eq", "in", "gte", "lte", "between", "exists"}),
    "money": frozenset({"eq", "gte", "lte", "between", "exists"}),
    "date": frozenset({"eq", "gte", "lte", "between", "exists", "age_gte", "age_lte"}),
    "list": frozenset({"exists"}),
    "certificate": frozenset({"exists"}),
}
# Form field kinds (definitions.FormField.kind) as the kinds above.
_FORM_KINDS = {"text": "text", "textarea": "text", "phone": "text", "date": "date"}
_GROUP_KEYS = frozenset({"all", "any", "label"})
_COND_KEYS = frozenset({"field", "certificate", "answer", "op", "value", "label"})


@dataclass(frozen=True, slots=True)
class Subject:
    """What a condition may name: the form's answers (key → kind, choices) and the known
    certificate type codes. File fields come from identity.file_fields."""

    answers: Mapping[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    certificate_types: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Facts:
    """What is known of one applicant: raw file values (field key → JSON value), fields the
    applicant's consent does not cover, certificate type codes held, the form's answers."""

    file: Mapping[str, Any] = field(default_factory=dict)
    unconsented: frozenset[str] = frozenset()
    certificates: frozenset[str] = frozenset()
    answers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Check:
    path: str
    label: str
    passed: bool
    reason: str

    def as_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "label": self.label,
            "passed": self.passed,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class Outcome:
    qualified: bool
    checks: tuple[Check, ...]

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if not c.passed]


class _Problems:
    def __init__(self) -> None:
        self.items: list[tuple[str, str, str]] = []  # (path, code, message)

    def add(self, path: str, code: str, message: str) -> None:
        self.items.append((path, code, message))


def rules_check(rules: Any, subject: Subject) -> dict[str, Any]:
    """The rule as stored, or ValidationFailed naming every bad place by its path
    (`all[1].op`) with a code per problem (`rule.field_unknown`, `rule.op_unknown`,
    `rule.op_not_for_kind`, `rule.value_invalid`, `rule.shape_invalid`, …); the error's
    own code is the first problem's. Nothing is stored from a rule that fails."""
    problems = _Problems()
    count = [0]
    if not isinstance(rules, dict):
        problems.add("$", "rule.shape_invalid", _("规则应为一个对象（all 或 any 条件组）"))
    else:
        extra = set(rules) - _GROUP_KEYS - {"result"}
        for key in sorted(extra):
            problems.add(key, "rule.key_unknown", _("不认识的键：%(key)s") % {"key": key})
        result = rules.get("result", "")
        if not isinstance(result, str) or len(result) > MAX_TEXT:
            problems.add("result", "rule.value_invalid", _("应为不超过200字的文本"))
        _group({k: v for k, v in rules.items() if k != "result"}, "", 1, subject, problems, count)
    if problems.items:
        path, code, message = problems.items[0]
        raise ValidationFailed(
            _("规则有误：%(path)s %(message)s") % {"path": path, "message": message},
            code=code,
            fields={p: [f"{c}：{m}"] for p, c, m in problems.items},
        )
    stored: dict[str, Any] = rules
    return stored


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def _group(
    node: dict[str, Any],
    path: str,
    depth: int,
    subject: Subject,
    problems: _Problems,
    count: list[int],
) -> None:
    kinds = [k for k in ("all", "any") if k in node]
    if len(kinds) != 1:
        problems.add(path or "$", "rule.shape_invalid", _("条件组须有且只有 all 或 any 之一"))
        return
    if depth > MAX_DEPTH:
        problems.add(path, "rule.too_deep", _("条件组最多嵌套 %(n)d 层") % {"n": MAX_DEPTH})
        return
    label = node.get("label", "")
    if not isinstance(label, str) or len(label) > MAX_TEXT:
        problems.add(_join(path, "label"), "rule.value_invalid", _("应为不超过200字的文本"))
    items = node[kinds[0]]
    here = _join(path, kinds[0])
    if not isinstance(items, list) or not items:
        problems.add(here, "rule.shape_invalid", _("应为非空的条件列表"))
        return
    for i, item in enumerate(items):
        child = f"{here}[{i}]"
        if isinstance(item, dict) and ("all" in item or "any" in item):
            extra = set(item) - _GROUP_KEYS
            for key in sorted(extra):
                problems.add(
                    _join(child, key), "rule.key_unknown", _("不认识的键：%(key)s") % {"key": key}
                )
            _group(item, child, depth + 1, subject, problems, count)
        elif isinstance(item, dict):
            count[0] += 1
            if count[0] == MAX_CONDITIONS + 1:
                problems.add(child, "rule.too_many", _("条件最多 %(n)d 个") % {"n": MAX_CONDITIONS})
            _condition(item, child, subject, problems)
        else:
            problems.add(child, "rule.shape_invalid", _("应为条件或条件组"))


def _kind_of(
    node: dict[str, Any], path: str, subject: Subject, problems: _Problems
) -> tuple[str, tuple[str, ...]] | None:
    named = [k for k in ("field", "certificate", "answer") if k in node]
    if len(named) != 1:
        problems.add(
            path, "rule.subject_required", _("条件须指明 field、certificate 或 answer 之一")
        )
        return None
    key = named[0]
    name = node[key]
    where = _join(path, key)
    if not isinstance(name, str):
        problems.add(where, "rule.value_invalid", _("应为文本"))
        return None
    if key == "field":
        spec = file_fields.FIELDS.get(name)
        if spec is None:
            problems.add(where, "rule.field_unknown", _("档案字段不存在：%(key)s") % {"key": name})
            return None
        return spec.kind, spec.choices
    if key == "certificate":
        if name not in subject.certificate_types:
            problems.add(
                where, "rule.certificate_unknown", _("电子证照类型不存在：%(key)s") % {"key": name}
            )
            return None
        return "certificate", ()
    known = subject.answers.get(name)
    if known is None:
        problems.add(where, "rule.answer_unknown", _("表单没有该字段：%(key)s") % {"key": name})
        return None
    return known


def _condition(node: dict[str, Any], path: str, subject: Subject, problems: _Problems) -> None:
    for key in sorted(set(node) - _COND_KEYS):
        problems.add(_join(path, key), "rule.key_unknown", _("不认识的键：%(key)s") % {"key": key})
    label = node.get("label", "")
    if not isinstance(label, str) or len(label) > MAX_TEXT:
        problems.add(_join(path, "label"), "rule.value_invalid", _("应为不超过200字的文本"))
    known = _kind_of(node, path, subject, problems)
    op = node.get("op")
    op_path = _join(path, "op")
    if op not in OPERATORS:
        problems.add(op_path, "rule.op_unknown", _("未知的运算符：%(op)s") % {"op": op})
        return
    if known is None:
        return
    kind, choices = known
    if op not in _BY_KIND[kind]:
        problems.add(
            op_path,
            "rule.op_not_for_kind",
            _("运算符 %(op)s 不适用于%(kind)s字段") % {"op": op, "kind": kind},
        )
        return
    value_path = _join(path, "value")
    if op == "exists":
        if node.get("value", True) is not True:
            problems.add(value_path, "rule.value_invalid", _("exists 不带值（或为 true）"))
        return
    if "value" not in node:
        problems.add(value_path, "rule.value_required", _("请给出比较的值"))
        return
    message = _value_problem(op, kind, choices, node["value"])
    if message:
        problems.add(value_path, "rule.value_invalid", message)


def _scalar_problem(kind: str, choices: tuple[str, ...], value: Any) -> str:
    if kind in ("int", "money"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return _("应为数字")
        return ""
    if kind == "date":
        if isinstance(value, str) and _comparable("date", value) is not None:
            return ""
        return _("应为日期，格式 YYYY-MM-DD")
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT:
        return _("应为不超过200字的非空文本")
    if kind == "choice" and value not in choices:
        return _("应为以下之一：%(choices)s") % {"choices": "、".join(choices)}
    return ""


def _value_problem(op: str, kind: str, choices: tuple[str, ...], value: Any) -> str:
    if op in ("age_gte", "age_lte"):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 150:
            return _("应为 0 至 150 的整数（周岁）")
        return ""
    if op == "in":
        if not isinstance(value, list) or not 1 <= len(value) <= MAX_IN:
            return _("应为 1 至 %(n)d 个值的列表") % {"n": MAX_IN}
        return next((p for p in (_scalar_problem(kind, choices, v) for v in value) if p), "")
    if op == "between":
        if not isinstance(value, list) or len(value) != 2:
            return _("应为 [下限, 上限] 两个值")
        problem = next((p for p in (_scalar_problem(kind, choices, v) for v in value) if p), "")
        if problem:
            return problem
        low, high = (_comparable(kind, v) for v in value)
        return _("下限不能大于上限") if low is not None and high is not None and low > high else ""
    return _scalar_problem(kind, choices, value)


# --- evaluation ------------------------------------------------------------------------------


def _comparable(kind: str, value: Any) -> Any:
    """A value as it compares (None when it does not parse)."""
    try:
        if kind in ("int", "money"):
            return decimal.Decimal(str(value))
        if kind == "date":
            return dt.date.fromisoformat(str(value))
    except (decimal.InvalidOperation, ValueError):
        return None
    return str(value).strip()


def _age(birth: dt.date, today: dt.date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _compare(op: str, kind: str, actual: Any, value: Any, today: dt.date) -> bool:
    if op == "exists":
        return True
    if op == "contains":
        return str(value) in str(actual)
    have = _comparable(kind, actual)
    if have is None:
        return False
    if op in ("age_gte", "age_lte"):
        age = _age(have, today)
        return age >= int(value) if op == "age_gte" else age <= int(value)
    if op == "in":
        return have in {_comparable(kind, v) for v in value}
    if op == "between":
        low, high = (_comparable(kind, v) for v in value)
        return bool(low <= have <= high)
    want = _comparable(kind, value)
    if op == "eq":
        return bool(have == want)
    return bool(have >= want) if op == "gte" else bool(have <= want)


_OP_TEXT = {
    "eq": _lazy("等于 {v}"),
    "in": _lazy("属于 {v}"),
    "gte": _lazy("不小于 {v}"),
    "lte": _lazy("不大于 {v}"),
    "between": _lazy("介于 {v}"),
    "exists": _lazy("已有记录"),
    "contains": _lazy("包含“{v}”"),
    "age_gte": _lazy("年满 {v} 周岁"),
    "age_lte": _lazy("不超过 {v} 周岁"),
}


def condition_label(node: Mapping[str, Any], answer_labels: Mapping[str, str] | None = None) -> str:
    """The condition as a reader sees it: its own label, else the subject and the test."""
    if node.get("label"):
        return str(node["label"])
    if "field" in node:
        spec = file_fields.FIELDS.get(str(node["field"]))
        name = spec.label if spec else str(node["field"])
    elif "certificate" in node:
        name = _("持有电子证照 %(code)s") % {"code": node["certificate"]}
    else:
        key = str(node.get("answer", ""))
        name = (answer_labels or {}).get(key, key)
    value = node.get("value", "")
    shown = (
        "～".join(map(str, value))
        if node.get("op") == "between"
        else ("、".join(map(str, value)) if isinstance(value, list) else str(value))
    )
    return f"{name} {str(_OP_TEXT.get(str(node.get('op')), '?')).format(v=shown)}"


def rules_evaluate_facts(
    rules: Mapping[str, Any],
    facts: Facts,
    *,
    today: dt.date,
    answer_kinds: Mapping[str, str] | None = None,
) -> Outcome:
    """Evaluate a checked rule against `facts`: every condition's check (passed or failed,
    with the reason), and whether the top group holds."""
    checks: list[Check] = []
    qualified = _eval_group(rules, "", facts, today, answer_kinds or {}, checks)
    return Outcome(qualified=qualified, checks=tuple(checks))


def _eval_group(
    node: Mapping[str, Any],
    path: str,
    facts: Facts,
    today: dt.date,
    kinds: Mapping[str, str],
    checks: list[Check],
) -> bool:
    mode = "all" if "all" in node else "any"
    results = []
    for i, item in enumerate(node[mode]):
        child = f"{_join(path, mode)}[{i}]"
        if "all" in item or "any" in item:
            results.append(_eval_group(item, child, facts, today, kinds, checks))
        else:
            check = _eval_condition(item, child, facts, today, kinds)
            checks.append(check)
            results.append(check.passed)
    return all(results) if mode == "all" else any(results)


def _eval_condition(
    node: Mapping[str, Any], path: str, facts: Facts, today: dt.date, kinds: Mapping[str, str]
) -> Check:
    label = condition_label(node)
    op = str(node["op"])
    if "certificate" in node:
        held = str(node["certificate"]) in facts.certificates
        return Check(path, label, held, "" if held else _("未持有该电子证照"))
    if "field" in node:
        key = str(node["field"])
        if key in facts.unconsented:
            return Check(path, label, False, _("未获本人授权读取该档案字段"))
        if key not in facts.file:
            return Check(path, label, False, _("档案中没有该项信息"))
        kind: str = file_fields.FIELDS[key].kind
        actual = facts.file[key]
    else:
        key = str(node["answer"])
        actual = facts.answers.get(key, "")
        if actual in ("", None):
            return Check(path, label, False, _("表单未填写该项"))
        kind = kinds.get(key, "text")
    passed = _compare(op, kind, actual, node.get("value"), today)
    return Check(
        path, label, passed, "" if passed else _("实际为：%(value)s") % {"value": _shown(actual)}
    )


def _shown(actual: Any) -> str:
    if isinstance(actual, list):
        return _("%(n)d 项") % {"n": len(actual)}
    return str(actual)[:MAX_TEXT]


def rules_file_fields(rules: Mapping[str, Any]) -> list[str]:
    """The file fields a rule reads (what the applicant's consent must cover)."""
    return sorted({str(c["field"]) for c in _conditions(rules) if "field" in c})


def rules_certificates(rules: Mapping[str, Any]) -> list[str]:
    return sorted({str(c["certificate"]) for c in _conditions(rules) if "certificate" in c})


def rules_answers(rules: Mapping[str, Any]) -> list[str]:
    """The form's answers a rule reads."""
    return sorted({str(c["answer"]) for c in _conditions(rules) if "answer" in c})


def _conditions(node: Mapping[str, Any]) -> Sequence[Mapping[str, Any]]:
    out: list[Mapping[str, Any]] = []
    for item in node.get("all", node.get("any", [])):
        if "all" in item or "any" in item:
            out.extend(_conditions(item))
        else:
            out.append(item)
    return out


def answer_kinds(form_fields: Sequence[Any]) -> dict[str, tuple[str, tuple[str, ...]]]:
    """The form's fields (definitions.FormField) as kinds the rules compare."""
    return {f.key: (_FORM_KINDS.get(f.kind, f.kind), tuple(f.choices)) for f in form_fields}


# --- samples for the department's test form --------------------------------------------------

_SAMPLE_KEYS = frozenset({"file", "certificates", "answers"})


def sample_facts(data: Any) -> Facts:
    """A sample applicant written by the department (JSON: `file` field → value,
    `certificates` type codes, `answers`), each file value checked by its field's kind —
    422 `rule_sample.invalid` naming the path of every bad part."""
    problems: dict[str, list[str]] = {}
    if not isinstance(data, dict):
        data = {}
        problems["$"] = [_('样例应为对象：{"file": {…}, "certificates": […], "answers": {…}}')]
    for key in sorted(set(data) - _SAMPLE_KEYS):
        problems[key] = [_("不认识的键：%(key)s") % {"key": key}]
    file_values: dict[str, Any] = {}
    raw_file = data.get("file", {})
    if not isinstance(raw_file, dict):
        problems["file"] = [_("应为对象")]
        raw_file = {}
    for key, value in raw_file.items():
        spec = file_fields.FIELDS.get(str(key))
        if spec is None:
            problems[f"file.{key}"] = [_("档案字段不存在：%(key)s") % {"key": key}]
            continue
        try:
            file_values[spec.key] = file_fields.clean_value(spec, value)
        except file_fields.ValueInvalid as exc:
            problems[f"file.{key}"] = [str(exc)]
    certificates = data.get("certificates", [])
    if not isinstance(certificates, list) or not all(isinstance(c, str) for c in certificates):
        problems["certificates"] = [_("应为证照类型编码的列表")]
        certificates = []
    answers = data.get("answers", {})
    if not isinstance(answers, dict):
        problems["answers"] = [_("应为对象")]
        answers = {}
    if problems:
        first = next(iter(problems))
        raise ValidationFailed(
            _("样例有误：%(path)s %(message)s") % {"path": first, "message": problems[first][0]},
            code="rule_sample.invalid",
            fields=problems,
        )
    return Facts(
        file=file_values,
        certificates=frozenset(certificates),
        answers={str(k): str(v) for k, v in answers.items()},
    )

"""Frictionless Table Schema (https://specs.frictionlessdata.io/table-schema/): parse a
dataset's declared schema and check cells against it.

Our own code rather than the `frictionless` package (decision 0076): the rows come through
the house's one table reader (core.tables, which numbers rows as a person counts them and
reads GB18030), from PostgreSQL and from REST pages, so only the cell checks were needed,
and a cast per cell in a closure is what lets every row of a million-row file be checked.

Supported: the types string, integer, number, boolean, date, datetime, time, year and any;
`format` for dates and times ("default" ISO 8601, "any", or a strptime pattern); the
constraints required, unique, minimum, maximum, minLength, maxLength, pattern and enum;
missingValues, trueValues/falseValues, primaryKey and foreignKeys (reference.resource is
another dataset's code, "" the dataset itself). Extra field properties kept for the
catalogue: `grade` (general/important/core), `personal` (bool), `classification`.

Free of Django imports except gettext, so that the benchmark can use it alone.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import pyarrow as pa
from django.utils.translation import gettext

from hongmian.core.errors import ValidationFailed

TYPES = ("string", "integer", "number", "boolean", "date", "datetime", "time", "year", "any")
GRADES = ("general", "important", "core")
# A field name becomes a Parquet column and a quoted SQL identifier: letters (any script),
# digits and underscores.
_NAME = re.compile(r"^[^\W\d]\w{0,62}$")
_ARROW: dict[str, pa.DataType] = {
    "string": pa.string(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    # Naive: a department's "2015-01-11 00:19:31" is its local time; an offset given in the
    # file is converted to Beijing time first.
    "datetime": pa.timestamp("us"),
    "time": pa.time64("us"),
    "year": pa.int32(),
    "any": pa.string(),
}
_TRUE = ("true", "True", "TRUE", "1")
_FALSE = ("false", "False", "FALSE", "0")
_BEIJING = dt.timezone(dt.timedelta(hours=8))


class SchemaError(ValidationFailed):
    """A schema that cannot be used; `path` names the property (e.g. fields[2].type)."""

    default_code = "datahub.bad_schema"

    def __init__(self, message: str, *, path: str) -> None:
        super().__init__(message, code="datahub.bad_schema", fields={path: [message]})
        self.path = path


class CellError(ValueError):
    """A cell that does not fit its field: `code` (datahub.type / datahub.constraint.*)
    and the reason in words."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(frozen=True, slots=True)
class ForeignKey:
    fields: tuple[str, ...]
    resource: str  # a dataset code; "" for the dataset itself
    reference: tuple[str, ...]


@dataclass(slots=True)
class FieldSpec:
    name: str
    type: str
    format: str = "default"
    title: str = ""
    description: str = ""
    required: bool = False
    unique: bool = False
    grade: str = "general"
    personal: bool = False
    classification: str = ""
    constraints: dict[str, Any] = field(default_factory=dict)
    cast: Callable[[Any], Any] = field(default=lambda v: v, repr=False)

    @property
    def arrow_type(self) -> pa.DataType:
        return _ARROW[self.type]


@dataclass(slots=True)
class TableSchema:
    fields: list[FieldSpec]
    primary_key: tuple[str, ...]
    foreign_keys: list[ForeignKey]
    missing_values: frozenset[str]
    source: dict[str, Any]

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]

    def arrow_schema(self) -> pa.Schema:
        # Every column nullable: `required` is enforced on the rows, and a file written by
        # DuckDB (whose columns are all nullable) must have the same schema to be merged.
        return pa.schema([pa.field(f.name, f.arrow_type) for f in self.fields])

    def is_missing(self, value: Any) -> bool:
        if value is None:
            return True
        return isinstance(value, str) and value in self.missing_values


def parse_schema(raw: str | bytes | Mapping[str, Any]) -> TableSchema:
    """The schema in `raw` (JSON text or a parsed object), checked whole; a SchemaError
    (datahub.bad_schema) names the first property that is wrong."""
    if isinstance(raw, str | bytes):
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise SchemaError(
                gettext("表结构不是有效的 JSON：%(exc)s") % {"exc": exc}, path="schema"
            ) from None
    else:
        data = dict(raw)
    if not isinstance(data, dict):
        raise SchemaError(gettext("表结构应为 JSON 对象"), path="schema")
    raw_fields = data.get("fields")
    if not isinstance(raw_fields, list) or not raw_fields:
        raise SchemaError(gettext("表结构缺少 fields（至少一个字段）"), path="fields")
    missing = data.get("missingValues", [""])
    if not isinstance(missing, list) or not all(isinstance(m, str) for m in missing):
        raise SchemaError(gettext("missingValues 应为字符串列表"), path="missingValues")
    fields: list[FieldSpec] = []
    seen: set[str] = set()
    for i, raw_field in enumerate(raw_fields):
        spec = _field(raw_field, f"fields[{i}]")
        if spec.name in seen:
            raise SchemaError(
                gettext("字段名重复：%(name)s") % {"name": spec.name}, path=f"fields[{i}].name"
            )
        seen.add(spec.name)
        fields.append(spec)
    primary_key = _names(data.get("primaryKey", []), "primaryKey", seen)
    foreign_keys: list[ForeignKey] = []
    raw_fks = data.get("foreignKeys", [])
    if not isinstance(raw_fks, list):
        raise SchemaError(gettext("foreignKeys 应为列表"), path="foreignKeys")
    for i, fk in enumerate(raw_fks):
        path = f"foreignKeys[{i}]"
        if not isinstance(fk, dict) or not isinstance(fk.get("reference"), dict):
            raise SchemaError(gettext("外键应含 fields 与 reference"), path=path)
        local = _names(fk.get("fields"), f"{path}.fields", seen)
        ref = fk["reference"]
        resource = ref.get("resource", "")
        if not isinstance(resource, str):
            raise SchemaError(gettext("reference.resource 应为数据资源代码"), path=path)
        target = _names(ref.get("fields"), f"{path}.reference.fields", None)
        if not local or len(local) != len(target):
            raise SchemaError(gettext("外键两端的字段数不一致"), path=path)
        foreign_keys.append(ForeignKey(local, resource, target))
    schema = TableSchema(fields, primary_key, foreign_keys, frozenset(missing), data)
    for spec in fields:
        spec.cast = _caster(spec, data)
    return schema


def _names(value: Any, path: str, known: set[str] | None) -> tuple[str, ...]:
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise SchemaError(gettext("%(path)s 应为字段名或字段名列表") % {"path": path}, path=path)
    for name in names:
        if known is not None and name not in known:
            raise SchemaError(
                gettext("%(path)s 引用了不存在的字段 %(name)s") % {"path": path, "name": name},
                path=path,
            )
    return tuple(names)


def _field(raw: Any, path: str) -> FieldSpec:
    if not isinstance(raw, dict):
        raise SchemaError(gettext("字段定义应为对象"), path=path)
    name = raw.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise SchemaError(
            gettext("字段名应以字母或汉字开头，只含字母、数字、下划线，不超过 63 个字符"),
            path=f"{path}.name",
        )
    kind = raw.get("type", "string")
    if kind not in TYPES:
        raise SchemaError(
            gettext("未知的字段类型 %(kind)s，可选 %(types)s")
            % {"kind": kind, "types": "、".join(TYPES)},
            path=f"{path}.type",
        )
    constraints = raw.get("constraints", {})
    if not isinstance(constraints, dict):
        raise SchemaError(gettext("constraints 应为对象"), path=f"{path}.constraints")
    unknown = set(constraints) - {
        "required",
        "unique",
        "minimum",
        "maximum",
        "minLength",
        "maxLength",
        "pattern",
        "enum",
    }
    if unknown:
        raise SchemaError(
            gettext("不支持的约束：%(names)s") % {"names": "、".join(sorted(unknown))},
            path=f"{path}.constraints",
        )
    grade = raw.get("grade", "general")
    if grade not in GRADES:
        raise SchemaError(gettext("数据分级应为 general / important / core"), path=f"{path}.grade")
    if "pattern" in constraints:
        try:
            re.compile(constraints["pattern"])
        except (re.error, TypeError) as exc:
            raise SchemaError(
                gettext("pattern 不是有效的正则表达式：%(exc)s") % {"exc": exc},
                path=f"{path}.constraints.pattern",
            ) from None
    return FieldSpec(
        name=name,
        type=kind,
        format=str(raw.get("format", "default")),
        title=str(raw.get("title", "")),
        description=str(raw.get("description", "")),
        required=bool(constraints.get("required", False)),
        unique=bool(constraints.get("unique", False)),
        grade=grade,
        personal=bool(raw.get("personal", False)),
        classification=str(raw.get("classification", "")),
        constraints=constraints,
    )


# --- casting -----------------------------------------------------------------------------


def _type_error(spec: FieldSpec, value: Any) -> CellError:
    shown = str(value)[:40]
    return CellError(
        "datahub.type",
        gettext("“%(value)s”不是 %(type)s") % {"value": shown, "type": _TYPE_WORDS[spec.type]},
    )


_TYPE_WORDS = {
    "string": "文本",
    "integer": "整数",
    "number": "数值",
    "boolean": "布尔值",
    "date": "日期",
    "datetime": "日期时间",
    "time": "时间",
    "year": "年份",
    "any": "值",
}


def _parse_base(spec: FieldSpec, schema: Mapping[str, Any]) -> Callable[[Any], Any]:
    kind, fmt = spec.type, spec.format
    if kind in ("string", "any"):
        return lambda v: v if isinstance(v, str) else str(v)
    if kind == "integer":

        def integer(v: Any) -> int:
            if isinstance(v, bool):
                raise ValueError
            if isinstance(v, int):
                return v
            if isinstance(v, str):
                return int(v.strip())
            raise ValueError

        return integer
    if kind == "year":

        def year(v: Any) -> int:
            n = v if isinstance(v, int) and not isinstance(v, bool) else int(str(v).strip())
            if not 0 <= n <= 9999:
                raise ValueError
            return n

        return year
    if kind == "number":

        def number(v: Any) -> float:
            if isinstance(v, bool):
                raise ValueError
            if isinstance(v, int | float | Decimal):
                return float(v)
            text = str(v).strip()
            if text.lower() in ("nan", "inf", "-inf", "infinity", "-infinity"):
                raise ValueError
            try:
                return float(Decimal(text))
            except InvalidOperation:
                raise ValueError from None

        return number
    if kind == "boolean":
        trues = tuple(str(x) for x in schema.get("trueValues", _TRUE))
        falses = tuple(str(x) for x in schema.get("falseValues", _FALSE))

        def boolean(v: Any) -> bool:
            if isinstance(v, bool):
                return v
            text = str(v).strip()
            if text in trues:
                return True
            if text in falses:
                return False
            raise ValueError

        return boolean
    if kind == "date":
        return _temporal(fmt, dt.date, lambda s: dt.date.fromisoformat(s), lambda p: p.date())
    if kind == "time":
        return _temporal(fmt, dt.time, lambda s: dt.time.fromisoformat(s), lambda p: p.time())
    return _temporal(fmt, dt.datetime, _iso_datetime, lambda p: p)


def _iso_datetime(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text)
    if value.tzinfo is not None:
        value = value.astimezone(_BEIJING).replace(tzinfo=None)
    return value


def _temporal(
    fmt: str,
    kind: type,
    iso: Callable[[str], Any],
    pick: Callable[[dt.datetime], Any],
) -> Callable[[Any], Any]:
    def parse(v: Any) -> Any:
        if isinstance(v, kind) and (kind is not dt.date or not isinstance(v, dt.datetime)):
            return v
        if kind is dt.date and isinstance(v, dt.datetime):
            return v.date()
        text = str(v).strip()
        if fmt in ("default", "any"):
            return iso(text)
        return pick(dt.datetime.strptime(text, fmt))

    return parse


def _caster(spec: FieldSpec, schema: Mapping[str, Any]) -> Callable[[Any], Any]:
    """A function from a present cell to its value, raising CellError. Constraints are
    checked on the cast value (minimum 0 on an integer compares numbers, not text)."""
    base = _parse_base(spec, schema)
    c = spec.constraints
    checks: list[Callable[[Any], None]] = []
    if "pattern" in c:
        pattern = re.compile(c["pattern"])

        def pattern_check(v: Any) -> None:
            if not pattern.fullmatch(str(v)):
                raise CellError(
                    "datahub.constraint.pattern",
                    gettext("不符合格式 %(pattern)s") % {"pattern": c["pattern"]},
                )

        checks.append(pattern_check)
    if "enum" in c:
        allowed = {base(x) for x in c["enum"]}

        def enum_check(v: Any) -> None:
            if v not in allowed:
                raise CellError(
                    "datahub.constraint.enum",
                    gettext("不在允许值之内：%(values)s")
                    % {"values": "、".join(str(x) for x in c["enum"][:10])},
                )

        checks.append(enum_check)
    for key, code, word, compare in (
        ("minimum", "datahub.constraint.minimum", "小于最小值", lambda v, b: v < b),
        ("maximum", "datahub.constraint.maximum", "大于最大值", lambda v, b: v > b),
    ):
        if key in c:
            bound = base(c[key])

            def bound_check(
                v: Any,
                bound: Any = bound,
                code: str = code,
                word: str = word,
                compare: Callable[[Any, Any], bool] = compare,
            ) -> None:
                if compare(v, bound):
                    raise CellError(code, f"{gettext(word)} {bound}")

            checks.append(bound_check)
    for key, code, word, compare_len in (
        ("minLength", "datahub.constraint.min_length", "短于最小长度", lambda n, b: n < b),
        ("maxLength", "datahub.constraint.max_length", "超过最大长度", lambda n, b: n > b),
    ):
        if key in c:
            length = int(c[key])

            def length_check(
                v: Any,
                length: int = length,
                code: str = code,
                word: str = word,
                compare_len: Callable[[int, int], bool] = compare_len,
            ) -> None:
                if compare_len(len(v), length):
                    raise CellError(code, f"{gettext(word)} {length}")

            checks.append(length_check)

    def cast(value: Any) -> Any:
        try:
            result = base(value)
        except (ValueError, TypeError, OverflowError):
            raise _type_error(spec, value) from None
        for check in checks:
            check(result)
        return result

    return cast

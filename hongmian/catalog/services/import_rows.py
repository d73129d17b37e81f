"""Reading a catalogue's rows for `services.imports.catalog_import`: each row's cells
parsed into an item's content, every problem collected with its row, column and a stable
code (ImportProblem), none raised: the import reports them all and writes nothing."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hongmian.catalog.services.content import ItemContent, MaterialSpec, content_clean
from hongmian.catalog.services.items import clean_code
from hongmian.catalog.states import TASK_TYPE_CODES, ItemLevel, ItemType
from hongmian.core.errors import ValidationFailed

NO_MAIN_ITEM = frozenset({"", "未分类", "无", "-", "/"})
# Errors listed in the report; the count says how many more there were.
MAX_ERRORS = 200

_TYPE_BY_LABEL = {str(t.label): t.value for t in ItemType}
_LEVEL_BY_LABEL = {str(lv.label): lv.value for lv in ItemLevel} | {
    "市级": ItemLevel.CITY,
    "区级": ItemLevel.DISTRICT,
    "县级": ItemLevel.DISTRICT,
    "街道级": ItemLevel.STREET,
    "镇级": ItemLevel.STREET,
    "乡镇级": ItemLevel.STREET,
    "社区级": ItemLevel.COMMUNITY,
    "村级": ItemLevel.COMMUNITY,
}
_TRUE = frozenset({"1", "true", "yes", "y", "是", "√"})
_FALSE = frozenset({"", "0", "false", "no", "n", "否"})


@dataclass(frozen=True, slots=True)
class ImportColumns:
    """Which column holds what. The three first are required; the rest are read when named
    (the time limits, level and conditions of a richer file) or, for the field-named columns
    of an exported file, whenever present."""

    code: str
    name: str
    department: str
    item_type: str | None = None
    main_item: str | None = None
    level: str | None = None
    legal_limit: str | None = None
    promised_limit: str | None = None
    conditions: str | None = None


@dataclass(frozen=True, slots=True)
class ImportProblem:
    row: int
    column: str | None
    code: str
    message: str

    def __str__(self) -> str:
        where = f"第 {self.row} 行" + (f"，列 {self.column}" if self.column else "")
        return f"{where}：{self.message}（{self.code}）"


@dataclass(slots=True)
class ImportReport:
    file: str = ""
    rows: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    units_created: list[str] = field(default_factory=list)
    main_items_created: int = 0
    problems: list[ImportProblem] = field(default_factory=list)
    problem_count: int = 0
    committed: bool = False

    def summary(self) -> str:
        return (
            f"{self.file}：{self.rows} 行；新增 {len(self.created)} 项，"
            f"更新 {len(self.updated)} 项，未变 {len(self.unchanged)} 项；"
            f"新建机构 {len(self.units_created)} 个，"
            f"主项 {self.main_items_created} 个；错误 {self.problem_count} 处"
        )


@dataclass(frozen=True, slots=True)
class ParsedRow:
    line: int
    code: str
    department: str
    main_item: str
    content: ItemContent
    # The content fields the file gives; an existing item keeps its values of the others.
    given: frozenset[str]
    main_given: bool


class Problems:
    def __init__(self, report: ImportReport) -> None:
        self.report = report

    def add(self, row: int, column: str | None, code: str, message: str) -> None:
        self.report.problem_count += 1
        if len(self.report.problems) < MAX_ERRORS:
            self.report.problems.append(ImportProblem(row, column, code, message))


# --- reading -------------------------------------------------------------------------------


def _flag(value: str) -> bool | None:
    low = value.strip().lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    return None


def _list(value: str) -> tuple[str, ...]:
    for sep in ("；", ";", "，", "、", "|"):
        value = value.replace(sep, ",")
    return tuple(v.strip() for v in value.split(",") if v.strip())


def _item_type(value: str) -> str | None:
    value = value.strip()
    if not value:
        return ItemType.PUBLIC_SERVICE
    if value in TASK_TYPE_CODES:
        return TASK_TYPE_CODES[value]
    if value in _TYPE_BY_LABEL:
        return _TYPE_BY_LABEL[value]
    return value if value in ItemType.values else None


def _level(value: str, default: str) -> str | None:
    value = value.strip()
    if not value:
        return default
    return _LEVEL_BY_LABEL.get(value) or (value if value in ItemLevel.values else None)


def _days(value: str) -> int | str | None:
    """A time limit cell: None when empty, the number of days, or the cell itself when it is
    not a number (for the message)."""
    text = value.strip().removesuffix("个工作日").removesuffix("工作日").removesuffix("天")
    if not text:
        return None
    if text.isdigit() and len(text) <= 4:
        return int(text)
    return value


def _materials(value: str) -> tuple[MaterialSpec, ...]:
    data = json.loads(value) if value.strip() else []
    if not isinstance(data, list):
        raise ValueError("not a list")
    return tuple(
        MaterialSpec(**{**m, "certificate_codes": tuple(m.get("certificate_codes", ()))})
        for m in data
    )


def row_parse(
    values: Mapping[str, Any],
    line: int,
    cols: ImportColumns,
    *,
    default_level: str,
    problems: Problems,
) -> ParsedRow | None:
    def cell(column: str | None) -> str:
        if not column:
            return ""
        value = values.get(column)
        return "" if value is None else str(value).strip()

    errors = problems.report.problem_count
    code = cell(cols.code)
    try:
        code = clean_code(code)
    except ValidationFailed as exc:
        problems.add(line, cols.code, "catalog.code_invalid", exc.message)
    name = cell(cols.name)
    if not name:
        problems.add(line, cols.name, "catalog.name_required", "事项名称为空")
    department = cell(cols.department)
    if not department:
        problems.add(line, cols.department, "catalog.department_required", "实施机构为空")
    type_column = cols.item_type or ("item_type" if "item_type" in values else None)
    item_type = _item_type(cell(type_column))
    if item_type is None:
        problems.add(
            line, type_column, "catalog.type_unknown", f"未知的事项类型：{cell(type_column)}"
        )
    level_column = cols.level or ("level" if "level" in values else None)
    level = _level(cell(level_column), default_level)
    if level is None:
        problems.add(
            line, level_column, "catalog.level_unknown", f"未知的行使层级：{cell(level_column)}"
        )
    limits: dict[str, int | None] = {}
    given_limits: set[str] = set()
    for key, column in (
        ("legal_limit_days", cols.legal_limit or "legal_limit_days"),
        ("promised_limit_days", cols.promised_limit or "promised_limit_days"),
    ):
        if column in values:
            given_limits.add(key)
        days = _days(cell(column))
        if isinstance(days, str):
            problems.add(
                line,
                column,
                "catalog.time_limit_invalid",
                f"时限应为工作日数（整数）：{days}",
            )
            days = None
        limits[key] = days
    extra: dict[str, Any] = {}
    for key in ("summary", "fee_note"):
        if key in values:
            extra[key] = cell(key)
    for key in (
        "charges_fee",
        "appointment_required",
        "code_service",
        "for_persons",
        "for_enterprises",
    ):
        if key in values:
            flag = _flag(cell(key))
            if flag is None:
                problems.add(line, key, "catalog.flag_invalid", f"应为“是”或“否”：{cell(key)}")
            else:
                extra[key] = flag
    for key in ("online_depth", "required_level"):
        if key in values and cell(key):
            if not cell(key).isdigit():
                problems.add(line, key, "catalog.number_invalid", f"应为整数：{cell(key)}")
            else:
                extra[key] = int(cell(key))
    for key in ("channels", "partner_cities"):
        if key in values:
            extra[key] = _list(cell(key))
    if "materials" in values:
        try:
            extra["materials"] = _materials(cell("materials"))
        except (ValueError, TypeError):
            problems.add(
                line, "materials", "catalog.materials_invalid", "材料列不是有效的 JSON 列表"
            )
    if problems.report.problem_count > errors:
        return None
    conditions_column = cols.conditions or "conditions"
    if conditions_column in values:
        extra["conditions"] = cell(conditions_column)
    extra.update({k: v for k, v in limits.items() if k in given_limits})
    if type_column:
        extra["item_type"] = item_type
    if level_column:
        extra["level"] = level
    content = ItemContent(name=name, **{"level": default_level, **extra})
    try:
        content = content_clean(content)
    except ValidationFailed as exc:
        bad_column = next(iter(exc.fields), None)
        problems.add(line, bad_column, exc.code.replace("service_item.", "catalog."), exc.message)
        return None
    main_column = cols.main_item or ("main_item" if "main_item" in values else None)
    main = cell(main_column)
    if main in NO_MAIN_ITEM or main == content.name:
        main = ""
    given = frozenset({"name", *extra})
    return ParsedRow(
        line=line,
        code=code,
        department=department,
        main_item=main,
        content=content,
        given=given,
        main_given=main_column is not None,
    )

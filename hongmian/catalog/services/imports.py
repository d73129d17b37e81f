"""Importing a catalogue from a table (CSV in UTF-8 or GB18030, XLSX, JSONL) through the
house's table reader (core/tables.py, decision 0019).

`catalog_import` plans first — every row is parsed and checked, its department found (or,
with `create_units`, planned under an "imported" parent), its main item found or planned —
and collects every problem as a coded error with its row. It writes only when asked to
commit and no row is wrong, in one transaction: nothing is half-imported. Rows are matched
on the item code, so importing the same file twice changes nothing.

A catalogue imported by its keeper is authoritative: new items are published at once
through the same transitions as a review (draft → in review → published) and changed ones
get a new published version (services.items.catalog_item_publish_now), unless `draft` asks
for a review of each. A file the catalogue exported (services.exports) carries every
element in columns named after the fields; those are read whenever they are present."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from hongmian.catalog import permissions
from hongmian.catalog.models import (
    CertificateType,
    MainItem,
    Material,
    ServiceItem,
    ServiceItemVersion,
)
from hongmian.catalog.services.content import (
    SCALAR_FIELDS,
    ItemContent,
    content_of,
    content_to_json,
)
from hongmian.catalog.services.import_rows import (
    ImportColumns,
    ImportReport,
    ParsedRow,
    Problems,
    row_parse,
)
from hongmian.catalog.services.items import (
    AUDIT_FIELDS,
    authorise,
    catalog_item_publish_now,
    catalog_item_update,
)
from hongmian.catalog.states import ITEM_FLOW, VERSION_FLOW, ItemLevel, ItemStatus
from hongmian.core.actors import Actor
from hongmian.core.audit import audit_event, audit_record, audit_record_many, snapshot
from hongmian.core.errors import ValidationFailed
from hongmian.core.reviews import VersionState
from hongmian.core.tables import Format, Source, TableError, open_table
from hongmian.core.transitions import assert_transition
from hongmian.identity.models import OrgUnit
from hongmian.identity.services.org_units import org_unit_create
from hongmian.identity.states import UnitKind

# The parent of the units `create_units` adds: one node, so that they are easy to find,
# review and move to their real place in the tree.
IMPORTED_UNIT_CODE = "imported"
IMPORTED_UNIT_NAME = "导入机构"
# Rows written per bulk INSERT when creating items.
BATCH = 500

# --- departments and main items ------------------------------------------------------------


def _unit_index() -> tuple[dict[str, OrgUnit], set[str]]:
    """Units by code, full name and short name; the names that several units share."""
    by_key: dict[str, OrgUnit] = {}
    ambiguous: set[str] = set()
    for unit in OrgUnit.objects.filter(is_active=True).order_by("depth", "pk"):
        by_key.setdefault(unit.code, unit)
        for name in {unit.name, unit.short_name} - {""}:
            if name in by_key and by_key[name].pk != unit.pk and by_key[name].code != name:
                ambiguous.add(name)
            by_key.setdefault(name, unit)
    return by_key, ambiguous


def imported_unit_code(name: str) -> str:
    """The stable code of a unit that an import creates for a department name, so that a
    second import finds it again."""
    return "imp-" + hashlib.sha256(name.encode()).hexdigest()[:12]


def _create_units(actor: Actor, names: Iterable[str]) -> dict[str, OrgUnit]:
    parent = OrgUnit.objects.filter(code=IMPORTED_UNIT_CODE).first()
    if parent is None:
        parent = org_unit_create(
            actor=actor,
            code=IMPORTED_UNIT_CODE,
            name=IMPORTED_UNIT_NAME,
            kind=UnitKind.CITY_GOVERNMENT,
        )
    return {
        name: org_unit_create(
            actor=actor,
            code=imported_unit_code(name),
            name=name,
            kind=UnitKind.CITY_DEPARTMENT,
            parent=parent,
        )
        for name in names
    }


# --- the import ----------------------------------------------------------------------------


def catalog_import(
    *,
    actor: Actor,
    source: Source,
    columns: ImportColumns,
    name: str | None = None,
    create_units: bool = False,
    default_level: str = ItemLevel.CITY,
    draft: bool = False,
    commit: bool = False,
) -> ImportReport:
    """Read `source`, report what importing it would do, and do it when `commit` and no row
    is wrong. A problem with the file itself (a missing column, an undecodable line) is a
    TableError; problems with rows are listed in the report, each with its row and code."""
    if actor.user is not None:
        authorise(actor, permissions.can_import_items, "catalog.import_forbidden")
    if create_units:
        # Creating units is the organisation's keepers' act too.
        from hongmian.identity import permissions as identity_permissions

        if actor.user is not None and not identity_permissions.can_manage_org_units(actor.user):
            raise ValidationFailed(
                gettext("没有权限新建机构"), code="catalog.create_units_forbidden", fields={}
            )
    required = [columns.code, columns.name, columns.department]
    named = [
        c
        for c in (
            columns.item_type,
            columns.main_item,
            columns.level,
            columns.legal_limit,
            columns.promised_limit,
            columns.conditions,
        )
        if c
    ]
    optional = [
        *named,
        "main_item",
        "item_type",
        "level",
        "conditions",
        "materials",
        *(f for f in SCALAR_FIELDS if f not in required),
    ]
    report = ImportReport()
    problems = Problems(report)
    rows: list[ParsedRow] = []
    seen: dict[str, int] = {}
    # The export's JSON is JSON Lines, whatever the file is called.
    fmt: Format | None = "jsonl" if str(name or source).endswith(".json") else None
    with open_table(source, required=required, optional=optional, name=name, format=fmt) as table:
        report.file = table.name
        missing = [c for c in named if c not in table.columns]
        if missing:
            raise TableError(
                gettext("%(name)s：缺少列 %(value1)s")
                % {"name": table.name, "value1": "、".join(missing)},
                code="table.unknown_column",
                name=table.name,
                missing=missing,
                columns=table.columns,
            )
        for raw in table:
            report.rows += 1
            row = row_parse(
                raw.values, raw.line, columns, default_level=default_level, problems=problems
            )
            if row is None:
                continue
            if row.code in seen:
                problems.add(
                    row.line,
                    columns.code,
                    "catalog.duplicate_code",
                    f"事项编码 {row.code} 与第 {seen[row.code]} 行重复",
                )
                continue
            seen[row.code] = row.line
            rows.append(row)
    if report.rows == 0:
        raise TableError(
            gettext("%(file)s：只有表头，没有数据行") % {"file": report.file},
            code="table.no_rows",
            name=report.file,
        )

    units, ambiguous = _unit_index()
    to_create: dict[str, int] = {}
    for row in rows:
        if row.department in ambiguous:
            problems.add(
                row.line,
                columns.department,
                "catalog.department_ambiguous",
                f"有多个机构名为“{row.department}”，请改用机构代码",
            )
        elif row.department not in units:
            made = units.get(imported_unit_code(row.department)) if create_units else None
            if made is not None:
                units[row.department] = made
            elif create_units:
                to_create.setdefault(row.department, row.line)
            else:
                problems.add(
                    row.line,
                    columns.department,
                    "catalog.department_unknown",
                    f"没有名称或代码为“{row.department}”的机构（可加 --create-units 新建）",
                )
    wanted = {c for r in rows for m in r.content.materials for c in m.certificate_codes}
    known = set(CertificateType.objects.filter(code__in=wanted).values_list("code", flat=True))
    for row in rows:
        unknown = sorted({c for m in row.content.materials for c in m.certificate_codes} - known)
        if unknown:
            problems.add(
                row.line,
                "materials",
                "catalog.certificate_type_unknown",
                f"未知的电子证照类型：{'、'.join(unknown)}",
            )
    existing = {
        i.code: i
        for i in ServiceItem.objects.filter(code__in=[r.code for r in rows]).select_related(
            "department", "main_item"
        )
    }
    for row in rows:
        item = existing.get(row.code)
        if item is not None and item.status == ItemStatus.RETIRED:
            problems.add(row.line, columns.code, "catalog.item_retired", f"事项 {row.code} 已停用")
    report.units_created = sorted(to_create)
    if report.problem_count or not commit:
        _plan_only(report, rows, existing)
        return report

    with transaction.atomic():
        units.update(_create_units(actor, to_create))
        mains = _main_items(rows, units, report)
        _write(actor, rows, units, mains, existing, report, draft=draft, source_label=report.file)
    report.committed = True
    return report


def _live_contents(items: Iterable[ServiceItem]) -> dict[int, ItemContent]:
    from hongmian.catalog.services.content import content_from_json

    ids = [i.pk for i in items]
    return {
        v.item_id: content_from_json(v.content)
        for v in ServiceItemVersion.objects.filter(item_id__in=ids, state=VersionState.PUBLISHED)
    }


def _merged(row: ParsedRow, current: ItemContent) -> ItemContent:
    return replace(current, **{k: getattr(row.content, k) for k in row.given})


def _plan_only(
    report: ImportReport, rows: list[ParsedRow], existing: dict[str, ServiceItem]
) -> None:
    live = _live_contents(existing.values())
    for row in rows:
        item = existing.get(row.code)
        if item is None:
            report.created.append(row.code)
            continue
        current = live.get(item.pk)
        changed = current is None or _merged(row, current) != current
        changed = changed or (
            row.main_given and (item.main_item.name if item.main_item else "") != row.main_item
        )
        (report.updated if changed else report.unchanged).append(row.code)


def _main_items(
    rows: list[ParsedRow], units: dict[str, OrgUnit], report: ImportReport
) -> dict[tuple[int, str], MainItem]:
    wanted = {(units[r.department].pk, r.main_item) for r in rows if r.main_item}
    if not wanted:
        return {}
    found = {
        (m.department_id, m.name): m
        for m in MainItem.objects.filter(
            department_id__in={d for d, _ in wanted}, name__in={n for _, n in wanted}
        )
    }
    new = [MainItem(department_id=d, name=n) for d, n in sorted(wanted - set(found))]
    for main in MainItem.objects.bulk_create(new):
        found[(main.department_id, main.name)] = main
    report.main_items_created = len(new)
    return found


def _write(
    actor: Actor,
    rows: list[ParsedRow],
    units: dict[str, OrgUnit],
    mains: dict[tuple[int, str], MainItem],
    existing: dict[str, ServiceItem],
    report: ImportReport,
    *,
    draft: bool,
    source_label: str,
) -> None:
    def main_of(row: ParsedRow) -> MainItem | None:
        return mains[(units[row.department].pk, row.main_item)] if row.main_item else None

    live = _live_contents(existing.values())
    new_rows = [r for r in rows if r.code not in existing]
    _create_many(actor, new_rows, units, main_of, report, draft=draft, source=source_label)
    for row in rows:
        item = existing.get(row.code)
        if item is None:
            continue
        before = snapshot(item, AUDIT_FIELDS)
        moved = False
        department = units[row.department]
        main = main_of(row) if row.main_given else item.main_item
        if item.department_id != department.pk or item.main_item_id != (main.pk if main else None):
            item.department = department
            item.main_item = main
            item.save(update_fields=["department", "main_item", "updated_at"])
            moved = True
        current = live.get(item.pk) or content_of(item)
        content = _merged(row, current)
        if content == current and item.status == ItemStatus.PUBLISHED and not draft:
            # What is served already: nothing to version (the common case of a re-import).
            changed = False
        elif draft and item.status != ItemStatus.DRAFT:
            changed = content != current
            if changed:
                catalog_item_update(actor=actor, item=item, content=content)
        else:
            changed = catalog_item_publish_now(actor=actor, item=item, content=content) is not None
        if not (changed or moved):
            report.unchanged.append(row.code)
            continue
        report.updated.append(row.code)
        audit_record(
            actor=actor,
            action="service_item.import",
            target=item,
            before=before,
            after=snapshot(item, AUDIT_FIELDS),
        )


def _materials_many(items: list[ServiceItem], rows: list[ParsedRow]) -> None:
    """The materials of new items, and their e-certificate types, in two INSERTs."""
    specs = [
        (item, position, spec)
        for item, row in zip(items, rows, strict=True)
        for position, spec in enumerate(row.content.materials, start=1)
    ]
    if not specs:
        return
    made = Material.objects.bulk_create(
        Material(
            item=item,
            position=position,
            name=spec.name,
            form=spec.form,
            source=spec.source,
            copies=spec.copies,
            required=spec.required,
            note=spec.note,
        )
        for item, position, spec in specs
    )
    codes = {c for _, _, spec in specs for c in spec.certificate_codes}
    types = dict(CertificateType.objects.filter(code__in=codes).values_list("code", "pk"))
    through = Material.certificate_types.through
    through.objects.bulk_create(
        through(material_id=material.pk, certificatetype_id=types[code])
        for material, (_, _, spec) in zip(made, specs, strict=True)
        for code in spec.certificate_codes
    )


def _create_many(
    actor: Actor,
    rows: list[ParsedRow],
    units: dict[str, OrgUnit],
    main_of: Any,
    report: ImportReport,
    *,
    draft: bool,
    source: str,
) -> None:
    """New items in bulk (a first import is thousands of rows): the same transitions as the
    review, checked once for the batch, and an audit entry per item."""
    if not rows:
        return
    now = timezone.now()
    item_state, version_state = ItemStatus.DRAFT, VersionState.DRAFT
    if not draft:
        # draft → in review → published, as catalog_item_submit and catalog_item_approve.
        assert_transition(ITEM_FLOW, ItemStatus.DRAFT, ItemStatus.IN_REVIEW)
        assert_transition(ITEM_FLOW, ItemStatus.IN_REVIEW, ItemStatus.PUBLISHED)
        assert_transition(VERSION_FLOW, VersionState.DRAFT, VersionState.IN_REVIEW)
        assert_transition(VERSION_FLOW, VersionState.IN_REVIEW, VersionState.PUBLISHED)
        item_state, version_state = ItemStatus.PUBLISHED, VersionState.PUBLISHED
    published = now if not draft else None
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        items = [
            ServiceItem(
                code=row.code,
                department=units[row.department],
                main_item=main_of(row),
                status=item_state,
                revision=0 if draft else 1,
                published_at=published,
                source=f"import:{source}"[:200],
                created_by=actor.user,
                **{
                    k: list(v) if isinstance(v, tuple) else v
                    for k in SCALAR_FIELDS
                    for v in [getattr(row.content, k)]
                },
            )
            for row in chunk
        ]
        items = ServiceItem.objects.bulk_create(items)
        ServiceItemVersion.objects.bulk_create(
            ServiceItemVersion(
                item=item,
                number=1,
                state=version_state,
                content=content_to_json(row.content),
                edited_by=actor.user,
                submitted_by=None if draft else actor.user,
                submitted_at=published,
                reviewed_by=None if draft else actor.user,
                reviewed_at=published,
                published_at=published,
            )
            for item, row in zip(items, chunk, strict=True)
        )
        _materials_many(items, chunk)
        audit_record_many(
            [
                audit_event(
                    actor=actor,
                    action="service_item.import",
                    target=item,
                    after=snapshot(item, AUDIT_FIELDS),
                )
                for item in items
            ]
        )
        report.created.extend(row.code for row in chunk)

"""The catalogue's import and export: the command's contract, bad input, idempotence,
round trips, and the real 1,135-item file of another city."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from hongmian.catalog.models import MainItem, ServiceItem, ServiceItemVersion
from hongmian.catalog.services.import_rows import ImportColumns
from hongmian.catalog.services.imports import IMPORTED_UNIT_CODE, catalog_import
from hongmian.catalog.states import ItemStatus, ItemType
from hongmian.catalog.tests.conftest import Org
from hongmian.core.actors import Actor
from hongmian.core.models import AuditEvent
from hongmian.core.reviews import VersionState
from hongmian.core.tables import TableError
from hongmian.identity.models import OrgUnit

pytestmark = pytest.mark.django_db

CLI = Actor.cli(None, label="test")
COLUMNS = ImportColumns(
    code="item_code",
    name="name",
    department="department",
    item_type="task_type",
    main_item="main_item",
    legal_limit="法定时限",
)
HEADER = "department,main_item,name,task_type,item_code,法定时限\n"
GOOD = (
    HEADER
    + "c-market,未分类,食品经营许可,1,C-A-1,20\n"
    + "广州市公安局,户口登记,户口恢复,7,C-F-1,\n"
    + "市市场监管局,,个体工商户设立登记,20,C-C-1,3个工作日\n"
)


def _import(text: str | bytes, **kwargs: object) -> object:
    data = text.encode() if isinstance(text, str) else text
    return catalog_import(actor=CLI, source=data, name="items.csv", columns=COLUMNS, **kwargs)  # type: ignore[arg-type]


def test_dry_run_reports_and_writes_nothing_then_commit_publishes(org: Org) -> None:
    report = _import(GOOD)
    assert report.created == ["C-A-1", "C-F-1", "C-C-1"]
    assert not report.committed
    assert not ServiceItem.objects.exists()

    report = _import(GOOD, commit=True)
    assert report.committed  # type: ignore[attr-defined]
    items = {i.code: i for i in ServiceItem.objects.select_related("department", "main_item")}
    assert items["C-A-1"].item_type == ItemType.LICENCE
    assert items["C-A-1"].legal_limit_days == 20
    assert items["C-C-1"].legal_limit_days == 3
    assert items["C-C-1"].department == org.market  # by short name
    assert items["C-F-1"].department == org.police  # by full name
    assert items["C-F-1"].main_item is not None
    assert items["C-F-1"].main_item.name == "户口登记"
    assert items["C-A-1"].main_item is None  # 未分类
    assert {i.status for i in items.values()} == {ItemStatus.PUBLISHED}
    assert ServiceItem.objects.restrict(None).count() == 3
    assert set(ServiceItemVersion.objects.values_list("state", flat=True)) == {
        VersionState.PUBLISHED
    }
    assert AuditEvent.objects.filter(action="service_item.import").count() == 3


def test_reimport_is_idempotent_and_a_change_is_a_new_version(org: Org) -> None:
    _import(GOOD, commit=True)
    again = _import(GOOD, commit=True)
    assert again.unchanged == ["C-A-1", "C-F-1", "C-C-1"]
    assert not again.created
    assert ServiceItem.objects.count() == 3
    assert MainItem.objects.count() == 1
    assert ServiceItemVersion.objects.count() == 3

    changed = _import(
        GOOD.replace("食品经营许可,1,C-A-1,20", "食品经营许可（含网络）,1,C-A-1,15"), commit=True
    )
    assert changed.updated == ["C-A-1"]  # type: ignore[attr-defined]
    item = ServiceItem.objects.get(code="C-A-1")
    assert (item.name, item.legal_limit_days, item.revision) == ("食品经营许可（含网络）", 15, 2)
    states = dict(item.versions.values_list("number", "state"))
    assert states == {1: VersionState.SUPERSEDED, 2: VersionState.PUBLISHED}


@pytest.mark.parametrize(
    ("body", "code", "row"),
    [
        ("不存在的局,未分类,某事项,1,C-X-1,\n", "catalog.department_unknown", 2),
        ("c-market,未分类,食品经营许可,1,C-A-1,20\n" * 2, "catalog.duplicate_code", 3),
        ("c-market,未分类,食品经营许可,1,C-A-1,二十天\n", "catalog.time_limit_invalid", 2),
        ("c-market,未分类,食品经营许可,99,C-A-1,\n", "catalog.type_unknown", 2),
        ("c-market,未分类,,1,C-A-1,\n", "catalog.name_required", 2),
    ],
)
def test_bad_rows_are_coded_with_their_row_and_nothing_is_imported(
    org: Org, body: str, code: str, row: int
) -> None:
    report = _import(GOOD.split("\n", 1)[0] + "\n" + GOOD.split("\n", 2)[2] + body, commit=True)
    # The good rows came first; the bad one is the last.
    problems = [(p.code, p.row) for p in report.problems]  # type: ignore[attr-defined]
    assert (code, row + 2) in problems
    assert not report.committed  # type: ignore[attr-defined]
    assert not ServiceItem.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="service_item").exists()


def test_missing_column_is_a_table_error(org: Org) -> None:
    with pytest.raises(TableError) as err:
        _import("department,name,item_code\nc-market,食品经营许可,C-A-1\n")
    assert err.value.code == "table.unknown_column"


def test_gb18030_file_imports(org: Org) -> None:
    report = _import(GOOD.encode("gb18030"), commit=True)
    assert report.committed  # type: ignore[attr-defined]
    assert ServiceItem.objects.get(code="C-F-1").name == "户口恢复"


def test_create_units_puts_unknown_departments_under_imported_and_finds_them_again(
    org: Org,
) -> None:
    text = GOOD + "区经信局,未分类,企业投资项目备案,10,C-Z-1,\n"
    _import(text, create_units=True, commit=True)
    unit = ServiceItem.objects.get(code="C-Z-1").department
    assert unit.name == "区经信局"
    assert unit.parent is not None
    assert unit.parent.code == IMPORTED_UNIT_CODE
    again = _import(text, create_units=True, commit=True)
    assert again.units_created == []
    assert len(again.unchanged) == 4
    assert OrgUnit.objects.filter(name="区经信局").count() == 1


def test_command_contract_dry_run_and_error_exit(org: Org, tmp_path: Path) -> None:
    path = tmp_path / "items.csv"
    path.write_text(GOOD + "不存在的局,未分类,某事项,1,C-X-1,\n", encoding="utf-8")
    args = [
        "catalog", "import", str(path), "--code-column", "item_code", "--name-column", "name",
        "--department-column", "department", "--type-column", "task_type",
        "--main-item-column", "main_item",
    ]  # fmt: skip
    err = StringIO()
    with pytest.raises(CommandError, match=r"catalog\.import_refused"):
        call_command(*args, "--commit", stdout=StringIO(), stderr=err)
    assert "第 5 行" in err.getvalue()
    assert "catalog.department_unknown" in err.getvalue()
    out = StringIO()
    call_command(*args, "--create-units", stdout=out, stderr=StringIO())
    assert "试运行" in out.getvalue()
    assert not ServiceItem.objects.exists()
    call_command(*args, "--create-units", "--commit", stdout=out, stderr=StringIO())
    assert ServiceItem.objects.count() == 4


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_export_round_trips(org: Org, tmp_path: Path, fmt: str) -> None:
    from django.db import transaction

    from hongmian.catalog.services.content import ItemContent, MaterialSpec
    from hongmian.catalog.services.items import catalog_item_publish_now

    _import(GOOD, commit=True)
    item = ServiceItem.objects.get(code="C-A-1")
    with transaction.atomic():
        catalog_item_publish_now(
            actor=CLI,
            item=item,
            content=ItemContent(
                name="食品经营许可",
                item_type=ItemType.LICENCE,
                conditions="有与经营食品相适应的场所",
                legal_limit_days=20,
                promised_limit_days=5,
                channels=("online", "hall"),
                code_service=True,
                for_enterprises=True,
                required_level=2,
                materials=(MaterialSpec(name="营业执照", form="copy"),),
            ),
        )
    out = tmp_path / f"items.{fmt}"
    call_command("catalog", "export", "--format", fmt, "--output", str(out), stdout=StringIO())
    before = {i.code: (i.name, i.revision) for i in ServiceItem.objects.all()}
    report = catalog_import(
        actor=CLI,
        source=out,
        columns=ImportColumns(code="code", name="name", department="department"),
        commit=True,
    )
    assert not report.problems
    assert not report.updated
    assert sorted(report.unchanged) == sorted(before)
    assert {i.code: (i.name, i.revision) for i in ServiceItem.objects.all()} == before
    if fmt == "json":
        first = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
        assert first["code"] == "C-A-1"
        assert first["required_level"] == "2"


@pytest.mark.shared_data
def test_the_real_guangan_catalogue_imports_in_one_command(shared_data: Path) -> None:
    path = shared_data / "catalog" / "guangan_service_items_1135.csv"
    if not path.is_file():
        pytest.skip(f"{path} is absent (set HONGMIAN_SHARED_DATA to use it)")
    args = [
        "catalog", "import", str(path), "--code-column", "item_code", "--name-column", "name",
        "--department-column", "department", "--type-column", "task_type",
        "--main-item-column", "main_item", "--create-units", "--commit",
    ]  # fmt: skip
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    assert ServiceItem.objects.restrict(None).count() == 1135
    assert ServiceItem.objects.filter(item_type=ItemType.LICENCE).count() == 536
    assert ServiceItem.objects.filter(item_type=ItemType.PUBLIC_SERVICE).count() == 348
    # 520 rows name a main item; 21 of them name themselves (a main item without sub-items).
    assert ServiceItem.objects.exclude(main_item=None).count() == 499
    assert ServiceItem.objects.values("department").distinct().count() == 34
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    assert "未变 1135 项" in out.getvalue()


def test_draft_import_leaves_new_and_changed_items_for_review(org: Org) -> None:
    _import(GOOD, draft=True, commit=True)
    assert set(ServiceItem.objects.values_list("status", flat=True)) == {ItemStatus.DRAFT}
    assert ServiceItem.objects.restrict(None).count() == 0

    _import(GOOD, commit=True)  # the keeper publishes
    changed = GOOD.replace("食品经营许可,1,C-A-1,20", "食品经营许可（新）,1,C-A-1,20")
    report = _import(changed, draft=True, commit=True)
    assert report.updated == ["C-A-1"]  # type: ignore[attr-defined]
    item = ServiceItem.objects.get(code="C-A-1")
    assert item.name == "食品经营许可"  # still served as published
    assert item.versions.get(state=VersionState.DRAFT).content["name"] == "食品经营许可（新）"


def test_a_published_import_withdraws_a_waiting_edit(org: Org) -> None:
    from hongmian.catalog.services.content import ItemContent
    from hongmian.catalog.services.items import catalog_item_update
    from hongmian.catalog.tests.conftest import actor_of

    _import(GOOD, commit=True)
    item = ServiceItem.objects.get(code="C-A-1")
    catalog_item_update(actor=actor_of(org.author), item=item, content=ItemContent(name="手改"))
    _import(GOOD.replace("C-A-1,20", "C-A-1,25"), commit=True)
    states = dict(item.versions.values_list("number", "state"))
    assert states == {
        1: VersionState.SUPERSEDED,
        2: VersionState.WITHDRAWN,
        3: VersionState.PUBLISHED,
    }
    item.refresh_from_db()
    assert item.legal_limit_days == 25

"""Writes of the catalogue: a dataset's creation (with its fields from the Table Schema and
version 1), a schema change (a new version), and its catalogue metadata. Each checks the
actor, validates everything before writing, and audits in the same transaction."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext

from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record, snapshot
from hongmian.core.errors import (
    Conflict,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from hongmian.datahub import permissions
from hongmian.datahub.models import CODE_MAX, Dataset, DatasetField, DatasetVersion
from hongmian.datahub.states import Frequency, OpenType, SharingType
from hongmian.datahub.tableschema import TableSchema, parse_schema
from hongmian.identity.models import OrgUnit, User

# Actors without a user that are trusted with every write: jobs, the demo seed, commands.
_TRUSTED_VIAS = frozenset({"system", "cli"})

AUDIT_FIELDS = [
    "code",
    "name",
    "provider",
    "update_frequency",
    "sharing_type",
    "open_type",
    "version",
    "themes",
    "keywords",
    "pipeline",
]


def authorise(actor: Actor, allowed: Callable[[User], bool], code: str) -> None:
    if actor.user is None:
        if actor.via in _TRUSTED_VIAS:
            return
        raise NotAuthenticated(gettext("需要登录后操作"))
    if not allowed(actor.user):
        raise PermissionDenied(gettext("没有权限执行此操作"), code=code)


def provider_find(unit: str) -> OrgUnit:
    """The org unit whose code or exact name is `unit` (datahub.unknown_provider when none,
    datahub.ambiguous_provider when two units share the name)."""
    units = list(OrgUnit.objects.filter(Q(code=unit) | Q(name=unit))[:3])
    by_code = [u for u in units if u.code == unit]
    if by_code:
        return by_code[0]
    if not units:
        raise NotFound(
            gettext("找不到提供单位：%(unit)s（请用机构代码或完整名称）") % {"unit": unit},
            code="datahub.unknown_provider",
        )
    if len(units) > 1:
        raise ValidationFailed(
            gettext("有多个单位名为 %(unit)s，请用机构代码") % {"unit": unit},
            code="datahub.ambiguous_provider",
            fields={"provider": [unit]},
        )
    return units[0]


def _clean_code(code: str) -> str:
    code = (code or "").strip()
    if not code or len(code) > CODE_MAX or any(c.isspace() for c in code):
        message = gettext("资源代码应为不含空格、不超过 %(max)s 个字符的编码") % {"max": CODE_MAX}
        raise ValidationFailed(message, code="datahub.bad_code", fields={"code": [message]})
    return code


def schema_check(raw: Any, *, code: str) -> TableSchema:
    """Parse `raw` and check what the hub needs beyond the spec: a primary key (loads are
    by key) and foreign keys to datasets that exist."""
    schema = parse_schema(raw)
    if not schema.primary_key:
        raise ValidationFailed(
            gettext("表结构须声明 primaryKey：增量、幂等入库按主键进行"),
            code="datahub.no_primary_key",
            fields={"primaryKey": ["required"]},
        )
    for i, fk in enumerate(schema.foreign_keys):
        if fk.resource in ("", code):
            continue
        if not Dataset.objects.filter(code=fk.resource).exists():
            raise ValidationFailed(
                gettext("外键引用的数据资源不存在：%(code)s") % {"code": fk.resource},
                code="datahub.foreign_resource",
                fields={f"foreignKeys[{i}].reference.resource": [fk.resource]},
            )
    return schema


@dataclass(frozen=True, slots=True)
class DatasetMeta:
    """The catalogue metadata a steward writes (everything but code, provider and schema)."""

    name: str
    summary: str = ""
    update_frequency: str = Frequency.IRREGULAR
    format: str = "CSV"
    sharing_type: str = SharingType.CONDITIONAL
    sharing_conditions: str = ""
    legal_basis: str = ""
    open_type: str = OpenType.NOT_OPEN
    themes: Sequence[str] = field(default_factory=tuple)
    keywords: Sequence[str] = field(default_factory=tuple)
    pipeline: str = ""
    upstream: Sequence[str] = field(default_factory=tuple)  # dataset codes
    owner: User | None = None
    chief_data_officer: User | None = None


def _meta_check(meta: DatasetMeta) -> None:
    problems: dict[str, list[str]] = {}
    if not meta.name.strip():
        problems["name"] = [gettext("请填写资源名称")]
    if meta.update_frequency not in Frequency.values:
        problems["update_frequency"] = [gettext("未知的更新周期")]
    if meta.sharing_type not in SharingType.values:
        problems["sharing_type"] = [gettext("共享类型应为无条件/有条件/不予共享")]
    elif meta.sharing_type != SharingType.UNCONDITIONAL and not meta.legal_basis.strip():
        # GB/T 21063: 有条件共享 and 不予共享 must each name their basis in law or policy.
        problems["legal_basis"] = [gettext("有条件共享或不予共享须写明依据")]
    if meta.open_type not in OpenType.values:
        problems["open_type"] = [gettext("未知的开放类型")]
    if problems:
        first = next(iter(problems.values()))[0]
        code = (
            "datahub.legal_basis_required" if "legal_basis" in problems else "datahub.bad_metadata"
        )
        raise ValidationFailed(first, code=code, fields=problems)


def _upstream(codes: Sequence[str], own: str) -> list[Dataset]:
    found = list(Dataset.objects.filter(code__in=list(codes)))
    unknown = sorted(set(codes) - {d.code for d in found} - {own})
    if unknown or own in codes:
        raise ValidationFailed(
            gettext("上游数据资源不存在或指向自身：%(codes)s")
            % {"codes": "、".join(unknown or [own])},
            code="datahub.bad_lineage",
            fields={"upstream": unknown or [own]},
        )
    return found


def _write_fields(dataset: Dataset, schema: TableSchema) -> None:
    dataset.fields.all().delete()
    DatasetField.objects.bulk_create(
        DatasetField(
            dataset=dataset,
            position=i,
            name=f.name,
            title=f.title,
            type=f.type,
            description=f.description,
            classification=f.classification,
            grade=f.grade,
            personal=f.personal,
            constraints=f.constraints,
        )
        for i, f in enumerate(schema.fields, start=1)
    )


def dataset_create(
    *,
    actor: Actor,
    code: str,
    provider: OrgUnit,
    schema: Any,
    meta: DatasetMeta,
    commit: bool = True,
) -> Dataset:
    """A new dataset with its fields and version 1. `commit=False` checks everything and
    returns the unsaved dataset (the CLI's dry run)."""
    authorise(actor, lambda u: permissions.can_create_dataset(u, provider), "datahub.forbidden")
    code = _clean_code(code)
    parsed = schema_check(schema, code=code)
    _meta_check(meta)
    upstream = _upstream(meta.upstream, code)
    if Dataset.objects.filter(code=code).exists():
        raise Conflict(
            gettext("资源代码已存在：%(code)s") % {"code": code}, code="datahub.code_taken"
        )
    dataset = Dataset(code=code, provider=provider, schema=parsed.source, version=1)
    _apply_meta(dataset, meta)
    if not commit:
        return dataset
    with transaction.atomic():
        dataset.save()
        dataset.upstream.set(upstream)
        _write_fields(dataset, parsed)
        DatasetVersion.objects.create(
            dataset=dataset,
            number=1,
            schema=parsed.source,
            note=gettext("创建"),
            created_by=actor.user,
        )
        audit_record(
            actor=actor,
            action="datahub.dataset_create",
            target=dataset,
            after=snapshot(dataset, AUDIT_FIELDS),
        )
    return dataset


def _apply_meta(dataset: Dataset, meta: DatasetMeta) -> None:
    dataset.name = meta.name.strip()
    dataset.summary = meta.summary
    dataset.update_frequency = meta.update_frequency
    dataset.format = meta.format
    dataset.sharing_type = meta.sharing_type
    dataset.sharing_conditions = meta.sharing_conditions
    dataset.legal_basis = meta.legal_basis
    dataset.open_type = meta.open_type
    dataset.themes = [t.strip() for t in meta.themes if t.strip()]
    dataset.keywords = [k.strip() for k in meta.keywords if k.strip()]
    dataset.pipeline = meta.pipeline
    dataset.owner = meta.owner
    dataset.chief_data_officer = meta.chief_data_officer


def dataset_update(*, actor: Actor, dataset: Dataset, meta: DatasetMeta) -> Dataset:
    """Change the catalogue metadata (not the schema: see dataset_schema_change)."""
    authorise(actor, lambda u: permissions.can_update_dataset(u, dataset), "datahub.forbidden")
    _meta_check(meta)
    upstream = _upstream(meta.upstream, dataset.code)
    with transaction.atomic():
        locked = Dataset.objects.select_for_update().get(pk=dataset.pk)
        before = snapshot(locked, AUDIT_FIELDS)
        _apply_meta(locked, meta)
        locked.save()
        locked.upstream.set(upstream)
        audit_record(
            actor=actor,
            action="datahub.dataset_update",
            target=locked,
            before=before,
            after=snapshot(locked, AUDIT_FIELDS),
        )
    return locked


def dataset_schema_change(
    *, actor: Actor, dataset: Dataset, schema: Any, note: str = ""
) -> Dataset:
    """A new schema makes a new version (the rows loaded from then on go to the new
    version's file); the same schema again changes nothing."""
    authorise(actor, lambda u: permissions.can_update_dataset(u, dataset), "datahub.forbidden")
    parsed = schema_check(schema, code=dataset.code)
    with transaction.atomic():
        locked = Dataset.objects.select_for_update().get(pk=dataset.pk)
        if locked.schema == parsed.source:
            return locked
        before = snapshot(locked, AUDIT_FIELDS)
        locked.version += 1
        locked.schema = parsed.source
        locked.row_count = 0
        locked.save(update_fields=["version", "schema", "row_count", "updated_at"])
        _write_fields(locked, parsed)
        DatasetVersion.objects.create(
            dataset=locked,
            number=locked.version,
            schema=parsed.source,
            note=note[:200],
            created_by=actor.user,
        )
        audit_record(
            actor=actor,
            action="datahub.dataset_schema_change",
            target=locked,
            before=before,
            after=snapshot(locked, AUDIT_FIELDS),
        )
    return locked

"""Writes of the person and enterprise files: departments' pushes, owners' consents.

A push is all or nothing: every record is checked (field known, owned by the pushing
department, value of the right kind, subject registered) before anything is written, and a
failing batch answers with every bad record by its index. Decision 0044.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from hongmian.core import validators
from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record
from hongmian.core.errors import (
    ApplicationError,
    Conflict,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from hongmian.identity import file_fields, permissions
from hongmian.identity.models import (
    Consent,
    Enterprise,
    FilePush,
    FileUse,
    FileValue,
    OrgUnit,
    Person,
)
from hongmian.identity.services._common import required, save_new

MAX_RECORDS = 1000
_TRUSTED_VIAS = frozenset({"system", "cli"})


@dataclass(frozen=True, slots=True)
class FileRecord:
    """One pushed value: its subject (a resident ID or a credit code), field, value, date."""

    field: str
    value: Any
    as_of: dt.datetime
    resident_id: str = ""
    credit_code: str = ""


@dataclass(frozen=True, slots=True)
class PushResult:
    batch_id: str
    records: int
    created: int
    updated: int
    stale: int
    replayed: bool


def _digest(records: Sequence[FileRecord]) -> str:
    canon = [[r.resident_id, r.credit_code, r.field, r.value, r.as_of.isoformat()] for r in records]
    return hashlib.sha256(
        json.dumps(canon, ensure_ascii=False, sort_keys=True, default=str).encode()
    ).hexdigest()


def _source_of(actor: Actor, source: OrgUnit | None) -> OrgUnit:
    """The pushing department: the key's account's unit; a system job names it."""
    user = actor.user
    if user is None:
        if actor.via not in _TRUSTED_VIAS:
            raise NotAuthenticated(gettext("需要登录后操作"))
        if source is None:
            raise ValidationFailed(gettext("请指定来源部门"), code="file_push.source_required")
        return source
    if not permissions.can_push_file_fields(user) or user.org_unit is None:
        raise PermissionDenied(
            gettext("只有部门数据管理员的账号可以推送档案数据"), code="file_push.forbidden"
        )
    return user.org_unit


def _owns(source: OrgUnit, owner_code: str, owners: dict[str, OrgUnit]) -> bool:
    owner = owners.get(owner_code)
    return owner is not None and source.path.startswith(owner.path)


class _Problems:
    """Every bad record of a batch, by index; raised as one coded error."""

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}
        self.first: ApplicationError | None = None

    def add(self, index: int, error: ApplicationError) -> None:
        self.fields.setdefault(f"records[{index}]", []).append(f"{error.code}: {error.message}")
        self.first = self.first or error

    def raise_if_any(self) -> None:
        if self.first is not None:
            first = self.first
            message = f"{len(self.fields)} 条记录有误，整批未写入：{first.message}"
            raise type(first)(message, code=first.code, fields=self.fields)


def file_push(
    *,
    actor: Actor,
    batch_id: str,
    records: Sequence[FileRecord],
    source: OrgUnit | None = None,
) -> PushResult:
    """Apply a department's batch of field values, all or nothing; the same batch id sent
    again returns the first answer (replayed), a different batch under a used id is a 409
    "file_push.batch_reused". A record older (as_of) than the value held is not applied."""
    unit = _source_of(actor, source)
    batch_id = required(batch_id, "batch_id", "请填写批次号")[:64]
    if not records or len(records) > MAX_RECORDS:
        message = f"每批应有 1 至 {MAX_RECORDS} 条记录"
        raise ValidationFailed(message, code="file_push.size", fields={"records": [message]})
    digest = _digest(records)
    earlier = FilePush.objects.filter(source=unit, batch_id=batch_id).first()
    if earlier is not None:
        return _replay(earlier, digest)

    problems = _Problems()
    owners = {
        u.code: u
        for u in OrgUnit.objects.filter(code__in={s.owner for s in file_fields.FIELDS.values()})
    }
    persons, enterprises = _subjects(records)
    seen: set[tuple[str, str]] = set()
    cleaned: list[tuple[Person | Enterprise, file_fields.FieldSpec, Any, dt.datetime]] = []
    for i, record in enumerate(records):
        try:
            spec = file_fields.field_spec(record.field)
            subject = _subject(spec, record, persons, enterprises)
            if not _owns(unit, spec.owner, owners):
                raise PermissionDenied(
                    gettext("%(name)s不是字段“%(label)s”的来源部门")
                    % {"name": unit.name, "label": spec.label},
                    code="file.field_not_owned",
                )
            try:
                value = file_fields.clean_value(spec, record.value)
            except file_fields.ValueInvalid as exc:
                raise ValidationFailed(f"“{spec.label}”{exc}", code="file.value_invalid") from None
            if timezone.is_naive(record.as_of):
                raise ValidationFailed(gettext("数据日期须带时区"), code="file.as_of_invalid")
            key = (f"{spec.subject}:{subject.pk}", spec.key)
            if key in seen:
                raise ValidationFailed(
                    gettext("同一批次中重复的字段"), code="file.duplicate_in_batch"
                )
            seen.add(key)
            cleaned.append((subject, spec, value, record.as_of))
        except ApplicationError as error:
            problems.add(i, error)
    problems.raise_if_any()
    return _apply(actor, unit, batch_id, digest, cleaned)


def _replay(earlier: FilePush, digest: str) -> PushResult:
    if earlier.digest != digest:
        message = "该批次号已用于另一批数据"
        raise Conflict(message, code="file_push.batch_reused", fields={"batch_id": [message]})
    return PushResult(
        batch_id=earlier.batch_id,
        records=earlier.record_count,
        created=earlier.created_count,
        updated=earlier.updated_count,
        stale=earlier.stale_count,
        replayed=True,
    )


def _subjects(
    records: Sequence[FileRecord],
) -> tuple[dict[str, Person], dict[str, Enterprise]]:
    rids = {r.resident_id.strip().upper() for r in records if r.resident_id}
    codes = {r.credit_code.strip().upper() for r in records if r.credit_code}
    persons = {p.resident_id: p for p in Person.objects.filter(resident_id__in=rids)}
    enterprises = {e.credit_code: e for e in Enterprise.objects.filter(credit_code__in=codes)}
    return persons, enterprises


def _subject(
    spec: file_fields.FieldSpec,
    record: FileRecord,
    persons: dict[str, Person],
    enterprises: dict[str, Enterprise],
) -> Person | Enterprise:
    if spec.subject == "person":
        if not record.resident_id or record.credit_code:
            raise ValidationFailed(
                gettext("字段“%(label)s”属于个人档案，请用身份证号码指明对象")
                % {"label": spec.label},
                code="file.subject_mismatch",
            )
        rid = validators.validate_resident_id(record.resident_id)
        person = persons.get(rid)
        if person is None:
            raise ValidationFailed(gettext("该身份证号码未登记"), code="file.subject_unknown")
        return person
    if not record.credit_code or record.resident_id:
        raise ValidationFailed(
            gettext("字段“%(label)s”属于企业档案，请用统一社会信用代码指明对象")
            % {"label": spec.label},
            code="file.subject_mismatch",
        )
    code = validators.validate_credit_code(record.credit_code)
    enterprise = enterprises.get(code)
    if enterprise is None:
        raise ValidationFailed(gettext("该统一社会信用代码未登记"), code="file.subject_unknown")
    return enterprise


def _apply(
    actor: Actor,
    unit: OrgUnit,
    batch_id: str,
    digest: str,
    cleaned: list[tuple[Person | Enterprise, file_fields.FieldSpec, Any, dt.datetime]],
) -> PushResult:
    with transaction.atomic():
        push = FilePush(
            source=unit,
            batch_id=batch_id,
            digest=digest,
            pushed_by=actor.user,
            record_count=len(cleaned),
            created_count=0,
            updated_count=0,
            stale_count=0,
        )
        try:
            save_new(push, conflict=Conflict(gettext("并发推送"), code="file_push.concurrent"))
        except Conflict:
            # The same batch arrived twice at once: the first one's answer is ours too.
            return _replay(FilePush.objects.get(source=unit, batch_id=batch_id), digest)
        held = _held(cleaned)
        new: list[FileValue] = []
        changed: list[FileValue] = []
        for subject, spec, value, as_of in cleaned:
            row = held.get((type(subject).__name__, subject.pk, spec.key))
            if row is None:
                row = FileValue(
                    field_key=spec.key, value=value, source=unit, as_of=as_of, push=push
                )
                if isinstance(subject, Person):
                    row.person = subject
                else:
                    row.enterprise = subject
                new.append(row)
            elif row.as_of > as_of:
                push.stale_count += 1
            else:
                row.value, row.source, row.as_of, row.push = value, unit, as_of, push
                row.updated_at = timezone.now()
                changed.append(row)
        FileValue.objects.bulk_create(new)
        FileValue.objects.bulk_update(changed, ["value", "source", "as_of", "push", "updated_at"])
        push.created_count, push.updated_count = len(new), len(changed)
        push.save(update_fields=["created_count", "updated_count", "stale_count"])
        # Values are personal data: the trail names the fields and counts, not the values.
        audit_record(
            actor=actor,
            action="file.push",
            target=push,
            after={
                "source": unit.code,
                "batch_id": batch_id,
                "fields": sorted({spec.key for _s, spec, _v, _a in cleaned}),
                "created": push.created_count,
                "updated": push.updated_count,
                "stale": push.stale_count,
            },
        )
    return PushResult(
        batch_id=batch_id,
        records=len(cleaned),
        created=push.created_count,
        updated=push.updated_count,
        stale=push.stale_count,
        replayed=False,
    )


def _held(
    cleaned: list[tuple[Person | Enterprise, file_fields.FieldSpec, Any, dt.datetime]],
) -> dict[tuple[str, int, str], FileValue]:
    """The values already on file for the batch's subjects, locked for the update."""
    person_ids = {s.pk for s, *_ in cleaned if isinstance(s, Person)}
    enterprise_ids = {s.pk for s, *_ in cleaned if isinstance(s, Enterprise)}
    keys = {spec.key for _s, spec, *_ in cleaned}
    held: dict[tuple[str, int, str], FileValue] = {}
    rows = FileValue.objects.select_for_update().filter(field_key__in=keys)
    for row in rows.filter(person_id__in=person_ids):
        held[("Person", row.person_id or 0, row.field_key)] = row
    for row in rows.filter(enterprise_id__in=enterprise_ids):
        held[("Enterprise", row.enterprise_id or 0, row.field_key)] = row
    return held


# --- consent -------------------------------------------------------------------------------


def _consent_owner_check(actor: Actor, subject: Person | Enterprise) -> None:
    user = actor.user
    if user is None:
        raise NotAuthenticated(gettext("需要登录后操作"))
    mine = (
        permissions.is_self(user, subject)
        if isinstance(subject, Person)
        else permissions.is_representative(user, subject)
    )
    if not mine:
        # Someone else's file: the same answer as a file that does not exist.
        raise NotFound(gettext("对象不存在"), code="file.not_found")


def consent_grant(
    *,
    actor: Actor,
    subject: Person | Enterprise,
    purpose: str,
    requester: str,
    fields: Sequence[str],
    valid_until: dt.datetime | None = None,
) -> Consent:
    """The owner (the person, or a representative of the enterprise) lets `requester` read
    `fields` for `purpose` until `valid_until` (default HONGMIAN_CONSENT_DEFAULT_DAYS)."""
    _consent_owner_check(actor, subject)
    purpose = required(purpose, "purpose", "请填写用途")[:100]
    requester = required(requester, "requester", "请填写使用方")[:200]
    kind: file_fields.Subject = "person" if isinstance(subject, Person) else "enterprise"
    keys: list[str] = []
    for key in fields:
        try:
            keys.append(file_fields.field_spec(key, subject=kind).key)
        except ApplicationError:
            message = f"授权的字段不存在：{key}"
            raise ValidationFailed(
                message, code="consent.field_unknown", fields={"fields": [message]}
            ) from None
    if not keys:
        raise ValidationFailed(gettext("请选择授权的字段"), code="consent.fields_required")
    now = timezone.now()
    until = valid_until or now + dt.timedelta(days=settings.HONGMIAN_CONSENT_DEFAULT_DAYS)
    if timezone.is_naive(until) or until <= now or until > now + dt.timedelta(days=366):
        message = "有效期应在现在之后、一年以内，并带时区"
        raise ValidationFailed(message, code="consent.validity", fields={"valid_until": [message]})
    consent = Consent(
        purpose=purpose,
        requester=requester,
        fields=sorted(set(keys)),
        granted_by=actor.user,
        granted_at=now,
        valid_until=until,
    )
    if isinstance(subject, Person):
        consent.person = subject
    else:
        consent.enterprise = subject
    with transaction.atomic():
        consent.save(force_insert=True)
        audit_record(
            actor=actor,
            action="consent.grant",
            target=consent,
            after={
                "purpose": purpose,
                "requester": requester,
                "fields": consent.fields,
                "valid_until": until,
            },
        )
    return consent


# Who holds copies of file values made under a consent and not yet submitted (an
# application's pre-filled draft answers). A withdrawal calls each, in its transaction, to
# delete those copies (and note it with `file_copies_deleted`). The apps that copy register
# at start-up (AppConfig.ready): identity sits below them and never imports them.
ConsentCopyHolder = Callable[[Actor, Consent], None]
CONSENT_COPY_HOLDERS: list[ConsentCopyHolder] = []

# The purpose of a use-log line that says copies were deleted rather than read.
COPIES_DELETED_PURPOSE = "copies.deleted"


def file_copies_deleted(
    *, actor: Actor, consent: Consent, fields: Sequence[str], what: str
) -> FileUse:
    """Tell the owner, on their file's use log, that the copies of `fields` made under
    `consent` (`what`: "申请 SQ… 的草稿") were deleted unsubmitted — Myinfo's rule, and the
    right to know covers the end of a copy as well as its making. Audited."""
    subject = consent.person or consent.enterprise
    with transaction.atomic():
        use = FileUse.objects.create(
            person=consent.person,
            enterprise=consent.enterprise,
            fields=sorted(fields),
            purpose=COPIES_DELETED_PURPOSE,
            requester=gettext("%(what)s未提交，自动填入的数据已删除") % {"what": what},
            consent=consent,
            user=None,
            reader_label=gettext("系统"),
        )
        if subject is not None:
            audit_record(
                actor=actor,
                action="file_copies.delete",
                target=subject,
                after={"consent": consent.pk, "fields": sorted(fields), "what": what},
            )
    return use


def consent_revoke(*, actor: Actor, consent: Consent) -> Consent:
    """Withdraw a consent, at once: the next read under it is refused, and the unsubmitted
    copies made under it are deleted (CONSENT_COPY_HOLDERS). Revoking twice is a no-op
    (the first time stands)."""
    subject: Person | Enterprise | None = consent.person or consent.enterprise
    if subject is None:  # pragma: no cover - the check constraint forbids it
        raise NotFound(gettext("对象不存在"), code="consent.not_found")
    _consent_owner_check(actor, subject)
    with transaction.atomic():
        consent = Consent.objects.select_for_update().get(pk=consent.pk)
        if consent.revoked_at is not None:
            return consent
        consent.revoked_at = timezone.now()
        consent.save(update_fields=["revoked_at", "updated_at"])
        audit_record(
            actor=actor,
            action="consent.revoke",
            target=consent,
            after={"revoked_at": consent.revoked_at},
        )
        for holder in CONSENT_COPY_HOLDERS:
            holder(actor, consent)
    return consent

"""Departments push file fields: ownership, bad input, all or nothing, idempotent batches."""

from __future__ import annotations

import datetime as dt

import pytest

from hongmian.core.audit import target_type_of
from hongmian.core.errors import Conflict, PermissionDenied, ValidationFailed
from hongmian.core.models import AuditEvent
from hongmian.identity.models import FilePush, FileValue
from hongmian.identity.services.files import FileRecord, file_push
from hongmian.identity.tests.conftest import actor_of
from hongmian.identity.tests.files_fixtures import AS_OF, Depts, Owners, enterprise_record
from hongmian.identity.tests.files_fixtures import person_record as rec

pytestmark = pytest.mark.django_db


def test_a_department_pushes_its_own_fields(depts: Depts, owners: Owners) -> None:
    result = file_push(
        actor=actor_of(depts.hrss_steward),
        batch_id="hrss-20261101-1",
        records=[
            rec(owners.person, "social_insurance.status", "正常参保"),
            rec(owners.person, "social_insurance.base", 8123.4),
            rec(owners.person, "social_insurance.months", 86),
        ],
    )
    assert (result.created, result.updated, result.stale, result.replayed) == (3, 0, 0, False)
    base = FileValue.objects.get(person=owners.person, field_key="social_insurance.base")
    assert base.value == "8123.40"
    assert base.source == depts.hrss
    assert base.as_of == AS_OF
    push = FilePush.objects.get()
    event = AuditEvent.objects.get(action="file.push")
    assert event.target_type == target_type_of(push)
    # The trail names fields and counts, never the values (personal data).
    assert "8123" not in str(event.after)
    assert event.after["fields"] == [
        "social_insurance.base",
        "social_insurance.months",
        "social_insurance.status",
    ]


def test_a_unit_below_the_owner_may_push_and_older_data_never_overwrites(
    depts: Depts, owners: Owners
) -> None:
    from hongmian.identity.states import Role
    from hongmian.identity.tests.factories import UserFactory

    vms = UserFactory(role=Role.DATA_STEWARD, org_unit=depts.traffic)
    vehicles = [{"plate": "粤A·D12345", "type": "小型新能源汽车"}]
    file_push(
        actor=actor_of(vms), batch_id="v1", records=[rec(owners.person, "vehicles.list", vehicles)]
    )
    older = rec(owners.person, "vehicles.list", [], as_of=AS_OF - dt.timedelta(days=30))
    result = file_push(actor=actor_of(vms), batch_id="v0", records=[older])
    assert (result.created, result.updated, result.stale) == (0, 0, 1)
    assert FileValue.objects.get(field_key="vehicles.list").value == vehicles

    newer = rec(owners.person, "vehicles.list", [], as_of=AS_OF + dt.timedelta(days=1))
    assert file_push(actor=actor_of(vms), batch_id="v2", records=[newer]).updated == 1
    assert FileValue.objects.get(field_key="vehicles.list").value == []


def test_the_same_batch_again_is_answered_once_and_a_reused_id_is_refused(
    depts: Depts, owners: Owners
) -> None:
    records = [rec(owners.person, "identity.gender", "女")]
    first = file_push(actor=actor_of(depts.police_steward), batch_id="b-1", records=records)
    again = file_push(actor=actor_of(depts.police_steward), batch_id="b-1", records=records)
    assert again.replayed
    assert (again.created, again.records) == (first.created, 1)
    assert FilePush.objects.count() == 1
    assert AuditEvent.objects.filter(action="file.push").count() == 1

    with pytest.raises(Conflict) as exc:
        file_push(
            actor=actor_of(depts.police_steward),
            batch_id="b-1",
            records=[rec(owners.person, "identity.gender", "男")],
        )
    assert exc.value.code == "file_push.batch_reused"
    # Another department has its own batch ids.
    assert not file_push(
        actor=actor_of(depts.hrss_steward),
        batch_id="b-1",
        records=[rec(owners.person, "social_insurance.months", 1)],
    ).replayed


@pytest.mark.parametrize(
    ("record", "error", "code"),
    [
        # A field that is not in the registry.
        (
            lambda o: rec(o.person, "identity.blood_type", "O"),
            ValidationFailed,
            "file.field_unknown",
        ),
        # A field of another department (市人社局 pushing 户籍).
        (
            lambda o: rec(o.person, "household.head", "陈大文"),
            PermissionDenied,
            "file.field_not_owned",
        ),
        # A bad ID number (check digit).
        (
            lambda o: FileRecord(
                field="social_insurance.months",
                value=3,
                as_of=AS_OF,
                resident_id="440105198506010000",
            ),
            ValidationFailed,
            "resident_id.checksum",
        ),
        (
            lambda o: rec(o.person, "social_insurance.status", "参保中"),
            ValidationFailed,
            "file.value_invalid",
        ),
        (
            lambda o: rec(o.person, "social_insurance.months", "86"),
            ValidationFailed,
            "file.value_invalid",
        ),
        (
            lambda o: enterprise_record(o.enterprise, "social_insurance.months", 3),
            ValidationFailed,
            "file.subject_mismatch",
        ),
        (
            lambda o: rec(o.person, "social_insurance.months", 3, as_of=dt.datetime(2026, 11, 1)),
            ValidationFailed,
            "file.as_of_invalid",
        ),
        (
            lambda o: rec(o.person, "social_insurance.base", "八千"),
            ValidationFailed,
            "file.value_invalid",
        ),
    ],
    ids=[
        "unknown-field",
        "not-owned",
        "bad-id",
        "bad-choice",
        "bad-int",
        "wrong-file",
        "naive-date",
        "bad-money",
    ],
)
def test_bad_records_fail_the_whole_batch_with_a_code(
    depts: Depts, owners: Owners, record: object, error: type[Exception], code: str
) -> None:
    good = rec(owners.person, "social_insurance.status", "正常参保")
    with pytest.raises(error) as exc:
        file_push(
            actor=actor_of(depts.hrss_steward),
            batch_id="bad",
            records=[good, record(owners)],  # type: ignore[operator]
        )
    assert exc.value.code == code  # type: ignore[attr-defined]
    # The bad record is named by its index; nothing of the batch was written.
    assert list(exc.value.fields) == ["records[1]"]  # type: ignore[attr-defined]
    assert not FileValue.objects.exists()
    assert not FilePush.objects.exists()


def test_only_data_stewards_push(depts: Depts, owners: Owners) -> None:
    with pytest.raises(PermissionDenied) as exc:
        file_push(
            actor=actor_of(owners.citizen),
            batch_id="x",
            records=[rec(owners.person, "identity.gender", "女")],
        )
    assert exc.value.code == "file_push.forbidden"

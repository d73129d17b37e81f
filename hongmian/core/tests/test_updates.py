import datetime as dt

import pytest
from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction

from hongmian.core.errors import ValidationFailed
from hongmian.core.models import AuditEvent, CalendarOverride, JobRun
from hongmian.core.updates import model_changes, model_update, validation_failed

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 10, 9)


@pytest.fixture
def override() -> CalendarOverride:
    return CalendarOverride.objects.create(date=DAY, kind="holiday", name="台风停工", reason="")


def _update(actor, instance, data, **kwargs):
    with transaction.atomic():
        return model_update(
            actor=actor,
            action="calendar_override.update",
            instance=instance,
            data=data,
            invalid_code="calendar.invalid",
            **kwargs,
        )


def test_saves_only_what_changed_and_audits_its_before_and_after(system_actor, override):
    stamped = override.updated_at
    # Changed meanwhile by another writer: a field this update does not change keeps its value.
    CalendarOverride.objects.filter(pk=override.pk).update(reason="另一人写的原因")

    updated, has_updated = _update(
        system_actor, override, {"kind": "holiday", "name": "暴雨停工", "reason": ""}
    )

    assert has_updated
    assert updated is override
    row = CalendarOverride.objects.get(pk=override.pk)
    assert (row.name, row.reason) == ("暴雨停工", "另一人写的原因")
    assert row.updated_at > stamped
    event = AuditEvent.objects.get()
    assert event.action == "calendar_override.update"
    assert event.target_type == "core.calendaroverride"
    assert event.target_id == str(override.pk)
    assert event.actor_label == "system:test"
    # "reason" was sent but did not change on this instance: it is not in the trail.
    assert event.before == {"name": "台风停工"}
    assert event.after == {"name": "暴雨停工"}


def test_nothing_changed_writes_nothing(system_actor, override, django_assert_num_queries):
    with django_assert_num_queries(0):
        updated, has_updated = model_update(
            actor=system_actor,
            action="calendar_override.update",
            instance=override,
            data={"name": "台风停工", "kind": "holiday"},
            invalid_code="calendar.invalid",
        )
    assert (updated, has_updated) == (override, False)
    assert not AuditEvent.objects.exists()


def test_masks_what_the_trail_shows(system_actor, override):
    _update(
        system_actor,
        override,
        {"name": "暴雨停工", "reason": "气象台红色预警"},
        masks={"reason": lambda value: f"{value[:1]}***"},
    )
    event = AuditEvent.objects.get()
    assert event.before == {"name": "台风停工", "reason": "***"}
    assert event.after == {"name": "暴雨停工", "reason": "气***"}
    assert CalendarOverride.objects.get(pk=override.pk).reason == "气象台红色预警"


def test_invalid_values_are_a_coded_422_and_write_nothing(system_actor, override):
    with pytest.raises(ValidationFailed) as err:
        _update(system_actor, override, {"kind": "sometimes"})
    assert err.value.code == "calendar.invalid"
    assert "kind" in err.value.fields
    assert CalendarOverride.objects.get(pk=override.pk).kind == "holiday"
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_needs_the_transaction_of_the_change(system_actor, override):
    with pytest.raises(RuntimeError, match="transaction"):
        model_update(
            actor=system_actor,
            action="calendar_override.update",
            instance=override,
            data={"name": "暴雨停工"},
            invalid_code="calendar.invalid",
        )
    assert CalendarOverride.objects.get(pk=override.pk).name == "台风停工"
    assert not AuditEvent.objects.exists()


def test_a_model_without_updated_at(system_actor):
    run = JobRun.objects.create(job="x", outcome=JobRun.Outcome.FAILED)
    with transaction.atomic():
        _, has_updated = model_update(
            actor=system_actor,
            action="job_run.update",
            instance=run,
            data={"outcome": JobRun.Outcome.SUCCEEDED, "job": "x"},
            invalid_code="job_run.invalid",
        )
    assert has_updated
    assert JobRun.objects.get(pk=run.pk).outcome == "succeeded"
    assert AuditEvent.objects.get().after == {"outcome": "succeeded"}


def test_a_misspelt_field_is_an_error_not_a_no_op(override):
    with pytest.raises(FieldDoesNotExist):
        model_changes(override, {"nmae": "暴雨停工"})


def test_model_changes_keeps_the_callers_order(override):
    assert model_changes(override, {"reason": "x", "kind": "holiday", "name": "y"}) == {
        "reason": "x",
        "name": "y",
    }


def test_validation_failed_keeps_a_constraints_own_code():
    own = DjangoValidationError({"name": DjangoValidationError("重名", code="unit.name_taken")})
    plain = DjangoValidationError({"name": DjangoValidationError("必填", code="required")})
    assert validation_failed(own, code="unit.invalid").code == "unit.name_taken"
    failed = validation_failed(plain, code="unit.invalid")
    assert (failed.code, failed.fields) == ("unit.invalid", {"name": ["必填"]})
    non_field = validation_failed(DjangoValidationError("不一致"), code="unit.invalid")
    assert non_field.fields == {"__all__": ["不一致"]}

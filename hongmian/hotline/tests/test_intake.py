"""work_order_intake: validation, numbering, address parsing, idempotency, who may file."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from hongmian.core.actors import Actor
from hongmian.core.errors import Conflict, PermissionDenied, ValidationFailed
from hongmian.core.models import AuditEvent
from hongmian.hotline.models import NumberCounter, WorkOrder
from hongmian.hotline.services.intake import work_order_intake
from hongmian.hotline.services.intake_numbers import work_order_number_next
from hongmian.hotline.services.intake_validation import IntakeRequest, validate_caller_phone
from hongmian.hotline.states import Channel, Status, Visibility
from hongmian.hotline.tests.factories import CategoryFactory, actor_of
from hongmian.identity.states import Role
from hongmian.identity.tests.factories import EnterpriseFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

NUMBER = re.compile(r"^GZ-\d{8}-\d{6,}$")


def intake(
    actor: Actor, *, idempotency_key: str | None = None, **overrides: Any
) -> tuple[WorkOrder, bool]:
    fields: dict[str, Any] = {
        "channel": Channel.PHONE,
        "request_type": "complaint",
        "title": "天河路夜间施工噪音",
        "content": "每晚十一点后仍在施工，影响休息。",
        "caller_name": "陈先生",
        "caller_phone": "13800138000",
        "address": "天河区石牌街道天河路100号",
    }
    return work_order_intake(
        actor=actor, request=IntakeRequest(**(fields | overrides)), idempotency_key=idempotency_key
    )


def test_intake_records_order_timeline_audit_and_notice(
    agent_actor, sent, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        order, created = intake(agent_actor)
    assert created
    assert NUMBER.match(order.number)
    assert order.status == Status.RECEIVED
    assert order.version == 1
    assert order.submitted_by == agent_actor.user
    assert (order.district_code, order.street_code) == ("440106000", "440106006")
    assert order.address_confidence > 0.5
    (entry,) = order.timeline.all()
    assert (entry.kind, entry.visibility) == ("received", Visibility.PUBLIC)
    event = AuditEvent.objects.get(action="work_order.intake")
    assert event.target_id == str(order.pk)
    assert "caller_phone" not in event.after
    assert sent == [("order_received", order.pk)]


def test_numbers_are_unique_and_increase(agent_actor) -> None:
    numbers = [intake(agent_actor)[0].number for _ in range(3)]
    assert len(set(numbers)) == 3
    assert [int(n.rsplit("-", 1)[1]) for n in numbers] == sorted(
        int(n.rsplit("-", 1)[1]) for n in numbers
    )


def test_number_counter_backend(db) -> None:
    first, second = work_order_number_next(), work_order_number_next()
    assert int(second.rsplit("-", 1)[1]) == int(first.rsplit("-", 1)[1]) + 1
    if connection.vendor == "postgresql":
        assert not NumberCounter.objects.exists()  # the sequence, never the counter row
    else:
        assert NumberCounter.objects.get(name="work_order").value >= 2


def test_number_prefix_setting(agent_actor, settings) -> None:
    settings.HONGMIAN_HOTLINE_NUMBER_PREFIX = "HP"
    assert intake(agent_actor)[0].number.startswith("HP-")


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"title": "长" * 201}, "work_order.title"),
        ({"content": ""}, "work_order.content"),
        ({"content": "长" * 5001}, "work_order.content"),
        ({"channel": "fax"}, "work_order.channel"),
        ({"request_type": "rant"}, "work_order.request_type"),
        ({"priority": "asap"}, "work_order.priority"),
        ({"latitude": "23.1"}, "work_order.coordinates"),
        ({"latitude": "abc", "longitude": "113.3"}, "work_order.latitude"),
        ({"latitude": "113.3", "longitude": "23.1"}, "work_order.coordinates"),
        ({"latitude": "39.9", "longitude": "116.4"}, "work_order.coordinates"),
        ({"latitude": "NaN", "longitude": "113.3"}, "work_order.latitude"),
        ({"caller_phone": "12345"}, "work_order.caller_phone"),
        ({"caller_phone": "1380013800x"}, "work_order.caller_phone"),
        ({"caller_name": "名" * 51}, "work_order.caller_name"),
        ({"address": "址" * 301}, "work_order.address"),
        ({"category": "no-such-code"}, "work_order.category"),
        ({"idempotency_key": " "}, "work_order.idempotency_key"),
        ({"title": 42}, "work_order.title"),
    ],
)
def test_invalid_input_has_a_stable_code(agent_actor, overrides, code) -> None:
    with pytest.raises(ValidationFailed) as caught:
        intake(agent_actor, **overrides)
    assert caught.value.code == code
    assert caught.value.fields
    assert not WorkOrder.objects.exists()


def test_inactive_category_refused(agent_actor) -> None:
    retired = CategoryFactory(is_active=False)
    with pytest.raises(ValidationFailed) as caught:
        intake(agent_actor, category=retired)
    assert caught.value.code == "work_order.category"


def test_category_by_instance_or_code(agent_actor, category) -> None:
    assert intake(agent_actor, category=category)[0].category == category
    assert intake(agent_actor, category=category.code)[0].category == category


def test_coordinates_inside_guangzhou_are_kept(agent_actor) -> None:
    order, _ = intake(agent_actor, latitude=23.1291, longitude="113.264385")
    order.refresh_from_db()
    assert order.latitude == Decimal("23.129100")
    assert order.longitude == Decimal("113.264385")


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("13800138000", "13800138000"),
        ("+86 138-0013-8000", "13800138000"),
        ("020-12345678", "020-12345678"),
        ("02012345678", "020-12345678"),
        ("(020) 8765 4321", "020-87654321"),
        ("0757-1234567", "0757-1234567"),
        ("020-12345678转123", "020-12345678-123"),
        ("87654321", "020-87654321"),
        ("", ""),
    ],
)
def test_phone_validator(raw, normalised) -> None:
    assert validate_caller_phone(raw) == normalised


def test_phone_is_stored_normalised(agent_actor) -> None:
    assert intake(agent_actor, caller_phone="+86 138 0013 8000")[0].caller_phone == "13800138000"


# --- idempotency ----------------------------------------------------------------------------


def test_retry_with_same_key_returns_first_order(
    agent_actor, sent, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        first, created = intake(agent_actor, idempotency_key="k-1")
        again, created_again = intake(agent_actor, idempotency_key="k-1")
    assert created
    assert not created_again
    assert again.pk == first.pk
    assert WorkOrder.objects.count() == 1
    assert sent == [("order_received", first.pk)]


def test_retry_with_equivalent_input_is_the_same_request(agent_actor) -> None:
    first, _ = intake(agent_actor, idempotency_key="k-2", caller_phone="13800138000")
    again, created = intake(agent_actor, idempotency_key="k-2", caller_phone="+86 13800138000")
    assert (again.pk, created) == (first.pk, False)


def test_same_key_different_payload_conflicts(agent_actor) -> None:
    intake(agent_actor, idempotency_key="k-3")
    with pytest.raises(Conflict) as caught:
        intake(agent_actor, idempotency_key="k-3", title="另一件事")
    assert caught.value.code == "work_order.idempotency_mismatch"
    assert caught.value.status_code == 409


def test_keys_are_per_account(agent_actor, supervisor_actor) -> None:
    mine, _ = intake(agent_actor, idempotency_key="shared")
    theirs, created = intake(supervisor_actor, idempotency_key="shared")
    assert created
    assert theirs.pk != mine.pk


def test_key_needs_an_account(db) -> None:
    with pytest.raises(ValidationFailed) as caught:
        intake(Actor.system("import"), idempotency_key="k")
    assert caught.value.code == "work_order.idempotency_key"


def test_race_lost_on_insert_returns_the_winner(agent_actor, monkeypatch) -> None:
    """The first lookup misses (the winner has not committed yet); the insert then hits the
    unique constraint, and the savepoint lets the loser re-read and return the winner."""
    winner, _ = intake(agent_actor, idempotency_key="race")
    real_filter = WorkOrder.objects.filter
    misses = iter([True])

    def first_lookup_misses(*args: Any, **kwargs: Any):
        if kwargs.get("idempotency_key") == "race" and next(misses, False):
            return WorkOrder.objects.none()
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(WorkOrder.objects, "filter", first_lookup_misses)
    again, created = intake(agent_actor, idempotency_key="race")
    assert (again.pk, created) == (winner.pk, False)
    assert WorkOrder.objects.count() == 1


# --- who files ------------------------------------------------------------------------------


def test_citizen_files_online_as_themself(citizen, citizen_person) -> None:
    order, _ = intake(actor_of(citizen), channel=Channel.APP, caller_phone="")
    assert order.caller_person == citizen_person
    assert order.submitted_by == citizen


def test_citizen_cannot_use_agent_channels(citizen) -> None:
    with pytest.raises(PermissionDenied) as caught:
        intake(actor_of(citizen), channel=Channel.PHONE)
    assert caught.value.code == "work_order.intake_forbidden"


def test_citizen_cannot_file_as_someone_else(citizen, citizen_person) -> None:
    with pytest.raises(ValidationFailed) as caught:
        intake(actor_of(citizen), channel=Channel.WEB, caller_person=PersonFactory())
    assert caught.value.code == "work_order.caller_person"


def test_enterprise_rep_only_for_own_enterprise(db) -> None:
    rep = UserFactory(role=Role.ENTERPRISE_REP)
    own = EnterpriseFactory(representatives=[rep])
    order, _ = intake(actor_of(rep), channel=Channel.WEB, caller_enterprise=own)
    assert order.is_enterprise
    with pytest.raises(ValidationFailed) as caught:
        intake(actor_of(rep), channel=Channel.WEB, caller_enterprise=EnterpriseFactory())
    assert caught.value.code == "work_order.caller_enterprise"


@pytest.mark.parametrize("role", [Role.DEPT_HANDLER, Role.HALL_STAFF, Role.CITY_LEADER])
def test_other_staff_do_not_take_requests(db, role) -> None:
    with pytest.raises(PermissionDenied):
        intake(actor_of(UserFactory(role=role)))


def test_anonymous_request_is_not_the_system(db) -> None:
    with pytest.raises(PermissionDenied):
        intake(Actor(user=None, via="api"), channel=Channel.OPEN311)


def test_system_actor_may_import_transfers(db) -> None:
    order, created = intake(Actor.system("transfer"), channel=Channel.TRANSFER)
    assert created
    assert order.submitted_by is None


def test_number_date_is_beijing_date(db, monkeypatch) -> None:
    import datetime as dt

    from django.utils import timezone

    # 17:30 UTC on the 28th is 01:30 on the 29th in Guangzhou.
    late_utc = dt.datetime(2026, 11, 28, 17, 30, tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: late_utc)
    assert work_order_number_next().startswith("GZ-20261129-")


# Computed by the code before IntakeRequest (the 19-keyword service): a key stored then and
# retried now must still match its request, so these values may never change.
PINNED_FINGERPRINTS = [
    (
        {
            "channel": "phone",
            "request_type": "complaint",
            "title": "天河路夜间施工噪音",
            "content": "每晚十一点后仍在施工，影响休息。",
            "caller_name": "陈先生",
            "caller_phone": "+86 138 0013 8000",
            "address": "天河区石牌街道天河路100号",
            "latitude": 23.1291,
            "longitude": "113.264385",
            "priority": "urgent",
            "is_emergency": True,
            "external_ref": "ref-1",
        },
        "03085ebdf6d03261f0182b6abc56ec5125e7ef3b609f133a934daa930351cacf",
    ),
    (
        {"channel": "phone", "request_type": "help", "title": "t", "content": "c"},
        "bc9e94a3029fb737ce7f06e14ceac1c059698ca0cda62d413b4fc1a63204c44e",
    ),
]


@pytest.mark.parametrize(("fields", "fingerprint"), PINNED_FINGERPRINTS)
def test_fingerprints_are_those_stored_before(agent_actor, fields, fingerprint) -> None:
    order, created = work_order_intake(
        actor=agent_actor, request=IntakeRequest(**fields), idempotency_key="pinned"
    )
    assert created
    assert order.idempotency_fingerprint == fingerprint
    again, created = work_order_intake(
        actor=agent_actor, request=IntakeRequest(**fields), idempotency_key="pinned"
    )
    assert (again.pk, created) == (order.pk, False)


def test_a_request_from_form_values_keeps_only_its_fields() -> None:
    values = {"title": "t", "content": "c", "idempotency_key": "k", "answer": "a"}
    request = IntakeRequest.from_values(values, channel=Channel.WEB, request_type="help")
    assert request == IntakeRequest(channel="web", request_type="help", title="t", content="c")


def test_the_api_schema_names_only_request_fields() -> None:
    """The schema lists its fields for their limits; each must be one of the request's, or
    `to_intake` would drop it without a word."""
    from dataclasses import fields

    from hongmian.hotline.schemas import WorkOrderCreateIn

    assert set(WorkOrderCreateIn.model_fields) <= {f.name for f in fields(IntakeRequest)}

"""Status attributes: only a unit authorised for the type sets or clears it, a new value
supersedes the active one, every transition is audited, and an unauthorised unit learns
nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from hongmian.citycode.models import Attribute
from hongmian.citycode.services.attributes import attribute_clear, attribute_set
from hongmian.citycode.tests.conftest import World, actor_of
from hongmian.core.errors import IllegalTransition, NotFound, PermissionDenied, ValidationFailed
from hongmian.core.models import AuditEvent
from hongmian.identity.tests.factories import OrgUnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_an_authorised_unit_sets_and_a_new_value_supersedes(world: World) -> None:
    clerk = actor_of(world.health_clerk)
    first = attribute_set(actor=clerk, person=world.person, type_code="elder_care", value="是")
    until = timezone.now() + dt.timedelta(days=7)
    second = attribute_set(
        actor=clerk,
        person=world.person.resident_id,
        type_code="elder_care",
        value="是",
        valid_until=until,
    )
    first.refresh_from_db()
    assert (first.status, second.status, second.valid_until) == ("superseded", "active", until)
    assert second.set_by_unit == world.health
    assert AuditEvent.objects.filter(action="citycode.attribute_set").count() == 2


def test_a_unit_below_an_authorised_one_may_set_it(world: World) -> None:
    district_office = OrgUnitFactory(code="gz-health-th", parent=world.health)
    clerk = UserFactory(role="dept_handler", org_unit=district_office)
    row = attribute_set(
        actor=actor_of(clerk), person=world.person, type_code="elder_care", value="是"
    )
    assert row.set_by_unit == district_office


def test_an_unauthorised_unit_is_refused_with_a_code_and_nothing_is_written(world: World) -> None:
    with pytest.raises(PermissionDenied) as refused:
        attribute_set(
            actor=actor_of(world.other_clerk),
            person="no-such-id-000000",
            type_code="elder_care",
            value="是",
        )
    assert refused.value.code == "citycode.attribute_unit_not_authorised"
    assert refused.value.status_code == 403
    assert not Attribute.objects.exists()
    with pytest.raises(PermissionDenied) as citizen:
        attribute_set(
            actor=actor_of(world.citizen), person=world.person, type_code="elder_care", value="是"
        )
    assert citizen.value.code == "citycode.attribute_forbidden"


def test_bad_values_and_validity_are_refused(world: World) -> None:
    clerk = actor_of(world.health_clerk)
    with pytest.raises(ValidationFailed) as value:
        attribute_set(actor=clerk, person=world.person, type_code="elder_care", value="否否")
    assert value.value.code == "citycode.attribute_value"
    with pytest.raises(ValidationFailed) as until:
        attribute_set(
            actor=clerk,
            person=world.person,
            type_code="elder_care",
            value="是",
            valid_until=timezone.now() - dt.timedelta(days=1),
        )
    assert until.value.code == "citycode.attribute_valid_until"
    with pytest.raises(ValidationFailed) as kind:
        attribute_set(actor=clerk, person=world.person, type_code="nope", value="是")
    assert kind.value.code == "citycode.attribute_type"


def test_clearing_is_a_transition_and_hidden_from_other_units(world: World) -> None:
    row = attribute_set(
        actor=actor_of(world.health_clerk), person=world.person, type_code="elder_care", value="是"
    )
    with pytest.raises(NotFound):
        attribute_clear(actor=actor_of(world.other_clerk), attribute_id=row.pk)
    cleared = attribute_clear(actor=actor_of(world.health_clerk), attribute_id=row.pk)
    assert cleared.status == "cleared"
    with pytest.raises(IllegalTransition):
        attribute_clear(actor=actor_of(world.health_clerk), attribute_id=row.pk)
    assert AuditEvent.objects.filter(action="citycode.attribute_clear").count() == 1

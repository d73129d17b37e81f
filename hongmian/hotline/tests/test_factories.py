"""The factories build valid rows that match their traits."""

from __future__ import annotations

import pytest

from hongmian.hotline.states import AssignmentRole, AssignmentStatus, Status
from hongmian.hotline.tests.factories import (
    CallbackFactory,
    CategoryFactory,
    ExtensionRequestFactory,
    ReturnRequestFactory,
    SlaClockFactory,
    WorkOrderFactory,
)

pytestmark = pytest.mark.django_db


def test_received_order_has_no_assignment() -> None:
    order = WorkOrderFactory()
    assert order.status == Status.RECEIVED
    assert not order.assignments.exists()


def test_traits_set_status_and_lead_assignment() -> None:
    order = WorkOrderFactory(acknowledged=True)
    assert order.status == Status.ACKNOWLEDGED
    assert order.first_unit == order.lead_unit
    (assignment,) = order.assignments.all()
    assert (assignment.role, assignment.status) == (
        AssignmentRole.LEAD,
        AssignmentStatus.ACKNOWLEDGED,
    )
    assert WorkOrderFactory(replied=True).assignments.get().status == AssignmentStatus.REPLIED
    assert not WorkOrderFactory(dispatched=True, assignments=False).assignments.exists()


def test_category_level_follows_parent() -> None:
    child = CategoryFactory(parent=CategoryFactory(parent=CategoryFactory()))
    assert child.level == 3


def test_handling_rows() -> None:
    assert ReturnRequestFactory().unit is not None
    assert ExtensionRequestFactory().order.status == Status.ACKNOWLEDGED
    clock = SlaClockFactory()
    assert clock.started_at < clock.yellow_at < clock.due_at
    assert CallbackFactory().order.status == Status.REPLIED

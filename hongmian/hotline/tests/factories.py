"""factory_boy factories for the hotline's models; other apps' tests import these.

    from hongmian.hotline.tests.factories import CategoryFactory, WorkOrderFactory
    order = WorkOrderFactory()                                   # received, not dispatched
    order = WorkOrderFactory(dispatched=True, lead_unit=street)  # with its lead Assignment
    order = WorkOrderFactory(acknowledged=True)                  # the unit has 签收
    order = WorkOrderFactory(replied=True)                       # awaiting the callback

Like identity's factories they write rows directly: no audit entries, no timeline, no SLA
clocks and no notifications, so a test counts exactly what its own service writes. To
reach a state *through* the services, call them (see `conftest.py` for actors and units).

Numbers made here start with "GZ-TEST-" so that they never collide with numbers that
`work_order_intake` allocates ("GZ-YYYYMMDD-…") in the same test.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone

from hongmian.core.actors import Actor
from hongmian.hotline.models import (
    Assignment,
    Callback,
    Category,
    DispatchCatalogue,
    DispatchRule,
    ExtensionRequest,
    ReturnRequest,
    SlaClock,
    SlaRule,
    Supervision,
    TimelineEntry,
    WorkOrder,
)
from hongmian.hotline.services import sla
from hongmian.hotline.states import (
    AssignmentRole,
    AssignmentStatus,
    CatalogueStatus,
    Channel,
    ClockKind,
    ClockUnit,
    RequestType,
    ReturnReason,
    Status,
    SupervisionKind,
    Visibility,
)
from hongmian.identity.models import User
from hongmian.identity.states import UnitKind
from hongmian.identity.tests.factories import OrgUnitFactory, UserFactory


def actor_of(user: User | None) -> Actor:
    """The actor a web request by `user` would build."""
    return Actor(user=user, via="web", client_address="127.0.0.1")


class CategoryFactory(factory.django.DjangoModelFactory):
    """A category; its level follows its parent (a root is level 1)."""

    class Meta:
        model = Category

    code = factory.Sequence(lambda n: f"T{n:05d}")
    name = factory.Sequence(lambda n: f"测试分类{n}")
    parent = None
    level = factory.LazyAttribute(lambda o: o.parent.level + 1 if o.parent else 1)
    is_active = True


# Statuses in which the lead unit holds an acknowledged assignment.
_ACKNOWLEDGED_STATUSES = frozenset(
    {Status.ACKNOWLEDGED, Status.RETURN_REQUESTED, Status.JOINT_MEETING}
)
_REPLIED_STATUSES = frozenset({Status.REPLIED, Status.CALLBACK_REVIEW, Status.CLOSED})


class WorkOrderFactory(factory.django.DjangoModelFactory):
    """A work order. Traits put it in a later status with the fields that status implies;
    with a `lead_unit` (the traits make one) a lead Assignment is created to match, unless
    `assignments=False` is passed."""

    class Meta:
        model = WorkOrder
        skip_postgeneration_save = True

    class Params:
        dispatched = factory.Trait(
            status=Status.DISPATCHED,
            lead_unit=factory.SubFactory(OrgUnitFactory, kind=UnitKind.DISTRICT_GOVERNMENT),
            first_unit=factory.SelfAttribute("lead_unit"),
            dispatched_at=factory.LazyFunction(timezone.now),
        )
        acknowledged = factory.Trait(
            dispatched=True,
            status=Status.ACKNOWLEDGED,
            acknowledged_at=factory.LazyFunction(timezone.now),
        )
        replied = factory.Trait(
            acknowledged=True,
            status=Status.REPLIED,
            replied_at=factory.LazyFunction(timezone.now),
            reply="已安排人员现场处理，问题已解决。",
        )

    number = factory.Sequence(lambda n: f"GZ-TEST-{n:07d}")
    channel = Channel.PHONE
    request_type = RequestType.COMPLAINT
    status = Status.RECEIVED
    caller_name = factory.Sequence(lambda n: f"陈{n}")
    caller_phone = factory.Sequence(lambda n: f"139{n:08d}")
    title = factory.Sequence(lambda n: f"天河路噪音扰民{n}")
    content = "夜间施工噪音很大，影响休息，请尽快处理。"
    address = "广州市天河区石牌街道天河路1号"
    district_code = "440106000"
    street_code = "440106006"
    address_confidence = 0.95

    @factory.post_generation
    def assignments(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if not create or extracted is False or self.lead_unit_id is None:
            return
        if self.status in _REPLIED_STATUSES:
            status = AssignmentStatus.REPLIED
        elif self.status in _ACKNOWLEDGED_STATUSES:
            status = AssignmentStatus.ACKNOWLEDGED
        else:
            status = AssignmentStatus.PENDING
        Assignment.objects.create(
            order=self,
            unit_id=self.lead_unit_id,
            role=AssignmentRole.LEAD,
            status=status,
            acknowledged_at=self.acknowledged_at,
            replied_at=self.replied_at,
            reply=self.reply,
        )


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    order = factory.SubFactory(WorkOrderFactory)
    unit = factory.SubFactory(OrgUnitFactory)
    role = AssignmentRole.LEAD
    status = AssignmentStatus.PENDING


class TimelineEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TimelineEntry

    order = factory.SubFactory(WorkOrderFactory)
    actor_label = "test"
    kind = "note"
    visibility = Visibility.STAFF
    text = "处理中"


class DispatchCatalogueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DispatchCatalogue

    version = factory.Sequence(lambda n: n + 1)
    status = CatalogueStatus.DRAFT


class DispatchRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DispatchRule
        skip_postgeneration_save = True

    catalogue = factory.SubFactory(DispatchCatalogueFactory, status=CatalogueStatus.ACTIVE)
    category = factory.SubFactory(CategoryFactory)
    area_code = ""
    lead_unit = factory.SubFactory(OrgUnitFactory)

    @factory.post_generation
    def co_units(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            self.co_units.add(*extracted)


class SlaRuleFactory(factory.django.DjangoModelFactory):
    """Matches everything unless narrowed: 1 / 2 / 5 working days."""

    class Meta:
        model = SlaRule

    name = factory.Sequence(lambda n: f"时限规则{n}")
    unit = ClockUnit.WORKING_DAYS
    acknowledge_limit = Decimal(1)
    first_response_limit = Decimal(2)
    resolution_limit = Decimal(5)
    yellow_ratio = Decimal("0.80")


class SlaClockFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SlaClock
        skip_postgeneration_save = True

    order = factory.SubFactory(WorkOrderFactory, dispatched=True)
    kind = ClockKind.RESOLUTION
    unit = ClockUnit.NATURAL_HOURS
    limit = Decimal(24)
    started_at = factory.LazyFunction(timezone.now)
    yellow_at = factory.LazyAttribute(lambda o: o.started_at + dt.timedelta(hours=19))
    due_at = factory.LazyAttribute(lambda o: o.started_at + dt.timedelta(hours=24))

    @factory.post_generation
    def sync(self, create: bool, extracted: object, **kwargs: object) -> None:
        # Made outside the SLA services, so copy the clocks onto the order as they would.
        if create:
            sla.sla_order_clocks_sync(order=self.order)


class ReturnRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReturnRequest

    order = factory.SubFactory(WorkOrderFactory, dispatched=True)
    unit = factory.LazyAttribute(lambda o: o.order.lead_unit)
    reason = ReturnReason.NOT_OUR_DUTY
    legal_basis = "《广州市市容环境卫生管理规定》第十条"
    explanation = "该事项属市水务局职责。"


class ExtensionRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExtensionRequest

    order = factory.SubFactory(WorkOrderFactory, acknowledged=True)
    unit = factory.LazyAttribute(lambda o: o.order.lead_unit)
    reason = "需协调多个部门现场勘查。"
    amount = Decimal(3)


class SupervisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supervision

    order = factory.SubFactory(WorkOrderFactory, dispatched=True)
    kind = SupervisionKind.URGE
    unit = factory.LazyAttribute(lambda o: o.order.lead_unit)


class CallbackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Callback

    order = factory.SubFactory(WorkOrderFactory, replied=True)
    reached = True
    satisfaction = "satisfied"
    resolved = True


__all__ = [
    "AssignmentFactory",
    "CallbackFactory",
    "CategoryFactory",
    "DispatchCatalogueFactory",
    "DispatchRuleFactory",
    "ExtensionRequestFactory",
    "OrgUnitFactory",
    "ReturnRequestFactory",
    "SlaClockFactory",
    "SlaRuleFactory",
    "SupervisionFactory",
    "TimelineEntryFactory",
    "UserFactory",
    "WorkOrderFactory",
    "actor_of",
]

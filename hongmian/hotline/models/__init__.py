"""Models of the 12345 hotline, in three modules: taxonomy (categories, dispatch catalogue,
SLA rules), orders (work orders, assignments, timeline) and handling (clocks, returns,
extensions, supervision, callbacks, joint meetings), plus signoff (a unit's
manager's sign-off of its handlers' acts). The classifiers and the hot spots
are the insights app's (hongmian.insights.models)."""

from hongmian.hotline.models.handling import (
    Callback,
    ExtensionRequest,
    JointMeeting,
    ReturnRequest,
    SlaClock,
    Supervision,
)
from hongmian.hotline.models.orders import Assignment, NumberCounter, TimelineEntry, WorkOrder
from hongmian.hotline.models.signoff import SignOffRequest, UnitSignOffPolicy
from hongmian.hotline.models.taxonomy import Category, DispatchCatalogue, DispatchRule, SlaRule

__all__ = [
    "Assignment",
    "Callback",
    "Category",
    "DispatchCatalogue",
    "DispatchRule",
    "ExtensionRequest",
    "JointMeeting",
    "NumberCounter",
    "ReturnRequest",
    "SignOffRequest",
    "SlaClock",
    "SlaRule",
    "Supervision",
    "TimelineEntry",
    "UnitSignOffPolicy",
    "WorkOrder",
]

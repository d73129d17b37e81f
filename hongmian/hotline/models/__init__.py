"""Models of the 12345 hotline, in three modules: taxonomy (categories, dispatch catalogue,
SLA rules), orders (work orders, assignments, timeline) and handling (clocks, returns,
extensions, supervision, callbacks, joint meetings). The classifiers and the hot spots
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
from hongmian.hotline.models.queues import SavedView
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
    "SavedView",
    "SlaClock",
    "SlaRule",
    "Supervision",
    "TimelineEntry",
    "WorkOrder",
]

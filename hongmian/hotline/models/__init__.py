"""Models of the 12345 hotline, in five modules: taxonomy (categories, dispatch catalogue,
SLA rules), orders (work orders, assignments, timeline), handling (clocks, returns,
extensions, supervision, callbacks, joint meetings), intelligence (trained classifiers
and the feedback on their suggestions) and insights (hot spots and their alerts)."""

from hongmian.hotline.models.handling import (
    Callback,
    ExtensionRequest,
    JointMeeting,
    ReturnRequest,
    SlaClock,
    Supervision,
)
from hongmian.hotline.models.insights import Hotspot, HotspotAlert
from hongmian.hotline.models.intelligence import ClassificationFeedback, ClassifierModel
from hongmian.hotline.models.orders import Assignment, NumberCounter, TimelineEntry, WorkOrder
from hongmian.hotline.models.taxonomy import Category, DispatchCatalogue, DispatchRule, SlaRule

__all__ = [
    "Assignment",
    "Callback",
    "Category",
    "ClassificationFeedback",
    "ClassifierModel",
    "DispatchCatalogue",
    "DispatchRule",
    "ExtensionRequest",
    "Hotspot",
    "HotspotAlert",
    "JointMeeting",
    "NumberCounter",
    "ReturnRequest",
    "SlaClock",
    "SlaRule",
    "Supervision",
    "TimelineEntry",
    "WorkOrder",
]

"""Models of the 12345 hotline, in five modules: taxonomy (categories, dispatch catalogue,
SLA rules), orders (work orders, assignments, timeline), handling (clocks, returns,
extensions, supervision, callbacks, joint meetings), signoff (a unit's manager's sign-off of
its handlers' acts) and attachments. The classifiers and the hot spots are the insights
app's (hongmian.insights.models)."""

from hongmian.hotline.models.attachments import Attachment
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
from hongmian.hotline.models.signoff import SignOffRequest, UnitSignOffPolicy
from hongmian.hotline.models.taxonomy import Category, DispatchCatalogue, DispatchRule, SlaRule

__all__ = [
    "Assignment",
    "Attachment",
    "Callback",
    "Category",
    "DispatchCatalogue",
    "DispatchRule",
    "ExtensionRequest",
    "JointMeeting",
    "NumberCounter",
    "ReturnRequest",
    "SavedView",
    "SignOffRequest",
    "SlaClock",
    "SlaRule",
    "Supervision",
    "TimelineEntry",
    "UnitSignOffPolicy",
    "WorkOrder",
]

"""API In/Out schemas of the hotline. Each lists its fields: never a whole model.

Lists and state changes answer with `WorkOrderSummaryOut`, which holds no personal data;
only `WorkOrderOut` (one order, read through `selectors.access_work_order`) carries the
caller, masked or hidden as `work_order_caller_view` decides for the reader.

In schemas refuse unknown fields: a client that sends `lat` for `latitude` hears about it
instead of having its point silently dropped. Lengths repeat the services' limits so that
the OpenAPI document tells clients; the services check them again for every other door.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from hongmian.core.schemas import DbId, Moment
from hongmian.core.validators import DB_ID_MAX
from hongmian.hotline.services.intake_validation import (
    ADDRESS_MAX,
    CALLER_NAME_MAX,
    CONTENT_MAX,
    KEY_MAX,
    TITLE_MAX,
    IntakeRequest,
)
from hongmian.hotline.states import (
    Channel,
    ClockLight,
    Priority,
    RequestType,
    ReturnReason,
    Satisfaction,
    SignOffAct,
    SignOffStatus,
    Status,
    SupervisionKind,
    Visibility,
)

NOTE_MAX = 2_000
# Orders named in one merge, units in one joint meeting, co-handlers of one dispatch.
MANY_MAX = 50


class In(Schema):
    model_config = ConfigDict(extra="forbid")


# --- references ------------------------------------------------------------------------------


class UnitRef(Schema):
    id: int
    name: str


class CategoryRef(Schema):
    code: str
    name: str


# --- out -------------------------------------------------------------------------------------


class WorkOrderSummaryOut(Schema):
    """An order as a list shows it: what it is about and where it stands — no caller."""

    number: str
    title: str
    status: Status
    channel: Channel
    request_type: RequestType
    priority: Priority
    category: CategoryRef | None
    district_code: str
    street_code: str
    lead_unit: UnitRef | None
    is_enterprise: bool
    is_emergency: bool
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    dispatched_at: dt.datetime | None
    acknowledged_at: dt.datetime | None
    replied_at: dt.datetime | None
    closed_at: dt.datetime | None


class WorkOrderPageOut(Schema):
    """One page of a list. `total` and `count` are the same true count (`count` is the queue
    contract's name); `limit`/`offset` and `page`/`per_page` describe the same page."""

    total: int
    limit: int
    offset: int
    count: int
    page: int
    per_page: int
    num_pages: int
    items: list[WorkOrderSummaryOut]


class CallerOut(Schema):
    """The caller as this reader may see them: in full for the centre and the caller, masked
    for handling units; `hidden` (and empty) when confidential and the reader is not the
    centre."""

    name: str
    phone: str
    hidden: bool


class AssignmentOut(Schema):
    unit: UnitRef
    role: str
    status: str
    acknowledged_at: dt.datetime | None
    replied_at: dt.datetime | None


class ClockOut(Schema):
    kind: str
    started_at: dt.datetime
    due_at: dt.datetime
    stopped_at: dt.datetime | None


class WorkOrderOut(WorkOrderSummaryOut):
    """One order in full, as this reader may see it."""

    content: str
    caller: CallerOut
    confidential: bool
    # Where the problem is; masked when the caller is confidential (a door number can tell).
    address: str
    latitude: Decimal | None
    longitude: Decimal | None
    reply: str
    close_reason: str
    satisfaction: str
    resolved: bool | None
    master: str | None
    return_count: int
    reopen_count: int
    extension_count: int
    assignments: list[AssignmentOut]
    clocks: list[ClockOut]


class ExtensionOut(Schema):
    """A request for more time; `id` is what the centre decides on."""

    id: int
    status: str
    amount: Decimal
    reason: str
    order: WorkOrderSummaryOut


class TimelineEntryOut(Schema):
    created_at: dt.datetime
    kind: str
    visibility: Visibility
    text: str
    unit: UnitRef | None


# --- create and list -------------------------------------------------------------------------


class WorkOrderCreateIn(In):
    channel: Channel
    request_type: RequestType
    # Optional: blank or left out, the service derives it from the category and the
    # content's first clause (intake_validation.derive_title, decision 0030).
    title: str = Field("", max_length=TITLE_MAX)
    content: str = Field(min_length=1, max_length=CONTENT_MAX)
    caller_name: str = Field("", max_length=CALLER_NAME_MAX)
    caller_phone: str = Field("", max_length=40)
    confidential: bool = False
    address: str = Field("", max_length=ADDRESS_MAX)
    # WGS84 decimal degrees; both or neither. The service checks the point is in Guangzhou.
    # Bounded: past ±180 a number is no coordinate at all (1e30 once reached the service's
    # rounding). A latitude of 90–180 is let through to the service, which names the likely
    # mistake (longitude and latitude swapped: `work_order.coordinates`) and checks the point
    # is in Guangzhou.
    latitude: float | None = Field(None, ge=-180, le=180, allow_inf_nan=False)
    longitude: float | None = Field(None, ge=-180, le=180, allow_inf_nan=False)
    category: str | None = Field(None, max_length=32, description="分类代码（三级分类最佳）")
    priority: Priority = Priority.NORMAL
    is_enterprise: bool = False
    is_emergency: bool = False
    external_ref: str = Field("", max_length=KEY_MAX)

    def to_intake(self) -> IntakeRequest:
        """The request these fields describe, for `work_order_intake`."""
        return IntakeRequest.from_values(self.model_dump())


StatusGroup = Literal["open", "with_unit", "finished"]
QueueTag = Literal["enterprise", "emergency", "confidential"]
QueueSort = Literal["deadline", "lateness", "age", "-received", "received", "replied", "-replied"]

Ordering = Literal[
    "created_at",
    "-created_at",
    "updated_at",
    "-updated_at",
    "dispatched_at",
    "-dispatched_at",
    "number",
    "-number",
]


class WorkOrderFilterIn(Schema):
    """Filters of the list; repeat a parameter for several values (status=a&status=b)."""

    # A status, or a group of them (open 未办结, with_unit 在承办单位, finished 已办结).
    status: list[Status | StatusGroup] | None = None
    channel: list[Channel] | None = None
    request_type: list[RequestType] | None = None
    category: str | None = Field(None, max_length=32, description="分类代码，含其下级分类")
    district_code: str | None = Field(None, max_length=9)
    lead_unit: DbId | None = None
    created_from: Moment | None = None
    created_to: Moment | None = None
    q: str | None = Field(None, max_length=100, description="编号、标题或内容包含的文字")
    ordering: Ordering = "-created_at"
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=1_000_000)
    # The queue contract (hotline/queues.py, docs/hotline.md), as on /hotline/search/;
    # `category` above keeps meaning a category code here, `category_id` is the contract's
    # category (a pk). `sort` wins over `ordering`; `page`/`per_page` over `limit`/`offset`.
    category_id: DbId | None = Field(None, description="分类，含其下级")
    district: str | None = Field(None, max_length=9, description="区划代码，如 440106")
    unit: DbId | None = Field(None, description="承办过（未撤回）的单位")
    light: ClockLight | None = None
    overdue: bool | None = None
    tag: list[QueueTag] | None = None
    received_from: dt.date | None = Field(None, alias="from", description="受理日期起（北京时间）")
    received_to: dt.date | None = Field(None, alias="to", description="受理日期止（含）")
    satisfaction: Satisfaction | None = None
    sort: QueueSort | None = None
    page: int | None = Field(None, ge=1, le=1_000_000)
    per_page: int | None = Field(None, ge=1, le=200)

    def queue_params(self) -> dict[str, list[str]]:
        """The contract's parameters as the web lists receive them (queue_filter_parse)."""
        params: dict[str, list[str]] = {}
        for name, value in (
            ("category", self.category_id),
            ("district", self.district),
            ("unit", self.unit),
            ("light", self.light),
            ("satisfaction", self.satisfaction),
            ("sort", self.sort),
        ):
            if value is not None and value != "":
                params[name] = [str(value)]
        if self.overdue:
            params["overdue"] = ["1"]
        if self.tag:
            params["tag"] = [str(t) for t in self.tag]
        if self.status:
            params["status"] = [str(s) for s in self.status]
        for name, day in (("from", self.received_from), ("to", self.received_to)):
            if day is not None:
                params[name] = [day.isoformat()]
        return params


# --- transitions -----------------------------------------------------------------------------


class TransitionIn(In):
    # The version the client last saw; when the order has changed since, the act is
    # refused (409 work_order.stale) instead of applied to a state nobody looked at.
    expected_version: int | None = Field(None, ge=1, le=DB_ID_MAX)


class WorkOrderDirectAnswerIn(TransitionIn):
    answer: str = Field(
        "", max_length=CONTENT_MAX, description="答复内容；给出 article 而留空时用该知识条目的正文"
    )
    article: DbId | None = Field(None, description="所依据的知识条目编号：记录哪一版本答复了本工单")
    source: str = Field("", max_length=100, description="其他依据（不在知识库中时）")


class WorkOrderDispatchIn(TransitionIn):
    lead_unit: DbId | None = Field(None, description="主办单位；留空则按派单目录")
    co_units: list[DbId] = Field(default_factory=list, max_length=MANY_MAX)
    note: str = Field("", max_length=NOTE_MAX)


class WorkOrderSubdispatchIn(TransitionIn):
    unit: DbId
    note: str = Field("", max_length=NOTE_MAX)


class WorkOrderAcknowledgeIn(TransitionIn):
    pass


class WorkOrderProgressIn(TransitionIn):
    text: str = Field(min_length=1, max_length=NOTE_MAX)
    visibility: Visibility = Visibility.PUBLIC


class WorkOrderReplyIn(TransitionIn):
    reply: str = Field(min_length=1, max_length=CONTENT_MAX)


class WorkOrderCoReplyIn(TransitionIn):
    reply: str = Field(min_length=1, max_length=CONTENT_MAX)


class WorkOrderReturnIn(TransitionIn):
    reason: ReturnReason
    legal_basis: str = Field(min_length=1, max_length=300)
    explanation: str = Field(min_length=1, max_length=NOTE_MAX)
    suggested_unit: DbId | None = None


class WorkOrderReturnReviewIn(TransitionIn):
    accept: bool
    note: str = Field("", max_length=NOTE_MAX)
    new_unit: DbId | None = None
    to_joint_meeting: bool = False


class WorkOrderExtensionIn(TransitionIn):
    reason: str = Field(min_length=1, max_length=NOTE_MAX)
    # In the unit of the resolution clock (working days, working hours or natural hours).
    amount: Decimal = Field(gt=0, le=9999, max_digits=6, decimal_places=2)


class ExtensionDecideIn(TransitionIn):
    approve: bool
    note: str = Field("", max_length=NOTE_MAX)


class WorkOrderSuperviseIn(TransitionIn):
    kind: SupervisionKind
    note: str = Field("", max_length=NOTE_MAX)


class WorkOrderCallbackIn(TransitionIn):
    reached: bool
    satisfaction: Satisfaction | None = None
    resolved: bool | None = None
    comment: str = Field("", max_length=NOTE_MAX)


class WorkOrderCallerRatingIn(In):
    """The caller's own rating. `phone` is the one left on the order: it is the proof."""

    phone: str = Field(min_length=1, max_length=40, description="提交诉求时留的电话")
    satisfaction: Satisfaction
    resolved: bool | None = None
    comment: str = Field("", max_length=NOTE_MAX)


class WorkOrderCallerRatingOut(Schema):
    """What the caller learns back: where their order stands now. Nothing else about it —
    the request carries no account, only the number and the phone."""

    number: str
    status: Status
    satisfaction: str
    resolved: bool | None
    closed_at: dt.datetime | None


class WorkOrderCallbackReviewIn(TransitionIn):
    reopen: bool
    reason: str = Field(min_length=1, max_length=NOTE_MAX)


class WorkOrderMergeIn(TransitionIn):
    """Fold `duplicates` (order numbers) under the order in the URL, the master."""

    duplicates: list[str] = Field(min_length=1, max_length=MANY_MAX)
    note: str = Field("", max_length=NOTE_MAX)


class WorkOrderJointMeetingIn(TransitionIn):
    units: list[DbId] = Field(min_length=1, max_length=MANY_MAX)
    decided_unit: DbId
    minutes: str = Field(min_length=1, max_length=CONTENT_MAX)
    held_at: Moment | None = None


class WorkOrderArchiveIn(TransitionIn):
    pass


# --- 经办人 inside a unit ------------------------------------------------------------------------


class AssignmentHandlerIn(In):
    handler: DbId | None = Field(..., description="本单位承办人员的用户编号；null 取消经办人")


class HandlerRef(Schema):
    id: int
    name: str


class AssignmentHandlerOut(Schema):
    """The reader's unit's assignment with its 经办人 (staff only: never on a caller's view)."""

    unit: UnitRef
    role: str
    status: str
    handler: HandlerRef | None


# --- classifier suggestions ------------------------------------------------------------------


class SuggestionsIn(In):
    """A message being taken; blank title and content together are refused."""

    title: str = Field("", max_length=TITLE_MAX)
    content: str = Field("", max_length=CONTENT_MAX)
    k: int = Field(3, ge=1, le=10, description="how many labels per list")


class SuggestedOut(Schema):
    code: str
    name: str
    confidence: float = Field(description="calibrated probability, 0–1")


class SuggestionsOut(Schema):
    """Each list is ordered by confidence; a list is empty when its target has no active
    model. `*_model` names the version that answered (e.g. "category_l1 v3")."""

    categories: list[SuggestedOut]
    units: list[SuggestedOut]
    category_model: str | None
    unit_model: str | None


# --- the unit manager's sign-off (api/signoff.py) ---------------------------------------------


class SignOffOut(Schema):
    """A handler's reply, return or extension request held for the unit's manager. `payload`
    is the act's arguments as submitted (`reply`; `reason`, `legal_basis`, `explanation`,
    `suggested_unit`; `reason`, `amount`)."""

    id: int
    act: SignOffAct
    status: SignOffStatus
    payload: dict[str, str | int | None]
    unit: UnitRef
    requested_by: str | None
    comment: str
    revision_of: int | None = Field(None, alias="revision_of_id")
    created_at: dt.datetime
    decided_at: dt.datetime | None
    order: WorkOrderSummaryOut

    @staticmethod
    def resolve_requested_by(obj: object) -> str | None:
        # The handler's name as staff know it (display name, else the login).
        user = getattr(obj, "requested_by", None)
        return str(user) if user is not None else None


class SignOffPageOut(Schema):
    total: int
    limit: int
    offset: int
    items: list[SignOffOut]


class SignOffFilterIn(Schema):
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=1_000_000)


class SignOffDecisionIn(TransitionIn):
    # The request the manager saw; left out, the order's pending one. A request decided
    # meanwhile is 409 sign_off.illegal_transition.
    sign_off: DbId | None = None


class SignOffApproveIn(SignOffDecisionIn):
    comment: str = Field("", max_length=NOTE_MAX)


class SignOffSendBackIn(SignOffDecisionIn):
    comment: str = Field(min_length=1, max_length=NOTE_MAX, description="经办人据此修改")


class SignOffWithdrawIn(SignOffDecisionIn):
    pass


# --- attachments (附件) -----------------------------------------------------------------------


class AttachmentOut(Schema):
    """One file of an order as the reader may see it; `url` and `thumbnail_url` are this
    site's checked views (never a storage address). `sha256` is of the file as received,
    `size` of the file as served (an image without its metadata)."""

    key: str
    name: str
    content_type: str
    size: int
    sha256: str
    visibility: Visibility
    entry_kind: str
    width: int | None
    height: int | None
    created_at: dt.datetime
    url: str
    thumbnail_url: str | None


class AttachmentPageOut(Schema):
    total: int
    limit: int
    offset: int
    items: list[AttachmentOut]

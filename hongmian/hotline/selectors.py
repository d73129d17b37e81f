"""Reads of the 12345 hotline. Personal data goes through `access_work_order` and
`work_order_caller_view`; lists are built on `work_orders_visible_to`.

Who sees which orders (declared on the model, `WorkOrder.scopes["view"]`, and applied by
`WorkOrder.objects.restrict`, identity/scoping.py):

- city-wide roles (agents, supervisors, city leaders, the chief data officer, admins): all;
- unit handlers and managers: orders assigned — now or ever — to their unit or a unit below
  it (a district sees its streets' orders);
- the public: what they submitted, or what names their person record as the caller;
- everyone else, and anonymous or inactive accounts: nothing.

Without an account, a caller reaches one order by its number and the phone they left
(`work_order_track`), and sees only its public side.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext

from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record
from hongmian.core.errors import NotFound, ValidationFailed
from hongmian.core.masking import mask_address, mask_mobile, mask_name, mask_spans
from hongmian.geo.mentions import address_mentions
from hongmian.hotline import permissions
from hongmian.hotline.models import (
    Assignment,
    ExtensionRequest,
    SignOffRequest,
    TimelineEntry,
    WorkOrder,
)
from hongmian.hotline.services.intake_validation import validate_caller_phone
from hongmian.hotline.states import (
    OPEN_STATUSES,
    WITH_UNIT_STATUSES,
    AssignmentRole,
    AssignmentStatus,
    ExtensionStatus,
    SignOffStatus,
    Status,
)
from hongmian.identity.models import OrgUnit, User
from hongmian.identity.scoping import InSubquery

# What list pages need besides the order itself, fetched in the same query.
_LIST_RELATED = ("category", "lead_unit")


def work_orders_visible_to(user: User | Any) -> QuerySet[WorkOrder]:
    """The orders `user` may see (module docstring). One query, no duplicates: a unit's
    orders are matched through their assignments with EXISTS, not a join."""
    return WorkOrder.objects.restrict(user, "view")


# What a list may be sorted by (the API's `ordering`); the id breaks ties, newest first.
WORK_ORDER_ORDERINGS = (
    "created_at",
    "-created_at",
    "updated_at",
    "-updated_at",
    "dispatched_at",
    "-dispatched_at",
    "number",
    "-number",
)


def work_order_list(
    user: User | Any,
    *,
    status: str | Iterable[str] | None = None,
    channel: str | Iterable[str] | None = None,
    request_type: str | Iterable[str] | None = None,
    category_code: str | None = None,
    district_code: str | None = None,
    lead_unit_id: int | None = None,
    created_from: dt.datetime | None = None,
    created_to: dt.datetime | None = None,
    search: str | None = None,
    ordering: str = "-created_at",
) -> QuerySet[WorkOrder]:
    """The orders `user` may see, filtered and sorted (newest first by default); category
    and lead unit come in the same query. The one list of the hotline: the API's list and
    the screens' search and lists are built on it.

    `status`, `channel`, `request_type`: one value or several (any of them). A category
    stands for itself and everything below it. `created_from` / `created_to` are inclusive;
    a naive datetime is read in the project's time zone. `search` matches part of the
    number, the title or the content. None or empty means "any"."""
    if ordering not in WORK_ORDER_ORDERINGS:
        message = f"不支持的排序：{ordering}"
        raise ValidationFailed(message, code="work_order.ordering", fields={"ordering": [message]})
    orders = work_orders_visible_to(user).select_related(*_LIST_RELATED)
    for field, wanted in (("status", status), ("channel", channel), ("request_type", request_type)):
        if values := _values(wanted):
            orders = orders.filter(**{f"{field}__in": values})
    if category_code:
        # Categories are three levels deep, so two parent hops reach every ancestor.
        orders = orders.filter(
            Q(category__code=category_code)
            | Q(category__parent__code=category_code)
            | Q(category__parent__parent__code=category_code)
        )
    if district_code:
        orders = orders.filter(district_code=district_code)
    if lead_unit_id is not None:
        orders = orders.filter(lead_unit_id=lead_unit_id)
    if created_from is not None:
        orders = orders.filter(created_at__gte=_aware(created_from))
    if created_to is not None:
        orders = orders.filter(created_at__lte=_aware(created_to))
    if search and (q := search.strip()):
        orders = orders.filter(
            Q(number__icontains=q) | Q(title__icontains=q) | Q(content__icontains=q)
        )
    return orders.order_by(ordering, "-id")


def _values(wanted: str | Iterable[str] | None) -> list[str]:
    if wanted is None:
        return []
    return [wanted] if isinstance(wanted, str) else [str(v) for v in wanted]


def _aware(value: dt.datetime) -> dt.datetime:
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def work_order_track(number: str, phone: str) -> WorkOrder:
    """The order numbered `number` whose caller left `phone` (compared normalised): the
    proof a caller without an account gives on the public track page and for their own
    rating. NotFound for a missing order, a wrong or malformed phone, alike — whichever half
    is wrong. Public doors limit wrong guesses (`hotline.tracking`).

    The order is returned whole, for its caller: pages built on it show the public timeline
    and the reply, never a member of staff's name nor another caller's data."""
    try:
        normalised = validate_caller_phone(phone)
    except ValidationFailed:
        normalised = ""
    number = (number or "").strip()
    order = None
    if normalised and number:
        order = WorkOrder.objects.filter(number=number, caller_phone=normalised).first()
    if order is None:
        raise NotFound(gettext("工单不存在"), code="work_order.not_found")
    return order


def work_order_get(user: User | Any, order_id: int | str) -> WorkOrder:
    """A visible order, without the caller-data rules or the audit: for services and for
    code that reads no personal field. NotFound for missing and invisible alike."""
    try:
        pk = int(order_id)
    except (TypeError, ValueError):
        raise NotFound(gettext("工单不存在"), code="work_order.not_found") from None
    order = (
        work_orders_visible_to(user)
        .select_related(*_LIST_RELATED, "first_unit", "caller_person", "caller_enterprise")
        .filter(pk=pk)
        .first()
    )
    if order is None:
        raise NotFound(gettext("工单不存在"), code="work_order.not_found")
    return order


@dataclass(frozen=True, slots=True)
class CallerView:
    """The caller (诉求人) as one reader may see them. `hidden`: confidential and the reader
    is not the centre — every field is empty, not even masked. `masked` names what is masked.
    `address` is where the problem is: a unit needs it to act, so it is masked only when the
    caller is confidential (a door number can tell who complained)."""

    name: str
    phone: str
    person_id: int | None
    enterprise_id: int | None
    address: str
    confidential: bool
    hidden: bool
    masked: tuple[str, ...]


def work_order_caller_view(user: User | Any, order: WorkOrder) -> CallerView:
    """The caller of `order` for `user` (who must already be allowed to see the order)."""
    if permissions.caller_in_full(user, order):
        return CallerView(
            name=order.caller_name,
            phone=order.caller_phone,
            person_id=order.caller_person_id,
            enterprise_id=order.caller_enterprise_id,
            address=order.address,
            confidential=order.confidential,
            hidden=False,
            masked=(),
        )
    if permissions.caller_hidden(user, order):
        return CallerView(
            name="",
            phone="",
            person_id=None,
            enterprise_id=None,
            address=mask_address(order.address),
            confidential=True,
            hidden=True,
            masked=("address",),
        )
    return CallerView(
        name=mask_name(order.caller_name),
        phone=mask_mobile(order.caller_phone),
        person_id=None,
        # An enterprise is public record; which one complained is not personal data.
        enterprise_id=order.caller_enterprise_id,
        address=order.address,
        confidential=False,
        hidden=False,
        masked=("name", "phone"),
    )


def work_order_content_masked(order: WorkOrder) -> str:
    """The order's text with every repetition of the order's address and of its caller's
    own address masked (the area kept, the door gone), as a confidential caller's text is
    shown to whoever does not see the caller."""
    addresses = [order.address]
    if order.caller_person is not None:
        addresses.append(order.caller_person.address)
    spans = [span for a in addresses if a for span in address_mentions(order.content, a)]
    return mask_spans(order.content, spans) if spans else order.content


def access_work_order(
    user: User | Any, order_id: int | str, *, actor: Actor | None = None
) -> WorkOrder:
    """The order `order_id` for `user`, with its caller fields already as `user` may see them
    (`work_order_caller_view`): masked for units, emptied when confidential. NotFound for a
    missing order and for one the user may not see, alike. Every read by someone other than
    the caller is audited as `work_order.read`.

    The returned instance is for reading: services lock and re-read the order themselves, and
    it must never be saved (its caller fields may be masked)."""
    order = work_order_get(user, order_id)
    view = work_order_caller_view(user, order)
    if not permissions.is_caller(user, order):
        with transaction.atomic():
            audit_record(
                actor=actor or Actor(user=user, via="web"),
                action="work_order.read",
                target=order,
                after={"role": user.role, "caller": "hidden" if view.hidden else list(view.masked)},
            )
    if view.hidden:
        # A confidential caller repeats their address in their own words ("我住华师路１号"):
        # the hidden address must not stand in the text either (decision 0074).
        order.content = work_order_content_masked(order)
    if view.masked or view.hidden:
        order.caller_name, order.caller_phone, order.address = view.name, view.phone, view.address
    if view.hidden:
        order.caller_person = None
        order.caller_enterprise = None
    return order


def timeline_for(user: User | Any, order: WorkOrder) -> QuerySet[TimelineEntry]:
    """The entries of `order` that `user` reads: public ones for the caller, public and
    staff ones for units and city-wide readers, all of them for the centre. Oldest first."""
    shown = permissions.timeline_visibilities(user, order)
    return (
        TimelineEntry.objects.filter(order=order, visibility__in=sorted(shown))
        .select_related("unit")
        .order_by("created_at", "id")
    )


def unit_inbox(user: User | Any) -> QuerySet[WorkOrder]:
    """待办: orders in the hands of the user's unit or a unit below it, the nearest deadline
    first (`resolution_due_at`; those without a running clock last). One query.

    "In the hands of" is an active assignment of such a unit. The lead's is read from the
    order itself: while an order is with a unit (`WITH_UNIT_STATUSES`) its `lead_unit` is the
    unit of its one active lead assignment — `assign` and `work_order_subdispatch` write both
    together, and every way into those statuses goes through them (decision 0037; the test
    `test_inbox_scope.py` checks it after every step). So the scope is an indexed
    `lead_unit_id = ANY(units below)` rather than an EXISTS over assignments per order
    (0.4–1.2 s at a million orders). Co-handlers (协办) see the order too: their few active
    assignments are read once, as a list of order ids."""
    path = permissions.handler_unit_path(user)
    if path is None:
        return WorkOrder.objects.none()
    units = OrgUnit.objects.filter(path__startswith=path).order_by().values("pk")
    co_held = (
        Assignment.objects.filter(
            role=AssignmentRole.CO,
            status__in=sorted(permissions.ACTIVE_ASSIGNMENT_STATUSES),
            unit__path__startswith=path,
        )
        .order_by()
        .values("order_id")
    )
    held = Q(InSubquery(F("lead_unit_id"), Subquery(units))) | Q(
        InSubquery(F("pk"), Subquery(co_held))
    )
    return (
        WorkOrder.objects.filter(held, status__in=sorted(WITH_UNIT_STATUSES))
        .select_related(*_LIST_RELATED)
        .order_by("resolution_due_at", "dispatched_at", "id")
    )


@dataclass(frozen=True)
class SupervisorBoard:
    """督办台: what the centre must act on now. Each list is one query when read; `counts`
    (open orders by status) was one query."""

    overdue: QuerySet[WorkOrder]  # a running clock is past its deadline (red)
    due_soon: QuerySet[WorkOrder]  # a running clock is past its warning (yellow)
    returns: QuerySet[WorkOrder]  # 退单 awaiting review
    extensions: QuerySet[ExtensionRequest]  # 延期 awaiting a decision
    callback_reviews: QuerySet[WorkOrder]  # dissatisfied callbacks awaiting judgement
    joint_meetings: QuerySet[WorkOrder]  # awaiting a joint meeting
    awaiting_callback: QuerySet[WorkOrder]  # replied, not yet called back
    counts: dict[str, int]


def supervisor_board(now: dt.datetime) -> SupervisorBoard:
    """The board at `now`. Callers check `permissions.is_centre_staff` first: the board
    lists every unit's orders."""
    orders = WorkOrder.objects.select_related(*_LIST_RELATED)
    with_unit = orders.filter(status__in=WITH_UNIT_STATUSES)
    counts = dict(
        WorkOrder.objects.filter(status__in=OPEN_STATUSES)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return SupervisorBoard(
        overdue=with_unit.filter(clock_due_at__lte=now).order_by("dispatched_at", "id"),
        due_soon=with_unit.filter(clock_yellow_at__lte=now, clock_due_at__gt=now).order_by(
            "dispatched_at", "id"
        ),
        returns=orders.filter(status=Status.RETURN_REQUESTED).order_by("updated_at", "id"),
        extensions=ExtensionRequest.objects.filter(status=ExtensionStatus.PENDING)
        .select_related("order", "unit")
        .order_by("created_at", "id"),
        callback_reviews=orders.filter(status=Status.CALLBACK_REVIEW).order_by("updated_at", "id"),
        joint_meetings=orders.filter(status=Status.JOINT_MEETING).order_by("updated_at", "id"),
        awaiting_callback=orders.filter(status=Status.REPLIED).order_by("replied_at", "id"),
        counts={str(k): int(v) for k, v in counts.items()},
    )


def caller_history(phone: str) -> QuerySet[WorkOrder]:
    """来电历史: earlier orders from the same phone number, newest first, for the agent who
    takes the call (repeat callers, duplicates to merge). Callers check
    `permissions.is_centre_staff`. A number that is not a valid phone matches nothing."""
    try:
        normalised = validate_caller_phone(phone)
    except ValidationFailed:
        return WorkOrder.objects.none()
    if not normalised:
        return WorkOrder.objects.none()
    return (
        WorkOrder.objects.filter(caller_phone=normalised)
        .select_related(*_LIST_RELATED)
        .order_by("-created_at", "-id")
    )


# --- the unit manager's sign-off (services/signoff.py) ----------------------------------------


def sign_offs_pending_for(user: User | Any) -> QuerySet[SignOffRequest]:
    """The requests `user` may decide, longest waiting first: a manager's own unit's and its
    sub-units' (a district manager also decides for its streets' policies). Requests whose
    order has left the unit (assignment withdrawn) are not listed. Nobody else has any."""
    path = permissions.handler_unit_path(user)
    if path is None or not permissions.is_unit_manager(user):
        return SignOffRequest.objects.none()
    return (
        SignOffRequest.objects.filter(status=SignOffStatus.PENDING, unit__path__startswith=path)
        .exclude(assignment__status=AssignmentStatus.WITHDRAWN)
        .select_related("order", "unit", "requested_by")
        .order_by("created_at", "pk")
    )


def sign_off_current(order: WorkOrder) -> SignOffRequest | None:
    """What the order page says about sign-off: the pending request, else the last one sent
    back while the same assignment still holds the order (the handler revises it)."""
    rows = SignOffRequest.objects.filter(order=order).select_related("requested_by", "decided_by")
    pending = rows.filter(status=SignOffStatus.PENDING).first()
    if pending is not None:
        return pending
    last = rows.order_by("-created_at", "-pk").first()
    if (
        last is not None
        and last.status == SignOffStatus.SENT_BACK
        and order.status in WITH_UNIT_STATUSES  # still the unit's to act on
        and last.assignment.status != AssignmentStatus.WITHDRAWN
    ):
        return last
    return None


# The sections of the supervisor board that are lists of orders (the hot-spot and duplicate
# panels are the insights app's). Keys are the sections' anchors and `?section=` values.
BOARD_SECTION_KEYS = (
    "overdue",
    "due_soon",
    "returns",
    "extensions",
    "callback_reviews",
    "joint_meetings",
    "callbacks",
)


def board_section_orders(key: str, now: dt.datetime) -> QuerySet[WorkOrder]:
    """The orders of one board section at `now`, unsorted and unpaged (hotline/queues.py
    sorts, filters and pages them). Callers check `permissions.is_supervisor` first: the
    board lists every unit's orders. An unknown key is no orders."""
    orders = WorkOrder.objects.select_related(*_LIST_RELATED)
    with_unit = orders.filter(status__in=WITH_UNIT_STATUSES)
    if key == "overdue":
        # The running clocks as copied onto the order (sla.sla_order_clocks_sync).
        return with_unit.filter(clock_due_at__lte=now)
    if key == "due_soon":
        return with_unit.filter(clock_yellow_at__lte=now, clock_due_at__gt=now)
    if key == "extensions":
        pending = ExtensionRequest.objects.filter(
            order=OuterRef("pk"), status=ExtensionStatus.PENDING
        )
        return orders.filter(Exists(pending))
    by_status = {
        "returns": Status.RETURN_REQUESTED,
        "callback_reviews": Status.CALLBACK_REVIEW,
        "joint_meetings": Status.JOINT_MEETING,
        "callbacks": Status.REPLIED,
    }
    if key in by_status:
        return orders.filter(status=by_status[key])
    return WorkOrder.objects.none()


def assignment_held_by(user: User | Any, order: WorkOrder) -> Assignment | None:
    """The assignment of `order` that the reader's unit (or a unit below it) holds now, lead
    first; None for anyone outside the units holding it."""
    rows = [
        a
        for a in order.assignments.select_related("unit", "handler")
        if a.status in permissions.ACTIVE_ASSIGNMENT_STATUSES
        and permissions.acts_for_unit(user, a.unit)
    ]
    rows.sort(key=lambda a: (a.role != AssignmentRole.LEAD, a.pk))
    return rows[0] if rows else None

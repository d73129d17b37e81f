"""The work order (工单), the units it is assigned to, and its timeline."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from hongmian.core.models import BaseModel
from hongmian.hotline.permissions import ACTIVE_ASSIGNMENT_STATUSES, UNIT_HANDLER_ROLES
from hongmian.hotline.states import (
    WITH_UNIT_STATUSES,
    AssignmentRole,
    AssignmentStatus,
    Channel,
    CloseReason,
    Priority,
    RequestType,
    Satisfaction,
    Status,
    Visibility,
)
from hongmian.identity.scoping import RestrictedQuerySet, Scope, Scopes
from hongmian.identity.states import PUBLIC_ROLES

# The `age` sort's key (按时长: longest in a unit's hands first, never dispatched last): the
# dispatch time with a far-future stand-in for none, so that an index on exactly this
# expression serves that sort and nothing else. A plain `dispatched_at` index was walked by
# the board's sections, whose `ORDER BY dispatched_at` it also matches (decisions 0036, 0037).
NEVER_DISPATCHED = dt.datetime(9000, 1, 1, tzinfo=dt.UTC)
AGE_SORT_KEY = Coalesce(
    "dispatched_at", Value(NEVER_DISPATCHED), output_field=models.DateTimeField()
)


class WorkOrder(BaseModel):
    """工单 — one citizen's or enterprise's request through its whole life.

    The caller's name, phone and the free address are personal data: read them through
    `selectors.access_work_order`, which hides a confidential caller from handling units.
    `version` increases on every change so that a stale update can be refused (409)."""

    number = models.CharField(_("工单编号"), max_length=32, unique=True)
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    request_type = models.CharField(_("诉求类型"), max_length=16, choices=RequestType.choices)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    priority = models.CharField(
        _("优先级"), max_length=16, choices=Priority.choices, default=Priority.NORMAL
    )
    version = models.PositiveIntegerField(_("版本"), default=1)

    # The caller (诉求人). Either a known person/enterprise, or just a name and a phone.
    caller_name = models.CharField(_("诉求人"), max_length=50, blank=True)
    caller_phone = models.CharField(_("联系电话"), max_length=20, blank=True, db_index=True)
    caller_person = models.ForeignKey(
        "identity.Person",
        verbose_name=_("自然人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="work_orders",
    )
    caller_enterprise = models.ForeignKey(
        "identity.Enterprise",
        verbose_name=_("企业"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="work_orders",
    )
    # The account that filed it online (citizen pages, app, Open311 client's end user).
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="submitted_work_orders",
    )
    confidential = models.BooleanField(_("保密"), default=False)

    title = models.CharField(_("标题"), max_length=200)
    content = models.TextField(_("诉求内容"))

    address = models.CharField(_("地址"), max_length=300, blank=True)
    district_code = models.CharField(_("区"), max_length=9, blank=True, db_index=True)
    street_code = models.CharField(_("街镇"), max_length=9, blank=True, db_index=True)
    address_confidence = models.FloatField(_("地址识别置信度"), default=0)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )

    category = models.ForeignKey(
        "hotline.Category",
        verbose_name=_("分类"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="work_orders",
    )
    is_enterprise = models.BooleanField(_("涉企"), default=False)  # 营商环境 track
    is_emergency = models.BooleanField(_("应急"), default=False)  # emergency-zone tag

    lead_unit = models.ForeignKey(
        "identity.OrgUnit",
        verbose_name=_("主办单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lead_work_orders",
    )
    # 首接负责: the first unit dispatched to; it leads until the centre decides otherwise.
    first_unit = models.ForeignKey(
        "identity.OrgUnit",
        verbose_name=_("首接单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    dispatched_at = models.DateTimeField(_("派单时间"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    reply = models.TextField(_("答复意见"), blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    close_reason = models.CharField(
        _("办结方式"), max_length=16, choices=CloseReason.choices, blank=True
    )
    archived_at = models.DateTimeField(_("归档时间"), null=True, blank=True)
    # Reference of the knowledge article used for a direct answer ("knowledge:<id>").
    answer_source = models.CharField(_("答复依据"), max_length=100, blank=True)

    master = models.ForeignKey(
        "self",
        verbose_name=_("主工单"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_orders",
    )
    # Outcome of the last callback, copied here so that rates are one query.
    satisfaction = models.CharField(
        _("满意度"), max_length=16, choices=Satisfaction.choices, blank=True
    )
    resolved = models.BooleanField(_("已解决"), null=True, blank=True)
    return_count = models.PositiveSmallIntegerField(_("退单次数"), default=0)
    reopen_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    extension_count = models.PositiveSmallIntegerField(_("延期次数"), default=0)
    # The running clocks, copied here by hotline/services/sla.py (its one writer,
    # `sla_order_clocks_sync`) so that the lists' lights and deadline sorts read one indexed
    # column instead of a subquery over the clocks per order (decision 0036). Null when no
    # clock runs. The clocks stay the truth: these follow every start, stop and extension.
    clock_due_at = models.DateTimeField(_("最近截止时间"), null=True, blank=True)
    clock_yellow_at = models.DateTimeField(_("最近预警时间"), null=True, blank=True)
    resolution_due_at = models.DateTimeField(_("办结截止时间"), null=True, blank=True)

    # Given by an API client: a retried create with the same key returns the same order.
    # NULL (not "") when absent, so that the partial unique constraint ignores it.
    idempotency_key = models.CharField(  # noqa: DJ001
        _("幂等键"), max_length=100, null=True, blank=True
    )
    # SHA-256 of the request that came with the key: a retry must carry the same request,
    # and a different one under a used key is refused (409) rather than silently ignored.
    idempotency_fingerprint = models.CharField(_("请求指纹"), max_length=64, blank=True)
    # Open311 clients may hold a token before the order has a number.
    external_ref = models.CharField(_("外部编号"), max_length=100, blank=True)

    scopes: ClassVar[Scopes] = {
        # Who reads the order (selectors.work_orders_visible_to): the city-wide roles all; a
        # handling unit what was assigned to it or a unit below it, now or ever; the public
        # what they filed or what names them as the caller.
        "view": Scope(
            unit="assignments__unit",
            unit_roles=UNIT_HANDLER_ROLES,
            owners=("submitted_by", "caller_person__user"),
            owner_roles=PUBLIC_ROLES,
        ),
        # What is in a unit's hands (selectors.unit_inbox): through an assignment still
        # pending or acknowledged. The centre's roles hold no assignment, so see none here.
        "handle": Scope(
            city_wide=frozenset(),
            unit="assignments__unit",
            unit_roles=UNIT_HANDLER_ROLES,
            unit_where=Q(status__in=sorted(ACTIVE_ASSIGNMENT_STATUSES)),
        ),
    }
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("工单")
        verbose_name_plural = _("工单")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["submitted_by", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="hotline_order_idempotency_key",
            ),
            # One order per system alert (services/alerts.py de-duplicates by source_ref).
            models.UniqueConstraint(
                fields=["external_ref"],
                condition=Q(channel=Channel.SYSTEM),
                name="hotline_order_system_alert_ref",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="hotline_order_coordinates_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.MERGED) | Q(master__isnull=False),
                name="hotline_merged_has_master",
            ),
        ]
        indexes = [
            models.Index(fields=["lead_unit", "status"], name="hotline_order_unit_status"),
            models.Index(fields=["status", "created_at"], name="hotline_order_status_created"),
            # The queues' sorts (hotline/queues.py): the callback queue by reply time, the
            # 按时长 sort by dispatch time, each inside a status.
            # With the id, so that a deep page reads its ids from the index alone and then
            # its 50 rows (queues.queue_rows, decision 0051). Newest first (`replied_at
            # DESC NULLS LAST`) has its own, PostgreSQL's alone (SQLite has no NULLS LAST
            # in an index): migration 0012 makes it.
            models.Index(
                fields=["status", "replied_at", "id"], name="hotline_order_status_replied"
            ),
            # Every order newest first, the id with it (the field's own index has no id):
            # 工单查询's deep pages read their ids from it alone (decision 0051).
            models.Index(fields=["created_at", "id"], name="hotline_order_created"),
            # A district's orders newest first (工单查询 and the API's `district`).
            models.Index(
                fields=["district_code", "created_at", "id"], name="hotline_order_district_new"
            ),
            models.Index(fields=["status", "dispatched_at"], name="hotline_order_status_disp"),
            # `sort=age` over every status (AGE_SORT_KEY above), and the same over the orders
            # in a unit's hands alone: the board's 已超时 / 即将到期 and the inbox walk that
            # one in age order (≈ 8 % of the orders, half of them late) and stop at a page,
            # never the million closed ones first (decision 0037).
            models.Index(AGE_SORT_KEY, "created_at", "id", name="hotline_order_age"),
            # The clock and the dispatch time last: the board's 已超时 reads a deep page's
            # ids from this index alone (an index-only scan needs every column the query
            # names, the sort expression's own too; decision 0051).
            models.Index(
                AGE_SORT_KEY,
                "created_at",
                "id",
                "clock_due_at",
                "dispatched_at",
                condition=Q(status__in=sorted(WITH_UNIT_STATUSES)),
                name="hotline_order_age_with_unit",
            ),
            # Lights and the deadline sorts (decision 0036). `lateness` and `deadline` sort
            # every order, the clock-less last (NULLS LAST, the btree's own order), so their
            # indexes are whole; the warning is only filtered on: running clocks alone.
            models.Index(fields=["clock_due_at", "id"], name="hotline_order_clock_due"),
            models.Index(
                fields=["clock_yellow_at", "id"],
                condition=Q(clock_yellow_at__isnull=False),
                name="hotline_order_clock_yellow",
            ),
            models.Index(fields=["resolution_due_at", "id"], name="hotline_order_resolution_due"),
            # The filters that keep a few percent of the orders, so that their true count is
            # an index scan, not a scan of the table (decision 0036).
            models.Index(
                fields=["satisfaction", "created_at"],
                condition=~Q(satisfaction=""),
                name="hotline_order_satisfaction",
            ),
            models.Index(
                fields=["created_at"],
                condition=Q(is_enterprise=True),
                name="hotline_order_enterprise",
            ),
            models.Index(
                fields=["created_at"],
                condition=Q(is_emergency=True),
                name="hotline_order_emergency",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class NumberCounter(models.Model):
    """编号计数器 — the last number handed out, for databases without sequences (SQLite).
    On PostgreSQL order numbers come from a SEQUENCE instead, so that intakes never queue
    behind one row lock (docs/decisions/0007-work-order-numbers.md)."""

    name = models.CharField(_("名称"), max_length=32, primary_key=True)
    value = models.PositiveBigIntegerField(_("当前值"), default=0)

    class Meta:
        verbose_name = _("编号计数器")
        verbose_name_plural = _("编号计数器")

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class Assignment(BaseModel):
    """派单记录 — the order in one unit's hands, as lead (主办) or co-handler (协办). A
    re-dispatch withdraws the old rows and adds new ones, so the history stays."""

    order = models.ForeignKey(
        WorkOrder, verbose_name=_("工单"), on_delete=models.CASCADE, related_name="assignments"
    )
    unit = models.ForeignKey(
        "identity.OrgUnit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("角色"), max_length=8, choices=AssignmentRole.choices)
    status = models.CharField(
        _("状态"), max_length=16, choices=AssignmentStatus.choices, default=AssignmentStatus.PENDING
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("派单人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    reply = models.TextField(_("答复内容"), blank=True)
    # 经办人: the member of the unit who works the order (set by the unit's manager, or taken
    # by a handler: services/assignment.py). Empty while the unit has not said who.
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="handled_assignments",
    )

    class Meta:
        verbose_name = _("派单记录")
        verbose_name_plural = _("派单记录")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["unit", "status"], name="hotline_assignment_inbox"),
            # The inbox's 我的 view: a handler's assignments still in hand.
            models.Index(fields=["handler", "status"], name="hotline_assignment_handler"),
            # The inbox's co-handlers (selectors.unit_inbox): the few 协办 still in hand.
            models.Index(
                fields=["unit", "order"],
                condition=Q(role=AssignmentRole.CO, status__in=sorted(ACTIVE_ASSIGNMENT_STATUSES)),
                name="hotline_assignment_co_held",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order} → {self.unit} ({self.get_role_display()})"


class TimelineEntry(models.Model):
    """工单轨迹 — one event in an order's life, marked public, staff or internal so that each
    reader sees only what is theirs to see. Written by the services, never edited."""

    order = models.ForeignKey(
        WorkOrder, verbose_name=_("工单"), on_delete=models.CASCADE, related_name="timeline"
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("操作人名称"), max_length=150)
    unit = models.ForeignKey(
        "identity.OrgUnit",
        verbose_name=_("单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(_("事件"), max_length=32)
    visibility = models.CharField(_("可见范围"), max_length=16, choices=Visibility.choices)
    text = models.TextField(_("内容"), blank=True)
    data = models.JSONField(_("数据"), default=dict, blank=True)

    class Meta:
        verbose_name = _("工单轨迹")
        verbose_name_plural = _("工单轨迹")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.order} {self.kind}"

"""Applications (办件): what a citizen or an enterprise applies for (a catalogue item), the
form it fills, the materials it provides and the department's review, with the promised
time limit on the business calendar (decision 0053)."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hongmian.applications.rule_models import RuleVersion
from hongmian.applications.states import Applicant, MaterialMode, Status
from hongmian.catalog.models import LifeEvent, Material, ServiceItem
from hongmian.core.models import BaseModel
from hongmian.identity.models import Enterprise, OrgUnit, Person
from hongmian.identity.scoping import RestrictedQuerySet, Scope, Scopes
from hongmian.identity.states import PUBLIC_ROLES, Role

KEY_MAX = 100
# The department's staff who review applications for their unit's items (and those below).
REVIEW_ROLES = frozenset({Role.DEPT_HANDLER, Role.DEPT_MANAGER})


class ItemForm(BaseModel):
    """申请表单 — the fields an item's application asks for, as a checked declaration
    (definitions.FormDefinition). Kept beside the item, not in its versioned content, so
    that a form can be given to an item of any catalogue without a new item version; its
    `revision` is recorded on each application made with it."""

    item = models.OneToOneField(
        ServiceItem,
        verbose_name=_("事项"),
        on_delete=models.CASCADE,
        related_name="application_form",
    )
    fields = models.JSONField(_("表单字段"), default=list)
    revision = models.PositiveIntegerField(_("表单版本"), default=1)

    class Meta:
        verbose_name = _("申请表单")
        verbose_name_plural = _("申请表单")

    def __str__(self) -> str:
        return f"{self.item_id} r{self.revision}"


class Application(BaseModel):
    """办件 — one application for one item by one applicant (a person, or an enterprise
    through its representative): the answers, where each pre-filled answer came from, what
    the applicant stated instead (kept apart from the department's data), the status and
    the promised time limit's clock."""

    number = models.CharField(_("办件编号"), max_length=32, unique=True)
    item = models.ForeignKey(
        ServiceItem, verbose_name=_("事项"), on_delete=models.PROTECT, related_name="+"
    )
    # The item's department when applied for: who reviews it (the scope's unit).
    department = models.ForeignKey(
        OrgUnit, verbose_name=_("受理部门"), on_delete=models.PROTECT, related_name="+"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请账号"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    applicant_kind = models.CharField(
        _("申请人类型"), max_length=16, choices=Applicant.choices, default=Applicant.PERSON
    )
    person = models.ForeignKey(
        Person, verbose_name=_("申请人"), null=True, blank=True, on_delete=models.PROTECT
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("申请企业"), null=True, blank=True, on_delete=models.PROTECT
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    form_revision = models.PositiveIntegerField(_("表单版本"), default=0)
    # Form key → the answer as it is submitted (text).
    answers = models.JSONField(_("填报内容"), default=dict)
    # Form key → {"value", "source", "as_of", "file_field"}: what the file said when the
    # form was filled from it (shown beside the field; never written back to the file).
    prefill = models.JSONField(_("预填来源"), default=dict)
    # Form key → {"value", "file_value"}: where the applicant corrected the file's value —
    # the applicant's statement (申请人声明), kept here and never pushed to the department.
    statements = models.JSONField(_("申请人更正"), default=dict)
    # 补正: what the department asked to fix (a list of texts), and whether it has been used.
    corrections = models.JSONField(_("补正清单"), default=list, blank=True)
    correction_used = models.BooleanField(_("已补正过"), default=False)
    reason = models.TextField(_("不予受理或不予许可理由"), blank=True)
    result_note = models.TextField(_("办理结果"), blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    # The promised time limit (working days) and its clock (core.deadlines): it starts at
    # 受理, pauses during 补正 (`paused_at`), stops at the decision.
    limit_days = models.PositiveIntegerField(_("承诺时限（工作日）"), null=True, blank=True)
    yellow_at = models.DateTimeField(_("预警时间"), null=True, blank=True)
    due_at = models.DateTimeField(_("到期时间"), null=True, blank=True, db_index=True)
    paused_at = models.DateTimeField(_("暂停计时"), null=True, blank=True)
    stopped_at = models.DateTimeField(_("停止计时"), null=True, blank=True)
    urged_at = models.DateTimeField(_("催办时间"), null=True, blank=True)
    supervised_at = models.DateTimeField(_("督办时间"), null=True, blank=True)
    # Idempotency-Key of the API's create and submit: a retry finds the first attempt.
    create_key = models.CharField(max_length=KEY_MAX, blank=True)
    submit_key = models.CharField(max_length=KEY_MAX, blank=True)
    # 帮办代办: who filled and submitted it for the applicant (a relative, or hall staff),
    # and the authorisation they acted under (decision 0072); empty when the applicant did.
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("代办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    mandate = models.ForeignKey(
        "identity.Mandate",
        verbose_name=_("委托授权"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # 秒批 (decision 0066): the rule version evaluated at submission, whether it approved
    # at once, and each condition's check (the reviewer sees the failed ones).
    rule_version = models.ForeignKey(
        RuleVersion,
        verbose_name=_("秒批规则版本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    instant = models.BooleanField(_("秒批"), default=False)
    rule_checks = models.JSONField(_("秒批条件核验"), default=list, blank=True)

    scopes: ClassVar[Scopes] = {
        # No city-wide readers: an application is the applicant's and its department's
        # business (the hotline and the city's leaders see figures, not files).
        "view": Scope(
            city_wide=frozenset(),
            unit="department",
            unit_roles=REVIEW_ROLES,
            owners=("applicant",),
            owner_roles=PUBLIC_ROLES,
        ),
    }
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("办件")
        verbose_name_plural = _("办件")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in Status]),
                name="applications_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(person__isnull=False) | Q(enterprise__isnull=False),
                name="applications_has_applicant",
            ),
            models.UniqueConstraint(
                fields=["applicant", "create_key"],
                condition=~Q(create_key=""),
                name="applications_create_key_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["department", "status"], name="applications_desk"),
            models.Index(fields=["applicant", "status"], name="applications_mine"),
        ]

    def __str__(self) -> str:
        return self.number


class ApplicationMaterial(BaseModel):
    """提交材料 — how one material the item asks for is provided: a file uploaded now, a
    file reused from an earlier application of the same applicant (with consent, naming the
    source), or an e-certificate the applicant holds (with consent)."""

    application = models.ForeignKey(
        Application, verbose_name=_("办件"), on_delete=models.CASCADE, related_name="materials"
    )
    material = models.ForeignKey(
        Material, verbose_name=_("材料"), on_delete=models.PROTECT, related_name="+"
    )
    # The material's name when provided: reuse matches on it across items.
    name = models.CharField(_("材料名称"), max_length=200)
    mode = models.CharField(_("提供方式"), max_length=16, choices=MaterialMode.choices)
    file_name = models.CharField(_("文件名"), max_length=200, blank=True)
    storage_name = models.CharField(max_length=300, blank=True)
    content_type = models.CharField(_("文件类型"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("大小"), default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    reused_from = models.ForeignKey(
        "self",
        verbose_name=_("复用来源"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source_application = models.ForeignKey(
        Application,
        verbose_name=_("来源办件"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    certificate_ref = models.CharField(_("电子证照"), max_length=200, blank=True)
    # When the applicant agreed to the reuse or the certificate's use (None for an upload).
    consented_at = models.DateTimeField(_("同意使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("提交材料")
        verbose_name_plural = _("提交材料")
        ordering = ["application", "material__position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "material"], name="applications_one_per_material"
            ),
            models.CheckConstraint(
                condition=Q(mode__in=[m.value for m in MaterialMode]),
                name="applications_material_mode_valid",
            ),
            models.CheckConstraint(
                condition=Q(mode=MaterialMode.UPLOAD) | Q(consented_at__isnull=False),
                name="applications_reuse_needs_consent",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ApplicationEvent(models.Model):
    """办件记录 — one step of an application's history, as the applicant and the department
    see it (the audit log holds the same acts with their actors' addresses)."""

    application = models.ForeignKey(
        Application, verbose_name=_("办件"), on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(_("类型"), max_length=32)
    from_status = models.CharField(_("原状态"), max_length=16, blank=True)
    to_status = models.CharField(_("新状态"), max_length=16, blank=True)
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("办件记录")
        verbose_name_plural = _("办件记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.application_id} {self.kind}"


# --- life-event bundles (一件事一次办, decision 0068) ---------------------------------------


class Bundle(BaseModel):
    """一件事一次办 — a life event offered as one combined application: the catalogue items
    it files (by name, in order; an item that each district implements is resolved to the
    applicant's chosen district when the bundle is started). The combined form is derived
    from the parts' forms (services.bundles.combined_form), never kept twice."""

    life_event = models.OneToOneField(
        LifeEvent, verbose_name=_("主题服务"), on_delete=models.CASCADE, related_name="bundle"
    )
    item_names = models.JSONField(_("联办事项"), default=list)
    note = models.TextField(_("办理说明"), blank=True)
    active = models.BooleanField(_("开放办理"), default=True)

    class Meta:
        verbose_name = _("一件事联办")
        verbose_name_plural = _("一件事联办")
        ordering = ["life_event__position", "id"]

    def __str__(self) -> str:
        return str(self.life_event_id)


class BundleApplication(BaseModel):
    """一件事的一次申请 — one applicant's combined application: one draft per part (each an
    ordinary Application of its department, linked by BundlePart), one submission, one
    combined status derived from the parts (bundle_states.combined_status) and, when a
    department refuses its part at the door, the withdrawal of the others (compensation)."""

    number = models.CharField(_("联办编号"), max_length=32, unique=True)
    bundle = models.ForeignKey(
        Bundle, verbose_name=_("一件事"), on_delete=models.PROTECT, related_name="applications"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请账号"),
        on_delete=models.PROTECT,
        related_name="bundle_applications",
    )
    # Where the district items are handled (None when every part is a city item).
    place = models.ForeignKey(
        OrgUnit,
        verbose_name=_("办理地"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    # Compensation: when and why the other parts were withdrawn (a part refused at 受理).
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    withdraw_reason = models.TextField(_("撤回原因"), blank=True)
    create_key = models.CharField(max_length=KEY_MAX, blank=True)
    submit_key = models.CharField(max_length=KEY_MAX, blank=True)

    scopes: ClassVar[Scopes] = {
        # The applicant's alone: each department reads its own part (Application's scope).
        "view": Scope(
            city_wide=frozenset(),
            owners=("applicant",),
            owner_roles=PUBLIC_ROLES,
        ),
    }
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("一件事申请")
        verbose_name_plural = _("一件事申请")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "create_key"],
                condition=~Q(create_key=""),
                name="applications_bundle_create_key_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class BundlePart(models.Model):
    """One part of a combined application: the ordinary application filed with its
    department (which sees it on its desk like any other, and nothing of the rest)."""

    bundle_application = models.ForeignKey(
        BundleApplication,
        verbose_name=_("一件事申请"),
        on_delete=models.CASCADE,
        related_name="parts",
    )
    application = models.OneToOneField(
        Application, verbose_name=_("办件"), on_delete=models.CASCADE, related_name="bundle_part"
    )
    position = models.PositiveSmallIntegerField(_("顺序"))

    class Meta:
        verbose_name = _("联办事项")
        verbose_name_plural = _("联办事项")
        ordering = ["bundle_application", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["bundle_application", "position"], name="applications_bundle_part_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bundle_application_id}#{self.position}"

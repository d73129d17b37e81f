"""The shared kernel's models: the abstract BaseModel and the audit trail."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class BaseModel(models.Model):
    """Every domain model records when it was created and last changed."""

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class ReviewedVersion(BaseModel):
    """The review trail of a version that is edited, submitted, reviewed and published
    (knowledge articles, service items): who did each step and when. The states and their
    transitions stay with each app (its states.py); the fields are the same everywhere."""

    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("编辑人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_note = models.TextField(_("审核意见"), blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        abstract = True


class AuditEvent(models.Model):
    """审计日志 — one state change, or one read of a person's file.

    Written by `hongmian.core.audit.audit_record` inside the same transaction as the change,
    so an audited change and its entry commit or roll back together. Never updated.

    Tamper-evident (防篡改, decision 0046): each entry has its place in one of the chain's
    lanes (`lane`, and `seq` 1, 2, 3 … with no gap within it; decision 0061) and the
    SHA-256 of its own content and of the previous entry's hash in that lane (`hash`,
    `prev_hash`; `hongmian.core.audit_chain`). An entry edited, removed or slipped in
    afterwards breaks its lane at that place, which `hongmian audit verify` reports.
    """

    # Set by `audit_event` before the entry is hashed (an auto_now_add value would be set
    # again at the INSERT, after the hash was taken).
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The actor's name is copied so the entry still reads after the user is gone.
    actor_label = models.CharField(_("操作人名称"), max_length=150)
    via = models.CharField(_("渠道"), max_length=16)
    client_address = models.GenericIPAddressField(_("客户端地址"), null=True, blank=True)
    action = models.CharField(_("动作"), max_length=64, db_index=True)
    target_type = models.CharField(_("对象类型"), max_length=64)
    target_id = models.CharField(_("对象编号"), max_length=64)
    before = models.JSONField(_("变更前"), null=True, blank=True)
    after = models.JSONField(_("变更后"), null=True, blank=True)
    # Entries written before the lanes are lane 1's, with their places and hashes unchanged.
    lane = models.PositiveSmallIntegerField(_("分链"), default=1)
    seq = models.PositiveBigIntegerField(_("链序号"))
    prev_hash = models.CharField(_("前一条哈希"), max_length=64)
    hash = models.CharField(_("哈希"), max_length=64)

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="audit_target_idx"),
            # The auditor's search by who did it, newest first.
            models.Index(fields=["actor_label", "-created_at"], name="audit_actor_idx"),
        ]
        constraints = [
            # Also the index the verifier walks a lane by.
            models.UniqueConstraint(fields=["lane", "seq"], name="audit_lane_seq_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action}"


class AuditChainHead(models.Model):
    """审计链头 — the end of one lane of the audit chain (the row's id is the lane's number):
    how long it is and its last entry's hash.

    Appending to a lane first updates its head (`hongmian.core.audit_chain`), which locks it
    until the appending transaction ends: appends on one lane take turns and it cannot fork,
    while transactions on other lanes go on (decision 0061). It also tells a removed last
    entry from a lane that simply ends there."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    length = models.PositiveBigIntegerField(_("长度"), default=0)
    last_hash = models.CharField(_("末条哈希"), max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("审计链头")
        verbose_name_plural = _("审计链头")
        constraints = [
            models.CheckConstraint(condition=models.Q(id__gte=1), name="core_auditchainhead_lane")
        ]

    def __str__(self) -> str:
        return f"{self.length} {self.last_hash[:12]}"


class JobRun(models.Model):
    """后台任务记录 — one attempt of a background job, kept so that no failure is silent."""

    class Outcome(models.TextChoices):
        SUCCEEDED = "succeeded", _("成功")
        FAILED = "failed", _("失败")
        RETRYING = "retrying", _("失败，将重试")

    created_at = models.DateTimeField(_("开始时间"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    job = models.CharField(_("任务"), max_length=200, db_index=True)
    attempt = models.PositiveSmallIntegerField(_("第几次"), default=1)
    outcome = models.CharField(_("结果"), max_length=16, choices=Outcome.choices)
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        verbose_name = _("后台任务记录")
        verbose_name_plural = _("后台任务记录")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.job} #{self.attempt} {self.outcome}"


class CalendarOverride(BaseModel):
    """营业日历调整 — an administrator's correction of the official working-day calendar for
    one date: a local holiday, a day when Guangzhou stops work for a typhoon (台风停工), or next
    year's schedule (放假安排 and 调休上班) entered before the chinese_calendar library has it.

    An override wins over the official schedule. Write it only through
    `hongmian.core.services.calendar_override_set` / `calendar_override_remove`: they audit
    the change and tell every process that its cached copy of the calendar is stale.
    """

    class Kind(models.TextChoices):
        WORKDAY = "workday", _("上班")  # a working day, whatever the official calendar says
        HOLIDAY = "holiday", _("放假")  # a day off, whatever the official calendar says

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=50, help_text=_("例如：台风停工"))
    reason = models.TextField(_("原因"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("营业日历调整")
        verbose_name_plural = _("营业日历调整")
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["workday", "holiday"]),
                name="core_calendaroverride_kind_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(name=""), name="core_calendaroverride_name_present"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.name}"


class CacheVersion(models.Model):
    """缓存版本 — a counter for data that every process caches in memory (the calendar's
    overrides). The service that changes the data increments it in the same transaction, so
    another process can tell that its copy is stale by reading one row (decision 0003)."""

    key = models.CharField(_("键"), max_length=64, primary_key=True)
    version = models.PositiveBigIntegerField(_("版本"), default=0)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("缓存版本")
        verbose_name_plural = _("缓存版本")

    def __str__(self) -> str:
        return f"{self.key}@{self.version}"


class SigningKey(BaseModel):
    """签名密钥 — one key of the platform's signing keyring (core/keyring.py), for one purpose
    ("certificates", "citycode" …). The newest key whose `not_after_use` is still ahead signs;
    every key not yet retired is published in the purpose's JWK Set, so what an older key
    signed still verifies until it expires. Written only through core/keyring.py."""

    purpose = models.CharField(_("用途"), max_length=32)
    kid = models.CharField(_("密钥标识"), max_length=64, unique=True)
    algorithm = models.CharField(_("算法"), max_length=16)
    # The public half as a JWK (RFC 7517), as published.
    public_jwk = models.JSONField(_("公钥"))
    # The private half: PKCS#8 PEM encrypted with HONGMIAN_KEYRING_PASSPHRASE, so that a copy
    # of the table (a backup, a replica) does not sign anything by itself.
    private_key = models.TextField(_("私钥（加密）"))
    not_after_use = models.DateTimeField(_("停止签发时间"))
    retired_at = models.DateTimeField(_("退役时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("签名密钥")
        verbose_name_plural = _("签名密钥")
        ordering = ["purpose", "-created_at", "-id"]
        indexes = [models.Index(fields=["purpose", "retired_at"], name="core_signingkey_live")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(purpose=""), name="core_signingkey_purpose_present"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purpose}:{self.kid}"


class RateCounter(models.Model):
    """限流计数 — how many times one key (an address on the track page, an account at the
    login) was counted in its current window. Written only by `hongmian.core.ratelimit`, with
    one atomic statement, so that every web process and worker shares one count (a count in
    each process's memory let N workers allow N times the limit). Rows whose window ended are
    stale and are deleted nightly (`core.tasks.prune_rate_counters`)."""

    key = models.CharField(_("键"), primary_key=True, max_length=200)
    count = models.PositiveIntegerField(_("次数"), default=0)
    window_ends = models.DateTimeField(_("窗口结束"), db_index=True)

    class Meta:
        verbose_name = _("限流计数")
        verbose_name_plural = _("限流计数")

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"

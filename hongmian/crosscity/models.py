"""跨域通办: partner cities, the application packages exchanged with them and the status
updates that come back (decision 0070)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hongmian.applications.models import Application
from hongmian.core.models import BaseModel
from hongmian.crosscity.states import Delivery, Direction


class Partner(BaseModel):
    """合作城市 — another city's platform: where its packages go (`endpoint`), where it
    publishes the keys it signs with (`keys_url`; its e-certificates' keys at
    `certificates_keys_url`), and the cached key sets (refreshed on an unknown kid)."""

    code = models.CharField(_("城市代码"), max_length=12, unique=True)
    name = models.CharField(_("城市名称"), max_length=50)
    endpoint = models.URLField(_("接口地址"), max_length=300)
    keys_url = models.URLField(_("公钥地址"), max_length=300)
    certificates_keys_url = models.URLField(_("电子证照公钥地址"), max_length=300)
    active = models.BooleanField(_("启用"), default=True)
    jwks = models.JSONField(_("公钥缓存"), default=dict, blank=True)
    certificates_jwks = models.JSONField(_("电子证照公钥缓存"), default=dict, blank=True)
    keys_fetched_at = models.DateTimeField(_("公钥获取时间"), null=True, blank=True)
    # The account that stands as the applicant of what this partner sends here (it cannot
    # log in): a received application's person is the real applicant.
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("代收账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("合作城市")
        verbose_name_plural = _("合作城市")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class Package(BaseModel):
    """跨域申请包 — one application sent to a partner (OUT) or received from one (IN): the
    signed token as it travelled, its digest (a retry carries the same one; another package
    reusing the id does not), and the partner's signed receipt."""

    package_id = models.UUIDField(_("申请包标识"), default=uuid.uuid4)
    direction = models.CharField(_("方向"), max_length=3, choices=Direction.choices)
    partner = models.ForeignKey(
        Partner, verbose_name=_("合作城市"), on_delete=models.PROTECT, related_name="packages"
    )
    application = models.ForeignKey(
        Application,
        verbose_name=_("办件"),
        on_delete=models.PROTECT,
        related_name="crosscity_packages",
    )
    item_code = models.CharField(_("事项编码"), max_length=64)
    item_name = models.CharField(_("事项名称"), max_length=200)
    token = models.TextField(_("签名申请包"))
    digest = models.CharField(_("摘要"), max_length=64)
    delivery = models.CharField(_("状态"), max_length=12, choices=Delivery.choices)
    attempts = models.PositiveIntegerField(_("发送次数"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True)
    receipt = models.TextField(_("签名回执"), blank=True)
    # The receiving platform's application number, and when it says it received it.
    remote_reference = models.CharField(_("对方办件编号"), max_length=32, blank=True)
    received_at = models.DateTimeField(_("接收时间"), null=True, blank=True)
    # The last status the partner reported (OUT) or was sent (IN), e.g. "accepted".
    remote_status = models.CharField(_("对方状态"), max_length=16, blank=True)

    class Meta:
        verbose_name = _("跨域申请包")
        verbose_name_plural = _("跨域申请包")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "direction", "package_id"], name="crosscity_package_once"
            ),
            models.CheckConstraint(
                condition=Q(direction__in=[d.value for d in Direction]),
                name="crosscity_package_direction_valid",
            ),
        ]

    def __str__(self) -> str:
        return str(self.package_id)


class StatusUpdate(BaseModel):
    """状态回传 — one status of a cross-city application, signed by the city handling it and
    sent back (OUT here when we handle it; IN when the partner reports)."""

    update_id = models.UUIDField(_("回传标识"), default=uuid.uuid4)
    package = models.ForeignKey(
        Package, verbose_name=_("申请包"), on_delete=models.CASCADE, related_name="updates"
    )
    direction = models.CharField(_("方向"), max_length=3, choices=Direction.choices)
    status = models.CharField(_("状态"), max_length=16)
    status_label = models.CharField(_("状态名称"), max_length=32)
    note = models.TextField(_("说明"), blank=True)
    at = models.DateTimeField(_("发生时间"))
    token = models.TextField(_("签名回传"))
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("发送次数"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True)

    class Meta:
        verbose_name = _("状态回传")
        verbose_name_plural = _("状态回传")
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["package", "direction", "update_id"], name="crosscity_update_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.package_id} {self.status}"

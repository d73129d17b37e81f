"""电子证照 — certificates a department issued to a person or an enterprise, each kept with
the signed document (a compact JWS, decision 0052) that the holder carries and anyone verifies."""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hongmian.catalog.models import CertificateType
from hongmian.certificates.states import ISSUER_STAFF_ROLES, RevokeReason
from hongmian.core.models import BaseModel
from hongmian.identity.models import Enterprise, OrgUnit, Person
from hongmian.identity.scoping import RestrictedQuerySet, Scope, Scopes
from hongmian.identity.states import PUBLIC_ROLES


class Certificate(BaseModel):
    """电子证照 — one issued certificate. The holder sees it in their wallet (我的证照), the
    issuing department's staff see what their unit issued; nobody city-wide reads them. The
    `token` is what was signed and handed out: it is never re-signed, so the row's other
    columns are copies for lists and lookups, and revocation is the only change."""

    # The certificate id (the JWS's `jti`): public, printed on the QR code and in lists.
    cert_id = models.UUIDField(_("证照标识"), default=uuid.uuid4, unique=True, editable=False)
    type = models.ForeignKey(
        CertificateType, verbose_name=_("证照类型"), on_delete=models.PROTECT, related_name="+"
    )
    issuer = models.ForeignKey(
        OrgUnit, verbose_name=_("发证单位"), on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("持证人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("持证企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    data = models.JSONField(_("证照数据"))
    kid = models.CharField(_("签名密钥"), max_length=64)
    token = models.TextField(_("签名证照"))
    issued_at = models.DateTimeField(_("签发时间"))
    valid_from = models.DateTimeField(_("生效时间"))
    valid_until = models.DateTimeField(_("有效期至"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签发人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    revoke_reason = models.CharField(
        _("吊销原因"), max_length=32, choices=RevokeReason.choices, blank=True
    )

    scopes: ClassVar[Scopes] = {
        "view": Scope(
            city_wide=frozenset(),
            unit="issuer",
            unit_roles=ISSUER_STAFF_ROLES,
            owners=("person__user", "enterprise__representatives"),
            owner_roles=PUBLIC_ROLES,
        ),
    }
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("电子证照")
        verbose_name_plural = _("电子证照")
        ordering = ["-issued_at", "-id"]
        indexes = [
            models.Index(fields=["revoked_at"], name="certificates_revoked"),
            models.Index(fields=["kid"], name="certificates_kid"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(person__isnull=False, enterprise__isnull=True)
                    | models.Q(person__isnull=True, enterprise__isnull=False)
                ),
                name="certificates_certificate_one_holder",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(revoked_at__isnull=True, revoke_reason="")
                    | models.Q(revoked_at__isnull=False) & ~models.Q(revoke_reason="")
                ),
                name="certificates_certificate_revoke_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type_id}:{self.cert_id}"

"""Reads of the certificates app. A certificate's content is read only through
`access_certificate` (scoped, masked for staff, audited); lists show no content."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from hongmian.certificates.models import Certificate
from hongmian.certificates.type_specs import SPECS
from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record
from hongmian.core.errors import NotFound
from hongmian.core.masking import mask_name
from hongmian.identity.models import Enterprise, Person
from hongmian.identity.permissions import is_active_user


def certificates_visible_to(user: Any) -> QuerySet[Certificate]:
    """The holder's own (person, or an enterprise they represent); the issuing unit's staff
    see what their unit issued; nobody else."""
    return Certificate.objects.restrict(user, "view")


def certificate_status(certificate: Certificate, *, now: Any = None) -> str:
    """valid | revoked | expired | not_yet_valid — from the row (the wallet's badge)."""
    moment = now or timezone.now()
    if certificate.revoked_at is not None:
        return "revoked"
    if certificate.valid_until is not None and certificate.valid_until <= moment:
        return "expired"
    if certificate.valid_from > moment:
        return "not_yet_valid"
    return "valid"


def my_certificate_list(user: Any) -> QuerySet[Certificate]:
    """我的证照: the certificates the user holds — as a person, and for every enterprise
    they represent — newest first. Staff rows of their unit are not "theirs"."""
    if not is_active_user(user):
        return Certificate.objects.none()
    return (
        Certificate.objects.filter(Q(person__user=user) | Q(enterprise__representatives=user))
        .distinct()
        .select_related("type", "issuer", "enterprise")
        .order_by("-issued_at", "-id")
    )


def certificates_held(
    *,
    person: Person | None = None,
    enterprise: Enterprise | None = None,
    type_codes: Iterable[str] | None = None,
) -> QuerySet[Certificate]:
    """The certificates a person or an enterprise holds that are valid now (not revoked, in
    their validity), newest first, optionally of the given type codes (catalog
    CertificateType.code, as materials name them). For the applications app's matching of
    required materials; it reads no content for anyone, so it audits nothing — the caller
    audits the use it makes (with the holder's consent)."""
    if (person is None) == (enterprise is None):
        raise ValueError("name exactly one holder: person or enterprise")
    now = timezone.now()
    rows = Certificate.objects.filter(revoked_at__isnull=True, valid_from__lte=now).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gt=now)
    )
    rows = rows.filter(person=person) if person is not None else rows.filter(enterprise=enterprise)
    if type_codes is not None:
        rows = rows.filter(type__code__in=list(type_codes))
    return rows.select_related("type", "issuer").order_by("-issued_at", "-id")


@dataclass(frozen=True, slots=True)
class CertificateView:
    """One certificate as its reader may see it: the holder sees everything; the issuing
    unit's staff see the holder's name masked (the content is theirs: they issued it)."""

    certificate: Certificate
    holder_name: str
    status: str
    # (label, value) in the type's order.
    fields: tuple[tuple[str, str], ...]
    is_holder: bool


def _is_holder(user: Any, certificate: Certificate) -> bool:
    if certificate.person_id is not None:
        return bool(certificate.person and certificate.person.user_id == user.pk)
    return bool(
        certificate.enterprise
        and certificate.enterprise.representatives.filter(pk=user.pk).exists()
    )


def certificate_fields(certificate: Certificate) -> tuple[tuple[str, str], ...]:
    spec = SPECS.get(certificate.type.code)
    if spec is None:
        return tuple((key, str(value)) for key, value in certificate.data.items())
    return tuple(
        (str(f.label), str(certificate.data[f.key]))
        for f in spec.fields
        if f.key in certificate.data
    )


def access_certificate(
    user: Any, cert_id: object, *, actor: Actor, purpose: str, holder_only: bool = False
) -> CertificateView:
    """The certificate `cert_id` (its public UUID) as `user` may see it; NotFound for both a
    missing one and one the user may not see. Every read is audited (`certificate.read`, with
    the purpose: show, qr, download …), the holder's own included: the holder's history of
    who looked at a certificate is the point of the trail. `holder_only`: the wallet's pages,
    where even the issuing unit's staff get NotFound."""
    try:
        key = uuid.UUID(str(cert_id))
    except ValueError:
        raise NotFound(gettext("证照不存在"), code="certificate.not_found") from None
    rows = my_certificate_list(user) if holder_only else certificates_visible_to(user)
    certificate = (
        rows.select_related("type", "issuer", "person", "enterprise").filter(cert_id=key).first()
    )
    if certificate is None:
        raise NotFound(gettext("证照不存在"), code="certificate.not_found")
    holder = _is_holder(user, certificate)
    name = (certificate.person or certificate.enterprise).name  # type: ignore[union-attr]
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="certificate.read",
            target=certificate,
            after={"purpose": purpose, "holder": holder},
        )
    return CertificateView(
        certificate=certificate,
        holder_name=name if holder or certificate.enterprise_id else mask_name(name),
        status=certificate_status(certificate),
        fields=certificate_fields(certificate),
        is_holder=holder,
    )


def revocation_list() -> list[dict[str, Any]]:
    """The published revocation list: every revoked certificate's id, when and why."""
    rows = Certificate.objects.filter(revoked_at__isnull=False).order_by("revoked_at", "id")
    return [
        {"jti": str(cert_id), "revoked_at": revoked_at, "reason": reason}
        for cert_id, revoked_at, reason in rows.values_list(
            "cert_id", "revoked_at", "revoke_reason"
        )
    ]

"""Writes of the certificates app: issue, revoke, and retiring the keys nothing needs any more.
Each is one audited transaction; the web, the API and the command line call the same one."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext

from hongmian.catalog.models import CertificateType
from hongmian.certificates import permissions
from hongmian.certificates.models import Certificate
from hongmian.certificates.states import KEY_PURPOSE, HolderKind, RevokeReason
from hongmian.certificates.type_specs import CertificateSpec, clean_data, spec_get
from hongmian.certificates.verification import revocations_changed
from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record
from hongmian.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from hongmian.core.keyring import keyring_sign, signing_key_ensure, signing_key_retire
from hongmian.core.masking import pseudonym
from hongmian.core.models import SigningKey
from hongmian.core.validators import validate_credit_code, validate_resident_id
from hongmian.identity.models import Enterprise, OrgUnit, Person

CREDIT_CODE_LENGTH = 18


def holder_pseudonym(person: Person) -> str:
    """The person's reference inside a certificate: the same for every certificate of theirs
    (a verifier can tell two belong to one holder) but not their ID number (which a keyed
    hash of 18 digits would not hide without the key). HONGMIAN_CERTIFICATES_PSEUDONYM_KEY."""
    secret: str = (
        getattr(settings, "HONGMIAN_CERTIFICATES_PSEUDONYM_KEY", "") or settings.SECRET_KEY
    )
    return f"p:{pseudonym(person.resident_id, secret.encode())}"


def holder_resolve(holder: str) -> Person | Enterprise:
    """HOLDER as the command line and the issuing form take it: a resident ID number (a
    person), a unified social credit code (an enterprise), or a username (that account's
    person). Raises ValidationFailed(certificate.holder_unknown) when it names nobody."""
    text = holder.strip()
    found: Person | Enterprise | None = None
    if len(text) == CREDIT_CODE_LENGTH:
        try:
            found = Person.objects.filter(resident_id=validate_resident_id(text.upper())).first()
        except ValidationFailed:
            try:
                code = validate_credit_code(text.upper())
            except ValidationFailed:
                code = ""
            found = Enterprise.objects.filter(credit_code=code).first() if code else None
    if found is None and text:
        found = Person.objects.filter(user__username=text).first()
    if found is None:
        message = gettext("找不到持证人：{holder}").format(holder=text)
        raise ValidationFailed(
            message, code="certificate.holder_unknown", fields={"holder": [message]}
        )
    return found


def certificate_type_row(spec: CertificateSpec, issuer: OrgUnit) -> CertificateType:
    """The catalogue's row of a declared type, made when the catalogue has none yet."""
    row, _ = CertificateType.objects.get_or_create(
        code=spec.code, defaults={"name": spec.name, "issuer": issuer.name[:100]}
    )
    return row


def _issuer(spec: CertificateSpec) -> OrgUnit:
    unit = OrgUnit.objects.filter(code=spec.issuer_unit, is_active=True).first()
    if unit is None:
        raise Conflict(
            gettext("发证单位 {unit} 未设立").format(unit=spec.issuer_unit),
            code="certificate.issuer_missing",
        )
    return unit


def certificate_issue(
    *,
    actor: Actor,
    type_code: str,
    holder: Person | Enterprise,
    data: object,
    valid_from: dt.datetime | None = None,
    valid_until: dt.datetime | None = None,
) -> Certificate:
    """Issue a certificate of `type_code` to `holder`: check the data against the type, sign
    it with the keyring's current key, keep it, audit it. `valid_until` defaults to the type's
    validity (none for a type valid until revoked); dates before now are for corrections and
    tests only. Raises ValidationFailed for a bad type, holder kind or data, PermissionDenied
    when the actor is not staff of the issuing department."""
    spec = spec_get(type_code)
    is_person = isinstance(holder, Person)
    if is_person != (spec.holder == HolderKind.PERSON):
        message = gettext("{name}的持证人须为{kind}").format(name=spec.name, kind=spec.holder.label)
        raise ValidationFailed(
            message, code="certificate.holder_kind", fields={"holder": [message]}
        )
    clean = clean_data(spec, data)
    issuer = _issuer(spec)
    if not permissions.can_issue(actor.user, issuer):
        raise PermissionDenied(
            gettext("只有发证单位的工作人员可以签发"), code="certificate.not_issuer"
        )
    now = timezone.now().replace(microsecond=0)
    start = (valid_from or now).replace(microsecond=0)
    end = valid_until
    if end is None and spec.validity_days is not None:
        end = start + dt.timedelta(days=spec.validity_days)
    if end is not None:
        end = end.replace(microsecond=0)
        if end <= start:
            raise ValidationFailed(
                gettext("有效期须晚于生效时间"),
                code="certificate.validity_invalid",
                fields={"valid_until": [gettext("须晚于生效时间")]},
            )
    cert_id = uuid.uuid4()
    claims: dict[str, Any] = {
        "jti": str(cert_id),
        "iss": issuer.code,
        "iss_name": issuer.name,
        "ctp": spec.code,
        "ctp_name": spec.name,
        "iat": int(now.timestamp()),
        "nbf": int(start.timestamp()),
        "data": clean,
    }
    if end is not None:
        claims["exp"] = int(end.timestamp())
    if isinstance(holder, Person):
        claims["sub"] = holder_pseudonym(holder)
        claims["hld"] = {"kind": HolderKind.PERSON.value, "name": holder.name}
    else:
        # An enterprise's registration is public record: its credit code names it.
        claims["sub"] = "uscc:" + holder.credit_code
        claims["hld"] = {"kind": HolderKind.ENTERPRISE.value, "name": holder.name}
    with transaction.atomic():
        signing_key_ensure(actor=actor, purpose=KEY_PURPOSE)
        token, kid = keyring_sign(purpose=KEY_PURPOSE, claims=claims)
        certificate = Certificate.objects.create(
            cert_id=cert_id,
            type=certificate_type_row(spec, issuer),
            issuer=issuer,
            person=holder if isinstance(holder, Person) else None,
            enterprise=holder if isinstance(holder, Enterprise) else None,
            data=clean,
            kid=kid,
            token=token,
            issued_at=now,
            valid_from=start,
            valid_until=end,
            issued_by=actor.user,
        )
        audit_record(
            actor=actor,
            action="certificate.issue",
            target=certificate,
            # Which certificate, never its personal data: the row holds that.
            after={"cert_id": str(cert_id), "type": spec.code, "kid": kid},
        )
    return certificate


def certificate_revoke(*, actor: Actor, cert_id: uuid.UUID | str, reason: str) -> Certificate:
    """Revoke the certificate: published on the revocation list at once, refused by every
    verification from then on. 404 for an unknown id or one the actor may not see; 409 when
    already revoked; 422 for a reason that is not one of RevokeReason."""
    if reason not in RevokeReason.values:
        message = gettext("吊销原因须为：") + "、".join(RevokeReason.values)
        raise ValidationFailed(
            message, code="certificate.reason_invalid", fields={"reason": [message]}
        )
    try:
        key = uuid.UUID(str(cert_id))
    except ValueError:
        raise NotFound(gettext("证照不存在"), code="certificate.not_found") from None
    with transaction.atomic():
        rows = Certificate.objects.select_for_update()
        if actor.user is not None:
            rows = rows.restrict(actor.user, "view")
        certificate = rows.filter(cert_id=key).select_related("issuer").first()
        if certificate is None:
            raise NotFound(gettext("证照不存在"), code="certificate.not_found")
        if not permissions.can_revoke(actor.user, certificate.issuer):
            raise PermissionDenied(
                gettext("只有发证单位负责人可以吊销"), code="certificate.not_issuer"
            )
        if certificate.revoked_at is not None:
            raise Conflict(gettext("证照已吊销"), code="certificate.already_revoked")
        certificate.revoked_at = timezone.now()
        certificate.revoke_reason = reason
        certificate.save(update_fields=["revoked_at", "revoke_reason", "updated_at"])
        audit_record(
            actor=actor,
            action="certificate.revoke",
            target=certificate,
            after={"cert_id": str(certificate.cert_id), "reason": reason},
        )
        # Now for this process, and again at commit for whatever it read in between.
        revocations_changed()
        transaction.on_commit(revocations_changed)
    return certificate


def certificate_keys_retire(*, actor: Actor) -> list[str]:
    """Retire the certificate keys that no longer sign and whose certificates have all
    expired (a key that signed one valid until revoked stays). Returns the kids retired."""
    now = timezone.now()
    candidates = SigningKey.objects.filter(
        purpose=KEY_PURPOSE, retired_at__isnull=True, not_after_use__lte=now
    ).values_list("kid", flat=True)
    retired: list[str] = []
    for kid in candidates:
        signed = Certificate.objects.filter(kid=kid)
        if signed.filter(Q(valid_until__isnull=True) & Q(revoked_at__isnull=True)).exists():
            continue
        last = signed.filter(revoked_at__isnull=True).aggregate(last=Max("valid_until"))["last"]
        if last is None or last <= now:
            signing_key_retire(actor=actor, kid=kid)
            retired.append(kid)
    return retired

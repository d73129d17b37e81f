"""Receiving a partner's package: verified with the partner's published key, refused with a
stable code when it is not what it claims (unknown partner, unknown kid, bad signature, not
for us, stale, replayed, a forged certificate, a file that does not match its hash), then
made into an application of this platform through the applications services, and answered
with a signed receipt. A retry of the same package gets the same receipt."""

from __future__ import annotations

import base64
import binascii
import hashlib
import uuid
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hongmian.applications.services.received import ReceivedMaterial, application_receive
from hongmian.catalog.models import ServiceItem
from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record
from hongmian.core.jws import TokenRejected, jws_verify
from hongmian.core.keyring import keyring_sign, signing_key_ensure
from hongmian.crosscity.models import Package, Partner
from hongmian.crosscity.services.partners import (
    Refused,
    own_code,
    partner_key,
    partner_of,
    partner_verify,
    unverified_claims,
)
from hongmian.crosscity.services.sending import token_digest
from hongmian.crosscity.states import (
    KEY_PURPOSE,
    TYP_PACKAGE,
    TYP_RECEIPT,
    Delivery,
    Direction,
    Refusal,
)
from hongmian.identity.models import Person

MAX_FILES = 30


def max_skew() -> int:
    return int(getattr(settings, "HONGMIAN_CROSSCITY_MAX_SKEW_SECONDS", 300))


def _receipt(package: Package) -> str:
    claims = {
        "typ": TYP_RECEIPT,
        "pid": str(package.package_id),
        "digest": package.digest,
        "iss": own_code(),
        "aud": package.partner.code,
        "reference": package.application.number,
        "received_at": int((package.received_at or package.created_at).timestamp()),
        "iat": int(timezone.now().timestamp()),
    }
    token, _kid = keyring_sign(purpose=KEY_PURPOSE, claims=claims)
    return token


def _earlier(partner: Partner, package_id: str, digest: str) -> Package | None:
    earlier = (
        Package.objects.select_related("partner", "application")
        .filter(partner=partner, direction=Direction.IN, package_id=package_id)
        .first()
    )
    if earlier is not None and earlier.digest != digest:
        raise Refused(Refusal.REPLAYED, 409)
    return earlier


def _certificates_check(partner: Partner, tokens: Sequence[object]) -> dict[str, str]:
    """Each enclosed certificate verified with the partner's published certificate keys and
    in its validity dates; {sha256 of token: cert id}."""
    now = timezone.now().timestamp()
    out: dict[str, str] = {}
    for token in tokens:
        if not isinstance(token, str):
            raise Refused(Refusal.CERTIFICATE_INVALID, 422, "bad_format")
        try:
            verified = jws_verify(token, lambda kid: partner_key(partner, kid, certificates=True))
        except TokenRejected as rejected:
            raise Refused(Refusal.CERTIFICATE_INVALID, 422, rejected.reason) from None
        claims = verified.claims
        nbf, exp = claims.get("nbf"), claims.get("exp")
        if not isinstance(nbf, int) or now < nbf:
            raise Refused(Refusal.CERTIFICATE_INVALID, 422, "not_yet_valid")
        if isinstance(exp, int) and now >= exp:
            raise Refused(Refusal.CERTIFICATE_INVALID, 422, "expired")
        out[hashlib.sha256(token.encode()).hexdigest()] = str(claims.get("jti", ""))
    return out


def _files(files: object) -> dict[str, bytes]:
    if not isinstance(files, list) or len(files) > MAX_FILES:
        raise Refused(Refusal.BAD_FORMAT, 400, "files")
    out: dict[str, bytes] = {}
    for entry in files:
        if not isinstance(entry, dict):
            raise Refused(Refusal.BAD_FORMAT, 400, "files")
        try:
            content = base64.b64decode(str(entry.get("content", "")), validate=True)
        except (binascii.Error, ValueError):
            raise Refused(Refusal.BAD_FORMAT, 400, "files") from None
        out[hashlib.sha256(content).hexdigest()] = content
    return out


def _materials(
    item: ServiceItem, claims: dict[str, Any], files: dict[str, bytes], certs: dict[str, str]
) -> list[ReceivedMaterial]:
    by_name = {m.name: m for m in item.materials.all()}
    out = []
    for entry in claims.get("materials") or []:
        if not isinstance(entry, dict):
            raise Refused(Refusal.BAD_FORMAT, 400, "materials")
        material = by_name.get(str(entry.get("name", "")))
        if material is None:
            raise Refused(
                Refusal.BAD_FORMAT,
                422,
                _("本市该事项没有材料“%(name)s”") % {"name": str(entry.get("name", ""))[:50]},
            )
        sha = str(entry.get("sha256", ""))
        if entry.get("mode") == "certificate":
            if sha not in certs:
                raise Refused(Refusal.CERTIFICATE_INVALID, 422, "not_enclosed")
            out.append(
                ReceivedMaterial(
                    material=material,
                    file_name=str(entry.get("file_name", "")),
                    content_type="",
                    sha256=sha,
                    certificate_ref=certs[sha],
                )
            )
            continue
        if sha not in files:
            raise Refused(Refusal.MATERIAL_MISMATCH, 422, str(entry.get("name", ""))[:50])
        out.append(
            ReceivedMaterial(
                material=material,
                file_name=str(entry.get("file_name", "")),
                content_type=str(entry.get("content_type", "")),
                sha256=sha,
                content=files[sha],
            )
        )
    return out


def _person(applicant: object) -> Person:
    if not isinstance(applicant, dict):
        raise Refused(Refusal.BAD_FORMAT, 400, "applicant")
    name = str(applicant.get("name", "")).strip()[:50]
    resident_id = str(applicant.get("resident_id", "")).strip().upper()
    if not name or len(resident_id) != 18:
        raise Refused(Refusal.BAD_FORMAT, 400, "applicant")
    person, _created = Person.objects.get_or_create(
        resident_id=resident_id, defaults={"name": name}
    )
    return person


def package_receive(*, token: str, files: object) -> tuple[str, bool]:
    """Verify and take in a package; its signed receipt and whether it is new (a retry of
    the same package is answered with a receipt for the application already made)."""
    claims = unverified_claims(token)
    partner = partner_of(claims.get("iss"))
    claims = partner_verify(partner, token, typ=TYP_PACKAGE).claims
    if claims.get("aud") != own_code():
        raise Refused(Refusal.WRONG_AUDIENCE, 403)
    iat = claims.get("iat")
    if not isinstance(iat, int) or abs(timezone.now().timestamp() - iat) > max_skew():
        raise Refused(Refusal.STALE, 400)
    try:
        package_id = str(uuid.UUID(str(claims.get("pid", ""))))
    except ValueError:
        raise Refused(Refusal.BAD_FORMAT, 400, "pid") from None
    digest = token_digest(token)
    earlier = _earlier(partner, package_id, digest)
    if earlier is not None:
        return _receipt(earlier), False
    certs = _certificates_check(partner, claims.get("certificates") or [])
    item_claim = claims.get("item") or {}
    item = (
        ServiceItem.objects.filter(code=str(item_claim.get("code", ""))).first()
        if isinstance(item_claim, dict)
        else None
    )
    if item is None or partner.name not in (item.partner_cities or []):
        raise Refused(Refusal.ITEM_NOT_OFFERED, 422)
    materials = _materials(item, claims, _files(files), certs)
    form = claims.get("form") or {}
    answers = form.get("answers") if isinstance(form, dict) else None
    if not isinstance(answers, dict):
        raise Refused(Refusal.BAD_FORMAT, 400, "form")
    actor = Actor.system(f"crosscity:{partner.code}")
    signing_key_ensure(actor=actor, purpose=KEY_PURPOSE)
    try:
        with transaction.atomic():
            person = _person(claims.get("applicant"))
            application = application_receive(
                actor=actor,
                item=item,
                account=partner.account,  # type: ignore[arg-type]  # made with the partner
                person=person,
                answers=answers,
                materials=materials,
                note=_("跨域通办：%(city)s发来，对方编号 %(ref)s")
                % {"city": partner.name, "ref": str(claims.get("reference", ""))[:32]},
            )
            package = Package.objects.create(
                package_id=package_id,
                direction=Direction.IN,
                partner=partner,
                application=application,
                item_code=item.code,
                item_name=item.name,
                token=token,
                digest=digest,
                delivery=Delivery.RECEIVED,
                remote_reference=str(claims.get("reference", ""))[:32],
                received_at=timezone.now(),
                remote_status=application.status,
            )
            audit_record(
                actor=actor,
                action="crosscity.package_receive",
                target=package,
                after={
                    "partner": partner.code,
                    "package": package_id,
                    "application": application.number,
                },
            )
    except IntegrityError:
        # The same package arrived twice at once: the other request's application stands.
        earlier = _earlier(partner, package_id, digest)
        if earlier is None:
            raise
        return _receipt(earlier), False
    return _receipt(package), True

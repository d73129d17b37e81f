"""Sending an application to a partner city: the applicant's draft is submitted here (the
same checks as any submission), packed — form, materials' SHA-256 and files, the
e-certificates as issued, the applicant's identity minimum — signed with this platform's
cross-city key, and delivered by a retried job until the partner answers with a valid
signed receipt."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hongmian.applications.models import Application
from hongmian.applications.services.common import lock, record
from hongmian.applications.services.lifecycle import application_submit
from hongmian.applications.services.materials import material_storage
from hongmian.applications.states import MaterialMode
from hongmian.certificates.models import Certificate
from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record
from hongmian.core.errors import Conflict, NotFound, PayloadTooLarge
from hongmian.core.keyring import keyring_sign, signing_key_ensure
from hongmian.crosscity.models import Package, Partner
from hongmian.crosscity.services.partners import (
    KeysUnavailable,
    Refused,
    own_code,
    own_name,
    partner_verify,
)
from hongmian.crosscity.services.transport import Unreachable, post_json
from hongmian.crosscity.states import KEY_PURPOSE, TYP_PACKAGE, TYP_RECEIPT, Delivery, Direction

# The files of one package together (base64 grows them by a third on the wire).
MAX_FILES_BYTES = 1_200_000


def partners_for(application: Application) -> list[Partner]:
    """The active partners this application's item may be sent to (the item names them)."""
    names = set(application.item.partner_cities or [])
    return list(Partner.objects.filter(active=True, name__in=names).order_by("code"))


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _materials(application: Application) -> tuple[list[dict[str, Any]], list[str], int]:
    entries: list[dict[str, Any]] = []
    certificates: list[str] = []
    size = 0
    for row in application.materials.select_related("material").order_by("material__position"):
        entry: dict[str, Any] = {
            "name": row.name,
            "mode": row.mode,
            "file_name": row.file_name,
            "content_type": row.content_type,
            "sha256": row.sha256,
            "size": row.size,
        }
        if row.mode == MaterialMode.CERTIFICATE:
            cert = Certificate.objects.filter(cert_id=row.certificate_ref).first()
            if cert is None:
                raise NotFound(_("电子证照不存在"), code="crosscity.certificate_missing")
            entry["certificate"] = str(cert.cert_id)
            entry["sha256"] = hashlib.sha256(cert.token.encode()).hexdigest()
            certificates.append(cert.token)
        else:
            size += row.size
        entries.append(entry)
    if size > MAX_FILES_BYTES:
        raise PayloadTooLarge(_("材料文件合计超过跨域通办的上限"), code="crosscity.files_too_large")
    return entries, certificates, size


def package_send(*, actor: Actor, application: Application, partner: Partner) -> Package:
    """Submit `application` (a complete draft of the actor's) for `partner` to handle, and
    queue its signed package. Refused with nothing written: an item the partner does not
    handle for us (409 `crosscity.partner_not_offered`), anything application_submit
    refuses."""
    if partner not in partners_for(application):
        raise Conflict(
            _("该事项不能向%(city)s申请") % {"city": partner.name},
            code="crosscity.partner_not_offered",
        )
    with transaction.atomic():
        application, _new = application_submit(actor=actor, application=application)
        application = lock(application)
        person = application.person
        materials, certificates, _size = _materials(application)
        package_id = uuid.uuid4()
        claims = {
            "typ": TYP_PACKAGE,
            "pid": str(package_id),
            "iss": own_code(),
            "iss_name": own_name(),
            "aud": partner.code,
            "iat": int(timezone.now().timestamp()),
            "item": {"code": application.item.code, "name": application.item.name},
            "reference": application.number,
            "form": {"revision": application.form_revision, "answers": application.answers},
            "applicant": {
                "name": person.name if person else "",
                "resident_id": person.resident_id if person else "",
                "assurance_level": person.assurance_level if person else 0,
            },
            "materials": materials,
            "certificates": certificates,
        }
        signing_key_ensure(actor=actor, purpose=KEY_PURPOSE)
        token, kid = keyring_sign(purpose=KEY_PURPOSE, claims=claims, typ="JWT")
        package = Package.objects.create(
            package_id=package_id,
            direction=Direction.OUT,
            partner=partner,
            application=application,
            item_code=application.item.code,
            item_name=application.item.name,
            token=token,
            digest=token_digest(token),
            delivery=Delivery.QUEUED,
        )
        record(
            actor=actor,
            application=application,
            kind="crosscity_send",
            note=_("跨域通办：发往%(city)s") % {"city": partner.name},
            data={"partner": partner.code, "package": str(package_id), "kid": kid},
        )
        from hongmian.crosscity.tasks import package_deliver

        package_pk = package.pk
        transaction.on_commit(lambda: package_deliver.enqueue(package_pk=package_pk))
    return package


def _files(application: Application) -> list[dict[str, str]]:
    storage = material_storage()
    out = []
    for row in application.materials.exclude(mode=MaterialMode.CERTIFICATE):
        with storage.open(row.storage_name, "rb") as handle:
            content = handle.read()
        out.append({"sha256": row.sha256, "content": base64.b64encode(content).decode()})
    return out


def package_deliver_once(*, package_pk: int) -> str:
    """One delivery attempt (the job's body): POST the package and its files; on a valid
    signed receipt mark it delivered. Raises Unreachable/KeysUnavailable for the job to
    retry; a coded refusal by the partner is final (recorded, not retried)."""
    package = Package.objects.select_related("partner", "application").get(pk=package_pk)
    if package.delivery != Delivery.QUEUED:
        return str(package.delivery)
    partner = package.partner
    Package.objects.filter(pk=package.pk).update(attempts=package.attempts + 1)
    try:
        answer = post_json(
            f"{partner.endpoint}/api/crosscity/packages",
            {"package": package.token, "files": _files(package.application)},
        )
    except Unreachable as exc:
        Package.objects.filter(pk=package.pk).update(last_error=str(exc)[:1000])
        raise
    actor = Actor.system("crosscity")
    if answer.status != 200:
        code = str(answer.body.get("code", f"http_{answer.status}"))[:100]
        with transaction.atomic():
            Package.objects.filter(pk=package.pk).update(
                delivery=Delivery.REFUSED, last_error=code, updated_at=timezone.now()
            )
            record(
                actor=actor,
                application=package.application,
                kind="crosscity_refused",
                note=_("%(city)s拒收：%(code)s") % {"city": partner.name, "code": code},
                data={"partner": partner.code, "code": code},
            )
        return Delivery.REFUSED
    receipt = str(answer.body.get("receipt", ""))
    try:
        verified = partner_verify(partner, receipt, typ=TYP_RECEIPT)
    except (Refused, KeysUnavailable) as exc:
        Package.objects.filter(pk=package.pk).update(last_error=f"receipt: {exc}"[:1000])
        raise Unreachable(f"receipt not valid: {exc}") from None
    claims = verified.claims
    if claims.get("pid") != str(package.package_id) or claims.get("digest") != package.digest:
        raise Unreachable("receipt names another package")
    received_at = dt.datetime.fromtimestamp(int(claims.get("received_at", 0)), tz=dt.UTC)
    with transaction.atomic():
        locked = Package.objects.select_for_update().get(pk=package.pk)
        if locked.delivery != Delivery.QUEUED:
            return str(locked.delivery)
        locked.delivery = Delivery.DELIVERED
        locked.receipt = receipt
        locked.remote_reference = str(claims.get("reference", ""))[:32]
        locked.received_at = received_at
        locked.last_error = ""
        locked.save()
        record(
            actor=actor,
            application=package.application,
            kind="crosscity_receipt",
            note=_("%(city)s已签收，对方编号 %(ref)s")
            % {"city": partner.name, "ref": locked.remote_reference},
            data={"partner": partner.code, "reference": locked.remote_reference},
        )
        audit_record(
            actor=actor,
            action="crosscity.package_delivered",
            target=locked,
            after={"partner": partner.code, "reference": locked.remote_reference},
        )
    return Delivery.DELIVERED

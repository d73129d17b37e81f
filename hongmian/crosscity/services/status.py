"""Status updates of a cross-city application: the city handling it signs each step of its
review desk (受理, 不予受理, 准予, 不予许可 …) and a retried job sends it back; the sending city
verifies it and shows it on the applicant's application ("广安市 已受理")."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hongmian.applications.models import Application
from hongmian.applications.services.common import record
from hongmian.applications.states import Status
from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record
from hongmian.core.errors import Conflict
from hongmian.core.keyring import keyring_sign, signing_key_ensure
from hongmian.crosscity.models import Package, StatusUpdate
from hongmian.crosscity.services.partners import (
    Refused,
    own_code,
    own_name,
    partner_of,
    partner_verify,
    unverified_claims,
)
from hongmian.crosscity.services.transport import Unreachable, post_json
from hongmian.crosscity.states import KEY_PURPOSE, TYP_STATUS, Direction, Refusal


def status_notify(*, actor: Actor, application: Application, note: str = "") -> StatusUpdate | None:
    """Called by the review desk's act inside its transaction: when `application` came from
    a partner city, sign its new status and queue the job that sends it back. None for an
    application of this city. An application this city SENT to a partner is the partner's
    to decide: the act is refused (409 `crosscity.sent_away`) and rolls back with it."""
    packages = list(Package.objects.select_related("partner").filter(application=application))
    if any(p.direction == Direction.OUT for p in packages):
        raise Conflict(
            _("该申请已提交到%(city)s办理，由对方审批") % {"city": packages[0].partner.name},
            code="crosscity.sent_away",
        )
    package = next((p for p in packages if p.direction == Direction.IN), None)
    if package is None:
        return None
    now = timezone.now()
    update_id = uuid.uuid4()
    status = Status(application.status)
    claims = {
        "typ": TYP_STATUS,
        "uid": str(update_id),
        "pid": str(package.package_id),
        "iss": own_code(),
        "iss_name": own_name(),
        "aud": package.partner.code,
        "iat": int(now.timestamp()),
        "status": status.value,
        "status_label": str(status.label),
        "note": note[:500],
        "reference": application.number,
    }
    signing_key_ensure(actor=actor, purpose=KEY_PURPOSE)
    token, _kid = keyring_sign(purpose=KEY_PURPOSE, claims=claims)
    update = StatusUpdate.objects.create(
        update_id=update_id,
        package=package,
        direction=Direction.OUT,
        status=status.value,
        status_label=str(status.label),
        note=note[:500],
        at=now,
        token=token,
    )
    Package.objects.filter(pk=package.pk).update(remote_status=status.value, updated_at=now)
    audit_record(
        actor=actor,
        action="crosscity.status_queue",
        target=update,
        after={"partner": package.partner.code, "status": status.value},
    )
    from hongmian.crosscity.tasks import status_deliver

    update_pk = update.pk
    transaction.on_commit(lambda: status_deliver.enqueue(update_pk=update_pk))
    return update


def status_deliver_once(*, update_pk: int) -> bool:
    """One attempt to send a status update back (the job's body); True once delivered.
    Unreachable for the job to retry; a coded refusal is recorded and final."""
    update = StatusUpdate.objects.select_related("package__partner").get(pk=update_pk)
    if update.delivered_at is not None:
        return True
    partner = update.package.partner
    StatusUpdate.objects.filter(pk=update.pk).update(attempts=update.attempts + 1)
    try:
        answer = post_json(f"{partner.endpoint}/api/crosscity/status", {"update": update.token})
    except Unreachable as exc:
        StatusUpdate.objects.filter(pk=update.pk).update(last_error=str(exc)[:1000])
        raise
    if answer.status != 200:
        code = str(answer.body.get("code", f"http_{answer.status}"))[:100]
        StatusUpdate.objects.filter(pk=update.pk).update(last_error=code)
        return False
    with transaction.atomic():
        StatusUpdate.objects.filter(pk=update.pk).update(delivered_at=timezone.now(), last_error="")
        audit_record(
            actor=Actor.system("crosscity"),
            action="crosscity.status_delivered",
            target=update,
            after={"partner": partner.code, "status": update.status},
        )
    return True


def status_receive(*, token: str) -> bool:
    """Verify a partner's status update of a package we sent and show it on the applicant's
    application; True when new (a retry of the same update is accepted again, once kept)."""
    claims = unverified_claims(token)
    partner = partner_of(claims.get("iss"))
    claims = partner_verify(partner, token, typ=TYP_STATUS).claims
    if claims.get("aud") != own_code():
        raise Refused(Refusal.WRONG_AUDIENCE, 403)
    try:
        package_id, update_id = uuid.UUID(str(claims.get("pid"))), uuid.UUID(str(claims.get("uid")))
    except ValueError:
        raise Refused(Refusal.BAD_FORMAT) from None
    package = (
        Package.objects.select_related("application")
        .filter(partner=partner, direction=Direction.OUT, package_id=package_id)
        .first()
    )
    if package is None:
        raise Refused(Refusal.PACKAGE_UNKNOWN, 404)
    if StatusUpdate.objects.filter(
        package=package, direction=Direction.IN, update_id=update_id
    ).exists():
        return False
    status = str(claims.get("status", ""))[:16]
    label = str(claims.get("status_label", ""))[:32]
    note = str(claims.get("note", ""))[:500]
    iat = claims.get("iat")
    at = dt.datetime.fromtimestamp(iat, tz=dt.UTC) if isinstance(iat, int) else timezone.now()
    actor = Actor.system(f"crosscity:{partner.code}")
    try:
        with transaction.atomic():
            update = StatusUpdate.objects.create(
                update_id=update_id,
                package=package,
                direction=Direction.IN,
                status=status,
                status_label=label,
                note=note,
                at=at,
                token=token,
                delivered_at=timezone.now(),
            )
            Package.objects.filter(pk=package.pk).update(
                remote_status=status, updated_at=timezone.now()
            )
            text = _("%(city)s %(label)s") % {"city": partner.name, "label": label}
            record(
                actor=actor,
                application=package.application,
                kind="crosscity_status",
                note=f"{text}：{note}" if note else text,
                data={"partner": partner.code, "status": status, "update": str(update_id)},
            )
            audit_record(
                actor=actor,
                action="crosscity.status_receive",
                target=update,
                after={"partner": partner.code, "status": status},
            )
    except IntegrityError:
        return False
    return True

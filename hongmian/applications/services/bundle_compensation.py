"""Compensation of a life-event bundle (decision 0068): a part refused at the door (不予受理)
after its siblings were submitted withdraws the siblings, each with the audited reason,
inside the refusal's own transaction — so that no bundle is left half-filed. A sibling
already decided (approved, rejected) stays as decided: a decision is an administrative act
that a withdrawal cannot undo; the bundle's page says so."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from hongmian.applications.models import Application, BundleApplication, BundlePart
from hongmian.applications.services import deadlines
from hongmian.applications.services.common import lock, record
from hongmian.applications.states import APPLICATION_TRANSITIONS, Status
from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record


def bundle_part_refused(*, actor: Actor, application: Application) -> list[str]:
    """Called by application_review inside its transaction when `application` is 不予受理:
    when it is a bundle's part, mark the bundle withdrawn and withdraw every sibling that
    can still be withdrawn. Returns the numbers withdrawn (empty for a single application
    or a bundle already compensated)."""
    part = BundlePart.objects.filter(application_id=application.pk).first()
    if part is None:
        return []
    bundle_application = BundleApplication.objects.select_for_update().get(
        pk=part.bundle_application_id
    )
    if bundle_application.withdrawn_at is not None:
        return []
    now = timezone.now()
    reason = _("“%(item)s”被%(dept)s不予受理（%(reason)s），本件其他事项一并撤回") % {
        "item": application.item.name,
        "dept": application.department.name,
        "reason": application.reason,
    }
    withdrawn: list[str] = []
    kept: list[str] = []
    siblings = BundlePart.objects.filter(bundle_application=bundle_application).exclude(
        application_id=application.pk
    )
    for sibling in siblings.order_by("position"):
        other = lock(sibling.application)
        if not APPLICATION_TRANSITIONS.can(other.status, Status.WITHDRAWN):
            kept.append(other.number)
            continue
        before = other.status
        deadlines.clock_stop(other, now)
        other.status = Status.WITHDRAWN
        other.reason = reason
        other.save()
        record(
            actor=actor,
            application=other,
            kind="withdraw",
            before=before,
            after=Status.WITHDRAWN,
            note=reason,
            data={"bundle": bundle_application.number, "refused": application.number},
        )
        withdrawn.append(other.number)
    bundle_application.withdrawn_at = now
    bundle_application.withdraw_reason = reason
    bundle_application.save(update_fields=["withdrawn_at", "withdraw_reason", "updated_at"])
    audit_record(
        actor=actor,
        action="bundle.compensate",
        target=bundle_application,
        after={
            "refused": application.number,
            "withdrawn": withdrawn,
            "kept_decided": kept,
            "reason": reason,
        },
    )
    return withdrawn

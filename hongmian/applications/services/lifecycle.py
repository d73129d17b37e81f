"""An application's way through the department: submitted by the applicant, then 受理 or
不予受理, review, 补正 (once), the decision, the result, the archive. Each act locks the row,
checks the transition table (states.APPLICATION_TRANSITIONS), saves, and writes the
timeline and the audit entry in one transaction."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hongmian.applications import permissions, selectors
from hongmian.applications.definitions import answers_check
from hongmian.applications.models import Application
from hongmian.applications.services import bundle_compensation, deadlines, instant
from hongmian.applications.services.common import Step, lock, owner_check, record, record_many
from hongmian.applications.states import (
    APPLICATION_TRANSITIONS,
    REASON_REQUIRED,
    REVIEW_TARGET,
    Review,
    Status,
)
from hongmian.catalog.selectors import item_available_to
from hongmian.core.actors import Actor
from hongmian.core.errors import (
    Conflict,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from hongmian.core.transitions import assert_transition

MAX_CORRECTIONS = 20
CORRECTION_MAX = 200
REASON_MAX = 1000


def _materials_missing(application: Application) -> list[str]:
    # One query: the required materials that no row of the application provides.
    provided = application.materials.values("material_id")
    return list(
        application.item.materials.filter(required=True)
        .exclude(pk__in=provided)
        .order_by("position", "pk")
        .values_list("name", flat=True)
    )


def _complete_check(application: Application, setup: selectors.ItemSetup | None = None) -> None:
    definition = (setup or selectors.item_setup(application.item_id)).form
    answers_check(definition, application.answers, complete=True)
    missing = _materials_missing(application)
    if missing:
        raise ValidationFailed(
            _("还缺少材料：%(names)s") % {"names": "、".join(missing)},
            code="application.materials_missing",
            fields={"materials": missing},
        )


def _level_check(application: Application, actor: Actor | None = None) -> None:
    """The item's required real-name level (and that it is still served), checked at
    submission with the catalogue's rule (identity.assurance via item_available_to)."""
    # The applicant acting: the user in hand, not a second read of the same row.
    actor_user = actor.user if actor is not None else None
    applicant = (
        actor_user
        if actor_user is not None and actor_user.pk == application.applicant_id
        else application.applicant
    )
    availability = item_available_to(user=applicant, item=application.item)
    if availability.allowed:
        return
    if availability.code == "service_item.assurance_too_low":
        raise PermissionDenied(
            _("该事项需要 L%(required)d 实名认证，您的账号为 L%(level)d")
            % {"required": availability.required_level, "level": availability.user_level},
            code="application.assurance_too_low",
            fields={"required_level": [str(availability.required_level)]},
        )
    raise ValidationFailed(availability.reason, code=f"application.{availability.code}")


def application_submit(
    *, actor: Actor, application: Application, idempotency_key: str | None = None
) -> tuple[Application, bool]:
    """Submit a draft (True) — or, for a retry carrying the Idempotency-Key the submission
    was made with, return it unchanged (False). Refused, with nothing written: a form that
    is incomplete or wrong (422 `application.field_invalid`), a required material missing
    (422 `application.materials_missing`), an account below the item's real-name level
    (403 `application.assurance_too_low`), an application already submitted (409)."""
    owner_check(actor, application)
    key = (idempotency_key or "").strip()
    if application.status != Status.DRAFT and key and application.submit_key == key:
        # A retry of the submission the caller's row already shows: a submission is never
        # undone (no transition leads back to the draft), so the answer needs no lock.
        return application, False
    with transaction.atomic():
        application = lock(application)
        if application.status != Status.DRAFT and key and application.submit_key == key:
            return application, False
        assert_transition(APPLICATION_TRANSITIONS, application.status, Status.SUBMITTED)
        _level_check(application, actor)
        setup = selectors.item_setup(application.item_id)
        _complete_check(application, setup)
        application.status = Status.SUBMITTED
        application.submitted_at = timezone.now()
        application.submit_key = key
        steps = [
            Step(
                actor=actor,
                kind="submit",
                before=Status.DRAFT,
                after=Status.SUBMITTED,
                data={"statements": sorted(application.statements)},
            )
        ]
        # 秒批 (decision 0066): judged by the item's rule in force; approved at once or
        # left to the department with the failed conditions. One save, one INSERT of the
        # timeline and one turn of the audit chain for the submission and its decision
        # (decision 0087).
        decision = instant.rules_evaluate(actor=actor, application=application, setup=setup)
        steps += instant.instant_decide(application=application, decision=decision)
        fields = ["status", "submitted_at", "submit_key", "updated_at"]
        if decision is not None:
            fields += instant.DECIDED_FIELDS
        application.save(update_fields=fields)
        record_many(application=application, steps=steps)
    return application, True


def application_correction_submit(*, actor: Actor, application: Application) -> Application:
    """The applicant sends the corrections (补正) back: under review again, and the clock
    goes on from where it paused."""
    owner_check(actor, application)
    with transaction.atomic():
        application = lock(application)
        assert_transition(APPLICATION_TRANSITIONS, application.status, Status.UNDER_REVIEW)
        if application.status != Status.CORRECTION:
            raise Conflict(_("办件不在补正中"), code="application.not_in_correction")
        _complete_check(application)
        now = timezone.now()
        deadlines.clock_resume(application, now)
        application.status = Status.UNDER_REVIEW
        application.save()
        record(
            actor=actor,
            application=application,
            kind="correction_submit",
            before=Status.CORRECTION,
            after=Status.UNDER_REVIEW,
        )
    return application


def _text(value: str, field: str, limit: int) -> str:
    text = (value or "").strip()
    if len(text) > limit:
        message = _("不能超过 %(n)d 字") % {"n": limit}
        raise ValidationFailed(
            message, code=f"application.{field}_too_long", fields={field: [message]}
        )
    return text


def application_review(
    *,
    actor: Actor,
    application: Application,
    act: str,
    reason: str = "",
    corrections: Sequence[str] = (),
    note: str = "",
) -> Application:
    """One act of the department's review desk (states.Review): 受理 / 不予受理 (with a
    reason) / start of review / 退回补正 (once, with the list of what to fix) / 准予 /
    不予许可 (with a reason) / result issued / archived. Only the handlers and managers of
    the item's department (or a unit above it) act; anyone else is told the application
    does not exist."""
    user = actor.user
    if user is None:
        raise NotAuthenticated(_("需要登录后操作"))
    if not permissions.can_review(user):
        raise NotFound(_("办件不存在"), code="application.not_found")
    try:
        review = Review(act)
    except ValueError:
        raise ValidationFailed(
            _("未知的审查操作"), code="application.act_unknown", fields={"act": [str(act)]}
        ) from None
    reason = _text(reason, "reason", REASON_MAX)
    note = _text(note, "note", REASON_MAX)
    items = [_text(c, "corrections", CORRECTION_MAX) for c in corrections]
    items = [c for c in items if c]
    with transaction.atomic():
        # The reviewer's own scope decides (404 for an application of another unit).
        application = selectors.access_application_for_review(user, application.pk)
        application = lock(application)
        before = application.status
        target = REVIEW_TARGET[review]
        assert_transition(APPLICATION_TRANSITIONS, before, target)
        if review in REASON_REQUIRED and not reason:
            raise ValidationFailed(
                _("请填写理由"), code="application.reason_required", fields={"reason": [_("必填")]}
            )
        now = timezone.now()
        data: dict[str, object] = {}
        if review == Review.RETURN:
            if application.correction_used:
                raise Conflict(
                    _("补正只能一次"), code="application.correction_used", fields={"act": [act]}
                )
            if not items or len(items) > MAX_CORRECTIONS:
                raise ValidationFailed(
                    _("请列出需要补正的内容（1 至 %(n)d 项）") % {"n": MAX_CORRECTIONS},
                    code="application.corrections_required",
                    fields={"corrections": [_("必填")]},
                )
            application.corrections = items
            application.correction_used = True
            deadlines.clock_pause(application, now)
            data["corrections"] = items
        elif review == Review.ACCEPT:
            application.accepted_at = now
            application.handler = user
            deadlines.clock_start(application, now)
            data["due_at"] = application.due_at.isoformat() if application.due_at else None
        elif review in (Review.NOT_ACCEPT, Review.APPROVE, Review.REJECT):
            application.decided_at = now
            deadlines.clock_stop(application, now)
        if reason:
            application.reason = reason
        if review == Review.ISSUE and note:
            application.result_note = note
        application.status = target
        application.save()
        record(
            actor=actor,
            application=application,
            kind=str(review),
            before=before,
            after=target,
            note=reason or note or "；".join(items),
            data=data,
        )
        if review == Review.NOT_ACCEPT:
            # A life-event bundle's part refused at the door withdraws its siblings.
            bundle_compensation.bundle_part_refused(actor=actor, application=application)
        # 跨域通办: an application a partner city sent here reports each step back to it
        # (signed, by a retried job; decision 0070). Imported here: crosscity imports us.
        from hongmian.crosscity.services.status import status_notify

        status_notify(actor=actor, application=application, note=reason or note)
    return application

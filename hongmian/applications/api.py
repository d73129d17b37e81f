"""Applications' endpoints (/api/applications/…): the applicant creates, fills and submits
an application and lists their own; the reviewing department reads and reviews it. The
same services as the web pages; errors are {code, message, fields} with a 4xx status."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import HeaderEx, P, Query, Router, Status

from hongmian.applications import permissions, presenters, selectors
from hongmian.applications.models import KEY_MAX
from hongmian.applications.schemas import (
    ApplicationAnswersIn,
    ApplicationCreateIn,
    ApplicationFilterIn,
    ApplicationOut,
    ApplicationPageOut,
    ApplicationReviewIn,
)
from hongmian.applications.services import bundles, drafts, lifecycle
from hongmian.applications.states import Status as AppStatus
from hongmian.catalog.selectors import access_item
from hongmian.core.actors import Actor
from hongmian.core.api_errors import errors
from hongmian.core.errors import NotFound, PermissionDenied, ValidationFailed
from hongmian.core.schemas import DbId

router = Router(tags=["applications"])
APPLICATION = "/applications/{application_id}"


def _actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request, via="api")


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _applicant(request: HttpRequest) -> Any:
    user = _user(request)
    if not permissions.can_apply(user):
        raise PermissionDenied(_("只有个人或法人账号可以申请"), code="application.forbidden")
    return user


def _mine(request: HttpRequest, application_id: int) -> Any:
    user = _applicant(request)
    application = selectors.access_application(user, application_id)
    if application.applicant_id != user.pk:
        raise NotFound(_("办件不存在"), code="application.not_found")
    return application


@router.post(
    "/applications",
    response={200: ApplicationOut, 201: ApplicationOut, **errors(403, 404, 409)},
    summary="创建申请（草稿）",
    openapi_extra={
        "responses": {
            200: {"description": "a retry with the same Idempotency-Key: the first draft"},
            201: {"description": "the new draft"},
        }
    },
)
def application_create(
    request: HttpRequest,
    payload: ApplicationCreateIn,
    idempotency_key: HeaderEx[str | None, P(alias="Idempotency-Key", max_length=KEY_MAX)] = None,
) -> Status[dict[str, Any]]:
    """A draft application for the published item `item_code`, with some answers. A field
    the item's form does not have is 422 `application.field_unknown` (nothing written)."""
    user = _applicant(request)
    item = access_item(user, payload.item_code)
    application, created = drafts.application_create(
        actor=_actor(request),
        item=item,
        answers=payload.answers,
        idempotency_key=idempotency_key,
    )
    return Status(201 if created else 200, presenters.detail(application))


@router.get("/applications", response={200: ApplicationPageOut, **errors(403)}, summary="我的办件")
def application_list(request: HttpRequest, filters: Query[ApplicationFilterIn]) -> dict[str, Any]:
    """The caller's own applications, newest first; `total` counts every match."""
    user = _applicant(request)
    if filters.status is not None and filters.status not in AppStatus.values:
        message = _("未知的状态：%(status)s") % {"status": filters.status}
        raise ValidationFailed(
            message, code="application.status_invalid", fields={"status": [message]}
        )
    rows = selectors.my_application_list(user, status=filters.status or "")
    total = rows.count()
    offset = (filters.page - 1) * filters.per_page
    return {
        "total": total,
        "page": filters.page,
        "per_page": filters.per_page,
        "num_pages": max(1, -(-total // filters.per_page)),
        "items": [presenters.summary(a) for a in rows[offset : offset + filters.per_page]],
    }


@router.get(APPLICATION, response={200: ApplicationOut, **errors(404)}, summary="办件详情")
def application_detail(request: HttpRequest, application_id: DbId) -> dict[str, Any]:
    """One application: the applicant's own, or one of the reviewer's unit."""
    application = selectors.access_application(_user(request), application_id)
    return presenters.detail(application)


@router.patch(
    APPLICATION, response={200: ApplicationOut, **errors(403, 404, 409)}, summary="填写申请表"
)
def application_answers(
    request: HttpRequest, application_id: DbId, payload: ApplicationAnswersIn
) -> dict[str, Any]:
    """Save answers; one that differs from the value filled from the file is kept as the
    applicant's statement (`corrected`, `file_value`)."""
    application = drafts.application_answers_update(
        actor=_actor(request),
        application=_mine(request, application_id),
        answers=payload.answers,
    )
    return presenters.detail(application)


@router.post(
    f"{APPLICATION}/submit",
    response={200: ApplicationOut, 201: ApplicationOut, **errors(403, 404, 409)},
    summary="提交申请",
    openapi_extra={
        "responses": {
            200: {"description": "a retry with the same Idempotency-Key: unchanged"},
            201: {"description": "submitted now"},
            403: {"description": "application.assurance_too_low: a higher real-name level"},
        }
    },
)
def application_submit(
    request: HttpRequest,
    application_id: DbId,
    idempotency_key: HeaderEx[str | None, P(alias="Idempotency-Key", max_length=KEY_MAX)] = None,
) -> Status[dict[str, Any]]:
    """Submit the draft. A retry with the Idempotency-Key of the submission answers 200
    with nothing done again; without it a second submission is 409 (and 409
    `bundle.part_alone` for a part of a life-event bundle: it is submitted with the bundle)."""
    application = _mine(request, application_id)
    bundles.bundle_part_check(application)
    application, done = lifecycle.application_submit(
        actor=_actor(request), application=application, idempotency_key=idempotency_key
    )
    return Status(201 if done else 200, presenters.detail(application))


@router.post(
    f"{APPLICATION}/review",
    response={200: ApplicationOut, **errors(404, 409)},
    summary="审查办件",
)
def application_review(
    request: HttpRequest, application_id: DbId, payload: ApplicationReviewIn
) -> dict[str, Any]:
    """One act of the department's review (`act`: accept, not_accept, start, return,
    approve, reject, issue, archive), for the handlers and managers of the item's unit."""
    user = _user(request)
    application = selectors.access_application_for_review(user, application_id)
    application = lifecycle.application_review(
        actor=_actor(request),
        application=application,
        act=payload.act,
        reason=payload.reason,
        corrections=payload.corrections,
        note=payload.note,
    )
    return presenters.detail(application)

"""Life-event bundles' endpoints (/api/bundles…, decision 0068): the bundles offered, start
a combined application, fill its combined form, submit it (all or nothing) and read its
combined status. The same services as the pages; Idempotency-Key as single applications."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import HeaderEx, P, Router, Status

from hongmian.applications import permissions, selectors_bundles
from hongmian.applications.models import KEY_MAX, Bundle, BundleApplication
from hongmian.applications.schemas_bundles import (
    BundleAnswersIn,
    BundleOfferOut,
    BundleOut,
    BundleStartIn,
)
from hongmian.applications.services import bundles
from hongmian.core.actors import Actor
from hongmian.core.api_errors import errors
from hongmian.core.errors import PermissionDenied, ValidationFailed
from hongmian.core.schemas import DbId

router = Router(tags=["applications"])
BUNDLE = "/bundles/{id}"
IdempotencyKey = HeaderEx[str | None, P(alias="Idempotency-Key", max_length=KEY_MAX)]


def _actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request, via="api")


def _applicant(request: HttpRequest) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    if not permissions.can_apply(user):
        raise PermissionDenied(_("只有个人或法人账号可以申请"), code="application.forbidden")
    return user


def _mine(request: HttpRequest, bundle_id: int) -> BundleApplication:
    return selectors_bundles.access_bundle_application(_applicant(request), bundle_id)


def _view(row: BundleApplication) -> dict[str, Any]:
    fresh = selectors_bundles.access_bundle_application(row.applicant, row.pk)
    return selectors_bundles.bundle_view(fresh)


@router.get(
    "/bundles/offers", response={200: list[BundleOfferOut]}, summary="一件事一次办", auth=None
)
def bundle_offers(request: HttpRequest) -> list[dict[str, Any]]:
    """The life events offered as one combined application, with their items and places."""
    offers = []
    for bundle in Bundle.objects.filter(active=True).select_related("life_event"):
        places = bundles.bundle_places(bundle)
        offers.append(
            {
                "life_event": bundle.life_event.slug,
                "name": bundle.life_event.name,
                "items": list(bundle.item_names),
                "places": [{"code": p.code, "name": p.name} for p in places],
            }
        )
    return offers


@router.post(
    "/bundles",
    response={200: BundleOut, 201: BundleOut, **errors(403, 404, 409)},
    summary="开始一件事申请",
    openapi_extra={
        "responses": {
            200: {"description": "a retry with the same Idempotency-Key: the first start"},
            201: {"description": "started: one draft per item"},
        }
    },
)
def bundle_start(
    request: HttpRequest, payload: BundleStartIn, idempotency_key: IdempotencyKey = None
) -> Status[dict[str, Any]]:
    """Start a combined application of the life event: one draft per item, each of its
    department. 422 `bundle.place_required` when a district item needs the place."""
    _applicant(request)
    bundle = selectors_bundles.bundle_for_event(payload.life_event)
    place = None
    if payload.place:
        place = next((p for p in bundles.bundle_places(bundle) if p.code == payload.place), None)
        if place is None:
            raise ValidationFailed(
                _("该一件事不在此地办理"),
                code="bundle.place_invalid",
                fields={"place": [_("无效")]},
            )
    row, created = bundles.bundle_start(
        actor=_actor(request), bundle=bundle, place=place, idempotency_key=idempotency_key
    )
    return Status(201 if created else 200, _view(row))


@router.get(BUNDLE, response={200: BundleOut, **errors(403, 404)}, summary="一件事办理情况")
def bundle_detail(request: HttpRequest, id: DbId) -> dict[str, Any]:
    """The combined status (derived from the parts) and each part's outcome."""
    return selectors_bundles.bundle_view(_mine(request, id))


@router.put(
    f"{BUNDLE}/answers",
    response={200: BundleOut, **errors(403, 404, 409)},
    summary="填写一件事的合并表单",
)
def bundle_answers(request: HttpRequest, id: DbId, payload: BundleAnswersIn) -> dict[str, Any]:
    """Save the combined form: `shared` answers go to every part that asks them, `parts`
    (item code → answers) to that part. A field the combined form does not have is 422
    `application.field_unknown`, and nothing is saved."""
    row = _mine(request, id)
    parts = bundles.parts_of(row)
    positions = {a.item.code: i for i, a in enumerate(parts)}
    unknown = sorted(code for code in payload.parts if code not in positions)
    if unknown:
        raise ValidationFailed(
            _("一件事中没有这些事项：%(codes)s") % {"codes": "、".join(unknown)},
            code="bundle.item_unknown",
            fields={"parts": unknown},
        )
    bundles.bundle_answers_update(
        actor=_actor(request),
        bundle_application=row,
        shared=payload.shared,
        own={positions[code]: answers for code, answers in payload.parts.items()},
    )
    return _view(row)


@router.post(
    f"{BUNDLE}/submit",
    response={200: BundleOut, 201: BundleOut, **errors(403, 404, 409)},
    summary="一次提交一件事",
    openapi_extra={
        "responses": {
            200: {"description": "a retry with the same Idempotency-Key: unchanged"},
            201: {"description": "every part submitted to its department"},
            422: {"description": "bundle.part_refused: none submitted; fields name each part"},
        }
    },
)
def bundle_submit(
    request: HttpRequest, id: DbId, idempotency_key: IdempotencyKey = None
) -> Status[dict[str, Any]]:
    """Submit every part in one transaction, or none (422 `bundle.part_refused`)."""
    row, done = bundles.bundle_submit(
        actor=_actor(request),
        bundle_application=_mine(request, id),
        idempotency_key=idempotency_key,
    )
    return Status(201 if done else 200, _view(row))

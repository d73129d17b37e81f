"""Catalogue endpoints: the published items and the life events, for everyone (citizens
browse anonymously); drafts, edits and the review for the implementing departments and the
catalogue's keepers (the same services as the import command).

Operations parse input and call selectors; errors become {code, message, fields} with a 4xx
status (core.api_errors). A filter value that names nothing is 422, never an empty 200."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from hongmian.catalog import selectors
from hongmian.catalog.models import LifeEvent, ServiceItem
from hongmian.catalog.schemas import (
    ItemContentIn,
    ItemCreateIn,
    ItemFilterIn,
    ItemRetireIn,
    ItemReviewIn,
    LifeEventOut,
    ServiceItemDetailOut,
    ServiceItemPageOut,
)
from hongmian.catalog.services.content import (
    ItemContent,
    MaterialSpec,
    content_from_json,
    content_of,
)
from hongmian.catalog.services.items import (
    catalog_item_approve,
    catalog_item_create,
    catalog_item_reject,
    catalog_item_retire,
    catalog_item_submit,
    catalog_item_update,
)
from hongmian.catalog.states import Audience, ItemLevel, ItemType
from hongmian.core.actors import Actor
from hongmian.core.api_errors import errors
from hongmian.core.errors import ValidationFailed
from hongmian.core.reviews import PENDING_VERSION_STATES
from hongmian.identity.auth import ANONYMOUS_ALLOWED, api_key_session_or_anonymous
from hongmian.identity.models import OrgUnit
from hongmian.identity.selectors import org_unit_get

router = Router(tags=["catalog"])


def _reader(request: HttpRequest) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    return user if user.is_authenticated else None


def _check_choice(value: str | None, choices: list[str], param: str) -> None:
    if value is not None and value not in choices:
        message = f"未知的取值：{value}"
        raise ValidationFailed(message, code=f"catalog.{param}_invalid", fields={param: [message]})


def _actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request, via="api")


def _changes(payload: ItemContentIn) -> dict[str, Any]:
    """The content fields sent, as ItemContent takes them."""
    sent = payload.model_dump(exclude_unset=True, exclude={"effective_from"})
    sent = {k: v for k, v in sent.items() if k in ItemContent.__dataclass_fields__}
    for key in ("channels", "partner_cities"):
        if key in sent:
            sent[key] = tuple(sent[key] or ())
    if "materials" in sent:
        # Each material whole, defaults included (exclude_unset above drops them).
        sent["materials"] = tuple(
            MaterialSpec(
                name=m.name,
                form=m.form,
                source=m.source,
                copies=m.copies,
                required=m.required,
                note=m.note,
                certificate_codes=tuple(m.certificate_codes),
            )
            for m in payload.materials or ()
        )
    return {k: v for k, v in sent.items() if v is not None or k.endswith("_days")}


def _item_out(item: ServiceItem) -> dict[str, Any]:
    return {
        "code": item.code,
        "name": item.name,
        "department": {"id": item.department_id, "name": item.department.name},
        "main_item": item.main_item.name if item.main_item else None,
        "item_type": item.item_type,
        "item_type_label": str(ItemType(item.item_type).label),
        "level": item.level,
        "online_depth": item.online_depth,
        "legal_limit_days": item.legal_limit_days,
        "promised_limit_days": item.promised_limit_days,
        "charges_fee": item.charges_fee,
        "appointment_required": item.appointment_required,
        "code_service": item.code_service,
        "audiences": item.audiences,
        "required_level": item.required_level,
    }


@router.get(
    "/items",
    auth=api_key_session_or_anonymous,
    openapi_extra=ANONYMOUS_ALLOWED,
    response={200: ServiceItemPageOut, **errors(422)},
    summary="政务服务事项列表",
)
def item_list(request: HttpRequest, filters: Query[ItemFilterIn]) -> dict[str, Any]:
    """The published items, filtered by department, type, level, life event (slug) and
    audience (person, enterprise), in code order, a page at a time."""
    _check_choice(filters.item_type, ItemType.values, "item_type")
    _check_choice(filters.level, ItemLevel.values, "level")
    _check_choice(filters.audience, Audience.values, "audience")
    if filters.life_event and not LifeEvent.objects.filter(slug=filters.life_event).exists():
        _check_choice(filters.life_event, [], "life_event")
    if (
        filters.department_id is not None
        and not OrgUnit.objects.filter(pk=filters.department_id).exists()
    ):
        _check_choice(str(filters.department_id), [], "department_id")
    items = selectors.catalog_item_list(
        department_id=filters.department_id,
        item_type=filters.item_type,
        level=filters.level,
        life_event=filters.life_event,
        audience=filters.audience,
    )
    total = items.count()
    offset = (filters.page - 1) * filters.per_page
    return {
        "total": total,
        "page": filters.page,
        "per_page": filters.per_page,
        "num_pages": max(1, -(-total // filters.per_page)),
        "items": [_item_out(i) for i in items[offset : offset + filters.per_page]],
    }


@router.get(
    "/items/{code}",
    auth=api_key_session_or_anonymous,
    openapi_extra=ANONYMOUS_ALLOWED,
    response={200: ServiceItemDetailOut, **errors(404)},
    summary="政务服务事项详情",
)
def item_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    """One item: published for everyone, drafts for their department and the catalogue's
    keepers; `availability` says whether the caller may apply (实名认证等级)."""
    return _detail(_reader(request), code)


def _detail(user: Any, code: str) -> dict[str, Any]:
    item = selectors.access_item(user, code)
    availability = selectors.item_available_to(user=user, item=item)
    return {
        **_item_out(item),
        "summary": item.summary,
        "conditions": item.conditions,
        "fee_note": item.fee_note,
        "channels": list(item.channels),
        "partner_cities": list(item.partner_cities),
        "materials": [
            {
                "name": m.name,
                "form": m.form,
                "source": m.source,
                "copies": m.copies,
                "required": m.required,
                "note": m.note,
                "certificate_types": [
                    {"code": c.code, "name": c.name} for c in m.certificate_types.all()
                ],
            }
            for m in item.materials.all()
        ],
        "life_events": [{"slug": e.slug, "name": e.name} for e in item.life_events.all()],
        "status": item.status,
        "revision": item.revision,
        "valid_from": item.valid_from,
        "valid_until": item.valid_until,
        "published_at": item.published_at,
        "deadline_if_applied_today": selectors.item_deadline(item),
        "availability": {
            "allowed": availability.allowed,
            "code": availability.code,
            "reason": availability.reason,
            "user_level": availability.user_level,
            "required_level": availability.required_level,
        },
    }


@router.get(
    "/life-events",
    auth=api_key_session_or_anonymous,
    openapi_extra=ANONYMOUS_ALLOWED,
    response={200: list[LifeEventOut], **errors(422)},
    summary="主题服务（一件事）",
)
def life_event_list(request: HttpRequest, audience: str | None = None) -> list[Any]:
    _check_choice(audience, Audience.values, "audience")
    return list(selectors.life_event_list(audience=audience))


# --- writes: the implementing department and the catalogue's keepers ----------------------

_WRITE_ERRORS = errors(403, 404, 409)


@router.post(
    "/items", response={201: ServiceItemDetailOut, **_WRITE_ERRORS}, summary="新建事项（草稿）"
)
def item_create(request: HttpRequest, payload: ItemCreateIn) -> Status[dict[str, Any]]:
    """A draft item of `department_id`; served once a reviewer approves it."""
    changes = _changes(payload)
    item = catalog_item_create(
        actor=_actor(request),
        department=org_unit_get(payload.department_id),
        code=payload.code,
        content=ItemContent(**changes),
        effective_from=payload.effective_from,
    )
    return Status(201, _detail(request.auth, item.code))  # type: ignore[attr-defined]


@router.patch(
    "/items/{code}", response={200: ServiceItemDetailOut, **_WRITE_ERRORS}, summary="修改事项"
)
def item_update(request: HttpRequest, code: str, payload: ItemContentIn) -> dict[str, Any]:
    """Only the fields sent change. A published item keeps being served: the change waits as
    a new version (the draft already waiting is rewritten)."""
    user = request.auth  # type: ignore[attr-defined]
    item = selectors.access_item(user, code)
    pending = item.versions.filter(state__in=sorted(PENDING_VERSION_STATES)).first()
    base = content_from_json(pending.content) if pending else content_of(item)
    catalog_item_update(
        actor=_actor(request),
        item=item,
        content=replace(base, **_changes(payload)),
        effective_from=payload.effective_from,
    )
    return _detail(user, code)


@router.post(
    "/items/{code}/submit",
    response={200: ServiceItemDetailOut, **_WRITE_ERRORS},
    summary="提交审核",
)
def item_submit(request: HttpRequest, code: str) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    catalog_item_submit(actor=_actor(request), item=selectors.access_item(user, code))
    return _detail(user, code)


@router.post(
    "/items/{code}/approve",
    response={200: ServiceItemDetailOut, **_WRITE_ERRORS},
    summary="审核通过并发布",
)
def item_approve(request: HttpRequest, code: str, payload: ItemReviewIn) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    item = selectors.access_item(user, code)
    catalog_item_approve(actor=_actor(request), item=item, note=payload.note)
    return _detail(user, code)


@router.post(
    "/items/{code}/reject",
    response={200: ServiceItemDetailOut, **_WRITE_ERRORS},
    summary="退回修改",
)
def item_reject(request: HttpRequest, code: str, payload: ItemReviewIn) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    item = selectors.access_item(user, code)
    catalog_item_reject(actor=_actor(request), item=item, note=payload.note)
    return _detail(user, code)


@router.post(
    "/items/{code}/retire",
    response={200: ServiceItemDetailOut, **_WRITE_ERRORS},
    summary="停用事项",
)
def item_retire(request: HttpRequest, code: str, payload: ItemRetireIn) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    item = selectors.access_item(user, code)
    catalog_item_retire(actor=_actor(request), item=item, reason=payload.reason)
    return _detail(user, code)

"""Catalogue endpoints: the published items and the life events, for everyone (citizens
browse anonymously). Writes go through the import command and the services for now.

Operations parse input and call selectors; errors become {code, message, fields} with a 4xx
status (core.api_errors). A filter value that names nothing is 422, never an empty 200."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from hongmian.catalog import selectors
from hongmian.catalog.models import ServiceItem
from hongmian.catalog.schemas import (
    ItemFilterIn,
    LifeEventOut,
    ServiceItemDetailOut,
    ServiceItemPageOut,
)
from hongmian.catalog.states import Audience, ItemLevel, ItemType
from hongmian.core.api_errors import errors
from hongmian.core.errors import ValidationFailed
from hongmian.identity.auth import ANONYMOUS_ALLOWED, api_key_session_or_anonymous

router = Router(tags=["catalog"])


def _reader(request: HttpRequest) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    return user if user.is_authenticated else None


def _check_choice(value: str | None, choices: list[str], param: str) -> None:
    if value is not None and value not in choices:
        message = f"未知的取值：{value}"
        raise ValidationFailed(message, code=f"catalog.{param}_invalid", fields={param: [message]})


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
    user = _reader(request)
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

"""Reads of the catalogue. Items are public once published: anonymous visitors browse them;
drafts, items under review and retired items are seen by their department and the
catalogue's keepers (models.ServiceItem.scopes). Not found and not visible look the same."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from hongmian.catalog.models import (
    LifeEvent,
    Material,
    ServiceItem,
    ServiceItemVersion,
    served_q,
)
from hongmian.catalog.states import Audience, ItemStatus
from hongmian.core.calendar import add_workdays
from hongmian.core.errors import NotFound


def _today() -> dt.date:
    return timezone.localdate()


def items_visible_to(user: Any) -> QuerySet[ServiceItem]:
    """Every item `user` may read: the served ones, and for their keepers the rest."""
    return ServiceItem.objects.restrict(user, "view")


def audience_of(user: Any) -> str:
    """Whose items a user sees first: an enterprise representative the items for
    enterprises, everyone else (citizens, visitors, staff browsing) the items for persons."""
    if getattr(user, "is_authenticated", False) and getattr(user, "role", None) == (
        "enterprise_rep"
    ):
        return Audience.ENTERPRISE
    return Audience.PERSON


def audience_first(audience: str | None) -> list[str]:
    """The ordering that puts the items for `audience` first (then the rest)."""
    if audience == Audience.ENTERPRISE:
        return ["-for_enterprises"]
    if audience == Audience.PERSON:
        return ["-for_persons"]
    return []


def catalog_item_list(
    *,
    department_id: int | None = None,
    item_type: str | None = None,
    level: str | None = None,
    life_event: str | None = None,
    audience: str | None = None,
    on: dt.date | None = None,
    prefer: str | None = None,
) -> QuerySet[ServiceItem]:
    """The served items (what citizens browse), filtered, in code order — the items for the
    `prefer` audience first. `life_event` is a LifeEvent slug; `audience` (a filter) and
    `prefer` are states.Audience values."""
    items = ServiceItem.objects.filter(served_q(on=on or _today())).select_related(
        "department", "main_item"
    )
    if department_id is not None:
        items = items.filter(department_id=department_id)
    if item_type:
        items = items.filter(item_type=item_type)
    if level:
        items = items.filter(level=level)
    if life_event:
        items = items.filter(life_events__slug=life_event)
    if audience == Audience.PERSON:
        items = items.filter(for_persons=True)
    elif audience == Audience.ENTERPRISE:
        items = items.filter(for_enterprises=True)
    return items.order_by(*audience_first(prefer), "code")


def access_item(user: Any, code: str) -> ServiceItem:
    """The item `code` as `user` may read it, materials and life events loaded; NotFound
    when it does not exist or is not theirs to see."""
    item = (
        items_visible_to(user)
        .select_related("department", "main_item")
        .prefetch_related(
            Prefetch(
                "materials",
                queryset=Material.objects.prefetch_related("certificate_types").order_by(
                    "position", "id"
                ),
            ),
            Prefetch("life_events", queryset=LifeEvent.objects.order_by("position", "slug")),
        )
        .filter(code=code)
        .first()
    )
    if item is None:
        raise NotFound(gettext("事项不存在"), code="service_item.not_found")
    return item


def item_versions(item: ServiceItem) -> QuerySet[ServiceItemVersion]:
    return ServiceItemVersion.objects.filter(item=item).order_by("-number")


def life_event_list(*, audience: str | None = None) -> QuerySet[LifeEvent]:
    """The life events, each with the number of its published items (`served_items`)."""
    events = LifeEvent.objects.annotate(
        served_items=Count(
            "items",
            filter=Q(items__status=ItemStatus.PUBLISHED),
            distinct=True,
        )
    )
    if audience:
        events = events.filter(audience=audience)
    return events.order_by("position", "slug")


def item_deadline(item: ServiceItem, *, applied_on: dt.date | None = None) -> dt.date | None:
    """The day an application made on `applied_on` (today) is due, by the promised time limit
    (the legal one when none is promised), in working days of the business calendar."""
    days = (
        item.promised_limit_days if item.promised_limit_days is not None else item.legal_limit_days
    )
    if days is None:
        return None
    return add_workdays(applied_on or _today(), days)


@dataclass(frozen=True, slots=True)
class Availability:
    """Whether a user may apply for an item, and why not."""

    allowed: bool
    code: str = ""
    reason: str = ""
    user_level: int = 0
    required_level: int = 1


def item_available_to(*, user: Any, item: ServiceItem) -> Availability:
    """May `user` apply for `item` now? No when it is not served, when nobody is signed in,
    when the account does not serve the item's audience, or when the account's identity
    assurance level (identity.assurance, 实名认证等级) is below the item's `required_level`
    — the reason then says which level to reach ("需要 L2 实名认证")."""
    from hongmian.identity.assurance import user_assurance_level
    from hongmian.identity.states import Role

    required = int(item.required_level)
    if not ServiceItem.objects.filter(served_q(on=_today()), pk=item.pk).exists():
        return Availability(False, "service_item.not_served", "该事项暂未开放申请", 0, required)
    level = user_assurance_level(user)
    if level <= 0:
        return Availability(False, "service_item.login_required", "请先登录", 0, required)
    role = getattr(user, "role", "")
    if role == Role.ENTERPRISE_REP and not item.for_enterprises:
        return Availability(
            False, "service_item.audience", "该事项面向个人办理，请使用个人账号", level, required
        )
    if role != Role.ENTERPRISE_REP and not item.for_persons:
        return Availability(
            False, "service_item.audience", "该事项面向法人办理，请使用法人账号", level, required
        )
    if level < required:
        return Availability(
            False,
            "service_item.assurance_too_low",
            f"需要 L{required} 实名认证",
            level,
            required,
        )
    return Availability(True, "", "", level, required)


# Popular items on the portal: the items that the most life events take (a moment of life
# that needs an item is the best sign a person will look for it). The catalogue counts no
# visits, and a "most viewed" list that nothing counts would be a promise nothing keeps.
POPULAR_MAX = 8


def popular_item_list(*, limit: int = POPULAR_MAX, prefer: str | None = None) -> list[ServiceItem]:
    """The served items in the most life events, then by code — the items for the `prefer`
    audience first; items in no life event are not popular by this rule and never listed."""
    return list(
        ServiceItem.objects.filter(served_q(on=_today()))
        .annotate(event_count=Count("life_events", distinct=True))
        .filter(event_count__gt=0)
        .select_related("department")
        .order_by(*audience_first(prefer), "-event_count", "code")[:limit]
    )


def life_event_get(slug: str) -> LifeEvent:
    """The life event `slug` (public); NotFound when there is none."""
    event = LifeEvent.objects.filter(slug=slug).first()
    if event is None:
        raise NotFound(gettext("主题服务不存在"), code="life_event.not_found")
    return event


def life_event_item_list(event: LifeEvent) -> list[ServiceItem]:
    """The life event's served items in the order they were linked (life_event_save adds
    them as listed; the link keeps no position of its own)."""
    through = LifeEvent.items.through
    links = (
        through.objects.filter(lifeevent=event)
        .order_by("pk")
        .values_list("serviceitem_id", flat=True)
    )
    order = {item_id: n for n, item_id in enumerate(links)}
    items = ServiceItem.objects.filter(served_q(on=_today()), pk__in=list(order)).select_related(
        "department"
    )
    return sorted(items, key=lambda item: order[item.pk])


def departments_with_items() -> QuerySet[Any]:
    """The org units that implement at least one served item (the portal's filter)."""
    from hongmian.identity.models import OrgUnit

    return OrgUnit.objects.filter(
        pk__in=ServiceItem.objects.filter(served_q(on=_today())).values("department_id")
    ).order_by("path", "name")

"""Writes of life events (一件事): which items a moment of life takes."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext

from hongmian.catalog import permissions
from hongmian.catalog.models import SLUG_MAX, LifeEvent, ServiceItem
from hongmian.catalog.services.items import authorise
from hongmian.catalog.states import Audience
from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record
from hongmian.core.errors import ValidationFailed


def life_event_save(
    *,
    actor: Actor,
    slug: str,
    name: str,
    audience: str = Audience.PERSON,
    description: str = "",
    position: int = 0,
    items: Sequence[ServiceItem] = (),
) -> LifeEvent:
    """Create or replace the life event `slug` with these items, in this order of listing.
    Audited with the codes of the items it takes."""
    authorise(actor, permissions.can_manage_life_events, "life_event.forbidden")
    slug = (slug or "").strip()
    name = " ".join((name or "").split())
    if not slug or len(slug) > SLUG_MAX or not name:
        raise ValidationFailed(
            gettext("请填写标识和名称"),
            code="life_event.invalid",
            fields={"slug": ["请填写标识和名称"]},
        )
    if audience not in Audience.values:
        raise ValidationFailed(
            gettext("未知的服务对象：%(audience)s") % {"audience": audience},
            code="life_event.audience_invalid",
            fields={"audience": ["未知的服务对象"]},
        )
    with transaction.atomic():
        event, created = LifeEvent.objects.select_for_update().get_or_create(
            slug=slug,
            defaults={"name": name, "audience": audience, "description": description},
        )
        link_codes = LifeEvent.items.through.objects.filter(lifeevent=event)
        before = (
            None
            if created
            else {
                "name": event.name,
                "items": list(
                    link_codes.order_by("pk").values_list("serviceitem__code", flat=True)
                ),
            }
        )
        event.name, event.audience = name, audience
        event.description, event.position = description.strip(), position
        event.save()
        # The links are written in the order given (their ids keep it; the life event's
        # page lists them so, selectors.life_event_item_list): `set()` would lose it.
        ordered = list({item.pk: item for item in items}.values())
        event.items.clear()
        link = LifeEvent.items.through
        link.objects.bulk_create([link(lifeevent=event, serviceitem=item) for item in ordered])
        after = {"name": name, "items": [i.code for i in ordered]}
        if before != after or created:
            audit_record(
                actor=actor, action="life_event.save", target=event, before=before, after=after
            )
    return event

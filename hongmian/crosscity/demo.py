"""The cross-city part of the demo seed: one fictional partner platform on this machine, so
that a second demo instance can be started beside the first (docs/crosscity.md):

    make demo                                                     # 广州市 on :8000
    HONGMIAN_CROSSCITY_CODE=511600 HONGMIAN_CROSSCITY_NAME=广安市 \\
    DATABASE_URL=sqlite:///var/guang-an.sqlite3 make demo PORT=8001   # 广安市 on :8001

Each registers the other (nothing is fetched at seed time: keys are fetched on first use),
and the demo items that are already handled across regions name the other city too — the
seed's data, written as the catalogue demo writes it, not a reviewed catalogue change.
Idempotent."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings

from hongmian.applications.models import ItemForm
from hongmian.catalog.models import ServiceItem
from hongmian.catalog.states import ItemStatus
from hongmian.core.actors import Actor
from hongmian.crosscity.models import Partner
from hongmian.crosscity.services.partners import partner_add

Progress = Callable[[str, int, int], None]
# code, name, port of the two demo cities; each instance registers the one it is not.
DEMO_CITIES = (("440100", "广州市", 8000), ("511600", "广安市", 8001))
# How many of the demo's cross-region items (with a form) the partner handles.
ITEMS = 30


def seed(*, actor: Actor, progress: Progress) -> None:
    own = str(settings.HONGMIAN_CROSSCITY_CODE)
    progress("crosscity: 合作城市", 0, 1)
    for code, name, port in DEMO_CITIES:
        if code == own or Partner.objects.filter(code=code).exists():
            continue
        partner_add(actor=actor, code=code, name=name, endpoint=f"http://127.0.0.1:{port}")
    partner_names = [n for c, n, _p in DEMO_CITIES if c != own]
    with_form = ItemForm.objects.values_list("item_id", flat=True)
    items = (
        ServiceItem.objects.filter(status=ItemStatus.PUBLISHED, pk__in=with_form)
        .exclude(partner_cities=[])
        .order_by("code")[:ITEMS]
    )
    for item in items:
        missing = [n for n in partner_names if n not in item.partner_cities]
        if missing:
            ServiceItem.objects.filter(pk=item.pk).update(
                partner_cities=[*item.partner_cities, *missing]
            )
    progress("crosscity: 合作城市", 1, 1)

"""The applications' demo: forms for the demo's items (demo_forms.py). No demo
applications are made: the demo's citizens apply themselves."""

from __future__ import annotations

from collections.abc import Callable

from hongmian.applications.demo_forms import form_for
from hongmian.applications.services.forms import item_form_set
from hongmian.catalog.models import ServiceItem
from hongmian.catalog.states import ItemStatus
from hongmian.core.actors import Actor

Progress = Callable[[str, int, int], None]


def seed(*, actor: Actor, progress: Progress) -> None:
    items = list(ServiceItem.objects.filter(status=ItemStatus.PUBLISHED).order_by("code"))
    progress("applications: 申请表单", 0, len(items))
    for done, item in enumerate(items, start=1):
        fields = form_for(item.name, enterprise=item.for_enterprises and not item.for_persons)
        if fields is not None:
            item_form_set(actor=actor, item=item, fields=fields)
        if done % 200 == 0:
            progress("applications: 申请表单", done, len(items))
    progress("applications: 申请表单", len(items), len(items))

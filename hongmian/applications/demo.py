"""The applications' demo: forms for the demo's items (demo_forms.py) and instant-approval
rules for a few of them (demo_rules.py). No demo applications are made: the demo's citizens
apply themselves."""

from __future__ import annotations

from collections.abc import Callable

from hongmian.applications.demo_forms import base_name, form_for
from hongmian.applications.demo_rules import RULES
from hongmian.applications.services.forms import item_form_set
from hongmian.applications.services.rules import rule_publish_now
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
    # 秒批 (decision 0066): published at once by the seed; a second seed changes nothing.
    for item in items:
        rule = RULES.get(base_name(item.name)) or RULES.get(item.name)
        if rule is not None:
            rule_publish_now(actor=actor, item=item, rules=rule)

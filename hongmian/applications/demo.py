"""The applications' demo: forms for the demo's items (demo_forms.py) and the life events
offered as bundles (一件事一次办, BUNDLES). No demo applications are made: the demo's
citizens apply themselves."""

from __future__ import annotations

from collections.abc import Callable

from hongmian.applications.demo_forms import form_for
from hongmian.applications.services.bundles import bundle_define
from hongmian.applications.services.forms import item_form_set
from hongmian.catalog.models import LifeEvent, ServiceItem
from hongmian.catalog.states import ItemStatus
from hongmian.core.actors import Actor

Progress = Callable[[str, int, int], None]

# Life event slug → the items filed together, in the order the departments take them up
# (the others of the event — 出生医学证明 from the hospital, the loan after the purchase —
# come before or after and stay single applications).
BUNDLES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("birth", ("出生登记（户口申报）", "城乡居民医保参保登记", "社会保障卡申领")),
    (
        "open-restaurant",
        (
            "个体工商户设立登记",
            "食品经营许可（新办）",
            "公共场所卫生许可（新办）",
            "户外广告设施设置许可（新办）",
        ),
    ),
    ("retirement", ("退休养老金申领", "住房公积金提取（退休）", "异地就医备案")),
    ("buy-home", ("二手房转移登记", "房产交易契税申报", "住房公积金提取（购房）")),
    (
        "after-death",
        (
            "户口注销（死亡）",
            "殡葬补贴申领",
            "丧葬补助金、抚恤金申领",
            "基本养老保险待遇停发及个人账户余额结算",
        ),
    ),
)


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
    for slug, names in BUNDLES:
        event = LifeEvent.objects.filter(slug=slug).first()
        if event is not None:
            bundle_define(actor=actor, life_event=event, item_names=list(names))

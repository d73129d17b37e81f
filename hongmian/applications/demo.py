"""The applications' demo: forms for the demo's items (demo_forms.py), instant-approval
rules for a few of them (demo_rules.py), the life events offered as bundles (一件事一次办,
BUNDLES), and an elder who authorised family and the city hall at the hall's window
(帮办代办, decision 0072): the demo citizen 陈小棉 applies for 陈阿婆 (login `elder`) under
为家人办理, and the hall staff login finds her on the desk. No demo applications are made:
the demo's people apply themselves."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from hongmian.applications.demo_forms import base_name, form_for
from hongmian.applications.demo_rules import RULES
from hongmian.applications.services.bundles import bundle_define
from hongmian.applications.services.forms import item_form_set
from hongmian.applications.services.rules import rule_publish_now
from hongmian.catalog.models import LifeEvent, ServiceItem
from hongmian.catalog.states import ItemStatus
from hongmian.core.actors import Actor
from hongmian.identity import fakes, file_fields
from hongmian.identity.assurance import AssuranceLevel
from hongmian.identity.demo import DEMO_PASSWORD
from hongmian.identity.models import Mandate, OrgUnit, Person, User
from hongmian.identity.services.accounts import user_create
from hongmian.identity.services.files import FileRecord, consent_grant, file_push
from hongmian.identity.services.mandates import HallPlace, MandateTerms, mandate_grant_at_hall
from hongmian.identity.services.persons import person_create
from hongmian.identity.states import MandateScope, Role

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
    # 秒批 (decision 0066): published at once by the seed; a second seed changes nothing.
    for item in items:
        rule = RULES.get(base_name(item.name)) or RULES.get(item.name)
        if rule is not None:
            rule_publish_now(actor=actor, item=item, rules=rule)
    for slug, names in BUNDLES:
        event = LifeEvent.objects.filter(slug=slug).first()
        if event is not None:
            bundle_define(actor=actor, life_event=event, item_names=list(names))
    seed_assisted(actor=actor, progress=progress)


ELDER = "elder"
ELDER_FILE = {
    "identity.name": "陈阿婆",
    "address.residence": "广州市越秀区北京街道广卫路 19 号",
}
# The demo hall where she came with her son (appointments' demo: the city's centre).
ELDER_HALL = "H440100"


def seed_assisted(*, actor: Actor, progress: Progress) -> None:
    """陈阿婆, 84, registered at the city centre's window: her file, her consent that forms
    may be filled from it, her authorisation of her son (the demo citizen) for every
    application, and of the hall's staff. Skipped when the hall or the logins are missing
    (a partial seed) or when she is already there (a second seed)."""
    from hongmian.appointments.models import Hall

    hall = Hall.objects.filter(code=ELDER_HALL).select_related("org_unit").first()
    son = User.objects.filter(username="citizen").first()
    staff = User.objects.filter(username="hall", role=Role.HALL_STAFF).first()
    son_person = Person.objects.filter(user=son).first() if son else None
    if (
        hall is None
        or hall.org_unit is None
        or staff is None
        or son_person is None
        or User.objects.filter(username=ELDER).exists()
    ):
        return
    progress("applications: 帮办代办", 0, 1)
    elder = user_create(
        actor=actor,
        username=ELDER,
        password=DEMO_PASSWORD,
        role=Role.CITIZEN,
        display_name="陈阿婆",
    )
    rid = fakes.resident_id("440104", dt.date(1942, 3, 8), 128)
    person = person_create(
        actor=actor,
        name="陈阿婆",
        resident_id=rid,
        user=elder,
        assurance_level=AssuranceLevel.L2,
    )
    values = {**ELDER_FILE, "identity.resident_id": rid}
    owners = {spec.owner for key, spec in file_fields.FIELDS.items() if key in values}
    for unit in OrgUnit.objects.filter(code__in=owners).order_by("code"):
        file_push(
            actor=actor,
            batch_id=f"demo-elder-{unit.code}",
            source=unit,
            records=[
                FileRecord(
                    field=k, value=v, as_of=dt.datetime(2026, 10, 9, tzinfo=dt.UTC), resident_id=rid
                )
                for k, v in values.items()
                if file_fields.FIELDS[k].owner == unit.code
            ],
        )
    as_elder = Actor(user=elder, via="cli", label="seed_demo")
    consent_grant(
        actor=as_elder,
        subject=person,
        purpose="application.prefill",
        requester="广州市政务服务中心（帮办代办）",
        fields=sorted(values),
    )
    at_window = Actor(user=staff, via="cli", label="seed_demo")
    place = HallPlace(code=hall.code, name=hall.name, unit=hall.org_unit)
    terms = MandateTerms(
        scope=MandateScope.APPLICATIONS,
        read_file=True,
        valid_until=dt.datetime.now(dt.UTC) + dt.timedelta(days=180),
    )
    for agent in (son_person, None):
        mandate_grant_at_hall(
            actor=at_window,
            principal=person,
            hall=place,
            card_reading=rid,
            terms=terms,
            agent_resident_id=agent.resident_id if agent else "",
            agent_name=agent.name if agent else "",
        )
    progress("applications: 帮办代办", Mandate.objects.filter(principal=person).count(), 2)

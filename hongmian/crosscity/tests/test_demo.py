"""The demo registers the other demo city and lets it handle the cross-region items with a
form; the second demo instance (广安市) registers 广州市; a second seed changes nothing."""

from __future__ import annotations

from typing import Any

from hongmian.core.actors import Actor
from hongmian.core.models import AuditEvent
from hongmian.crosscity import demo
from hongmian.crosscity.models import Partner
from hongmian.crosscity.tests.worlds import city_world


def _quiet(label: str, done: int, total: int) -> None:
    pass


def test_each_demo_city_registers_the_other_once(db: None, settings: Any) -> None:
    world = city_world(partner_name="深圳市", prefix="gz")
    actor = Actor.system("seed_demo")
    demo.seed(actor=actor, progress=_quiet)
    partner = Partner.objects.get()
    assert (partner.code, partner.endpoint) == ("511600", "http://127.0.0.1:8001")
    world["item"].refresh_from_db()
    assert world["item"].partner_cities == ["深圳市", "广安市"]
    audits = AuditEvent.objects.count()
    demo.seed(actor=actor, progress=_quiet)
    assert AuditEvent.objects.count() == audits
    world["item"].refresh_from_db()
    assert world["item"].partner_cities == ["深圳市", "广安市"]

    settings.HONGMIAN_CROSSCITY_CODE = "511600"
    Partner.objects.all().delete()
    demo.seed(actor=actor, progress=_quiet)
    assert list(Partner.objects.values_list("name", flat=True)) == ["广州市"]

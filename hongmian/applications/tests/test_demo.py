"""The demo gives forms by item name (variants share one), the enterprise's form to an
enterprise item, none to an item it has no form for; a second seed changes nothing. Small
items made here, not the demo catalogue: its seed is catalog/tests/test_demo.py's."""

from __future__ import annotations

from hongmian.applications import demo
from hongmian.applications.models import ItemForm
from hongmian.applications.rule_models import RuleVersion
from hongmian.applications.selectors_rules import rule_in_force
from hongmian.applications.tests.conftest import World, make_item
from hongmian.core.actors import Actor
from hongmian.core.models import AuditEvent


def _quiet(label: str, done: int, total: int) -> None:
    pass


def test_demo_forms_seed_once(world: World) -> None:
    food = make_item(
        world.dept, "D-1", name="食品经营许可（新办）", for_persons=False, for_enterprises=True
    )
    birth = make_item(world.dept, "D-2", name="出生登记（户口申报）")
    unknown = make_item(world.dept, "D-3", name="没有表单的事项")
    actor = Actor.system("seed_demo")
    demo.seed(actor=actor, progress=_quiet)
    food_keys = [f["key"] for f in ItemForm.objects.get(item=food).fields]
    assert food_keys[:2] == ["company", "legal_rep"]
    assert "category" in food_keys
    birth_fields = {f["key"]: f for f in ItemForm.objects.get(item=birth).fields}
    assert birth_fields["name"]["file_field"] == "identity.name"
    assert birth_fields["child_birth_date"]["kind"] == "date"
    assert not ItemForm.objects.filter(item=unknown).exists()
    audits = AuditEvent.objects.count()
    demo.seed(actor=actor, progress=_quiet)
    assert AuditEvent.objects.count() == audits
    assert ItemForm.objects.get(item=birth).revision == 1


def test_demo_rules_seed_once(world: World) -> None:
    allowance = make_item(world.dept, "D-4", name="高龄老人津贴申领")
    permit = make_item(world.dept, "D-5", name="居住证申领")
    actor = Actor.system("seed_demo")
    demo.seed(actor=actor, progress=_quiet)
    assert rule_in_force(allowance).rules["all"][0]["label"] == "年满80周岁"  # type: ignore[union-attr]
    assert rule_in_force(permit) is not None
    demo.seed(actor=actor, progress=_quiet)
    assert RuleVersion.objects.filter(item__in=[allowance, permit]).count() == 2

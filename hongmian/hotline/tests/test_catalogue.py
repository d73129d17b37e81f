"""The dispatch catalogue: versions, rules, and which unit an order goes to."""

from __future__ import annotations

import pytest

from hongmian.core.actors import Actor
from hongmian.core.errors import Conflict, PermissionDenied, ValidationFailed
from hongmian.core.models import AuditEvent
from hongmian.hotline.models import Category, DispatchCatalogue, DispatchRule
from hongmian.hotline.services.catalogue import (
    catalogue_activate,
    catalogue_draft_create,
    catalogue_draft_delete,
    catalogue_draft_from_active,
    catalogue_load_defaults,
    catalogue_rule_remove,
    catalogue_rule_set,
    default_rule_specs,
    dispatch_suggest,
)
from hongmian.hotline.services.defaults import hotline_defaults_load
from hongmian.hotline.services.taxonomy import read_taxonomy_csv
from hongmian.hotline.states import CatalogueStatus
from hongmian.hotline.tests.factories import (
    CategoryFactory,
    DispatchCatalogueFactory,
    DispatchRuleFactory,
    WorkOrderFactory,
    actor_of,
)
from hongmian.identity import demo as identity_demo
from hongmian.identity.models import OrgUnit
from hongmian.identity.states import Role
from hongmian.identity.tests.factories import OrgUnitFactory, UserFactory

SYSTEM = Actor.system("test")
TIANHE, SHIPAI, LIEDE, YUEXIU = "440106000", "440106006", "440106013", "440104000"


@pytest.fixture
def tree(db):
    """环境 › 噪声 › 生活噪声, plus a sibling leaf."""
    env = CategoryFactory(code="03", name="生态环境")
    noise = CategoryFactory(code="0301", name="噪声污染", parent=env)
    living = CategoryFactory(code="030102", name="社会生活噪声", parent=noise)
    industry = CategoryFactory(code="030104", name="工业噪声", parent=noise)
    return env, noise, living, industry


@pytest.fixture
def active(db) -> DispatchCatalogue:
    return DispatchCatalogueFactory(status=CatalogueStatus.ACTIVE)


def rule(catalogue, category, unit, area="", **kwargs) -> DispatchRule:
    return DispatchRuleFactory(
        catalogue=catalogue, category=category, lead_unit=unit, area_code=area, **kwargs
    )


def order_in(category, street=SHIPAI, district=TIANHE, **kwargs):
    return WorkOrderFactory(category=category, street_code=street, district_code=district, **kwargs)


# --- dispatch_suggest ------------------------------------------------------------------------


@pytest.mark.django_db
class TestSuggest:
    def test_nothing_without_a_category_or_an_active_catalogue(self, tree, units):
        env, _, living, _ = tree
        assert dispatch_suggest(order_in(None)) is None
        draft = DispatchCatalogueFactory(status=CatalogueStatus.DRAFT)
        rule(draft, env, units.water)
        assert dispatch_suggest(order_in(living)) is None

    def test_a_top_level_rule_covers_every_descendant(self, tree, units, active):
        env, _, living, _ = tree
        city = rule(active, env, units.water)
        found = dispatch_suggest(order_in(living))
        assert (found.lead_unit, found.co_units, found.rule) == (units.water, (), city)

    def test_the_nearest_category_wins_even_over_a_nearer_area(self, tree, units, active):
        env, _, living, _ = tree
        rule(active, env, units.yuexiu, area=SHIPAI)  # street, but a far category
        near = rule(active, living, units.water)  # city-wide, but the order's own category
        assert dispatch_suggest(order_in(living)).rule == near

    def test_street_over_district_over_city(self, tree, units, active):
        _, noise, living, _ = tree
        rule(active, noise, units.water)
        district = rule(active, noise, units.tianhe, area=TIANHE)
        street = rule(active, noise, units.shipai, area=SHIPAI)
        assert dispatch_suggest(order_in(living)).rule == street
        assert dispatch_suggest(order_in(living, street=LIEDE)).rule == district
        assert dispatch_suggest(order_in(living, street="", district=YUEXIU)).lead_unit == (
            units.water
        )

    def test_a_district_passes_on_to_the_orders_street(self, tree, units, active):
        _, noise, living, _ = tree
        rule(active, noise, units.tianhe, area=TIANHE, dispatch_to_street=True)
        assert dispatch_suggest(order_in(living)).lead_unit == units.shipai
        assert dispatch_suggest(order_in(living, street=LIEDE)).lead_unit == units.liede
        # Street unknown: the district keeps it.
        assert dispatch_suggest(order_in(living, street="")).lead_unit == units.tianhe

    def test_only_to_a_street_under_the_rules_lead(self, tree, units, active):
        _, noise, living, _ = tree
        rule(active, noise, units.yuexiu, dispatch_to_street=True)  # city-wide to 越秀
        assert dispatch_suggest(order_in(living)).lead_unit == units.yuexiu  # 石牌 is in 天河

    def test_an_inactive_street_office_is_not_chosen(self, tree, units, active):
        _, noise, living, _ = tree
        rule(active, noise, units.tianhe, area=TIANHE, dispatch_to_street=True)
        OrgUnit.objects.filter(pk=units.shipai.pk).update(is_active=False)
        assert dispatch_suggest(order_in(living)).lead_unit == units.tianhe

    def test_co_units_come_with_the_rule(self, tree, units, active):
        _, noise, living, _ = tree
        rule(active, noise, units.water, co_units=[units.tianhe, units.yuexiu])
        found = dispatch_suggest(order_in(living))
        assert set(found.co_units) == {units.tianhe, units.yuexiu}

    def test_a_rule_with_an_inactive_lead_is_skipped(self, tree, units, active):
        env, noise, living, _ = tree
        fallback = rule(active, env, units.water)
        rule(active, noise, units.yuexiu)
        OrgUnit.objects.filter(pk=units.yuexiu.pk).update(is_active=False)
        assert dispatch_suggest(order_in(living)).rule == fallback

    def test_query_count_is_small_and_fixed(
        self, tree, units, active, django_assert_max_num_queries
    ):
        env, noise, living, _ = tree
        rule(active, env, units.water)
        rule(active, noise, units.tianhe, area=TIANHE, dispatch_to_street=True)
        order = order_in(living)
        order = type(order).objects.get(pk=order.pk)
        with django_assert_max_num_queries(6):
            assert dispatch_suggest(order).lead_unit == units.shipai


# --- versions ------------------------------------------------------------------------------


@pytest.fixture
def admin(db) -> Actor:
    return actor_of(UserFactory(role=Role.SYSTEM_ADMIN))


@pytest.mark.django_db
class TestVersions:
    def test_first_draft_edit_activate(self, admin, tree, units):
        _, noise, living, _ = tree
        draft = catalogue_draft_create(actor=admin)
        assert (draft.version, draft.status) == (1, CatalogueStatus.DRAFT)
        catalogue_rule_set(
            actor=admin,
            catalogue=draft,
            category=noise,
            area_code=TIANHE,
            lead_unit=units.tianhe,
            co_units=[units.water, units.tianhe],  # the lead is never its own co-handler
            dispatch_to_street=True,
            basis="属地管理",
        )
        assert dispatch_suggest(order_in(living)) is None  # not active yet
        catalogue_activate(actor=admin, catalogue=draft)
        found = dispatch_suggest(order_in(living))
        assert found.lead_unit == units.shipai
        assert found.co_units == (units.water,)
        actions = set(AuditEvent.objects.values_list("action", flat=True))
        assert {"catalogue.draft", "catalogue.rule_create", "catalogue.activate"} <= actions

    def test_a_new_version_copies_the_active_rules_and_replaces_it(self, admin, tree, units):
        _, noise, living, _ = tree
        v1 = DispatchCatalogueFactory(version=1, status=CatalogueStatus.ACTIVE)
        rule(v1, noise, units.water, co_units=[units.yuexiu])
        v2 = catalogue_draft_from_active(actor=admin)
        copied = v2.rules.get()
        assert (copied.category, copied.lead_unit) == (noise, units.water)
        assert list(copied.co_units.all()) == [units.yuexiu]
        catalogue_rule_set(
            actor=admin, catalogue=v2, category=noise, area_code="", lead_unit=units.tianhe
        )
        assert dispatch_suggest(order_in(living)).lead_unit == units.water  # v1 still rules
        catalogue_activate(actor=admin, catalogue=v2)
        v1.refresh_from_db()
        assert v1.status == CatalogueStatus.RETIRED
        assert DispatchCatalogue.objects.filter(status=CatalogueStatus.ACTIVE).get() == v2
        assert dispatch_suggest(order_in(living)).lead_unit == units.tianhe
        assert v1.rules.get().lead_unit == units.water  # history kept

    def test_only_drafts_change_and_only_one_draft_at_a_time(self, admin, tree, units, active):
        env, *_ = tree
        with pytest.raises(Conflict) as exc:
            catalogue_rule_set(
                actor=admin, catalogue=active, category=env, area_code="", lead_unit=units.water
            )
        assert exc.value.code == "catalogue.not_draft"
        rule(active, env, units.water)
        catalogue_draft_from_active(actor=admin)
        with pytest.raises(Conflict) as exc:
            catalogue_draft_from_active(actor=admin)
        assert exc.value.code == "catalogue.draft_exists"
        with pytest.raises(Conflict):
            catalogue_activate(actor=admin, catalogue=active)

    def test_an_empty_draft_cannot_be_activated_and_can_be_deleted(self, admin):
        draft = catalogue_draft_create(actor=admin)
        with pytest.raises(ValidationFailed):
            catalogue_activate(actor=admin, catalogue=draft)
        catalogue_draft_delete(actor=admin, catalogue=draft)
        assert not DispatchCatalogue.objects.exists()

    def test_rules_are_validated(self, admin, tree, units):
        env, *_ = tree
        draft = catalogue_draft_create(actor=admin)
        for area in ("440100000", "123456789", "天河"):
            with pytest.raises(ValidationFailed) as exc:
                catalogue_rule_set(
                    actor=admin,
                    catalogue=draft,
                    category=env,
                    area_code=area,
                    lead_unit=units.water,
                )
            assert exc.value.code == "catalogue.area_invalid"
        gone = OrgUnitFactory(is_active=False)
        with pytest.raises(ValidationFailed):
            catalogue_rule_set(
                actor=admin, catalogue=draft, category=env, area_code="", lead_unit=gone
            )

    def test_set_twice_replaces_and_remove_deletes(self, admin, tree, units):
        env, *_ = tree
        draft = catalogue_draft_create(actor=admin)
        args = {"actor": admin, "catalogue": draft, "category": env, "area_code": TIANHE}
        catalogue_rule_set(**args, lead_unit=units.water)
        replaced = catalogue_rule_set(**args, lead_unit=units.tianhe)
        assert draft.rules.get() == replaced
        assert replaced.lead_unit == units.tianhe
        catalogue_rule_remove(actor=admin, rule=replaced)
        assert not draft.rules.exists()

    def test_handlers_may_not_edit(self, tree, units):
        handler = actor_of(UserFactory(role=Role.DEPT_HANDLER, org_unit=units.water))
        with pytest.raises(PermissionDenied):
            catalogue_draft_create(actor=handler)


# --- the default catalogue -----------------------------------------------------------------


class TestDefaultCatalogue:
    def test_every_row_names_a_known_category_and_demo_unit(self):
        codes = {r.code for r in read_taxonomy_csv()}
        unit_codes = {spec.code for spec in identity_demo.unit_specs()}
        specs = default_rule_specs()
        assert specs
        for spec in specs:
            assert spec["category"] in codes, spec
            assert spec["lead_unit"] in unit_codes, spec
            assert set(spec["co_units"]) <= unit_codes, spec
        keys = [(s["category"], s["area_code"]) for s in specs]
        assert len(keys) == len(set(keys))

    @pytest.mark.django_db
    def test_no_units_no_catalogue_and_a_later_run_loads_it(self):
        result = hotline_defaults_load(actor=SYSTEM)
        assert result["taxonomy"]["created"] > 150
        assert result["sla_rules"]["created"] == result["sla_rules"]["total"]
        assert result["catalogue"]["version"] is None
        assert not DispatchCatalogue.objects.exists()

    @pytest.mark.django_db
    def test_with_the_demo_units_it_dispatches_like_guangzhou(self):
        _create_demo_units()
        result = hotline_defaults_load(actor=SYSTEM)
        assert result["catalogue"]["version"] == 1
        assert result["catalogue"]["skipped"] == 0
        again = hotline_defaults_load(actor=SYSTEM)
        assert again["catalogue"] == {"created": 0, "skipped": 0, "version": None}
        assert again["taxonomy"]["created"] == again["sla_rules"]["created"] == 0

        def lead(code: str, street: str = SHIPAI, district: str = TIANHE) -> str:
            order = order_in(Category.objects.get(code=code), street=street, district=district)
            return dispatch_suggest(order).lead_unit.code

        assert lead("110101") == "gz-tapwater"  # 停水
        assert lead("110201") == "gz-power"  # 停电
        assert lead("040201") == "gz-transport"  # 出租车
        assert lead("030102") == "gz-440106006"  # 广场舞 → 石牌街道
        assert lead("020101", street="440104003", district=YUEXIU) == "gz-440104003"  # 北京街道
        assert lead("020101", street="", district=YUEXIU) == "gz-440104"  # street unknown
        assert lead("020101", street="", district="") == "gz-urban"  # place unknown
        assert lead("030104") == "gz-eco"  # 工业噪声 stays with the city
        assert lead("060202") == "gz-medical"
        water = dispatch_suggest(order_in(Category.objects.get(code="110105")))
        assert [u.code for u in water.co_units] == ["gz-water"]
        assert (
            dispatch_suggest(order_in(Category.objects.get(code="990101"))) is None
        )  # 其他: an agent decides

    @pytest.mark.django_db
    def test_an_existing_catalogue_is_left_alone(self, units):
        DispatchCatalogueFactory(status=CatalogueStatus.ACTIVE)
        assert catalogue_load_defaults(actor=SYSTEM)["version"] is None


def _create_demo_units() -> None:
    """The identity demo's organisation tree, without its people (fast)."""
    by_code: dict[str, OrgUnit] = {}
    for spec in identity_demo.unit_specs():
        by_code[spec.code] = OrgUnitFactory(
            code=spec.code,
            name=spec.name,
            kind=spec.kind,
            parent=by_code.get(spec.parent) if spec.parent else None,
            division_code=spec.division_code,
        )

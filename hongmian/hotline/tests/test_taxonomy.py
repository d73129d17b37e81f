"""The category tree: the default taxonomy, and administrators' edits (audited)."""

from __future__ import annotations

import pytest

from hongmian.core.actors import Actor
from hongmian.core.errors import Conflict, NotAuthenticated, PermissionDenied, ValidationFailed
from hongmian.core.models import AuditEvent
from hongmian.hotline.models import Category
from hongmian.hotline.services.taxonomy import (
    category_create,
    category_deactivate,
    category_path,
    category_path_label,
    category_reactivate,
    category_update,
    read_taxonomy_csv,
    taxonomy_load_defaults,
)
from hongmian.hotline.tests.factories import CategoryFactory, actor_of
from hongmian.identity.states import Role
from hongmian.identity.tests.factories import UserFactory

SYSTEM = Actor.system("test")


@pytest.fixture
def admin_actor(db) -> Actor:
    return actor_of(UserFactory(role=Role.SYSTEM_ADMIN))


class TestDefaultTaxonomy:
    def test_the_file_has_three_levels_of_the_expected_size(self):
        rows = read_taxonomy_csv()
        by_level = {level: [r for r in rows if r.level == level] for level in (1, 2, 3)}
        assert len(by_level[1]) >= 15
        assert len(by_level[2]) >= 60
        assert len(by_level[3]) >= 150
        assert all(r.keywords for r in by_level[3])
        names = {r.name for r in by_level[1]}
        assert {"城乡建设", "生态环境", "交通运输", "市场监管", "水电气", "营商环境"} <= names

    def test_every_leaf_is_at_level_three(self):
        rows = read_taxonomy_csv()
        parents = {r.parent_code for r in rows}
        assert all(r.level == 3 for r in rows if r.code not in parents)

    @pytest.mark.django_db
    def test_loading_is_idempotent(self):
        first = taxonomy_load_defaults(actor=SYSTEM)
        assert first["created"] == first["total"] == Category.objects.count()
        audits = AuditEvent.objects.count()
        second = taxonomy_load_defaults(actor=SYSTEM)
        assert second["created"] == 0
        assert AuditEvent.objects.count() == audits

    @pytest.mark.django_db
    def test_loaded_tree_is_linked_and_keeps_admin_edits(self):
        taxonomy_load_defaults(actor=SYSTEM)
        leaf = Category.objects.get(code="030102")
        assert [c.code for c in category_path(leaf)] == ["03", "0301", "030102"]
        assert category_path_label(leaf) == "生态环境 › 噪声污染 › 社会生活噪声"
        assert "广场舞" in leaf.keywords.split("、")
        Category.objects.filter(code="030102").update(name="生活噪声（改）")
        taxonomy_load_defaults(actor=SYSTEM)
        assert Category.objects.get(code="030102").name == "生活噪声（改）"


@pytest.mark.django_db
class TestEdits:
    def test_create_under_a_parent_is_audited(self, admin_actor):
        root = category_create(actor=admin_actor, code="A1", name="测试一级")
        child = category_create(
            actor=admin_actor, code="A101", name="测试二级", parent=root, keywords="甲, 乙，甲"
        )
        assert (child.level, child.parent, child.keywords) == (2, root, "甲、乙")
        event = AuditEvent.objects.get(action="category.create", target_id=str(child.pk))
        assert event.after["code"] == "A101"
        assert event.actor == admin_actor.user

    def test_codes_must_be_unique_and_follow_the_parent(self, admin_actor):
        root = category_create(actor=admin_actor, code="A1", name="一级")
        with pytest.raises(Conflict) as exc:
            category_create(actor=admin_actor, code="A1", name="又一个")
        assert exc.value.code == "category.duplicate_code"
        with pytest.raises(ValidationFailed, match="开头"):
            category_create(actor=admin_actor, code="B101", name="二级", parent=root)
        with pytest.raises(ValidationFailed):
            category_create(actor=admin_actor, code="A1-01", name="二级", parent=root)
        with pytest.raises(ValidationFailed):
            category_create(actor=admin_actor, code="A102", name="  ", parent=root)

    def test_no_fourth_level(self, admin_actor):
        one = category_create(actor=admin_actor, code="A1", name="一")
        two = category_create(actor=admin_actor, code="A101", name="二", parent=one)
        three = category_create(actor=admin_actor, code="A10101", name="三", parent=two)
        with pytest.raises(ValidationFailed, match="三级"):
            category_create(actor=admin_actor, code="A1010101", name="四", parent=three)

    def test_update_changes_words_not_the_code(self, admin_actor):
        category = CategoryFactory(code="Z1", name="旧名")
        updated = category_update(actor=admin_actor, category=category, name="新名", keywords="x")
        assert (updated.code, updated.name, updated.keywords) == ("Z1", "新名", "x")
        event = AuditEvent.objects.get(action="category.update")
        assert (event.before["name"], event.after["name"]) == ("旧名", "新名")

    def test_deactivate_takes_the_branch_and_reactivate_needs_the_parent(self, admin_actor):
        root = CategoryFactory(code="Z1")
        mid = CategoryFactory(code="Z101", parent=root)
        leaf = CategoryFactory(code="Z10101", parent=mid)
        other = CategoryFactory(code="Z2")
        category_deactivate(actor=admin_actor, category=mid)
        assert set(Category.objects.filter(is_active=False).values_list("code", flat=True)) == {
            "Z101",
            "Z10101",
        }
        assert AuditEvent.objects.get(action="category.deactivate").after == {
            "deactivated": ["Z101", "Z10101"]
        }
        with pytest.raises(ValidationFailed):
            category_reactivate(actor=admin_actor, category=leaf)
        with pytest.raises(ValidationFailed):
            category_create(actor=admin_actor, code="Z10102", name="新", parent=mid)
        category_reactivate(actor=admin_actor, category=mid)
        assert Category.objects.get(code="Z101").is_active
        other.refresh_from_db()
        assert other.is_active

    @pytest.mark.parametrize("role", [Role.CITIZEN, Role.HOTLINE_AGENT, Role.DEPT_HANDLER])
    def test_only_administrators_edit(self, role):
        actor = actor_of(UserFactory(role=role))
        with pytest.raises(PermissionDenied):
            category_create(actor=actor, code="Q1", name="不行")
        assert not Category.objects.exists()

    def test_a_supervisor_may_edit_and_an_anonymous_web_actor_may_not(self):
        supervisor = actor_of(UserFactory(role=Role.HOTLINE_SUPERVISOR))
        category_create(actor=supervisor, code="Q1", name="可以")
        with pytest.raises(NotAuthenticated):
            category_create(actor=Actor(user=None, via="web"), code="Q2", name="不行")

"""The hotline's admin: edits go through the services; work orders are read only and the
caller is masked."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from hongmian.core.models import AuditEvent
from hongmian.hotline.models import Category, DispatchCatalogue, DispatchRule, SlaRule
from hongmian.hotline.states import CatalogueStatus, ClockUnit, Visibility
from hongmian.hotline.tests.factories import (
    CategoryFactory,
    DispatchCatalogueFactory,
    DispatchRuleFactory,
    SlaClockFactory,
    SlaRuleFactory,
    TimelineEntryFactory,
    WorkOrderFactory,
)
from hongmian.identity.states import Role
from hongmian.identity.tests.factories import OrgUnitFactory, UserFactory


@pytest.fixture
def admin_client(client, db):
    user = UserFactory(role=Role.SYSTEM_ADMIN, is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def url(model: str, action: str = "changelist", *args: object) -> str:
    return reverse(f"admin:hotline_{model}_{action}", args=args)


@pytest.mark.django_db
class TestPages:
    def test_every_list_and_form_renders(self, admin_client):
        category = CategoryFactory(code="03", name="生态环境")
        catalogue = DispatchCatalogueFactory(status=CatalogueStatus.ACTIVE)
        DispatchRuleFactory(catalogue=catalogue, category=category)
        rule = SlaRuleFactory()
        order = WorkOrderFactory(dispatched=True, category=category)
        SlaClockFactory(order=order)
        for model, obj in (
            ("category", category),
            ("dispatchcatalogue", catalogue),
            ("slarule", rule),
            ("workorder", order),
        ):
            assert admin_client.get(url(model)).status_code == 200, model
            assert admin_client.get(url(model, "change", obj.pk)).status_code == 200, model

    def test_work_orders_are_read_only_and_masked(self, admin_client):
        order = WorkOrderFactory(
            dispatched=True,
            caller_name="陈大文",
            caller_phone="13812345678",
            address="广州市天河区石牌街道华师路1号",
        )
        SlaClockFactory(order=order, started_at=timezone.now() - dt.timedelta(hours=30))
        TimelineEntryFactory(order=order, visibility=Visibility.INTERNAL, text="来电人身份：秘密")
        page = admin_client.get(url("workorder", "change", order.pk)).content.decode()
        assert "13812345678" not in page
        assert "138****5678" in page
        assert "陈**" in page
        assert "华师路" not in page
        assert "秘密" not in page
        listing = admin_client.get(url("workorder")).content.decode()
        assert order.number in listing
        assert "超时" in listing  # the red light
        assert admin_client.get(url("workorder", "add")).status_code == 403
        posted = admin_client.post(url("workorder", "change", order.pk), {"status": "closed"})
        assert posted.status_code == 403
        order.refresh_from_db()
        assert order.status == "dispatched"

    def test_a_confidential_caller_is_hidden(self, admin_client):
        order = WorkOrderFactory(confidential=True, caller_phone="13812345678")
        page = admin_client.get(url("workorder", "change", order.pk)).content.decode()
        assert "138****5678" not in page
        assert "（保密）" in page


@pytest.mark.django_db
class TestEdits:
    def test_adding_a_category_goes_through_the_service(self, admin_client):
        root = CategoryFactory(code="03", name="生态环境")
        response = admin_client.post(
            url("category", "add"),
            {"code": "0399", "name": "其他环境问题", "parent": root.pk, "keywords": "环境",
             "description": "", "sort_order": 0},
        )  # fmt: skip
        assert response.status_code == 302
        created = Category.objects.get(code="0399")
        assert (created.level, created.parent) == (2, root)
        assert AuditEvent.objects.filter(action="category.create", via="admin").exists()

    def test_a_service_refusal_is_a_message_not_an_error(self, admin_client):
        root = CategoryFactory(code="03")
        response = admin_client.post(
            url("category", "add"),
            {"code": "0499", "name": "错位", "parent": root.pk, "keywords": "",
             "description": "", "sort_order": 0},
            follow=True,
        )  # fmt: skip
        assert response.status_code == 200
        assert "开头" in response.content.decode()
        assert not Category.objects.filter(code="0499").exists()

    def test_a_new_catalogue_version_is_a_draft_copy_and_the_action_activates_it(
        self, admin_client
    ):
        category = CategoryFactory(code="03")
        v1 = DispatchCatalogueFactory(version=1, status=CatalogueStatus.ACTIVE)
        DispatchRuleFactory(catalogue=v1, category=category)
        response = admin_client.post(
            url("dispatchcatalogue", "add"),
            {
                "note": "调整",
                "rules-TOTAL_FORMS": "0",
                "rules-INITIAL_FORMS": "0",
                "rules-MIN_NUM_FORMS": "0",
                "rules-MAX_NUM_FORMS": "1000",
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        v2 = DispatchCatalogue.objects.get(version=2)
        assert (v2.status, v2.note, v2.rules.count()) == (CatalogueStatus.DRAFT, "调整", 1)
        admin_client.post(
            url("dispatchcatalogue"),
            {"action": "activate", "_selected_action": [v2.pk]},
        )
        v1.refresh_from_db()
        v2.refresh_from_db()
        assert (v1.status, v2.status) == (CatalogueStatus.RETIRED, CatalogueStatus.ACTIVE)

    def test_draft_rules_are_edited_inline_through_the_service(self, admin_client):
        category = CategoryFactory(code="03")
        lead = OrgUnitFactory()
        draft = DispatchCatalogueFactory(status=CatalogueStatus.DRAFT)
        response = admin_client.post(
            url("dispatchcatalogue", "change", draft.pk),
            {
                "rules-TOTAL_FORMS": "1",
                "rules-INITIAL_FORMS": "0",
                "rules-MIN_NUM_FORMS": "0",
                "rules-MAX_NUM_FORMS": "1000",
                "rules-0-category": category.pk,
                "rules-0-area_code": "440106000",
                "rules-0-lead_unit": lead.pk,
                "rules-0-dispatch_to_street": "on",
                "rules-0-basis": "属地管理",
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        rule = DispatchRule.objects.get(catalogue=draft)
        assert (rule.area_code, rule.lead_unit, rule.dispatch_to_street) == (
            "440106000",
            lead,
            True,
        )
        assert AuditEvent.objects.filter(action="catalogue.rule_create").exists()

    def test_an_sla_rule_is_saved_through_the_service(self, admin_client):
        response = admin_client.post(
            url("slarule", "add"),
            {
                "name": "测试规则",
                "is_active": "on",
                "priority": "",
                "request_type": "help",
                "unit": ClockUnit.WORKING_DAYS,
                "acknowledge_limit": "2",
                "first_response_limit": "7",
                "resolution_limit": "5",
                "yellow_ratio": "0.8",
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        assert SlaRule.objects.get(name="测试规则").request_type == "help"
        assert AuditEvent.objects.filter(action="sla_rule.create").exists()

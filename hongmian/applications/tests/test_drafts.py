"""Drafts: created from an item, answered against its form, filled from the applicant's
file under consent with each value's source, corrected apart from the file, purged."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from hongmian.applications.models import Application, ApplicationEvent
from hongmian.applications.services import drafts
from hongmian.applications.tests.conftest import World, actor_of, make_item
from hongmian.core.actors import Actor
from hongmian.core.errors import NotFound, PermissionDenied, ValidationFailed
from hongmian.core.models import AuditEvent
from hongmian.identity.models import FileUse, FileValue
from hongmian.identity.states import Role
from hongmian.identity.tests.factories import UserFactory


def test_create_checks_answers_against_the_form(world: World) -> None:
    application = world.draft(answers={"phone": "13812345678"})
    assert application.number.startswith("SQ")
    assert application.status == "draft"
    assert application.answers == {"phone": "13812345678"}
    assert application.department == world.dept
    assert ApplicationEvent.objects.filter(application=application, kind="create").exists()


def test_a_field_the_item_does_not_have_is_refused_and_nothing_written(world: World) -> None:
    with pytest.raises(ValidationFailed) as caught:
        world.draft(answers={"phone": "13812345678", "salary": "9000"})
    assert caught.value.code == "application.field_unknown"
    assert "salary" in caught.value.fields
    assert not Application.objects.exists()
    application = world.draft()
    with pytest.raises(ValidationFailed) as caught:
        drafts.application_answers_update(
            actor=actor_of(world.citizen), application=application, answers={"salary": "1"}
        )
    assert caught.value.code == "application.field_unknown"


def test_a_bad_value_names_its_field(world: World) -> None:
    with pytest.raises(ValidationFailed) as caught:
        world.draft(answers={"phone": "12345"})
    assert caught.value.code == "application.field_invalid"
    assert list(caught.value.fields) == ["phone"]


def test_create_is_idempotent_with_a_key(world: World) -> None:
    first, created = drafts.application_create(
        actor=actor_of(world.citizen), item=world.item, idempotency_key="k-1"
    )
    again, created_again = drafts.application_create(
        actor=actor_of(world.citizen), item=world.item, idempotency_key="k-1"
    )
    assert created
    assert not created_again
    assert again.pk == first.pk
    assert Application.objects.count() == 1


def test_staff_and_enterprise_items_are_refused(world: World) -> None:
    with pytest.raises(PermissionDenied) as caught:
        world.draft(user=world.handler)
    assert caught.value.code == "application.forbidden"
    enterprise_item = make_item(world.dept, "A-0002", for_persons=False, for_enterprises=True)
    with pytest.raises(ValidationFailed) as caught:
        drafts.application_create(actor=actor_of(world.citizen), item=enterprise_item)
    assert caught.value.code == "application.service_item.audience"
    assert not Application.objects.exists()


def test_prefill_needs_consent_then_shows_each_source(world: World) -> None:
    application = world.draft()
    with pytest.raises(PermissionDenied) as caught:
        drafts.application_prefill(actor=actor_of(world.citizen), application=application)
    assert caught.value.code == "consent.required"
    assert not FileUse.objects.exists()

    drafts.application_prefill_consent(actor=actor_of(world.citizen), application=application)
    application.refresh_from_db()
    assert application.answers["name"] == "陈秀英"
    assert application.answers["address"] == "广州市天河区天河路1号"
    source = application.prefill["address"]
    assert source["source"] == "市公安局"
    assert source["as_of"].startswith("2026-10-09")
    assert source["file_field"] == "address.residence"
    # The read is in the owner's use log, under the applications' purpose.
    use = FileUse.objects.get()
    assert use.purpose == drafts.PREFILL_PURPOSE
    assert sorted(use.fields) == ["address.residence", "identity.name", "identity.resident_id"]


def test_a_correction_is_the_applicants_statement_and_never_reaches_the_file(
    world: World,
) -> None:
    application = world.draft()
    drafts.application_prefill_consent(actor=actor_of(world.citizen), application=application)
    application.refresh_from_db()
    drafts.application_answers_update(
        actor=actor_of(world.citizen),
        application=application,
        answers={"address": "广州市天河区体育东路2号"},
    )
    application.refresh_from_db()
    assert application.answers["address"] == "广州市天河区体育东路2号"
    assert application.statements == {
        "address": {"value": "广州市天河区体育东路2号", "file_value": "广州市天河区天河路1号"}
    }
    # The department's data is untouched, and a new fill keeps the applicant's answer.
    assert FileValue.objects.get(field_key="address.residence").value == "广州市天河区天河路1号"
    drafts.application_prefill(actor=actor_of(world.citizen), application=application)
    application.refresh_from_db()
    assert application.answers["address"] == "广州市天河区体育东路2号"
    # Going back to the file's value withdraws the statement.
    drafts.application_answers_update(
        actor=actor_of(world.citizen),
        application=application,
        answers={"address": "广州市天河区天河路1号"},
    )
    application.refresh_from_db()
    assert application.statements == {}


def test_someone_elses_draft_looks_missing(world: World) -> None:
    application = world.draft()
    with pytest.raises(NotFound):
        drafts.application_answers_update(
            actor=actor_of(world.other_citizen), application=application, answers={}
        )


def test_stale_drafts_are_purged_by_the_command_only_with_commit(world: World) -> None:
    old = world.draft()
    fresh = world.draft()
    Application.objects.filter(pk=old.pk).update(updated_at=timezone.now() - dt.timedelta(days=31))
    system = Actor.system("test")
    assert drafts.application_drafts_purge(actor=system) == 1
    assert Application.objects.filter(pk=old.pk).exists()
    assert drafts.application_drafts_purge(actor=system, commit=True) == 1
    assert list(Application.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert AuditEvent.objects.filter(action="application.purge").count() == 1


def test_an_enterprise_representative_applies_for_the_enterprise(world: World) -> None:
    from hongmian.identity.tests.factories import EnterpriseFactory

    rep = UserFactory(role=Role.ENTERPRISE_REP)
    enterprise = EnterpriseFactory(representatives=[rep])
    item = make_item(world.dept, "A-0003", for_enterprises=True)
    application, _ = drafts.application_create(actor=actor_of(rep), item=item)
    assert application.enterprise == enterprise
    assert application.person is None


def test_the_command_counts_then_purges(world: World) -> None:
    import io

    from django.core.management import call_command

    old = world.draft()
    Application.objects.filter(pk=old.pk).update(updated_at=timezone.now() - dt.timedelta(days=40))
    out = io.StringIO()
    call_command("applications", "purge-drafts", stdout=out)
    assert "would purge" in out.getvalue()
    assert "1 draft" in out.getvalue()
    call_command("applications", "purge-drafts", "--commit", stdout=out)
    assert not Application.objects.exists()


def test_an_enterprise_form_fills_from_the_enterprise_file(world: World) -> None:
    from hongmian.identity.tests.factories import EnterpriseFactory, OrgUnitFactory

    market = OrgUnitFactory(
        code="gz-market", name="广州市市场监督管理局", short_name="市市场监管局"
    )
    rep = UserFactory(role=Role.ENTERPRISE_REP)
    enterprise = EnterpriseFactory(representatives=[rep])
    FileValue.objects.create(
        enterprise=enterprise,
        field_key="licence.name",
        value="广州市红棉餐饮有限公司",
        source=market,
        as_of=timezone.now(),
    )
    item = make_item(world.dept, "A-0004", for_persons=False, for_enterprises=True)
    from hongmian.applications.services.forms import item_form_set

    item_form_set(
        actor=Actor.system("test"),
        item=item,
        fields=[
            {"key": "company", "label": "企业名称", "file_field": "licence.name"},
            {"key": "name", "label": "经办人", "file_field": "identity.name"},
        ],
    )
    application, _ = drafts.application_create(actor=actor_of(rep), item=item)
    assert drafts.prefill_fields(application) == ["licence.name"]  # the person's is not read
    drafts.application_prefill_consent(actor=actor_of(rep), application=application)
    application.refresh_from_db()
    assert application.answers["company"] == "广州市红棉餐饮有限公司"
    assert application.prefill["company"]["source"] == "市市场监管局"
    assert FileUse.objects.get().enterprise == enterprise

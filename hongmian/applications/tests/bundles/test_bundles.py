"""Life-event bundles (一件事一次办): the combined form asks shared fields once, the
submission fans out one application per item to each department, all or nothing at
submission, compensation when a part is refused at the door, the combined status."""

from __future__ import annotations

import pytest

from hongmian.applications import bundle_forms
from hongmian.applications.bundle_states import BundleStatus, combined_status
from hongmian.applications.models import Application, ApplicationMaterial
from hongmian.applications.services import bundles, lifecycle
from hongmian.applications.states import Status
from hongmian.applications.tests.bundles.conftest import Birth, filled, started
from hongmian.applications.tests.conftest import World, actor_of, make_item
from hongmian.core.errors import Conflict, ValidationFailed
from hongmian.core.models import AuditEvent


def test_combined_form_asks_shared_fields_once(world: World, birth: Birth) -> None:
    parts = bundles.parts_of(started(world, birth))
    form = bundle_forms.combined_form(parts)
    shared = {spec.key: positions for spec, positions in form.shared}
    assert shared == {
        "name": [0, 1, 2],
        "resident_id": [0, 1, 2],
        "address": [0, 2],
        "phone": [0, 2],
        "child_name": [0, 1],
    }
    assert [f.key for f in form.own[0]] == ["reason"]
    assert form.own[1] == []
    assert [f.key for f in form.own[2]] == ["registered_address"]
    union = bundle_forms.material_union(parts)
    assert [(n.name, len(n.needs)) for n in union] == [
        ("申请人居民身份证", 2),
        ("近期免冠彩色证件照片", 1),
    ]


def test_start_fans_out_one_draft_per_item_to_each_department(world: World, birth: Birth) -> None:
    bundle_application, created = bundles.bundle_start(
        actor=actor_of(world.citizen), bundle=birth.bundle, idempotency_key="k1"
    )
    again, created_again = bundles.bundle_start(
        actor=actor_of(world.citizen), bundle=birth.bundle, idempotency_key="k1"
    )
    assert created
    assert not created_again
    assert again.pk == bundle_application.pk
    parts = bundles.parts_of(bundle_application)
    assert [a.department.code for a in parts] == ["a-dept", "h-dept", "m-dept"]
    assert {a.status for a in parts} == {Status.DRAFT}
    assert Application.objects.count() == 3


def test_shared_answer_and_upload_reach_every_part(world: World, birth: Birth) -> None:
    bundle_application = filled(world, birth)
    parts = bundles.parts_of(bundle_application)
    assert [a.answers["child_name"] for a in parts[:2]] == ["陈小明", "陈小明"]
    assert parts[2].answers["registered_address"] == "天河区"
    rows = ApplicationMaterial.objects.filter(name="申请人居民身份证")
    assert rows.count() == 2
    assert len({r.storage_name for r in rows}) == 1  # stored once


def test_unknown_field_saves_nothing(world: World, birth: Birth) -> None:
    bundle_application = started(world, birth)
    with pytest.raises(ValidationFailed) as caught:
        bundles.bundle_answers_update(
            actor=actor_of(world.citizen),
            bundle_application=bundle_application,
            shared={"name": "陈秀英", "salary": "1"},
        )
    assert caught.value.code == "application.field_unknown"
    assert not any(a.answers for a in bundles.parts_of(bundle_application))


def test_submit_fans_out_to_each_department(world: World, birth: Birth) -> None:
    bundle_application = filled(world, birth)
    done, new = bundles.bundle_submit(
        actor=actor_of(world.citizen), bundle_application=bundle_application, idempotency_key="s"
    )
    assert new
    assert done.submitted_at is not None
    assert Application.objects.filter(status=Status.SUBMITTED).count() == 3
    replay, again = bundles.bundle_submit(
        actor=actor_of(world.citizen), bundle_application=bundle_application, idempotency_key="s"
    )
    assert not again
    assert replay.pk == done.pk
    with pytest.raises(Conflict):
        bundles.bundle_submit(actor=actor_of(world.citizen), bundle_application=bundle_application)


def test_one_part_failing_leaves_nothing_submitted(world: World, birth: Birth) -> None:
    bundle_application = filled(world, birth)
    # The insurance part loses a required answer: that part alone is invalid.
    medical = bundles.parts_of(bundle_application)[2]
    medical.answers = {**medical.answers, "registered_address": ""}
    medical.save()
    audits = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        bundles.bundle_submit(actor=actor_of(world.citizen), bundle_application=bundle_application)
    assert caught.value.code == "bundle.part_refused"
    assert list(caught.value.fields) == ["M-0001"]
    assert Application.objects.filter(status=Status.DRAFT).count() == 3
    assert Application.objects.exclude(status=Status.DRAFT).count() == 0
    bundle_application.refresh_from_db()
    assert bundle_application.submitted_at is None
    assert AuditEvent.objects.count() == audits


def test_level_too_low_in_one_part_refuses_the_bundle(world: World, birth: Birth) -> None:
    bundle_application = filled(world, birth)
    part = bundles.parts_of(bundle_application)[1]
    part.item.required_level = 3
    part.item.save()
    with pytest.raises(ValidationFailed) as caught:
        bundles.bundle_submit(actor=actor_of(world.citizen), bundle_application=bundle_application)
    assert "H-0001" in caught.value.fields
    assert Application.objects.filter(status=Status.SUBMITTED).count() == 0


def test_refusal_at_the_door_compensates_the_others(world: World, birth: Birth) -> None:
    bundle_application = filled(world, birth)
    bundles.bundle_submit(actor=actor_of(world.citizen), bundle_application=bundle_application)
    police, health, medical = bundles.parts_of(bundle_application)
    lifecycle.application_review(actor=actor_of(world.handler), application=police, act="accept")
    lifecycle.application_review(
        actor=actor_of(birth.health_handler),
        application=health,
        act="not_accept",
        reason="出生医学证明信息与医院记录不一致",
    )
    statuses = {a.number: a.status for a in Application.objects.all()}
    assert statuses == {
        police.number: Status.WITHDRAWN,
        health.number: Status.NOT_ACCEPTED,
        medical.number: Status.WITHDRAWN,
    }
    police.refresh_from_db()
    assert "出生医学证明信息与医院记录不一致" in police.reason
    assert police.stopped_at is not None  # the promised time limit's clock stopped
    assert AuditEvent.objects.filter(action="application.withdraw").count() == 2
    audit = AuditEvent.objects.get(action="bundle.compensate")
    assert audit.after["withdrawn"] == [police.number, medical.number]
    bundle_application.refresh_from_db()
    assert bundle_application.withdrawn_at is not None
    assert "天河区卫生健康局" in bundle_application.withdraw_reason


@pytest.mark.parametrize(
    ("statuses", "withdrawn", "expected"),
    [
        (["draft", "draft"], False, BundleStatus.DRAFT),
        (["submitted", "submitted"], False, BundleStatus.SUBMITTED),
        (["accepted", "submitted"], False, BundleStatus.PARTLY_ACCEPTED),
        (["accepted", "under_review"], False, BundleStatus.IN_REVIEW),
        (["correction", "submitted"], False, BundleStatus.CORRECTION),
        (["approved", "under_review"], False, BundleStatus.IN_REVIEW),
        (["approved", "result_issued", "archived"], False, BundleStatus.DONE),
        (["approved", "rejected"], False, BundleStatus.PARTLY_REJECTED),
        (["not_accepted", "withdrawn"], False, BundleStatus.WITHDRAWN),
        (["approved", "approved"], True, BundleStatus.WITHDRAWN),
    ],
)
def test_combined_status(statuses: list[str], withdrawn: bool, expected: BundleStatus) -> None:
    assert combined_status(statuses, withdrawn=withdrawn) == expected


def test_demo_bundles_name_items_of_their_life_events() -> None:
    from hongmian.applications.demo import BUNDLES
    from hongmian.applications.demo_forms import form_for
    from hongmian.catalog.demo_items import LIFE_EVENTS

    events = {slug: names for slug, _name, _aud, _desc, names in LIFE_EVENTS}
    assert len(BUNDLES) >= 5
    for slug, names in BUNDLES:
        assert set(names) <= set(events[slug]), slug
        assert all(form_for(n, enterprise=False) for n in names), slug


def test_a_district_part_is_filed_where_the_applicant_chooses(world: World, birth: Birth) -> None:
    # The world's item becomes a district item: a second district implements it too.
    other = make_item(world.other_dept, "A-0002", name=world.item.name)
    birth.bundle.life_event.items.add(other)
    places = bundles.bundle_places(birth.bundle)
    assert [p.code for p in places] == ["a-dept", "b-dept"]
    with pytest.raises(ValidationFailed) as caught:
        bundles.bundle_start(actor=actor_of(world.citizen), bundle=birth.bundle)
    assert caught.value.code == "bundle.place_required"
    assert not Application.objects.exists()
    row, _new = bundles.bundle_start(
        actor=actor_of(world.citizen), bundle=birth.bundle, place=world.other_dept
    )
    assert row.place == world.other_dept
    assert bundles.parts_of(row)[0].item.code == "A-0002"


def test_a_decided_sibling_is_kept_when_another_is_refused(world: World, birth: Birth) -> None:
    row = filled(world, birth)
    bundles.bundle_submit(actor=actor_of(world.citizen), bundle_application=row)
    police, health, medical = bundles.parts_of(row)
    for act in ("accept", "start", "approve"):
        police = lifecycle.application_review(
            actor=actor_of(world.handler), application=police, act=act
        )
    lifecycle.application_review(
        actor=actor_of(birth.insurance_handler),
        application=medical,
        act="not_accept",
        reason="已在外地参保",
    )
    assert Application.objects.get(pk=police.pk).status == Status.APPROVED
    assert Application.objects.get(pk=health.pk).status == Status.WITHDRAWN
    audit = AuditEvent.objects.get(action="bundle.compensate")
    assert audit.after["kept_decided"] == [police.number]
    row.refresh_from_db()
    statuses = [a.status for a in bundles.parts_of(row)]
    assert combined_status(statuses, withdrawn=True) == BundleStatus.WITHDRAWN

"""The item services: creation, versions and the review workflow."""

from __future__ import annotations

import pytest

from hongmian.catalog.models import CertificateType, ServiceItem, ServiceItemVersion
from hongmian.catalog.services.content import ItemContent, MaterialSpec, content_of
from hongmian.catalog.services.items import (
    catalog_item_approve,
    catalog_item_create,
    catalog_item_reject,
    catalog_item_retire,
    catalog_item_submit,
    catalog_item_update,
)
from hongmian.catalog.states import ItemStatus, ItemType
from hongmian.catalog.tests.conftest import Org, actor_of, make_item
from hongmian.core.errors import (
    Conflict,
    IllegalTransition,
    PermissionDenied,
    ValidationFailed,
)
from hongmian.core.models import AuditEvent
from hongmian.core.reviews import VersionState

pytestmark = pytest.mark.django_db


def _audits(item: ServiceItem) -> list[str]:
    return list(
        AuditEvent.objects.filter(target_type="catalog.serviceitem", target_id=str(item.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_create_makes_a_draft_with_its_materials_and_certificate_types(org: Org) -> None:
    CertificateType.objects.create(code="id_card", name="居民身份证")
    item = catalog_item_create(
        actor=actor_of(org.author),
        department=org.market,
        code="  C-0100 ",
        content=ItemContent(
            name=" 食品经营许可  （新办） ",
            item_type=ItemType.LICENCE,
            legal_limit_days=20,
            promised_limit_days=10,
            channels=("online", "hall", "online"),
            materials=(
                MaterialSpec(name="营业执照", form="copy"),
                MaterialSpec(name="法定代表人身份证", certificate_codes=("id_card",)),
            ),
        ),
    )
    assert (item.code, item.name, item.status) == ("C-0100", "食品经营许可 （新办）", "draft")
    assert item.channels == ["online", "hall"]
    content = content_of(item)
    assert [m.name for m in content.materials] == ["营业执照", "法定代表人身份证"]
    assert content.materials[1].certificate_codes == ("id_card",)
    assert ServiceItemVersion.objects.get(item=item).state == VersionState.DRAFT
    assert _audits(item) == ["service_item.create"]
    # Not served: anonymous visitors do not see a draft.
    assert not ServiceItem.objects.restrict(None).filter(pk=item.pk).exists()


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"name": " "}, "service_item.name_required"),
        ({"legal_limit_days": -1}, "service_item.time_limit_invalid"),
        ({"legal_limit_days": 5, "promised_limit_days": 9}, "service_item.promise_exceeds_law"),
        ({"item_type": "行政处罚"}, "service_item.item_type_invalid"),
        ({"required_level": 4}, "service_item.required_level_invalid"),
        ({"channels": ("pigeon",)}, "service_item.channels_invalid"),
        (
            {"materials": (MaterialSpec(name="x", certificate_codes=("nope",)),)},
            "service_item.certificate_type_unknown",
        ),
    ],
)
def test_bad_content_is_a_coded_error_and_writes_nothing(
    org: Org, fields: dict[str, object], code: str
) -> None:
    content = ItemContent(**{"name": "食品经营许可", **fields})  # type: ignore[arg-type]
    with pytest.raises(ValidationFailed) as err:
        catalog_item_create(
            actor=actor_of(org.author), department=org.market, code="C-1", content=content
        )
    assert err.value.code == code
    assert not ServiceItem.objects.exists()


def test_duplicate_code_and_foreign_department_are_refused(org: Org) -> None:
    make_item(org, code="C-1", publish=False)
    with pytest.raises(Conflict) as err:
        make_item(org, code="C-1", publish=False)
    assert err.value.code == "service_item.code_taken"
    with pytest.raises(PermissionDenied):
        catalog_item_create(
            actor=actor_of(org.author),
            department=org.police,
            code="C-2",
            content=ItemContent(name="居民身份证换领"),
        )


def test_review_publishes_and_an_edit_is_a_new_version_served_only_when_approved(
    org: Org,
) -> None:
    item = make_item(org, legal_limit_days=20)
    assert (item.status, item.revision) == (ItemStatus.PUBLISHED, 1)
    assert ServiceItem.objects.restrict(None).filter(pk=item.pk).exists()

    version = catalog_item_update(
        actor=actor_of(org.author),
        item=item,
        content=ItemContent(name="食品经营许可（变更）", legal_limit_days=15),
    )
    assert version.number == 2
    item.refresh_from_db()
    # Still served as approved while the edit waits.
    assert (item.name, item.legal_limit_days, item.revision) == ("食品经营许可", 20, 1)

    catalog_item_submit(actor=actor_of(org.author), item=item)
    with pytest.raises(Conflict) as frozen:
        catalog_item_update(actor=actor_of(org.author), item=item, content=ItemContent(name="再改"))
    assert frozen.value.code == "service_item.in_review"
    with pytest.raises(PermissionDenied) as own:
        catalog_item_approve(actor=actor_of(org.author), item=item)
    assert own.value.code == "service_item.forbidden"

    catalog_item_reject(actor=actor_of(org.manager), item=item, note="时限依据不足")
    item.refresh_from_db()
    assert item.status == ItemStatus.PUBLISHED  # the live version is untouched
    catalog_item_submit(actor=actor_of(org.author), item=item)
    catalog_item_approve(actor=actor_of(org.cdo), item=item)
    item.refresh_from_db()
    assert (item.name, item.legal_limit_days, item.revision) == ("食品经营许可（变更）", 15, 2)
    states = dict(ServiceItemVersion.objects.filter(item=item).values_list("number", "state"))
    assert states == {1: VersionState.SUPERSEDED, 2: VersionState.PUBLISHED}
    assert _audits(item) == [
        "service_item.create",
        "service_item.submit",
        "service_item.approve",
        "service_item.update",
        "service_item.submit",
        "service_item.reject",
        "service_item.submit",
        "service_item.approve",
    ]


def test_nobody_approves_their_own_submission(org: Org) -> None:
    item = make_item(org, publish=False)
    catalog_item_submit(actor=actor_of(org.manager), item=item)
    with pytest.raises(PermissionDenied) as err:
        catalog_item_approve(actor=actor_of(org.manager), item=item)
    assert err.value.code == "service_item.own_submission"


def test_retire_withdraws_the_waiting_version_and_stops_serving(org: Org) -> None:
    item = make_item(org)
    catalog_item_update(actor=actor_of(org.author), item=item, content=ItemContent(name="新"))
    catalog_item_retire(actor=actor_of(org.manager), item=item, reason="已取消")
    item.refresh_from_db()
    assert item.status == ItemStatus.RETIRED
    assert not ServiceItem.objects.restrict(None).filter(pk=item.pk).exists()
    assert ServiceItemVersion.objects.get(item=item, number=2).state == VersionState.WITHDRAWN
    with pytest.raises(IllegalTransition):
        catalog_item_retire(actor=actor_of(org.manager), item=item)

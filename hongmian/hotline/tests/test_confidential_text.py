"""A confidential caller's address is masked inside the request text for the handling
units too, in whatever form the caller wrote it (decision 0074)."""

from __future__ import annotations

import pytest

from hongmian.hotline.models import WorkOrder
from hongmian.hotline.selectors import access_work_order
from hongmian.identity.models import Person

pytestmark = pytest.mark.django_db

TEXT = "我住華師路１號3栋201，楼下烧烤店油烟扰民；我家在岗顶东路12号也有铺面被熏。"


def test_the_address_repeated_in_the_text_is_masked_for_the_unit(
    flow, units, shipai_handler, agent, citizen_person: Person
) -> None:
    Person.objects.filter(pk=citizen_person.pk).update(address="广州市天河区石牌街道岗顶东路12号")
    order = flow.dispatched(
        units.shipai, confidential=True, caller_person=citizen_person, content=TEXT
    )
    read = access_work_order(shipai_handler, order.pk)
    # The order's address (华师路1号) in traditional characters and full-width digits, with
    # its building and flat; the caller's own address from their file, as written there.
    assert read.content == "我住****，楼下烧烤店油烟扰民；我家在****也有铺面被熏。"
    # The centre sees the caller, and the text as the caller wrote it.
    assert access_work_order(agent, order.pk).content == TEXT
    # Nothing was saved: the stored text is whole.
    assert WorkOrder.objects.get(pk=order.pk).content == TEXT


def test_a_caller_who_is_not_confidential_keeps_their_text(flow, units, shipai_handler) -> None:
    order = flow.dispatched(units.shipai, content=TEXT)
    assert access_work_order(shipai_handler, order.pk).content == TEXT

"""The assisted-service screens: 委托代办 (grant, see, revoke, 为家人办理) and the hall's
desk (a person reached only with a presence context or a hall authorisation; audited)."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hongmian.applications.models import Application
from hongmian.applications.tests.conftest import World, jpeg
from hongmian.appointments.models import Hall
from hongmian.appointments.states import HallLevel
from hongmian.core.models import AuditEvent
from hongmian.geo.models import Division
from hongmian.identity.models import Mandate
from hongmian.identity.states import Role, UnitKind
from hongmian.identity.tests.factories import OrgUnitFactory, PersonFactory, UserFactory


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_a_person_grants_sees_and_revokes_and_the_relative_applies(world: World) -> None:
    relative = UserFactory(role=Role.CITIZEN, display_name="陈小明")
    relative_person = PersonFactory(user=relative, name="陈小明")
    me = _client(world.citizen)
    assert me.get(reverse("applications:my_mandates")).status_code == 200
    answer = me.post(
        reverse("applications:my_mandates"),
        {
            "agent_name": "陈小明",
            "agent_resident_id": relative_person.resident_id,
            "scope": "items",
            "item_codes": world.item.code,
            "valid_days": "30",
            "document": jpeg("委托书.jpg"),
        },
    )
    mandate = Mandate.objects.get()
    assert answer.status_code == 302
    # The relative sees it under 为家人办理 and applies as the principal.
    agent = _client(relative)
    page = agent.get(reverse("applications:my_mandates")).content.decode()
    assert "陈秀英" in page
    answer = agent.post(reverse("applications:family_apply", args=[mandate.pk]), {"item": "A-0001"})
    application = Application.objects.get(mandate=mandate)
    assert answer["Location"] == reverse("applications:detail", args=[application.pk])
    form = agent.get(answer["Location"])
    assert form.status_code == 200
    assert "代办：陈小明 为 陈秀英 办理" in form.content.decode()
    # The person sees the application under the authorisation, and in 我的办件.
    detail = me.get(reverse("applications:my_mandate", args=[mandate.pk])).content.decode()
    assert application.number in detail
    assert application.number in me.get(reverse("applications:mine")).content.decode()
    history = me.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert "（代办人 陈小明）" in history
    # A stranger: not found; the relative cannot revoke it.
    stranger = _client(world.other_citizen)
    assert stranger.get(reverse("applications:my_mandate", args=[mandate.pk])).status_code == 404
    assert stranger.get(reverse("applications:detail", args=[application.pk])).status_code == 404
    assert (
        agent.post(reverse("applications:my_mandate_revoke", args=[mandate.pk])).status_code == 404
    )
    me.post(reverse("applications:my_mandate_revoke", args=[mandate.pk]), {"reason": "不需要了"})
    mandate.refresh_from_db()
    assert mandate.status == "revoked"
    # Revoked: the relative's way in is gone.
    assert agent.get(reverse("applications:detail", args=[application.pk])).status_code == 404


def test_the_hall_desk_reaches_a_person_only_with_a_context(world: World) -> None:
    city = Division.objects.create(code="440100000", name="广州市", level="city")
    unit = OrgUnitFactory(code="h-unit", kind=UnitKind.SERVICE_HALL)
    Hall.objects.create(
        code="HT",
        name="天河大厅",
        level=HallLevel.DISTRICT,
        division=city,
        org_unit=unit,
        address="天河路 1 号",
    )
    staff = _client(UserFactory(role=Role.HALL_STAFF, org_unit=unit, display_name="窗口甲"))
    person_page = reverse("applications:assist_person", args=[world.person.pk])
    assert staff.get(reverse("applications:assist")).status_code == 200
    assert staff.get(person_page).status_code == 404  # no presence, no authorisation
    assert _client(world.citizen).get(reverse("applications:assist")).status_code == 403
    rid = world.person.resident_id
    staff.post(
        reverse("applications:assist_find"),
        {"hall": "HT", "resident_id": rid, "card_reading": rid},
    )
    page = staff.get(person_page)
    assert page.status_code == 200
    assert "陈秀英" in page.content.decode()
    viewed = AuditEvent.objects.get(action="assist.person_view")
    assert viewed.after["hall"] == "HT"
    assert viewed.after["via"] == "card"
    staff.post(
        reverse("applications:assist_mandate", args=[world.person.pk]),
        {"card_reading": rid, "scope": "applications", "valid_days": "7", "read_file": "on"},
    )
    mandate = Mandate.objects.get(agent_kind="hall")
    assert mandate.valid_until > timezone.now() + dt.timedelta(days=6)
    answer = staff.post(reverse("applications:assist_apply", args=[mandate.pk]), {"item": "A-0001"})
    application = Application.objects.get(mandate=mandate)
    assert answer["Location"] == reverse("applications:assist_detail", args=[application.pk])
    assert staff.get(answer["Location"]).status_code == 200
    cases = staff.get(reverse("applications:assist")).content.decode()
    assert application.number in cases
    # Another hall's staff: not found, even with the number.
    other = _client(UserFactory(role=Role.HALL_STAFF, org_unit=OrgUnitFactory(code="h-else")))
    assert (
        other.get(reverse("applications:assist_detail", args=[application.pk])).status_code == 404
    )
    assert other.get(person_page).status_code == 404

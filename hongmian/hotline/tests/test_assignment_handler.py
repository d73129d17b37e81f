"""经办人 inside a unit (services/assignment.py), through the service, the API and the web:
the manager names anyone of the unit, a handler takes what nobody holds, nobody else may,
every change is audited with a staff timeline entry, and the order's status and clocks do
not move. Saved views (services/queues.py) are here too: personal, audited, deleted only by
their owner."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hongmian.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from hongmian.core.models import AuditEvent
from hongmian.hotline.models import Assignment, SavedView, TimelineEntry
from hongmian.hotline.services.assignment import assignment_assign_handler
from hongmian.hotline.services.queues import saved_view_create, saved_view_delete
from hongmian.hotline.states import Visibility
from hongmian.hotline.tests.factories import actor_of
from hongmian.identity.states import Role
from hongmian.identity.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(units):
    return {
        "manager": UserFactory(
            role=Role.DEPT_MANAGER, org_unit=units.shipai, display_name="李科长"
        ),
        "zhang": UserFactory(role=Role.DEPT_HANDLER, org_unit=units.shipai, display_name="张三"),
        "wang": UserFactory(role=Role.DEPT_HANDLER, org_unit=units.shipai, display_name="王五"),
        "liede": UserFactory(role=Role.DEPT_HANDLER, org_unit=units.liede),
        "district_manager": UserFactory(role=Role.DEPT_MANAGER, org_unit=units.tianhe),
    }


def lead(order) -> Assignment:
    return order.assignments.get(role="lead", status__in=("pending", "acknowledged"))


def test_the_manager_names_changes_and_clears_the_handler(flow, people) -> None:
    order = flow.dispatched()
    version, status = order.version, order.status
    clocks = list(order.clocks.values_list("due_at", flat=True))
    row = assignment_assign_handler(
        actor=actor_of(people["manager"]), assignment=lead(order), handler=people["zhang"]
    )
    assert row.handler == people["zhang"]
    assignment_assign_handler(
        actor=actor_of(people["manager"]), assignment=row, handler=people["wang"]
    )
    assignment_assign_handler(actor=actor_of(people["manager"]), assignment=row, handler=None)
    assert lead(order).handler is None
    entries = TimelineEntry.objects.filter(order=order, kind="handler_assigned").order_by("id")
    assert [e.text for e in entries] == [
        "石牌街道办事处经办人：张三",
        "石牌街道办事处经办人：王五",
        "石牌街道办事处取消经办人",
    ]
    # Staff: the centre and the units read it, the caller never does.
    assert {e.visibility for e in entries} == {Visibility.STAFF}
    audits = AuditEvent.objects.filter(action="assignment.handler_assigned").order_by("id")
    assert [(a.before["handler"], a.after["handler"]) for a in audits] == [
        (None, people["zhang"].pk),
        (people["zhang"].pk, people["wang"].pk),
        (people["wang"].pk, None),
    ]
    order.refresh_from_db()
    # The unit's own division of work: the order's status, version and clocks stay.
    assert (order.version, order.status) == (version, status)
    assert list(order.clocks.values_list("due_at", flat=True)) == clocks


def test_a_manager_above_the_unit_may_name_too(flow, people) -> None:
    order = flow.dispatched()
    assignment_assign_handler(
        actor=actor_of(people["district_manager"]), assignment=lead(order), handler=people["zhang"]
    )
    assert lead(order).handler == people["zhang"]


def test_a_handler_takes_what_nobody_holds_and_nothing_else(flow, people) -> None:
    order = flow.dispatched()
    zhang, wang = actor_of(people["zhang"]), actor_of(people["wang"])
    assignment_assign_handler(actor=zhang, assignment=lead(order), handler=people["zhang"])
    # Taken: another handler can neither take it over nor hand it on.
    with pytest.raises(PermissionDenied) as refused:
        assignment_assign_handler(actor=wang, assignment=lead(order), handler=people["wang"])
    assert refused.value.code == "assignment.forbidden"
    with pytest.raises(PermissionDenied):
        assignment_assign_handler(actor=zhang, assignment=lead(order), handler=people["wang"])
    other = flow.dispatched()
    with pytest.raises(PermissionDenied):
        assignment_assign_handler(actor=wang, assignment=lead(other), handler=people["zhang"])


def test_only_members_of_the_unit_and_only_while_it_holds_the_order(
    flow, people, agent, units
) -> None:
    order = flow.dispatched()
    manager = actor_of(people["manager"])
    with pytest.raises(ValidationFailed) as bad:
        assignment_assign_handler(actor=manager, assignment=lead(order), handler=people["liede"])
    assert bad.value.code == "assignment.handler"
    with pytest.raises(ValidationFailed):
        assignment_assign_handler(actor=manager, assignment=lead(order), handler=agent)
    inactive = UserFactory(role=Role.DEPT_HANDLER, org_unit=units.shipai, is_active=False)
    with pytest.raises(ValidationFailed):
        assignment_assign_handler(actor=manager, assignment=lead(order), handler=inactive)
    # Another unit's order is not found, exactly like a missing one.
    elsewhere = flow.dispatched(units.yuexiu)
    with pytest.raises(NotFound):
        assignment_assign_handler(actor=manager, assignment=lead(elsewhere), handler=None)
    with pytest.raises(NotFound):
        assignment_assign_handler(actor=manager, assignment=0, handler=None)
    # The centre sees the order but is not the unit.
    with pytest.raises(PermissionDenied):
        assignment_assign_handler(actor=actor_of(agent), assignment=lead(order), handler=None)
    replied = flow.replied()
    done = replied.assignments.get(role="lead")
    with pytest.raises(Conflict) as late:
        assignment_assign_handler(actor=manager, assignment=done, handler=people["zhang"])
    assert late.value.code == "assignment.not_active"
    assert not AuditEvent.objects.filter(action="assignment.handler_assigned").exists()


# --- the API -----------------------------------------------------------------------------------


def test_the_api_names_and_takes_the_handler(client, flow, people, units) -> None:
    order = flow.dispatched()
    url = f"/api/hotline/work-orders/{order.number}/handler"
    client.force_login(people["zhang"])
    taken = client.post(url, {"handler": people["zhang"].pk}, content_type="application/json")
    assert taken.status_code == 200, taken.content
    assert taken.json() == {
        "unit": {"id": units.shipai.pk, "name": "石牌街道办事处"},
        "role": "lead",
        "status": "pending",
        "handler": {"id": people["zhang"].pk, "name": "张三"},
    }
    client.force_login(people["manager"])
    moved = client.post(url, {"handler": people["wang"].pk}, content_type="application/json")
    assert moved.json()["handler"]["name"] == "王五"
    outsider = client.post(url, {"handler": people["liede"].pk}, content_type="application/json")
    assert (outsider.status_code, outsider.json()["code"]) == (422, "assignment.handler")
    nobody = client.post(url, {"handler": 10**12}, content_type="application/json")
    assert (nobody.status_code, nobody.json()["code"]) == (422, "assignment.handler")
    cleared = client.post(url, {"handler": None}, content_type="application/json")
    assert cleared.json()["handler"] is None
    client.force_login(people["liede"])
    hidden = client.post(url, {"handler": None}, content_type="application/json")
    assert (hidden.status_code, hidden.json()["code"]) == (404, "work_order.not_found")


# --- the web: the order page and the inbox ----------------------------------------------------


def test_the_order_page_shows_the_handler_and_the_manager_names_one(client, flow, people) -> None:
    order = flow.dispatched()
    page = reverse("hotline:order", args=(order.pk,))
    client.force_login(people["manager"])
    html = client.get(page).content.decode()
    assert 'id="handler-select"' in html
    assert "张三" in html
    response = client.post(
        reverse("hotline:assign_handler", args=(order.pk,)), {"handler": people["zhang"].pk}
    )
    assert response.status_code == 302
    assert response.url == page
    assert lead(order).handler == people["zhang"]
    client.force_login(people["wang"])
    html = client.get(page).content.decode()
    assert '<td class="handler__name">张三</td>' in html
    # Taken already: a handler is offered nothing to take.
    assert "领取" not in html


def test_a_bad_handler_in_the_form_is_a_message_not_an_error(client, flow, people) -> None:
    order = flow.dispatched()
    client.force_login(people["manager"])
    url = reverse("hotline:assign_handler", args=(order.pk,))
    for value in ("abc", "9" * 30, str(people["liede"].pk)):
        response = client.post(url, {"handler": value}, follow=True)
        assert response.status_code == 200
        assert "经办人须是本单位在职的承办人员" in response.content.decode()
    assert lead(order).handler is None


# --- saved views --------------------------------------------------------------------------------


def test_a_saved_view_is_kept_canonical_audited_and_personal(agent, supervisor) -> None:
    mine = actor_of(agent)
    view = saved_view_create(
        actor=mine, queue="search", name=" 天河超时 ", query="?page=4&overdue=1&district=440106"
    )
    assert (view.name, view.query) == ("天河超时", "district=440106000&overdue=1")
    with pytest.raises(Conflict) as twice:
        saved_view_create(actor=mine, queue="search", name="天河超时", query="")
    assert twice.value.code == "saved_view.duplicate"
    for queue, name, query, code in (
        ("search", "", "", "saved_view.name"),
        ("search", "长" * 31, "", "saved_view.name"),
        ("admin", "x", "", "saved_view.queue"),
        ("search", "x", "light=blue", "saved_view.query"),
    ):
        with pytest.raises(ValidationFailed) as bad:
            saved_view_create(actor=mine, queue=queue, name=name, query=query)
        assert bad.value.code == code
    with pytest.raises(NotFound):
        saved_view_delete(actor=actor_of(supervisor), view=view)
    saved_view_delete(actor=mine, view=view.pk)
    assert not SavedView.objects.exists()
    assert list(
        AuditEvent.objects.filter(action__startswith="saved_view.")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["saved_view.create", "saved_view.delete"]

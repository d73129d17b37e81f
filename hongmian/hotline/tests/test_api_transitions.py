"""One endpoint per act of an order's life, over real HTTP: each act's happy path, its 409 in
a status that does not allow it, and its 409 on a stale `expected_version`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from hongmian.hotline.models import ExtensionRequest, WorkOrder
from hongmian.hotline.states import (
    AssignmentRole,
    AssignmentStatus,
    CallbackReview,
    ExtensionStatus,
    Status,
)
from hongmian.hotline.tests.factories import (
    AssignmentFactory,
    CallbackFactory,
    ExtensionRequestFactory,
    ReturnRequestFactory,
    SlaClockFactory,
    WorkOrderFactory,
)
from hongmian.hotline.tests.fixtures import Units
from hongmian.hotline.tests.http import HttpResponse, as_user
from hongmian.identity.models import User

ORDERS = "/api/hotline/work-orders"


@dataclass
class World:
    units: Units
    agent: User
    supervisor: User
    tianhe_handler: User
    water_handler: User


@pytest.fixture
def world(units, agent, supervisor, tianhe_handler, water_handler) -> World:
    return World(units, agent, supervisor, tianhe_handler, water_handler)


# What an act needs: the order, who acts, the path after /work-orders/<number>, the body.
Setup = Callable[[World], tuple[WorkOrder, User, str, dict[str, Any]]]


def _with_tianhe(**kwargs: Any) -> Callable[[World], WorkOrder]:
    return lambda w: WorkOrderFactory(lead_unit=w.units.tianhe, **kwargs)


def received(w: World) -> WorkOrder:
    return WorkOrderFactory()


def dispatched(w: World) -> WorkOrder:
    return _with_tianhe(dispatched=True)(w)


def acknowledged(w: World) -> WorkOrder:
    return _with_tianhe(acknowledged=True)(w)


def replied(w: World) -> WorkOrder:
    return _with_tianhe(replied=True)(w)


def closed(w: World) -> WorkOrder:
    return _with_tianhe(replied=True, status=Status.CLOSED)(w)


def in_status(status: str) -> Callable[[World], WorkOrder]:
    return _with_tianhe(acknowledged=True, status=status)


def with_co_unit(make: Callable[[World], WorkOrder]) -> Callable[[World], WorkOrder]:
    def build(w: World) -> WorkOrder:
        order = make(w)
        AssignmentFactory(
            order=order,
            unit=w.units.water,
            role=AssignmentRole.CO,
            status=AssignmentStatus.ACKNOWLEDGED,
        )
        return order

    return build


def with_pending_return(w: World) -> WorkOrder:
    order = in_status(Status.RETURN_REQUESTED)(w)
    ReturnRequestFactory(order=order)
    return order


def awaiting_review(w: World) -> WorkOrder:
    order = _with_tianhe(replied=True, status=Status.CALLBACK_REVIEW)(w)
    CallbackFactory(order=order, satisfaction="dissatisfied", review=CallbackReview.PENDING)
    return order


def with_extension(status: str) -> Callable[[World], WorkOrder]:
    def build(w: World) -> WorkOrder:
        order = acknowledged(w)
        SlaClockFactory(order=order)
        ExtensionRequestFactory(order=order, status=status)
        return order

    return build


def _extension_path(order: WorkOrder) -> str:
    extension = ExtensionRequest.objects.get(order=order)
    return f"/extensions/{extension.pk}/decide"


@dataclass(frozen=True)
class Act:
    name: str
    actor: str  # a World attribute
    path: str | Callable[[WorkOrder], str]
    body: Callable[[World], dict[str, Any]]
    happy: Callable[[World], WorkOrder]
    wrong: Callable[[World], WorkOrder]
    # The order's status after the act (None: unchanged).
    after: str | None
    success: int = 200

    def url(self, order: WorkOrder) -> str:
        tail = self.path if isinstance(self.path, str) else self.path(order)
        return f"{ORDERS}/{order.number}{tail}"


ACTS = [
    Act(
        "direct-answer",
        "agent",
        "/direct-answer",
        lambda w: {"answer": "该事项可在穗好办APP办理。", "source": "knowledge:12"},
        received,
        dispatched,
        Status.CLOSED,
    ),
    Act(
        "dispatch",
        "agent",
        "/dispatch",
        lambda w: {
            "lead_unit": w.units.tianhe.pk,
            "co_units": [w.units.water.pk],
            "note": "请核查",
        },
        received,
        closed,
        Status.DISPATCHED,
    ),
    Act(
        "subdispatch",
        "tianhe_handler",
        "/subdispatch",
        lambda w: {"unit": w.units.shipai.pk},
        acknowledged,
        dispatched,
        Status.DISPATCHED,
    ),
    Act(
        "acknowledge",
        "tianhe_handler",
        "/acknowledge",
        lambda w: {},
        dispatched,
        acknowledged,
        Status.ACKNOWLEDGED,
    ),
    Act(
        "progress",
        "tianhe_handler",
        "/progress",
        lambda w: {"text": "已到现场核查。", "visibility": "public"},
        acknowledged,
        # The centre may write notes on any open order, but not on a closed one.
        closed,
        None,
    ),
    Act(
        "reply",
        "tianhe_handler",
        "/reply",
        lambda w: {"reply": "已责令工地停止夜间施工。"},
        acknowledged,
        dispatched,
        Status.REPLIED,
    ),
    Act(
        "co-reply",
        "water_handler",
        "/co-reply",
        lambda w: {"reply": "排水设施已清理。"},
        with_co_unit(acknowledged),
        with_co_unit(replied),
        None,
    ),
    Act(
        "return",
        "tianhe_handler",
        "/return",
        lambda w: {
            "reason": "not_our_duty",
            "legal_basis": "《广州市排水管理办法》第五条",
            "explanation": "属市水务局职责。",
            "suggested_unit": w.units.water.pk,
        },
        dispatched,
        in_status(Status.RETURN_REQUESTED),
        Status.RETURN_REQUESTED,
    ),
    Act(
        "return-review",
        "agent",
        "/return-review",
        lambda w: {"accept": False, "note": "属本辖区事项，请继续办理。"},
        with_pending_return,
        acknowledged,
        Status.ACKNOWLEDGED,
    ),
    Act(
        "extension",
        "tianhe_handler",
        "/extension",
        lambda w: {"reason": "需协调多个部门现场勘查。", "amount": "2.5"},
        acknowledged,
        dispatched,
        None,
        success=201,
    ),
    Act(
        "extension-decide",
        "agent",
        _extension_path,
        lambda w: {"approve": True, "note": "同意"},
        with_extension(ExtensionStatus.PENDING),
        with_extension(ExtensionStatus.APPROVED),
        None,
    ),
    Act(
        "supervise",
        "supervisor",
        "/supervise",
        lambda w: {"kind": "supervise", "note": "请加快办理"},
        dispatched,
        received,
        None,
    ),
    Act(
        "callback",
        "agent",
        "/callback",
        lambda w: {"reached": True, "satisfaction": "satisfied", "resolved": True},
        replied,
        acknowledged,
        Status.CLOSED,
    ),
    Act(
        "callback-review",
        "supervisor",
        "/callback-review",
        lambda w: {"reopen": False, "reason": "诉求超出政策范围，已充分解释。"},
        awaiting_review,
        replied,
        Status.CLOSED,
    ),
    Act(
        "merge",
        "agent",
        "/merge",
        lambda w: {"duplicates": [WorkOrderFactory().number], "note": "同一工地"},
        received,
        _with_tianhe(replied=True, status=Status.ARCHIVED),
        None,
    ),
    Act(
        "joint-meeting",
        "agent",
        "/joint-meeting",
        lambda w: {
            "units": [w.units.tianhe.pk, w.units.water.pk],
            "decided_unit": w.units.water.pk,
            "minutes": "经会商，由市水务局牵头办理。",
            "held_at": "2026-05-06T15:00:00+08:00",
        },
        in_status(Status.JOINT_MEETING),
        acknowledged,
        Status.DISPATCHED,
    ),
    Act("archive", "agent", "/archive", lambda w: {}, closed, received, Status.ARCHIVED),
]

IDS = [act.name for act in ACTS]


def _do(live_server, world: World, act: Act, order: WorkOrder, body: dict) -> HttpResponse:
    api = as_user(live_server, getattr(world, act.actor))
    return api.post(act.url(order), json=body)


@pytest.mark.parametrize("act", ACTS, ids=IDS)
def test_each_act_refuses_a_stale_version_then_succeeds(
    live_server, world: World, act: Act
) -> None:
    order = act.happy(world)
    before = order.status
    body = {**act.body(world), "expected_version": order.version + 3}
    stale = _do(live_server, world, act, order, body)
    assert stale.status == 409, stale.text
    assert stale.json()["code"] == "work_order.stale"

    response = _do(live_server, world, act, order, {**body, "expected_version": order.version})
    assert response.status == act.success, response.text
    answer = response.json()
    summary = answer["order"] if act.name == "extension" else answer
    assert summary["number"] == order.number
    assert summary["status"] == (act.after or before)
    assert summary["version"] == order.version + 1
    order.refresh_from_db()
    assert order.version == summary["version"]


@pytest.mark.parametrize("act", ACTS, ids=IDS)
def test_each_act_is_409_in_a_status_that_does_not_allow_it(
    live_server, world: World, act: Act
) -> None:
    order = act.wrong(world)
    response = _do(live_server, world, act, order, act.body(world))
    assert response.status == 409, response.text
    assert response.json()["code"].startswith("work_order.")
    order.refresh_from_db()
    assert order.version == 1


def test_dispatch_without_a_unit_asks_the_catalogue(live_server, world: World) -> None:
    # No dispatch rule matches an order without a category: the service asks for a unit.
    response = as_user(live_server, world.agent).post(
        f"{ORDERS}/{received(world).number}/dispatch", json={}
    )
    assert response.status == 422, response.text
    assert response.json()["code"] == "work_order.lead_unit"


def test_an_unknown_unit_is_422_on_its_field(live_server, world: World) -> None:
    response = as_user(live_server, world.agent).post(
        f"{ORDERS}/{received(world).number}/dispatch", json={"lead_unit": 999_999}
    )
    assert response.status == 422
    assert response.json()["fields"] == {"lead_unit": ["单位不存在或已停用"]}


def test_a_unit_may_not_do_the_centres_acts(live_server, world: World) -> None:
    order = dispatched(world)
    response = as_user(live_server, world.tianhe_handler).post(
        f"{ORDERS}/{order.number}/dispatch", json={"lead_unit": world.units.water.pk}
    )
    assert response.status == 403
    assert response.json()["code"] == "work_order.forbidden"


def test_merge_refuses_unknown_duplicates(live_server, world: World) -> None:
    order = received(world)
    response = as_user(live_server, world.agent).post(
        f"{ORDERS}/{order.number}/merge", json={"duplicates": ["GZ-NO-SUCH"]}
    )
    assert response.status == 422
    assert response.json()["code"] == "work_order.duplicates"


def test_merge_folds_the_duplicate_under_the_master(live_server, world: World) -> None:
    master, duplicate = received(world), received(world)
    response = as_user(live_server, world.agent).post(
        f"{ORDERS}/{master.number}/merge", json={"duplicates": [duplicate.number]}
    )
    assert response.status == 200, response.text
    duplicate.refresh_from_db()
    assert duplicate.status == Status.MERGED
    assert duplicate.master_id == master.pk


def test_an_extension_of_another_order_is_not_found(live_server, world: World) -> None:
    order = acknowledged(world)
    other = ExtensionRequestFactory()
    response = as_user(live_server, world.agent).post(
        f"{ORDERS}/{order.number}/extensions/{other.pk}/decide", json={"approve": True}
    )
    assert response.status == 404
    assert response.json()["code"] == "extension.not_found"


BAD_BODIES = [
    ("/progress", {"text": ""}),
    ("/progress", {"text": "x", "visibility": "everyone"}),
    ("/extension", {"reason": "r", "amount": "-1"}),
    ("/extension", {"reason": "r", "amount": "1.234"}),
    ("/supervise", {"kind": "shout"}),
    ("/acknowledge", {"expected_version": 0}),
    ("/acknowledge", {"expected_version": "one"}),
    ("/reply", {"reply": "x", "unknown": 1}),
]


def test_bad_bodies_are_422(live_server, world: World) -> None:
    order = acknowledged(world)
    api = as_user(live_server, world.tianhe_handler)
    for path, body in BAD_BODIES:
        response = api.post(f"{ORDERS}/{order.number}{path}", json=body)
        assert response.status == 422, (path, body, response.text)
        assert response.json()["code"] == "validation_failed"
    order.refresh_from_db()
    assert order.version == 1


def test_a_direct_answer_names_its_knowledge_article(live_server, world: World, article) -> None:
    from hongmian.knowledge.models import ArticleUsage

    order = received(world)
    api = as_user(live_server, world.agent)

    response = api.post(f"{ORDERS}/{order.number}/direct-answer", json={"article": article.pk})

    assert response.status == 200, response.text
    order.refresh_from_db()
    assert order.status == Status.CLOSED
    assert order.reply == article.body  # no answer given: the article's text is sent
    assert order.answer_source == f"knowledge:{article.pk}"
    assert ArticleUsage.objects.get().order_ref == order.number


def test_a_direct_answer_from_an_unknown_article_is_404(live_server, world: World) -> None:
    order = received(world)
    api = as_user(live_server, world.agent)

    response = api.post(
        f"{ORDERS}/{order.number}/direct-answer", json={"answer": "可以办理。", "article": 999_999}
    )

    assert response.status == 404, response.text
    assert response.json()["code"] == "article.not_found"
    order.refresh_from_db()
    assert (order.status, order.version) == (Status.RECEIVED, 1)

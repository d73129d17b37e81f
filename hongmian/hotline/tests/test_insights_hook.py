"""The hotline depends on the insights app through one door, hotline/insights_hook.py, and
works without the app: no other hotline module imports `hongmian.insights`, and with the
app gone the hook answers "nothing" instead of failing (decision 0024)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from hongmian.hotline import insights_hook
from hongmian.hotline.tests.factories import WorkOrderFactory, actor_of
from hongmian.hotline.tests.hook_imports import importers_besides, imports_of

HOOK = Path(insights_hook.__file__)


def test_only_the_hook_imports_the_insights_app() -> None:
    assert importers_besides(HOOK, "hongmian.insights") == {}


def test_the_check_sees_an_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import hongmian.insights.models\n"
        "from hongmian.insights import services\n"
        "from hongmian import insights\n"
        "from hongmian.hotline import insights_hook\n",
        encoding="utf-8",
    )
    assert imports_of(sample, "hongmian.insights") == [1, 2, 3]


@pytest.fixture
def without_insights(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if hongmian.insights were not installed: the hook finds none of its modules."""
    monkeypatch.setattr(insights_hook, "_module", lambda name: None)


@pytest.mark.django_db
def test_without_the_app_the_hook_answers_nothing(without_insights: None, agent, units) -> None:
    order = WorkOrderFactory()
    request = RequestFactory().post("/hotline/console/", {"ml_suggestion": "token"})
    request.user = agent

    assert insights_hook.available() is False
    assert insights_hook.suggest("小区停水", "一直没有来水") is None
    assert insights_hook.record_intake_feedback(request, order) is None
    insights_hook.feedback_on_return(
        actor=actor_of(agent), order=order, returned_unit=units.shipai, new_unit=units.liede
    )
    assert insights_hook.board_hotspots() is None
    assert insights_hook.board_duplicates(50) is None
    insights_hook.orders_merged(actor=actor_of(agent), order_ids=[order.pk])
    assert insights_hook.board_callbacks([order]) == [(order, None)]
    assert insights_hook.duplicate_window_days() is None
    assert insights_hook.order_duplicates_url(order) is None
    assert not order.classification_feedback.exists()


@pytest.mark.django_db
def test_without_the_app_the_screens_leave_its_parts_out(
    without_insights: None, agent, supervisor, client: Client
) -> None:
    order = WorkOrderFactory()
    client.force_login(agent)
    console = client.get(reverse("hotline:console")).content.decode()
    assert 'id="ml-suggestions"' not in console
    page = client.get(reverse("hotline:order", args=(order.pk,))).content.decode()
    assert "/duplicates" not in page

    client.force_login(supervisor)
    board = client.get(reverse("hotline:board"))
    assert board.status_code == 200
    html = board.content.decode()
    assert 'id="hotspots"' not in html
    assert 'id="merges"' not in html
    assert 'id="callbacks"' in html


@pytest.mark.django_db
def test_with_the_app_the_screens_show_its_parts(agent, supervisor, client: Client) -> None:
    order = WorkOrderFactory()
    client.force_login(agent)
    assert 'id="ml-suggestions"' in client.get(reverse("hotline:console")).content.decode()
    page = client.get(reverse("hotline:order", args=(order.pk,))).content.decode()
    assert reverse("insights:order_duplicates", args=(order.pk,)) in page
    client.force_login(supervisor)
    html = client.get(reverse("hotline:board")).content.decode()
    assert 'id="hotspots"' in html
    assert 'id="merges"' in html

"""The hotline depends on the insights app through one door, hotline/insights_hook.py, and
works without the app: no other hotline module imports `hongmian.insights`, and with the
app gone the hook answers "nothing" instead of failing (decision 0024)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from hongmian.hotline import insights_hook
from hongmian.hotline.tests.factories import WorkOrderFactory, actor_of

HOTLINE = Path(insights_hook.__file__).parent
HOOK = Path(insights_hook.__file__)


def _imports_insights(path: Path) -> list[int]:
    """The lines of `path` that import hongmian.insights (or a module inside it)."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        else:
            continue
        if any(n == "hongmian.insights" or n.startswith("hongmian.insights.") for n in names):
            lines.append(node.lineno)
    return lines


def test_only_the_hook_imports_the_insights_app() -> None:
    offenders = {
        str(path.relative_to(HOTLINE)): lines
        for path in sorted(HOTLINE.rglob("*.py"))
        if "tests" not in path.relative_to(HOTLINE).parts
        and path != HOOK
        and (lines := _imports_insights(path))
    }
    assert offenders == {}


def test_the_check_sees_an_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import hongmian.insights.models\n"
        "from hongmian.insights import services\n"
        "from hongmian import insights\n"
        "from hongmian.hotline import insights_hook\n",
        encoding="utf-8",
    )
    assert _imports_insights(sample) == [1, 2, 3]


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
    assert insights_hook.board_duplicates(timezone.now(), 50) == []
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

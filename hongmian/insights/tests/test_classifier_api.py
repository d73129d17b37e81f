"""Suggestions on the public contract: `POST /api/hotline/suggestions` (API key, Django's
test client in-process) and the console's slot (`hotline:console_ml_suggestions`), with the
intake that records the agent's choice against the suggestion."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from hongmian.hotline.models import Category, WorkOrder
from hongmian.hotline.tests.factories import CategoryFactory
from hongmian.hotline.tests.http import api_key_for
from hongmian.insights.classifier import registry
from hongmian.insights.classifier.text_classifier import TextClassifier
from hongmian.insights.models import ClassificationFeedback
from hongmian.insights.services import classifier as svc
from hongmian.insights.tests.test_classifier import SUBJECTS, synthetic_rows

pytestmark = pytest.mark.django_db

URL = "/api/hotline/suggestions"
SLOT = reverse("insights:console_ml_suggestions")
NOISE = {"title": "工地夜间施工噪音", "content": "楼下工地夜间施工噪音扰民，每晚打桩到十二点。"}


@pytest.fixture(autouse=True)
def _fresh_registry():
    registry.forget()
    yield
    registry.forget()


@pytest.fixture(scope="module")
def artefact(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("models") / "synthetic.joblib"
    TextClassifier().fit(synthetic_rows()).save(path)
    return path


@pytest.fixture
def top_categories(db) -> dict[str, Category]:
    return {name: CategoryFactory(code=f"L1-{i}", name=name) for i, name in enumerate(SUBJECTS)}


@pytest.fixture
def active(system_actor, artefact, top_categories) -> dict[str, Category]:
    svc.classifier_register(actor=system_actor, target="category_l1", path=artefact, activate=True)
    return top_categories


def post(user: Any, payload: dict[str, Any]) -> Any:
    client = Client(HTTP_AUTHORIZATION=f"Bearer {api_key_for(user)}")
    return client.post(URL, data=json.dumps(payload), content_type="application/json")


def error_code(response: Any, status: int) -> str:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    return str(body["code"])


# --- the API ---------------------------------------------------------------------------------


def test_suggestions_are_ranked_categories_with_calibrated_confidence(agent, active) -> None:
    response = post(agent, {**NOISE, "k": 3})
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"categories", "units", "category_model", "unit_model"}
    assert (body["category_model"], body["unit_model"], body["units"]) == (
        "category_l1 v1",
        None,
        [],
    )
    top = body["categories"]
    assert top[0]["name"] == "生态环境"
    assert top[0]["code"] == active["生态环境"].code
    confidences = [c["confidence"] for c in top]
    assert confidences == sorted(confidences, reverse=True)
    assert sum(confidences) == pytest.approx(1.0, abs=1e-3)
    assert len(top) == 3
    assert len(post(agent, {**NOISE, "k": 1}).json()["categories"]) == 1


def test_without_an_active_model_the_answer_is_409(agent, top_categories) -> None:
    assert error_code(post(agent, NOISE), 409) == "classifier.none_active"


def test_blank_huge_or_unknown_input_is_a_422(agent, active) -> None:
    assert error_code(post(agent, {"title": " ", "content": ""}), 422) == "classifier.empty_text"
    assert error_code(post(agent, {"content": "停水" * 3_000}), 422) == "validation_failed"
    assert error_code(post(agent, {**NOISE, "text": "x"}), 422) == "validation_failed"
    assert error_code(post(agent, {**NOISE, "k": 0}), 422) == "validation_failed"


def test_the_api_needs_an_account(active) -> None:
    response = Client().post(URL, data=json.dumps(NOISE), content_type="application/json")
    assert error_code(response, 401) == "not_authenticated"


def test_a_unit_model_adds_units(system_actor, agent, active, units, tmp_path) -> None:
    # Units as labels: the synthetic subjects mapped onto three units' codes.
    to_unit = {
        "生态环境": units.tianhe.code,
        "水电气": units.water.code,
        "交通运输": units.yuexiu.code,
    }
    rows = [type(r)(r.message, to_unit[r.label]) for r in synthetic_rows()]
    TextClassifier().fit(rows).save(tmp_path / "unit.joblib")
    svc.classifier_register(
        actor=system_actor, target="unit", path=tmp_path / "unit.joblib", activate=True
    )
    body = post(agent, NOISE).json()
    assert body["unit_model"] == "unit v1"
    assert body["units"][0] == {
        "code": units.tianhe.code,
        "name": units.tianhe.name,
        "confidence": body["units"][0]["confidence"],
    }


# --- the console's slot ----------------------------------------------------------------------


def test_the_slot_shows_suggestions_with_an_adopt_button(client, agent, active) -> None:
    client.force_login(agent)
    response = client.get(SLOT, NOISE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "智能分类建议" in html
    assert "category_l1 v1" in html
    assert html.index("生态环境") < html.index("交通运输")
    assert f'"category": "{active["生态环境"].pk}"' in html  # the 采用 button's values
    assert 'name="ml_suggestion" form="intake-form"' in html
    # The fragment only: the slot's own container is in the console page.
    assert 'id="ml-suggestions"' not in html


def test_the_slot_waits_for_text_and_says_when_no_model_is_active(
    client, agent, top_categories
) -> None:
    client.force_login(agent)
    assert "输入标题或诉求内容后" in client.get(SLOT, {"title": "停"}).content.decode()
    assert "尚未启用智能分类模型" in client.get(SLOT, NOISE).content.decode()
    too_long = client.get(SLOT, {"title": "停" * 201}).content.decode()
    assert "标题不能超过 200 字" in too_long


def test_the_slot_is_for_the_centre_only(client, shipai_handler, active) -> None:
    client.force_login(shipai_handler)
    assert client.get(SLOT, NOISE).status_code == 403


def test_the_console_page_has_the_slot(client, agent, db) -> None:
    client.force_login(agent)
    html = client.get(reverse("hotline:console")).content.decode()
    assert 'id="ml-suggestions"' in html
    assert SLOT in html


def test_intake_records_the_agents_choice_against_the_suggestion(client, agent, active) -> None:
    client.force_login(agent)
    html = client.get(SLOT, NOISE).content.decode()
    token = html.split('name="ml_suggestion" form="intake-form" value="')[1].split('"')[0]
    traffic = active["交通运输"]  # the agent corrects the suggestion
    data = {
        "channel": "phone",
        "request_type": "complaint",
        "priority": "normal",
        **NOISE,
        "category": traffic.pk,
        "idempotency_key": "k-ml-1",
        "ml_suggestion": token,
    }
    response = client.post(reverse("hotline:console"), data)
    assert response.status_code == 302
    order = WorkOrder.objects.get()
    feedback = ClassificationFeedback.objects.get()
    assert (feedback.order, feedback.target, feedback.source) == (
        order,
        "category_l1",
        "agent_correction",
    )
    assert (feedback.suggested_label, feedback.confirmed_label, feedback.agreed) == (
        active["生态环境"].code,
        traffic.code,
        False,
    )
    # The same form sent again finds its order: nothing is recorded twice.
    client.post(reverse("hotline:console"), data)
    assert ClassificationFeedback.objects.count() == 1


def test_adopting_a_suggestion_narrows_the_picker(client, agent, db) -> None:
    top = CategoryFactory(code="A", name="生态环境")
    middle = CategoryFactory(code="A1", name="噪声污染", parent=top)
    leaf = CategoryFactory(code="A11", name="建筑施工噪声", parent=middle)
    other = CategoryFactory(code="B", name="交通运输")
    client.force_login(agent)
    adopt = reverse("insights:console_ml_adopt")
    # An upper level and a text that names no leaf: the leaves below it (an order is filed
    # under a leaf), none chosen for the agent (test_console_assist: one the text names).
    html = client.get(adopt, {"category": top.pk}).content.decode()
    assert f'value="{leaf.pk}"' in html
    assert f'value="{middle.pk}"' not in html
    assert f'value="{top.pk}"' not in html
    assert f'value="{other.pk}"' not in html
    assert "selected" not in html
    # A leaf: itself, selected.
    html = client.get(adopt, {"category": other.pk}).content.decode()
    assert f'value="{other.pk}" selected' in html
    # Unknown: the whole picker again.
    html = client.get(adopt, {"category": "999999"}).content.decode()
    assert f'value="{leaf.pk}"' in html
    assert f'value="{other.pk}"' in html

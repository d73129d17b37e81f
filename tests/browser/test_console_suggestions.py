"""The console's classifier slot in real Chromium: as the agent types the title, the active
model's categories appear (debounced, by HTMX); 采用 narrows the category picker to the
first; the intake then records that the agent confirmed the suggestion."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from hongmian.core.actors import Actor
from hongmian.hotline.models import Category, WorkOrder
from hongmian.hotline.services.taxonomy import taxonomy_load_defaults
from hongmian.identity.states import Role
from hongmian.insights.classifier import registry
from hongmian.insights.classifier.text_classifier import TextClassifier
from hongmian.insights.models import ClassificationFeedback
from hongmian.insights.services.classifier import classifier_register
from hongmian.insights.tests.test_classifier import synthetic_rows
from tests.browser.test_shell import _screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def model_active(transactional_db, tmp_path) -> Category:
    """The default taxonomy and a level-1 model whose labels (生态环境, 水电气, 交通运输) are
    names of the taxonomy's top level; returns 生态环境."""
    system = Actor.system("browser-test")
    taxonomy_load_defaults(actor=system)
    TextClassifier().fit(synthetic_rows()).save(tmp_path / "l1.joblib")
    classifier_register(
        actor=system, target="category_l1", path=tmp_path / "l1.joblib", activate=True
    )
    registry.forget()
    yield Category.objects.get(level=1, name="生态环境")
    registry.forget()


def test_suggestions_appear_as_the_agent_types(page, make_user, log_in, model_active) -> None:
    agent = make_user(Role.HOTLINE_AGENT, username="agent")
    log_in(agent.username)
    page.goto("/hotline/console/")
    slot = page.locator("#ml-suggestions")
    assert "输入标题或诉求内容后" in slot.inner_text()

    page.locator("#id_title").press_sequentially("工地夜间施工噪音扰民", delay=20)
    page.wait_for_selector("#ml-suggestions:has-text('智能分类建议')")
    first = slot.locator("li").first
    assert first.locator(".results__title").inner_text() == "生态环境"
    assert re.fullmatch(r"\d{1,3}%", first.locator(".note").inner_text())
    _screenshot(page, "hotline-console-suggestions.png")

    # 生态环境 has sub-categories: 采用 narrows the picker to them, the agent picks one.
    first.get_by_role("button", name=re.compile("采用")).click()
    noise = Category.objects.get(code="030101")  # 建筑施工噪声, under 生态环境
    # The full picker already holds the option: wait for the narrowing itself.
    page.wait_for_function("() => document.querySelectorAll('#id_category option').length < 30")
    assert page.locator(f"#id_category option[value='{noise.pk}']").count() == 1
    page.locator("#id_category").select_option(str(noise.pk))
    page.locator("#id_content").fill("楼下工地每晚打桩到十二点，影响休息。")
    # The text change asks for suggestions again (after 400 ms): let that settle first, as
    # an agent reading them would, so the intake is not racing a swap of the slot.
    page.wait_for_selector("#ml-suggestions.htmx-request", state="detached", timeout=5_000)
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name=re.compile("^受理")).click()
    try:
        page.wait_for_url("**/dispatch", timeout=20_000)
    except PlaywrightTimeout:
        errors = page.locator(".errorlist, .messages, [role=alert]").all_inner_texts()
        pytest.fail(f"the intake did not go to dispatch; the page says: {errors}")

    order = WorkOrder.objects.get()
    assert order.category == noise
    feedback = ClassificationFeedback.objects.get()
    assert (feedback.order, feedback.suggested_label, feedback.agreed) == (
        order,
        model_active.code,
        True,
    )

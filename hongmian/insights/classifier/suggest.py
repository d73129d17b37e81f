"""Suggestions for a message being typed: categories from the active category model (the
most specific level that has one) and units from the active unit model, each resolved to
the platform's own category or unit. Read-only; the console and the API call it."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext

from hongmian.hotline.services.intake_validation import CONTENT_MAX, TITLE_MAX
from hongmian.insights.classifier import registry, targets
from hongmian.insights.classifier.datasets import fail
from hongmian.insights.classifier.registry import LoadedModel
from hongmian.insights.states import ClassifierTarget

# The category target the console and the API use: the deepest level with an active model.
CATEGORY_TARGETS = (
    ClassifierTarget.CATEGORY_L3,
    ClassifierTarget.CATEGORY_L2,
    ClassifierTarget.CATEGORY_L1,
)
K_MAX = 10


@dataclass(frozen=True, slots=True)
class Suggested:
    pk: int
    code: str
    name: str
    confidence: float


@dataclass
class Suggestions:
    categories: list[Suggested] = field(default_factory=list)
    units: list[Suggested] = field(default_factory=list)
    category_model: LoadedModel | None = None
    unit_model: LoadedModel | None = None

    @property
    def any_model(self) -> bool:
        return self.category_model is not None or self.unit_model is not None


def check_text(title: str, content: str) -> tuple[str, str]:
    """The texts as a suggestion reads them; a clear refusal when empty or too long."""
    title, content = (title or "").strip(), (content or "").strip()
    if not title and not content:
        raise fail("empty_text", gettext("请输入标题或诉求内容"), field="content")
    if len(title) > TITLE_MAX:
        raise fail(
            "text_too_long",
            gettext("标题不能超过 %(TITLE_MAX)s 字") % {"TITLE_MAX": TITLE_MAX},
            field="title",
        )
    if len(content) > CONTENT_MAX:
        raise fail(
            "text_too_long",
            gettext("诉求内容不能超过 %(CONTENT_MAX)s 字") % {"CONTENT_MAX": CONTENT_MAX},
            field="content",
        )
    return title, content


def category_model() -> LoadedModel | None:
    for target in CATEGORY_TARGETS:
        if (model := registry.active(target)) is not None:
            return model
    return None


def _ranked(model: LoadedModel, title: str, content: str, k: int) -> list[Suggested]:
    prediction = model.classifier.predict_one(title, content, k=k)
    found = targets.lookup(
        ClassifierTarget(model.target), [s.label for s in prediction.top], model.label_map
    )
    # A label whose category or unit was deactivated since training is left out.
    return [
        Suggested(hit.pk, hit.code, hit.name, s.confidence)
        for s in prediction.top
        if (hit := found.get(s.label)) is not None
    ]


def suggest(title: str, content: str, *, k: int = 3) -> Suggestions:
    title, content = check_text(title, content)
    k = max(1, min(k, K_MAX))
    result = Suggestions(
        category_model=category_model(), unit_model=registry.active(ClassifierTarget.UNIT)
    )
    if result.category_model is not None:
        result.categories = _ranked(result.category_model, title, content, k)
    if result.unit_model is not None:
        result.units = _ranked(result.unit_model, title, content, k)
    return result

"""The agent console's classifier slot (/hotline/console/ml-suggest and ml-adopt): categories
(and units, when a unit model is active) from the active classifiers while the agent types
the title and the content, with a button that puts a suggested category into the picker.
The suggestion shown is signed into the intake form (the hotline's insights_hook reads it
back after the intake), so that the intake records whether the agent confirmed or
corrected it."""

from __future__ import annotations

import re
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from hongmian.core.errors import ApplicationError
from hongmian.core.validators import parse_id
from hongmian.hotline.forms.common import categories_active, category_choices
from hongmian.hotline.forms.console import IntakeForm
from hongmian.hotline.models import Category
from hongmian.hotline.permissions import CENTRE_ROLES
from hongmian.hotline.services.intake_validation import CONTENT_MAX
from hongmian.hotline.views.common import role_required
from hongmian.insights.classifier.suggest import suggest
from hongmian.insights.services.classifier import suggestion_token

# Fewer characters than this say too little to guess from; the slot waits for more.
MIN_CHARS = 4


def suggestions_context(title: str, content: str) -> dict[str, Any]:
    """What the slot shows for the text typed so far (states: idle, error, none, shown)."""
    title, content = title.strip(), content.strip()
    if len(title) + len(content) < MIN_CHARS:
        return {"ml_state": "idle"}
    try:
        found = suggest(title, content)
    except ApplicationError as exc:
        return {"ml_state": "error", "ml_error": exc.message}
    if not found.any_model:
        return {"ml_state": "none"}
    context: dict[str, Any] = {
        "ml_state": "shown",
        "ml_categories": found.categories,
        "ml_units": found.units,
        "ml_category_model": found.category_model,
        "ml_unit_model": found.unit_model,
    }
    if found.category_model is not None and found.categories:
        best = found.categories[0]
        context["ml_token"] = suggestion_token(
            model=found.category_model, code=best.code, confidence=best.confidence
        )
    return context


@require_GET
@role_required(*CENTRE_ROLES)
def ml_suggestions(request: HttpRequest) -> HttpResponse:
    context = suggestions_context(request.GET.get("title", ""), request.GET.get("content", ""))
    # The form gives the ids the slot's buttons aim at (the picker, the text fields).
    context |= {"form": IntakeForm(), "ml_fragment": True}
    return render(request, "insights/_suggestions_ml.html", context)


def _words(keywords: str) -> list[str]:
    return [w.strip() for w in re.split(r"[、,，;；\s]+", keywords or "") if w.strip()]


def _leaf_score(category: Category, text: str) -> tuple[int, float]:
    """How plainly `text` names the leaf: its keywords found in the text, then the share of
    its name's character pairs that the text contains (施工噪声 in 工地施工噪声很大)."""
    hits = sum(1 for w in _words(category.keywords) if w in text)
    name = category.name
    pairs = {name[i : i + 2] for i in range(len(name) - 1)} or {name}
    return hits, sum(1 for p in pairs if p in text) / len(pairs)


def best_leaf(rows: list[Category], chosen: int, text: str) -> tuple[set[int], int | None]:
    """The leaves under `chosen` (itself when it is a leaf) and the one to select: the
    leaf itself, else the one the request's text names best (`_leaf_score`), else None
    (the text names none of them: the agent picks from the narrowed list)."""
    has_children = {c.parent_id for c in rows if c.parent_id is not None}
    if not any(c.pk == chosen for c in rows):
        return set(), None
    subtree: set[int] = set()
    frontier = {chosen}
    while frontier:
        subtree |= frontier
        frontier = {c.pk for c in rows if c.parent_id in frontier} - subtree
    leaves = [c for c in rows if c.pk in subtree and c.pk not in has_children]
    if chosen not in has_children:
        return {chosen}, chosen
    scored = [(_leaf_score(c, text), -i, c.pk) for i, c in enumerate(leaves)]
    best = max(scored, default=None)
    if best is None or best[0] == (0, 0.0):
        return {c.pk for c in leaves}, None
    return {c.pk for c in leaves}, best[2]


@require_GET
@role_required(*CENTRE_ROLES)
def ml_adopt(request: HttpRequest) -> HttpResponse:
    """采用: a suggested category into the picker, always as a leaf (an order is filed under
    a leaf): the suggestion itself when it is one, else the leaf below it that the typed
    title and content name best, among its sibling leaves for the agent to change. The
    picker's swap then has the catalogue slot fill the unit for it and the address."""
    rows = list(categories_active())
    category = parse_id(request.GET.get("category"))
    text = " ".join(request.GET.get(k, "")[:CONTENT_MAX] for k in ("title", "content"))
    only, selected = best_leaf(rows, category, text) if category else (set(), None)
    choices = category_choices(rows, only=only or None)
    groups = [(name, items) for name, items in choices[1:]]
    context = {"blank": choices[0][1], "groups": groups, "selected": selected}
    return render(request, "hotline/console/_categories.html", context)

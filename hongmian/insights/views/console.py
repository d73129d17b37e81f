"""The agent console's classifier slot (/hotline/console/ml-suggest and ml-adopt): categories
(and units, when a unit model is active) from the active classifiers while the agent types
the title and the content, with a button that puts a suggested category into the picker.
The suggestion shown is signed into the intake form (the hotline's insights_hook reads it
back after the intake), so that the intake records whether the agent confirmed or
corrected it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from hongmian.core.errors import ApplicationError
from hongmian.hotline import forms as hf
from hongmian.hotline.permissions import CENTRE_ROLES
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
    context |= {"form": hf.IntakeForm(), "ml_fragment": True}
    return render(request, "insights/_suggestions_ml.html", context)


@require_GET
@role_required(*CENTRE_ROLES)
def ml_adopt(request: HttpRequest) -> HttpResponse:
    """采用: the category picker's options narrowed to a suggested category — itself when
    it is a leaf (then selected), else the categories below it for the agent to choose
    from (an upper level is not a category an order can be filed under)."""
    rows = list(hf.categories_active())
    raw = request.GET.get("category", "")
    chosen = int(raw) if raw.isdigit() else None
    has_children = {c.parent_id for c in rows if c.parent_id is not None}
    subtree: set[int] = set()
    if chosen is not None and any(c.pk == chosen for c in rows):
        frontier = {chosen}
        while frontier:
            subtree |= frontier
            frontier = {c.pk for c in rows if c.parent_id in frontier} - subtree
        if chosen in has_children:
            subtree.discard(chosen)
    choices = hf.category_choices(rows, only=subtree or None)
    groups = [(name, items) for name, items in choices[1:]]
    options = [pk for _name, items in groups for pk, _label in items]
    context = {
        "blank": choices[0][1],
        "groups": groups,
        "selected": options[0] if len(options) == 1 else None,
    }
    return render(request, "hotline/console/_categories.html", context)

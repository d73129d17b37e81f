"""What every hotline form shares: the base `Form` (no label colon, Alt+key shortcuts, unit
pickers bound when the form is made), the version field of the acts on an order, the
category and unit pickers with their choices, and the small cleaners the forms reuse."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from hongmian.core.errors import ValidationFailed
from hongmian.core.validators import DB_ID_MAX, validate_mobile
from hongmian.hotline.models import Category
from hongmian.identity.models import OrgUnit
from hongmian.identity.states import UnitKind

# Kinds of unit an order can be dispatched to: the ones that handle requests, not the city
# government itself, the centre or the halls.
HANDLING_UNIT_KINDS = (
    UnitKind.CITY_DEPARTMENT,
    UnitKind.PUBLIC_UTILITY,
    UnitKind.DISTRICT_GOVERNMENT,
    UnitKind.DISTRICT_DEPARTMENT,
    UnitKind.STREET,
    UnitKind.TOWN,
    UnitKind.SPECIAL_AREA,
)

Choices = list[tuple[Any, Any]]


class Form(forms.Form):
    """No colon after labels (Chinese labels read better without one); unit pickers get
    their units when the form is made, so a unit added after start-up is offered.

    `shortcuts` maps a field to its Alt+key (hotline/shortcuts.js does the keys; the label
    shows them, and `aria-keyshortcuts` tells assistive technology)."""

    shortcuts: dict[str, str] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        for name, key in self.shortcuts.items():
            field = self.fields[name]
            field.widget.attrs.update(
                {"data-shortcut": key, "aria-keyshortcuts": f"Alt+{key.upper()}"}
            )
            field.shortcut = key  # type: ignore[attr-defined]  # read by hotline/_field.html
        for field in self.fields.values():
            if isinstance(field, _UnitsMixin):
                field.bind_units()


# --- choices ---------------------------------------------------------------------------------


def category_choices(
    categories: Iterable[Category] | None = None, *, only: set[int] | None = None
) -> Choices:
    """Active categories grouped under their top level, for one keyboard-searchable select:
    a second-level category reads "噪音污染", a third-level one "噪音污染 › 施工噪音".
    `only` narrows the options (a filter) while the labels still name the parents."""
    rows = list(categories if categories is not None else categories_active())
    by_id = {c.pk: c for c in rows}
    groups: dict[int, list[tuple[int, str]]] = {}
    tops = [c for c in rows if c.level == 1]
    has_children = {c.parent_id for c in rows if c.parent_id}
    for c in rows:
        if only is not None and c.pk not in only:
            continue
        if c.level == 1:
            if c.pk not in has_children or only is not None:
                groups.setdefault(c.pk, []).append((c.pk, c.name))
            continue
        parent = by_id.get(c.parent_id) if c.parent_id else None
        grand = by_id.get(parent.parent_id) if parent and parent.parent_id else None
        top = parent if c.level == 2 else grand
        if top is None or parent is None:
            continue  # an orphan of an inactive parent is not offered
        label = c.name if c.level == 2 else f"{parent.name} › {c.name}"
        groups.setdefault(top.pk, []).append((c.pk, label))
    choices: Choices = [("", _("（未分类）"))]
    for top in tops:
        if top.pk in groups:
            choices.append((top.name, groups[top.pk]))
    return choices


def categories_active() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True).order_by("sort_order", "code")


def handling_units() -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(is_active=True, kind__in=HANDLING_UNIT_KINDS).order_by("path")


def unit_choices(units: Iterable[OrgUnit], *, blank: str | None = None) -> Choices:
    """Units grouped by kind (市直部门, 区政府, 街道 …), so type-to-find works in each group."""
    groups: dict[str, list[tuple[int, str]]] = {}
    labels = dict(UnitKind.choices)
    for unit in units:
        groups.setdefault(unit.kind, []).append((unit.pk, unit.name))
    choices: Choices = [("", blank)] if blank is not None else []
    for handling_kind in HANDLING_UNIT_KINDS:
        if handling_kind in groups:
            choices.append((labels[handling_kind], groups.pop(handling_kind)))
    for other_kind, items in groups.items():
        choices.append((labels.get(other_kind, other_kind), items))
    return choices


class _UnitsMixin:
    """Units offered grouped by kind. The queryset is made per form (in `Form.__init__`), and
    the choices are read only when the select is rendered or checked: never at import."""

    units: QuerySet[OrgUnit]
    choices: Any

    def bind_units(self, units: QuerySet[OrgUnit] | None = None) -> None:
        self.units = units if units is not None else self.units_factory()  # type: ignore[attr-defined]
        self.choices = partial(unit_choices, self.units, blank=self.blank)  # type: ignore[attr-defined]
        # About 250 offices: portal/combobox.js makes every unit picker searchable by typing
        # (a plain select without JavaScript).
        self.widget.attrs.setdefault("data-combobox", "")  # type: ignore[attr-defined]


class UnitChoiceField(_UnitsMixin, forms.TypedChoiceField):
    """One unit; cleans to the OrgUnit (or None when left blank)."""

    def __init__(
        self,
        *,
        units: Callable[[], QuerySet[OrgUnit]] = handling_units,
        blank: str | Promise | None = None,
        **kw: Any,
    ) -> None:
        self.units_factory, self.blank = units, blank
        super().__init__(choices=(), coerce=int, **kw)

    def clean(self, value: Any) -> OrgUnit | None:
        pk = super().clean(value)
        if pk in ("", None):
            return None
        unit = self.units.filter(pk=pk).first()
        if unit is None:
            raise ValidationError(_("请选择有效的单位。"), code="invalid_choice")
        return unit


class UnitsChoiceField(_UnitsMixin, forms.TypedMultipleChoiceField):
    """Several units; cleans to a list of OrgUnit."""

    def __init__(
        self, *, units: Callable[[], QuerySet[OrgUnit]] = handling_units, **kw: Any
    ) -> None:
        self.units_factory, self.blank = units, None
        super().__init__(choices=(), coerce=int, **kw)

    def clean(self, value: Any) -> list[OrgUnit]:
        pks = super().clean(value) or []
        found = list(self.units.filter(pk__in=pks))
        if len(found) != len(set(pks)):
            raise ValidationError(_("请选择有效的单位。"), code="invalid_choice")
        return found


class CategoryChoiceField(forms.TypedChoiceField):
    def __init__(self, **kw: Any) -> None:
        super().__init__(choices=category_choices, coerce=int, empty_value=None, **kw)

    def clean(self, value: Any) -> Category | None:
        pk = super().clean(value)
        if pk is None:
            return None
        category = categories_active().filter(pk=pk).first()
        if category is None:
            raise ValidationError(_("请选择有效的分类。"), code="invalid_choice")
        return category


def clean_mobile(value: str) -> str:
    try:
        return validate_mobile(value)
    except ValidationFailed as exc:
        raise ValidationError(exc.message, code="mobile") from None


def new_idempotency_key() -> str:
    return uuid.uuid4().hex


def textarea(rows: int = 4, **attrs: Any) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, **attrs})


class VersionForm(Form):
    """Only the version the reader saw, so a change made meanwhile is refused (409)."""

    version = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=0, max_value=DB_ID_MAX
    )


def yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)

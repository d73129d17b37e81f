"""The combined form of a life-event bundle (一件事一次办), derived from its parts' own forms
so that a department's change to its item's form reaches the bundle with nothing to copy:

- a field that two or more parts ask in the same way (same key, kind, choices and file
  field) is asked ONCE (shared) and its answer goes to every part that asks it;
- a field only one part asks — or that parts ask differently — is that part's own;
- the materials are the union by name: one upload or e-certificate serves every part that
  asks for a material of that name (decision 0068)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from hongmian.applications import selectors
from hongmian.applications.definitions import FormField
from hongmian.applications.models import Application
from hongmian.applications.presenters import form_rows
from hongmian.catalog.models import Material
from hongmian.core.errors import ValidationFailed


@dataclass
class CombinedForm:
    """`shared`: (field, positions of the parts that ask it); `own`: position → fields."""

    shared: list[tuple[FormField, list[int]]] = field(default_factory=list)
    own: dict[int, list[FormField]] = field(default_factory=dict)

    def shared_keys(self) -> set[str]:
        return {spec.key for spec, _parts in self.shared}

    def distribute(
        self, shared: Mapping[str, Any], own: Mapping[int, Mapping[str, Any]]
    ) -> dict[int, dict[str, Any]]:
        """Each part's answers from the combined form's: the shared ones copied to every
        part that asks them. A key the combined form does not have is 422
        `application.field_unknown` (nothing is written by the caller)."""
        unknown = sorted(k for k in shared if k not in self.shared_keys())
        for position, answers in own.items():
            keys = {f.key for f in self.own.get(position, [])}
            unknown += sorted(f"{position}.{k}" for k in answers if k not in keys)
        if unknown:
            raise ValidationFailed(
                _("表单中没有这些字段：%(keys)s") % {"keys": "、".join(unknown)},
                code="application.field_unknown",
                fields={k: [_("该一件事的表单没有这个字段")] for k in unknown},
            )
        out: dict[int, dict[str, Any]] = {}
        for spec, positions in self.shared:
            if spec.key in shared:
                for position in positions:
                    out.setdefault(position, {})[spec.key] = shared[spec.key]
        for position, answers in own.items():
            out.setdefault(position, {}).update(answers)
        return out


def _same(a: FormField, b: FormField) -> bool:
    return (a.kind, a.choices, a.file_field) == (b.kind, b.choices, b.file_field)


def combined_form(applications: Sequence[Application]) -> CombinedForm:
    """The combined form over the parts (in their order; position = index)."""
    by_key: dict[str, list[tuple[int, FormField]]] = {}
    forms = [selectors.item_form(a.item)[0] for a in applications]
    for position, definition in enumerate(forms):
        for spec in definition.fields:
            by_key.setdefault(spec.key, []).append((position, spec))
    form = CombinedForm(own={position: [] for position in range(len(applications))})
    for asked in by_key.values():
        first = asked[0][1]
        if len(asked) > 1 and all(_same(first, spec) for _p, spec in asked):
            form.shared.append((first, [p for p, _spec in asked]))
        else:
            for position, spec in asked:
                form.own[position].append(spec)
    return form


@dataclass
class MaterialNeed:
    """One material of the union: its name and each part's Material that it satisfies."""

    name: str
    required: bool
    needs: list[tuple[Application, Material]]


def material_union(applications: Sequence[Application]) -> list[MaterialNeed]:
    """The parts' materials de-duplicated by name, in the order first met."""
    union: dict[str, MaterialNeed] = {}
    for application in applications:
        for material in application.item.materials.all():
            need = union.setdefault(material.name, MaterialNeed(material.name, False, []))
            need.required = need.required or material.required
            need.needs.append((application, material))
    return list(union.values())


def combined_rows(applications: Sequence[Application]) -> dict[str, Any]:
    """The combined form as the page shows it: the shared fields (each with its value and
    the file's source, from the first part that asks it) and each part's own fields, in
    presenters.form_rows' shape; the field names are `s-<key>` and `p<position>-<key>`."""
    rows = [{r["key"]: r for r in form_rows(a)} for a in applications]
    form = combined_form(applications)
    shared = []
    for spec, positions in form.shared:
        row = dict(rows[positions[0]][spec.key])
        row["name"] = f"s-{spec.key}"
        row["parts"] = [applications[p].item.name for p in positions]
        shared.append(row)
    own = []
    for position, application in enumerate(applications):
        fields = []
        for spec in form.own.get(position, []):
            row = dict(rows[position][spec.key])
            row["name"] = f"p{position}-{spec.key}"
            fields.append(row)
        own.append({"application": application, "fields": fields})
    return {"shared": shared, "own": own, "form": form}

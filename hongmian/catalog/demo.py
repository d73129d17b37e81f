"""Demo data of the catalogue: ~400 service items of Guangzhou's departments and districts,
the e-certificate types their materials accept, and ~20 life events. Called by
`hongmian seed_demo` after the identity demo (whose org units implement the items).

The items are written by `generate_rows` from the project's own templates (demo_items.py)
and go through the catalogue's import (services.imports), as a city's keeper would load a
catalogue: published, versioned, audited. Deterministic and idempotent: a second run finds
every item unchanged and writes nothing. `generate_rows(3200)` goes on to street-level
items for benchmarks (bench/catalog)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator

from hongmian.catalog.demo_items import (
    CERTIFICATE_TYPES,
    LIFE_EVENTS,
    MATERIALS,
    TEMPLATES,
    VARIANTS,
    Template,
)
from hongmian.catalog.models import CertificateType, ServiceItem
from hongmian.catalog.services.exports import COLUMNS
from hongmian.catalog.services.import_rows import ImportColumns
from hongmian.catalog.services.imports import catalog_import
from hongmian.catalog.services.life_events import life_event_save
from hongmian.catalog.states import ItemStatus
from hongmian.core.actors import Actor
from hongmian.identity import demo as identity_demo
from hongmian.identity.states import UnitKind

Progress = Callable[[str, int, int], None]

# The letter of each type in an item's code, as the national codes have them.
TYPE_LETTERS = {
    "licence": "A",
    "benefit": "G",
    "confirmation": "F",
    "adjudication": "E",
    "reward": "H",
    "other_power": "Z",
    "public_service": "C",
}
CITY_DIVISION = "440100"
# The demo's districts (identity.demo): gz-<division>.
DISTRICTS = (
    "440103", "440104", "440105", "440106", "440111", "440112",
    "440113", "440114", "440115", "440117", "440118",
)  # fmt: skip
DEMO_COLUMNS = ImportColumns(code="code", name="name", department="department")
_GENERIC_CONDITIONS = {
    "licence": "申请人具备相应的主体资格，场所、设施和人员符合法律法规规定的条件。",
    "benefit": "符合本市相关政策规定的保障对象，按规定提出申请。",
    "confirmation": "申请事项真实、材料齐全，符合法定形式。",
    "public_service": "符合服务对象条件，按要求提交材料即可办理。",
    "other_power": "符合法律法规规定的条件。",
}


def _row(
    t: Template, name: str, code: str, department: str, level: str, scale: float
) -> dict[str, str]:
    legal = None if t.legal is None else max(1, round(t.legal * scale))
    promised = None if t.promised is None else max(1, round(t.promised * scale))
    if legal is not None and promised is not None:
        promised = min(promised, legal)
    materials = [
        {
            "name": MATERIALS[key][0],
            "form": MATERIALS[key][1],
            "source": MATERIALS[key][2],
            "copies": 1,
            "required": True,
            "note": "",
            "certificate_codes": [MATERIALS[key][3]] if MATERIALS[key][3] else [],
        }
        for key in t.materials
    ]
    channels = ["online", "app", "hall"] if t.depth >= 3 else ["hall", "online"]
    values: dict[str, object] = {
        "code": code,
        "department": department,
        "main_item": t.name if t.variants else "",
        "name": name,
        "item_type": t.type,
        "level": level,
        "summary": f"{name}：{_GENERIC_CONDITIONS.get(t.type, '')}",
        "conditions": t.conditions or _GENERIC_CONDITIONS.get(t.type, ""),
        "legal_limit_days": legal,
        "promised_limit_days": promised,
        "charges_fee": bool(t.fee),
        "fee_note": t.fee or "不收费",
        "online_depth": t.depth,
        "channels": ",".join(channels),
        "appointment_required": t.appointment,
        "partner_cities": "深圳市,佛山市,东莞市" if t.depth == 4 else "",
        "code_service": t.code_service,
        "for_persons": "p" in t.who,
        "for_enterprises": "e" in t.who,
        "required_level": t.required_level,
        "materials": json.dumps(materials, ensure_ascii=False),
    }
    return {
        c: ("是" if v is True else "否" if v is False else "" if v is None else str(v))
        for c, v in ((c, values[c]) for c in COLUMNS)
    }


def _stages(t: Template) -> Iterator[tuple[str, int, float]]:
    if not t.variants:
        yield t.name, 0, 1.0
        return
    for n, (suffix, scale) in enumerate(VARIANTS, start=1):
        yield f"{t.name}（{suffix}）", n, scale


def generate_rows(count: int | None = None) -> Iterator[dict[str, str]]:
    """Catalogue rows in export form: the city's items, then every district's, then (past
    the demo, for benchmarks) the district items again at street level, until `count`."""
    made = 0

    def take(row: dict[str, str]) -> bool:
        nonlocal made
        made += 1
        return count is None or made <= count

    for i, t in enumerate(TEMPLATES, start=1):
        if t.level != "city":
            continue
        for name, stage, scale in _stages(t):
            code = f"4401{TYPE_LETTERS[t.type]}{i:04d}{stage:02d}-{CITY_DIVISION}"
            row = _row(t, name, code, f"gz-{t.dept}", "city", scale)
            if not take(row):
                return
            yield row
    for district in DISTRICTS:
        for i, t in enumerate(TEMPLATES, start=1):
            if t.level != "district":
                continue
            code = f"4401{TYPE_LETTERS[t.type]}{i:04d}00-{district}"
            row = _row(t, t.name, code, f"gz-{district}", "district", 1.0)
            if not take(row):
                return
            yield row
    if count is None:
        return
    # The identity demo's streets and towns (its unit specs: no database needed).
    streets = sorted(
        spec.code
        for spec in identity_demo.unit_specs()
        if spec.kind in (UnitKind.STREET, UnitKind.TOWN)
    )
    for unit in streets:
        for i, t in enumerate(TEMPLATES, start=1):
            if t.level != "district":
                continue
            division = unit.removeprefix("gz-")
            code = f"4401{TYPE_LETTERS[t.type]}{i:04d}00-{division}"
            row = _row(t, t.name, code, unit, "street", 1.0)
            if not take(row):
                return
            yield row


def rows_csv(rows: Iterator[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def seed_certificate_types() -> None:
    existing = set(CertificateType.objects.values_list("code", flat=True))
    CertificateType.objects.bulk_create(
        CertificateType(code=code, name=name, issuer=issuer)
        for code, (name, issuer) in CERTIFICATE_TYPES.items()
        if code not in existing
    )


def seed(*, actor: Actor, progress: Progress) -> None:
    progress("catalog: 政务服务事项", 0, 3)
    seed_certificate_types()
    catalog_import(
        actor=actor,
        source=rows_csv(generate_rows()),
        name="demo-catalogue.csv",
        columns=DEMO_COLUMNS,
        commit=True,
    )
    progress("catalog: 政务服务事项", 2, 3)
    by_name: dict[str, list[ServiceItem]] = {}
    for item in ServiceItem.objects.filter(status=ItemStatus.PUBLISHED).order_by("code"):
        by_name.setdefault(item.name, []).append(item)
    for position, (slug, name, audience, description, names) in enumerate(LIFE_EVENTS, start=1):
        items = [item for n in names for item in by_name.get(n, ())]
        life_event_save(
            actor=actor,
            slug=slug,
            name=name,
            audience=audience,
            description=description,
            position=position,
            items=items,
        )
    progress("catalog: 政务服务事项", 3, 3)

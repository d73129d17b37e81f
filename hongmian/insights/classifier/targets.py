"""What each registry target predicts, and how its labels meet the platform.

- `category_l1`, `category_l2`, `category_l3`: a category of that level. An order filed
  under a deeper category counts for its ancestor at the target's level.
- `unit`: the lead unit (主办单位) that finally handled the order.

Labels are the platform's codes when a model learnt from our own orders, and may be names
when it learnt from a file ("城乡建设"). `resolve` maps every label of a model onto an
active category or unit — by code, else by name — after the registry's label map; a label
that maps onto nothing makes the model unfit for the target.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext

from hongmian.hotline.models import Category, WorkOrder
from hongmian.hotline.states import Status
from hongmian.identity.models import OrgUnit
from hongmian.insights.classifier.datasets import LabelledRow, fail, hint_row
from hongmian.insights.classifier.messages import Message
from hongmian.insights.states import ClassifierTarget

CATEGORY_LEVELS = {
    ClassifierTarget.CATEGORY_L1: 1,
    ClassifierTarget.CATEGORY_L2: 2,
    ClassifierTarget.CATEGORY_L3: 3,
}
# Orders whose labels are settled: closed, or closed and archived (not merged duplicates,
# whose category is their master's business).
SETTLED = (Status.CLOSED, Status.ARCHIVED)
# The newest this many settled orders train a model: enough for every living category, and
# training stays within minutes on one core.
MAX_PLATFORM_ROWS = 20_000


@dataclass(frozen=True, slots=True)
class PlatformLabel:
    """A label as the platform knows it."""

    pk: int
    code: str
    name: str


def parse(target: str) -> ClassifierTarget:
    if target not in ClassifierTarget.values:
        names = "、".join(ClassifierTarget.values)
        raise fail(
            "unknown_target",
            gettext("未知的预测对象“%(target)s”：可选 %(names)s")
            % {"target": target, "names": names},
            field="target",
        )
    return ClassifierTarget(target)


def category_at_level(category: Category | None, level: int) -> Category | None:
    """The category itself or its ancestor at `level` (None if it sits higher)."""
    while category is not None and category.level > level:
        category = category.parent
    return category if category is not None and category.level == level else None


def lookup(
    target: ClassifierTarget, labels: Iterable[str], label_map: Mapping[str, str] | None = None
) -> dict[str, PlatformLabel]:
    """The labels that map onto an active category or unit (by code, else by a name no
    other object shares), each → its platform object; the others are left out."""
    mapping = dict(label_map or {})
    wanted = {label: mapping.get(label, label) for label in labels}
    keys = set(wanted.values())
    matching = Q(code__in=keys) | Q(name__in=keys)
    fields = ("pk", "code", "name")
    if target == ClassifierTarget.UNIT:
        rows = list(OrgUnit.objects.filter(matching, is_active=True).values_list(*fields))
    else:
        level = CATEGORY_LEVELS[target]
        rows = list(
            Category.objects.filter(matching, is_active=True, level=level).values_list(*fields)
        )
    known = [PlatformLabel(*r) for r in rows]
    by_code = {k.code: k for k in known}
    names = Counter(k.name for k in known)
    by_name = {k.name: k for k in known if names[k.name] == 1}
    found = {}
    for label, key in wanted.items():
        hit = by_code.get(key) or by_name.get(key)
        if hit is not None:
            found[label] = hit
    return found


def resolve(
    target: ClassifierTarget, labels: Iterable[str], label_map: Mapping[str, str] | None = None
) -> dict[str, PlatformLabel]:
    """Like `lookup`, but every label must map: a ClassifierError names those that do not,
    so the operator can retrain or map them."""
    labels = list(labels)
    found = lookup(target, labels, label_map)
    if unknown := [label for label in labels if label not in found]:
        what = ClassifierTarget(target).label
        raise fail(
            "label_mismatch",
            gettext(
                "模型的标签与“%(what)s”不符：%(value1)s 不是平台现有的%(what)s。"
                "请用平台数据重新训练，或在注册时用 --map 旧标签=平台代码或名称 映射"
            )
            % {"what": what, "value1": "、".join(unknown)},
            field="labels",
        )
    return found


def platform_rows(target: ClassifierTarget, *, limit: int = MAX_PLATFORM_ROWS) -> list[LabelledRow]:
    """Settled orders as training rows, newest first, labelled with codes."""
    orders = WorkOrder.objects.filter(status__in=SETTLED, master__isnull=True)
    if target == ClassifierTarget.UNIT:
        orders = orders.filter(lead_unit__isnull=False)
        fields = ("title", "content", "lead_unit__code")
        return [
            LabelledRow(Message.prepared(title, content), code)
            for title, content, code in orders.order_by("-closed_at", "-id").values_list(*fields)[
                :limit
            ]
        ]
    level = CATEGORY_LEVELS[target]
    orders = orders.filter(category__level__gte=level)
    # Up to two parents are walked in Python from one prefetched map: no query per order.
    parents = dict(Category.objects.values_list("pk", "parent_id"))
    levels = dict(Category.objects.values_list("pk", "level"))
    codes = dict(Category.objects.values_list("pk", "code"))
    rows: list[LabelledRow] = []
    for title, content, pk in orders.order_by("-closed_at", "-id").values_list(
        "title", "content", "category_id"
    )[:limit]:
        while pk is not None and levels[pk] > level:
            pk = parents[pk]
        if pk is not None:
            rows.append(LabelledRow(Message.prepared(title, content), codes[pk]))
    return rows


def taxonomy_hint_rows(target: ClassifierTarget) -> list[LabelledRow]:
    """The platform's own taxonomy as hint rows for a category target (none for units):
    every active category at or below the target's level, its names below that level as
    text, labelled with its ancestor's code at the level (datasets.taxonomy_hints, with
    codes for labels as platform_rows has them)."""
    if target == ClassifierTarget.UNIT:
        return []
    level = CATEGORY_LEVELS[target]
    nodes = {
        pk: (parent, depth, code, name)
        for pk, parent, depth, code, name in Category.objects.filter(is_active=True).values_list(
            "pk", "parent_id", "level", "code", "name"
        )
    }
    rows = []
    for pk, (_parent, depth, _code, _name) in nodes.items():
        if depth < level:
            continue
        names, node = [], pk
        while node in nodes and nodes[node][1] > level:
            names.append(nodes[node][3])
            node = nodes[node][0]
        if node not in nodes or nodes[node][1] != level:
            continue  # an inactive ancestor: not a label the model may suggest
        names.reverse()
        below = names or [nodes[node][3]]
        rows.append(hint_row(below, nodes[node][2]))
    return rows

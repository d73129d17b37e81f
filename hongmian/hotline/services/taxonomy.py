"""The category tree of requests (诉求分类): three levels, edited by administrators.

Codes are stable (01, 0101, 010101): they are the Open311 service_code, they appear in
reports and in the dispatch catalogue, so an edit may rename a category or change its
keywords but never its code or its place in the tree. A category that is no longer used is
deactivated, never deleted — old orders still point at it.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record, snapshot
from hongmian.core.errors import Conflict, NotAuthenticated, PermissionDenied, ValidationFailed
from hongmian.hotline.models import Category
from hongmian.identity.states import Role

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
TAXONOMY_CSV = DATA_DIR / "taxonomy.csv"

CATEGORY_AUDIT_FIELDS = ["code", "name", "level", "parent", "keywords", "is_active", "sort_order"]
MAX_LEVEL = 3

# Who edits the taxonomy, the dispatch catalogue and the SLA rules: the platform's
# administrators and the centre's supervisors (who own the catalogue day to day).
_ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.HOTLINE_SUPERVISOR})
# Actors without a user that are trusted: jobs, the demo seed and shell commands.
_TRUSTED_VIAS = frozenset({"system", "cli"})


def authorise_admin(actor: Actor) -> None:
    """Refuse anyone but an administrator (or the system itself)."""
    user = actor.user
    if user is None:
        if actor.via in _TRUSTED_VIAS:
            return
        raise NotAuthenticated(gettext("需要登录后操作"))
    if not (user.is_superuser or user.role in _ADMIN_ROLES):
        raise PermissionDenied(
            gettext("没有权限维护分类和派单目录"), code="hotline.admin_forbidden"
        )


# --- reading ------------------------------------------------------------------------------


def category_path(category: Category) -> list[Category]:
    """The category and its ancestors, the top level first (城乡建设 › 市容环境 › 占道经营).
    At most three levels, so following `parent` costs at most two small queries."""
    path = [category]
    node = category
    while node.parent_id is not None:
        node = node.parent  # type: ignore[assignment]  # parent_id set, so parent exists
        path.append(node)
    return list(reversed(path))


def category_chain(category_id: int) -> list[Category]:
    """`category_path` of the category with this id, read in one query."""
    category = Category.objects.select_related("parent__parent").get(pk=category_id)
    return category_path(category)


def category_path_label(category: Category, sep: str = " › ") -> str:
    return sep.join(c.name for c in category_path(category))


# --- writing ------------------------------------------------------------------------------


def _clean_keywords(keywords: str) -> str:
    # Agents type keywords with any separator; store them one way (、) so search can split.
    parts = [p.strip() for p in keywords.replace("，", "、").replace(",", "、").split("、")]
    return "、".join(dict.fromkeys(p for p in parts if p))[:500]


def _check_code(code: str, parent: Category | None) -> str:
    code = (code or "").strip()
    level = 1 if parent is None else parent.level + 1
    problem = ""
    if not code or not code.isascii() or not code.isalnum():
        problem = "分类代码只能由字母和数字组成"
    elif level > MAX_LEVEL:
        problem = "分类最多三级"
    elif parent is not None and not code.startswith(parent.code):
        problem = f"下级分类代码应以上级代码“{parent.code}”开头"
    elif parent is not None and len(code) <= len(parent.code):
        problem = "下级分类代码应比上级代码长"
    if problem:
        raise ValidationFailed(problem, code="category.invalid", fields={"code": [problem]})
    return code


def category_create(
    *,
    actor: Actor,
    code: str,
    name: str,
    parent: Category | None = None,
    keywords: str = "",
    description: str = "",
    sort_order: int = 0,
) -> Category:
    """Add a category under `parent` (a top-level one when None)."""
    authorise_admin(actor)
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(
            gettext("请填写分类名称"), code="category.invalid", fields={"name": ["必填"]}
        )
    code = _check_code(code, parent)
    duplicate = Conflict(
        gettext("分类代码“%(code)s”已被使用") % {"code": code},
        code="category.duplicate_code",
        fields={"code": ["已被使用"]},
    )
    with transaction.atomic():
        if parent is not None:
            parent = Category.objects.select_for_update().get(pk=parent.pk)
            if not parent.is_active:
                raise ValidationFailed(
                    gettext("上级分类已停用"),
                    code="category.parent_inactive",
                    fields={"parent": ["已停用"]},
                )
        if Category.objects.filter(code=code).exists():
            raise duplicate
        try:
            with transaction.atomic():
                category = Category.objects.create(
                    code=code,
                    name=name[:100],
                    level=1 if parent is None else parent.level + 1,
                    parent=parent,
                    keywords=_clean_keywords(keywords),
                    description=(description or "").strip(),
                    sort_order=sort_order,
                )
        except IntegrityError as exc:  # a concurrent create of the same code
            raise duplicate from exc
        audit_record(
            actor=actor,
            action="category.create",
            target=category,
            after=snapshot(category, CATEGORY_AUDIT_FIELDS),
        )
    return category


def category_update(
    *,
    actor: Actor,
    category: Category,
    name: str | None = None,
    keywords: str | None = None,
    description: str | None = None,
    sort_order: int | None = None,
) -> Category:
    """Change what a category is called or which words suggest it; `None` keeps a field.
    The code and the parent never change (see the module docstring)."""
    authorise_admin(actor)
    with transaction.atomic():
        locked = Category.objects.select_for_update().get(pk=category.pk)
        before = snapshot(locked, CATEGORY_AUDIT_FIELDS)
        if name is not None:
            if not name.strip():
                raise ValidationFailed(
                    gettext("请填写分类名称"), code="category.invalid", fields={"name": ["必填"]}
                )
            locked.name = name.strip()[:100]
        if keywords is not None:
            locked.keywords = _clean_keywords(keywords)
        if description is not None:
            locked.description = description.strip()
        if sort_order is not None:
            locked.sort_order = sort_order
        locked.save()
        audit_record(
            actor=actor,
            action="category.update",
            target=locked,
            before=before,
            after=snapshot(locked, CATEGORY_AUDIT_FIELDS),
        )
    return locked


def category_deactivate(*, actor: Actor, category: Category) -> Category:
    """Stop offering a category, and everything below it, for new orders. Orders and rules
    that point at it keep pointing at it."""
    authorise_admin(actor)
    with transaction.atomic():
        locked = Category.objects.select_for_update().get(pk=category.pk)
        below = [locked.pk]
        frontier = [locked.pk]
        while frontier:
            frontier = list(
                Category.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
            )
            below += frontier
        codes = sorted(
            Category.objects.filter(pk__in=below, is_active=True).values_list("code", flat=True)
        )
        Category.objects.filter(pk__in=below).update(is_active=False)
        locked.is_active = False
        audit_record(
            actor=actor,
            action="category.deactivate",
            target=locked,
            after={"deactivated": codes},
        )
    return locked


def category_reactivate(*, actor: Actor, category: Category) -> Category:
    """Offer a category again (its parent must be active); its children stay as they are."""
    authorise_admin(actor)
    with transaction.atomic():
        # of=("self",): PostgreSQL cannot lock the nullable side of the join to the parent.
        locked = (
            Category.objects.select_for_update(of=("self",))
            .select_related("parent")
            .get(pk=category.pk)
        )
        if locked.parent is not None and not locked.parent.is_active:
            raise ValidationFailed(
                gettext("上级分类已停用"),
                code="category.parent_inactive",
                fields={"parent": ["已停用"]},
            )
        locked.is_active = True
        locked.save(update_fields=["is_active", "updated_at"])
        audit_record(actor=actor, action="category.reactivate", target=locked, after={})
    return locked


# --- the default taxonomy ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CategoryRow:
    code: str
    name: str
    keywords: str
    description: str

    @property
    def level(self) -> int:
        return len(self.code) // 2

    @property
    def parent_code(self) -> str | None:
        return self.code[:-2] or None


def read_taxonomy_csv(path: Path = TAXONOMY_CSV) -> list[CategoryRow]:
    """The default taxonomy, checked: two digits per level, parents before children."""
    rows: list[CategoryRow] = []
    seen: set[str] = set()
    with path.open(encoding="utf-8", newline="") as fh:
        for line, raw in enumerate(csv.DictReader(fh), start=2):
            row = CategoryRow(
                raw["code"].strip(),
                raw["name"].strip(),
                raw["keywords"].strip(),
                raw.get("description", "").strip(),
            )
            if not (row.code.isdigit() and len(row.code) in (2, 4, 6)) or row.code in seen:
                raise ValueError(f"{path.name}:{line}: bad or repeated code {row.code!r}")
            if row.parent_code is not None and row.parent_code not in seen:
                raise ValueError(f"{path.name}:{line}: parent of {row.code} not listed before")
            if not row.name:
                raise ValueError(f"{path.name}:{line}: {row.code} has no name")
            seen.add(row.code)
            rows.append(row)
    return rows


def taxonomy_load_defaults(*, actor: Actor, path: Path = TAXONOMY_CSV) -> dict[str, Any]:
    """Create every category of the default taxonomy that does not exist yet (by code).

    Idempotent: an existing category is left exactly as an administrator may have edited
    it, so a second run creates nothing and writes no audit entry."""
    authorise_admin(actor)
    rows = read_taxonomy_csv(path)
    created = 0
    with transaction.atomic():
        existing = {c.code: c for c in Category.objects.all()}
        for n, row in enumerate(rows):
            if row.code in existing:
                continue
            parent = existing.get(row.parent_code) if row.parent_code else None
            category = Category.objects.create(
                code=row.code,
                name=row.name,
                level=row.level,
                parent=parent,
                keywords=_clean_keywords(row.keywords),
                description=row.description,
                sort_order=n,
            )
            existing[row.code] = category
            created += 1
        if created:
            audit_record(
                actor=actor,
                action="category.load_defaults",
                target=existing[rows[0].code],
                after={"created": created, "source": path.name},
            )
    return {"created": created, "total": len(rows)}

"""Importing a knowledge base from a spreadsheet (one row per article).

Units hand over their knowledge as spreadsheets. `articles_import` plans first — which
rows create an article, which change one, which are unchanged, which are wrong — and
writes only when asked to commit and no row is wrong, in one transaction, through the
same services as the web forms (so every article is versioned and audited). Rows are
matched on their id column, stored as the article's `external_id`: importing the same
file twice changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext

from hongmian.core.actors import Actor
from hongmian.core.errors import ValidationFailed
from hongmian.core.reviews import PENDING_VERSION_STATES
from hongmian.identity.models import OrgUnit
from hongmian.knowledge.models import EXTERNAL_ID_MAX, TITLE_MAX, Article, ArticleVersion
from hongmian.knowledge.services.articles import (
    article_approve,
    article_create,
    article_submit,
    article_update,
)
from hongmian.knowledge.states import ArticleStatus, Audience

_SENTENCE_END = re.compile(r"[。！？!?；;\n]")
DERIVED_TITLE_MAX = 40


@dataclass(frozen=True, slots=True)
class ImportRow:
    """One spreadsheet row, as read by the command (line: for messages)."""

    line: int
    external_id: str
    body: str
    title: str = ""
    unit: str = ""
    category_codes: tuple[str, ...] = ()


@dataclass(slots=True)
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    # "line 12: …" messages; any error blocks a commit.
    errors: list[str] = field(default_factory=list)
    committed: bool = False

    def summary(self) -> str:
        return (
            f"新增 {len(self.created)} 条，更新 {len(self.updated)} 条，"
            f"未变 {len(self.unchanged)} 条，错误 {len(self.errors)} 条"
        )


def derive_title(body: str) -> str:
    """A title for a row that has none: the answer's first sentence, cut short."""
    first = _SENTENCE_END.split(" ".join(body.split()), maxsplit=1)[0].strip()
    if len(first) > DERIVED_TITLE_MAX:
        first = first[: DERIVED_TITLE_MAX - 1] + "…"
    return first or body[:DERIVED_TITLE_MAX]


@dataclass(frozen=True, slots=True)
class _Planned:
    row: ImportRow
    title: str
    unit: OrgUnit
    article: Article | None


def _resolve_units(rows: Sequence[ImportRow]) -> dict[str, OrgUnit]:
    """Units named in the file, by code, full name or short name (active units only)."""
    names = {r.unit.strip() for r in rows if r.unit.strip()}
    if not names:
        return {}
    found: dict[str, OrgUnit] = {}
    units = OrgUnit.objects.filter(is_active=True).filter(
        Q(code__in=names) | Q(name__in=names) | Q(short_name__in=names)
    )
    for unit in units:
        # A code wins over a name another unit happens to share.
        for key in (unit.short_name, unit.name, unit.code):
            if key in names:
                found[key] = unit
    return found


def _content_of(article: Article) -> tuple[str, str, list[str]]:
    pending = (
        ArticleVersion.objects.filter(article=article, state__in=sorted(PENDING_VERSION_STATES))
        .only("title", "body", "category_codes")
        .first()
    )
    source: Article | ArticleVersion = pending or article
    return source.title, source.body, list(source.category_codes)


def articles_import(
    *,
    actor: Actor,
    rows: Sequence[ImportRow],
    default_unit: OrgUnit | None = None,
    audience: str = Audience.PUBLIC,
    publish: bool = True,
    commit: bool = False,
) -> ImportReport:
    """Plan the import of `rows`; with commit=True also carry it out (all or nothing).

    publish=True approves each new or changed article at once: a unit's spreadsheet is
    its approved knowledge. publish=False leaves them as drafts for review. The owning
    unit of an existing article is never changed by an import."""
    report = ImportReport()
    if not rows:
        raise ValidationFailed(gettext("文件中没有数据行"), code="article_import.empty")
    units = _resolve_units(rows)
    existing = {
        a.external_id: a
        for a in Article.objects.filter(
            external_id__in=[r.external_id.strip() for r in rows if r.external_id.strip()]
        ).select_related("owning_unit")
    }
    seen: set[str] = set()
    plan: list[_Planned] = []
    for row in rows:
        where = f"第{row.line}行"
        key = row.external_id.strip()
        if not key:
            report.errors.append(f"{where}：编号为空")
            continue
        if len(key) > EXTERNAL_ID_MAX:
            report.errors.append(f"{where}：编号超过{EXTERNAL_ID_MAX}个字符")
            continue
        if key in seen:
            report.errors.append(f"{where}：编号 {key} 在文件中重复")
            continue
        seen.add(key)
        body = row.body.strip()
        if not body:
            report.errors.append(f"{where}：正文为空")
            continue
        title = " ".join(row.title.split()) or derive_title(body)
        if len(title) > TITLE_MAX:
            report.errors.append(f"{where}：标题超过{TITLE_MAX}个字")
            continue
        unit_name = row.unit.strip()
        unit = units.get(unit_name) if unit_name else default_unit
        if unit is None:
            report.errors.append(
                f"{where}：找不到单位“{unit_name}”" if unit_name else f"{where}：未指定维护单位"
            )
            continue
        article = existing.get(key)
        if article is not None and article.status in (
            ArticleStatus.RETIRED,
            ArticleStatus.IN_REVIEW,
        ):
            label = ArticleStatus(article.status).label
            report.errors.append(f"{where}：编号 {key} 的知识条目{label}，不能导入修改")
            continue
        plan.append(_Planned(row, title, unit, article))
    for item in plan:
        key = item.row.external_id.strip()
        if item.article is None:
            report.created.append(key)
        elif _content_of(item.article) == (
            item.title,
            item.row.body.strip(),
            list(item.row.category_codes),
        ) and (not publish or item.article.status == ArticleStatus.PUBLISHED):
            report.unchanged.append(key)
        else:
            report.updated.append(key)
    if not commit:
        return report
    if report.errors:
        raise ValidationFailed(
            gettext("文件有 %(value0)s 处错误，未导入任何数据") % {"value0": len(report.errors)},
            code="article_import.invalid_rows",
            fields={"rows": report.errors[:50]},
        )
    changed = set(report.created) | set(report.updated)
    with transaction.atomic():
        for item in plan:
            key = item.row.external_id.strip()
            if key not in changed:
                continue
            article = item.article
            if article is None:
                article = article_create(
                    actor=actor,
                    owning_unit=item.unit,
                    title=item.title,
                    body=item.row.body,
                    category_codes=item.row.category_codes,
                    audience=audience,
                    external_id=key,
                )
            else:
                article_update(
                    actor=actor,
                    article=article,
                    title=item.title,
                    body=item.row.body,
                    category_codes=item.row.category_codes,
                )
            if publish:
                article_submit(actor=actor, article=article)
                article_approve(actor=actor, article=article, note="导入")
    report.committed = True
    return report

"""Personal saved views of the queues (`models.SavedView`): save the filter in use under a
name, delete it. The built-in views are code (hotline/queues.py)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db import transaction
from django.http import QueryDict
from django.utils.translation import gettext

from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record
from hongmian.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from hongmian.hotline.models import SavedView
from hongmian.hotline.queues import queue_filter_parse
from hongmian.identity.permissions import is_active_user

# The queues a view may be saved on (the staff lists; a citizen's list has nothing to save).
SAVED_VIEW_QUEUES = frozenset({"search", "inbox", "board"})
NAME_MAX = 30
# Per user and queue: tabs, not an archive.
VIEWS_MAX = 20


def _invalid(field: str, message: str, code: str) -> ValidationFailed:
    return ValidationFailed(message, code=code, fields={field: [message]})


def saved_view_create(*, actor: Actor, queue: str, name: str, query: str) -> SavedView:
    """Keep `query` (a list's query string) as the actor's view `name` on `queue`. The
    filter is read as the list reads it, and stored in its canonical form without the page;
    a filter with a bad value is refused (422 `saved_view.query`), a name already used on
    the queue is 409 `saved_view.duplicate`."""
    user = actor.user
    if user is None or not is_active_user(user):
        raise PermissionDenied(gettext("请先登录"), code="saved_view.forbidden")
    if queue not in SAVED_VIEW_QUEUES:
        raise _invalid("queue", gettext("该列表不能保存视图"), "saved_view.queue")
    name = (name or "").strip()
    if not name or len(name) > NAME_MAX:
        raise _invalid(
            "name",
            gettext("视图名称为 1 至 {limit} 个字").format(limit=NAME_MAX),
            "saved_view.name",
        )
    wanted, problems = queue_filter_parse(QueryDict((query or "").lstrip("?")[:1000]))
    if problems:
        raise _invalid("query", "；".join(p.message for p in problems), "saved_view.query")
    canonical = urlencode(wanted.params(paging=False))
    with transaction.atomic():
        mine = SavedView.objects.select_for_update().filter(owner=user, queue=queue)
        names = set(mine.values_list("name", flat=True))
        if name in names:
            raise Conflict(
                gettext("已有同名视图"), code="saved_view.duplicate", fields={"name": [name]}
            )
        if len(names) >= VIEWS_MAX:
            raise _invalid(
                "name",
                gettext("每个列表最多保存 {limit} 个视图").format(limit=VIEWS_MAX),
                "saved_view.too_many",
            )
        view = SavedView.objects.create(owner=user, queue=queue, name=name, query=canonical)
        audit_record(
            actor=actor,
            action="saved_view.create",
            target=view,
            after={"queue": queue, "name": name, "query": canonical},
        )
    return view


def saved_view_delete(*, actor: Actor, view: SavedView | int) -> None:
    """Delete one of the actor's own views; another's is NotFound, like a missing one."""
    pk = view.pk if isinstance(view, SavedView) else view
    with transaction.atomic():
        row = (
            SavedView.objects.select_for_update()
            .filter(pk=pk, owner_id=getattr(actor.user, "pk", None))
            .first()
        )
        if row is None:
            raise NotFound(gettext("视图不存在"), code="saved_view.not_found")
        audit_record(
            actor=actor,
            action="saved_view.delete",
            target=row,
            before={"queue": row.queue, "name": row.name, "query": row.query},
        )
        row.delete()

"""附件 — serving an order's files, adding files on the order page, and the wrapper that lets
an act's form carry files (`with_files`).

A file is served only by these views, after `attachment_selectors.access_attachment` has
checked the reader against the order and the file's marking; the storage has no public URL.
Every answer says `nosniff`, a sandboxing Content-Security-Policy and a Content-Disposition
with the cleaned name: images open in the browser, every other type downloads."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from hongmian.core.actors import Actor
from hongmian.core.errors import NotFound
from hongmian.hotline import attachment_selectors
from hongmian.hotline.forms.attachments import AttachForm
from hongmian.hotline.services.attachments import (
    attachment_storage,
    attachments_add,
    work_order_act_with_attachments,
)
from hongmian.hotline.views.common import STAFF_ORDER_ROLES, role_required
from hongmian.hotline.views.order import perform

logger = logging.getLogger(__name__)


def with_files(act: Callable[..., Any], *entry_kinds: str) -> Callable[..., Any]:
    """`act` as `perform` calls a service, also taking the form's `uploads` (and an optional
    `files_visibility`): the act and its files in one transaction
    (`services.attachments.work_order_act_with_attachments`)."""

    def service(*, actor: Any, uploads: Any = (), **arguments: Any) -> Any:
        return work_order_act_with_attachments(
            actor=actor, act=act, entry_kinds=entry_kinds, uploads=uploads, **arguments
        )

    service.__name__ = getattr(act, "__name__", "act")
    return service


def _serve(request: HttpRequest, key: str, *, thumbnail: bool) -> HttpResponseBase:
    try:
        row = attachment_selectors.access_attachment(
            request.user,
            key,
            tracked=attachment_selectors.tracked_orders(request.session),
            actor=Actor.from_request(request),
            audit=not thumbnail,
        )
    except NotFound:
        raise Http404 from None
    name = row.thumbnail_name if thumbnail else row.stored_name
    if not name:
        raise Http404
    try:
        handle = attachment_storage().open(name, "rb")
    except FileNotFoundError:
        logger.error("attachment %s: stored file %s is missing", row.pk, name)
        raise Http404 from None
    response = FileResponse(
        handle,
        content_type="image/jpeg" if thumbnail else row.content_type,
        as_attachment=not row.is_image,
        filename=row.name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Nothing served here may run anything, even when opened directly.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    # The reader was checked: no cache may keep a copy for the next one (decision 0057).
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def download(request: HttpRequest, key: str) -> HttpResponseBase:
    return _serve(request, key, thumbnail=False)


@require_GET
def thumbnail(request: HttpRequest, key: str) -> HttpResponseBase:
    return _serve(request, key, thumbnail=True)


@require_POST
@role_required(*STAFF_ORDER_ROLES)
def attach(request: HttpRequest, pk: int) -> HttpResponse:
    """添加附件 from the order page: the files on an entry of their own."""
    return perform(
        request,
        pk,
        form_class=AttachForm,
        service=attachments_add,
        arguments=lambda d, order: {
            "order": order,
            "uploads": d["attachments"],
            "visibility": d["visibility"],
        },
        done=_("已为工单 %(number)s 添加附件。"),
    )

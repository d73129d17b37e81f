"""/api/hotline/…/attachments: add files to an order (multipart), list an order's files,
download one. The files go through the same service as the order page's 添加附件
(`services.attachments.attachments_add`): the type from the content, the size limit, EXIF
stripped, one transaction. An order or a file the caller may not see is 404, as missing.

Files that come *with* an act (a reply's evidence photo, a note's pictures) are the screens'
forms today; an API client adds them right after the act with this operation (decision 0031).
"""

from __future__ import annotations

from typing import Any, cast

from django.http import FileResponse, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext
from ninja import File, Form, Query, Router, Schema, Status, UploadedFile
from pydantic import Field

from hongmian.core.actors import Actor, client_address
from hongmian.core.api_errors import errors
from hongmian.core.errors import NotFound
from hongmian.hotline import attachment_selectors, permissions, selectors
from hongmian.hotline.models import Attachment, WorkOrder
from hongmian.hotline.schemas import AttachmentOut, AttachmentPageOut
from hongmian.hotline.services.attachments import attachment_storage, attachments_add
from hongmian.hotline.states import Visibility
from hongmian.identity.models import User

router = Router()

FILES = "/work-orders/{number}/attachments"


class AttachmentListIn(Schema):
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=1_000_000)


def _user(request: HttpRequest) -> User:
    return cast(User, request.auth)  # type: ignore[attr-defined]


def _order(request: HttpRequest, number: str) -> WorkOrder:
    pk = WorkOrder.objects.filter(number=number).values_list("pk", flat=True).first()
    if pk is None:
        raise NotFound(gettext("工单不存在"), code="work_order.not_found")
    return selectors.work_order_get(_user(request), pk)


def _out(row: Attachment) -> dict[str, Any]:
    return {
        "key": row.key,
        "name": row.name,
        "content_type": row.content_type,
        "size": row.size,
        "sha256": row.sha256,
        "visibility": row.visibility,
        "entry_kind": row.entry.kind,
        "width": row.width,
        "height": row.height,
        "created_at": row.created_at,
        "url": reverse("hotline:attachment", args=(row.key,)),
        "thumbnail_url": reverse("hotline:attachment_thumbnail", args=(row.key,))
        if row.thumbnail_name
        else None,
    }


@router.post(
    FILES,
    response={201: list[AttachmentOut], **errors(403, 404, 413)},
    summary="上传附件",
    openapi_extra={
        "responses": {
            413: {"description": "attachment.too_large: a file is over the size limit"},
            422: {
                "description": "attachment.type_mismatch, attachment.type_not_allowed, "
                "attachment.too_many, attachment.empty, attachment.visibility"
            },
        }
    },
)
def attachment_upload(
    request: HttpRequest,
    number: str,
    # Optional in the schema so that an order the caller may not see is 404 (and an act
    # not theirs 403) before anything else; no file at all is 422 `attachment.none`.
    attachments: File[list[UploadedFile] | None] = None,
    visibility: Form[Visibility | None] = None,
) -> Status[list[dict[str, Any]]]:
    """Multipart `attachments` (one or more files) and `visibility` (public, staff or
    internal; by default public for the caller's own order, staff for anyone else). 201 with
    the files added, on one new timeline entry (添加附件)."""
    user = _user(request)
    order = _order(request, number)
    if visibility is None:
        visibility = Visibility.PUBLIC if permissions.is_caller(user, order) else Visibility.STAFF
    rows = attachments_add(
        actor=Actor(user=user, client_address=client_address(request), via="api"),
        order=order,
        uploads=attachments or [],
        visibility=visibility,
    )
    return Status(201, [_out(row) for row in rows])


@router.get(FILES, response={200: AttachmentPageOut, **errors(404)}, summary="附件列表")
def attachment_list(
    request: HttpRequest, number: str, page: Query[AttachmentListIn]
) -> dict[str, Any]:
    """The order's files the caller may see (by the order and each file's marking), oldest
    first; `total` counts them all."""
    user = _user(request)
    order = _order(request, number)
    rows = attachment_selectors.attachments_visible_to(user, order).select_related("entry")
    return {
        "total": rows.count(),
        "limit": page.limit,
        "offset": page.offset,
        "items": [_out(r) for r in rows[page.offset : page.offset + page.limit]],
    }


@router.get(
    "/attachments/{key}",
    response={200: None, **errors(404)},
    summary="下载附件",
    openapi_extra={
        "responses": {
            200: {
                "description": "the file (images without their metadata)",
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                },
            }
        }
    },
)
def attachment_download(request: HttpRequest, key: str) -> FileResponse:
    """The file, as the order page serves it: `nosniff`, a sandboxing CSP and a
    Content-Disposition with the file's name."""
    user = _user(request)
    actor = Actor(user=user, client_address=client_address(request), via="api")
    row = attachment_selectors.access_attachment(user, key, actor=actor)
    response = FileResponse(
        attachment_storage().open(row.stored_name, "rb"),
        content_type=row.content_type,
        as_attachment=True,
        filename=row.name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "no-store"  # personal data (decision 0057)
    return response

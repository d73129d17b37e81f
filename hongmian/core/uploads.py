"""The upload handler every multipart request goes through first: it counts each file's
bytes as they arrive and, past `HONGMIAN_ATTACHMENT_MAX_BYTES`, drops the rest of that file
(neither buffered in memory nor written to a temporary file). The file then reaches the
view as a `TooLargeUpload` marker, which the attachment service refuses with the coded
`attachment.too_large` — so an oversized upload is a clear answer, never a full read into
memory and never a 500.

A request whose Content-Length is already over what any act may carry (the per-file limit
times the per-act count, plus room for the form's fields) drops every file at once. The
body is still read to its end and thrown away, so that the client (a browser) receives the
answer; a reverse proxy's body limit (docs/deployment.md) stops a flood before it gets here.
"""

from __future__ import annotations

from io import BytesIO
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler

# Room for the form's own fields and the multipart framing beside the files.
FORM_SLACK_BYTES = 1024 * 1024


# Django's file classes are generic for the type checker only (django-stubs); subscripting
# them at run time needs django-stubs-ext, which production does not install.
if TYPE_CHECKING:
    _Upload = UploadedFile[bytes]
else:
    _Upload = UploadedFile


class TooLargeUpload(_Upload):
    """A file that was over the limit: its name, its type as claimed and the bytes counted
    before it was dropped (`size`); no content."""

    def __init__(self, name: str, content_type: str, received: int) -> None:
        super().__init__(BytesIO(b""), name=name, content_type=content_type, size=received)


def max_file_bytes() -> int:
    return int(settings.HONGMIAN_ATTACHMENT_MAX_BYTES)


def max_request_bytes() -> int:
    return max_file_bytes() * int(settings.HONGMIAN_ATTACHMENT_MAX_FILES) + FORM_SLACK_BYTES


class SizeLimitedUploadHandler(FileUploadHandler):
    """First in FILE_UPLOAD_HANDLERS; Django's memory and temporary-file handlers follow and
    receive only the chunks this one lets through."""

    def __init__(self, request: Any = None) -> None:
        super().__init__(request)
        self.limit = max_file_bytes()
        self.whole_request_too_large = False
        self.received = 0
        self.over = False

    def handle_raw_input(
        self,
        input_data: Any,
        META: dict[str, Any],
        content_length: int,
        boundary: str,
        encoding: str | None = None,
    ) -> None:
        self.whole_request_too_large = content_length > max_request_bytes()

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0
        self.over = self.whole_request_too_large

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.over = True
        # None: the handlers after this one never see the chunk.
        return None if self.over else raw_data

    def file_complete(self, file_size: int) -> UploadedFile[bytes] | None:
        if not self.over:
            return None  # the next handler (memory or temporary file) completes it
        return TooLargeUpload(
            str(self.file_name or ""), str(self.content_type or ""), max(self.received, 0)
        )

"""The upload handler that drops a file's bytes past the limit as they arrive, through
Django's own multipart parser (the path every request takes)."""

from __future__ import annotations

import io

from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler
from django.http.multipartparser import MultiPartParser

from hongmian.core.uploads import SizeLimitedUploadHandler, TooLargeUpload

BOUNDARY = "limit-test"


def body(*files: tuple[str, bytes]) -> bytes:
    parts = []
    for name, data in files:
        parts.append(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="f"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n".encode()
            + data
            + b"\r\n"
        )
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def parse(raw: bytes):
    meta = {
        "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
        "CONTENT_LENGTH": str(len(raw)),
    }
    handlers = [
        SizeLimitedUploadHandler(),
        MemoryFileUploadHandler(),
        TemporaryFileUploadHandler(),
    ]
    _post, files = MultiPartParser(meta, io.BytesIO(raw), handlers).parse()
    return files.getlist("f")


def test_a_file_under_the_limit_passes_and_one_over_it_is_a_marker(settings) -> None:
    settings.HONGMIAN_ATTACHMENT_MAX_BYTES = 100 * 1024
    small, big = parse(body(("small.pdf", b"%PDF-" + b"1" * 1000), ("big.pdf", b"0" * 300_000)))
    assert not isinstance(small, TooLargeUpload)
    assert small.read().startswith(b"%PDF-")
    assert isinstance(big, TooLargeUpload)
    assert big.name == "big.pdf"
    # Counted until it was dropped: past the limit, and nothing of it kept.
    assert big.size > 100 * 1024
    assert big.read() == b""


def test_a_body_larger_than_any_act_may_carry_drops_every_file(settings) -> None:
    settings.HONGMIAN_ATTACHMENT_MAX_BYTES = 40 * 1024
    settings.HONGMIAN_ATTACHMENT_MAX_FILES = 1
    # Each file is under the file limit, the body over limit × count + the form's room.
    files = parse(body(*[(f"{i}.pdf", b"1" * 30 * 1024) for i in range(50)]))
    assert len(files) == 50
    assert all(isinstance(f, TooLargeUpload) for f in files)

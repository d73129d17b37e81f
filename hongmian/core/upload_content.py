"""What an uploaded file is, judged from its bytes, and the copy of it that is kept.

The type comes from the content — never from the file's name or the Content-Type the
client sent, which are only *claims*: a claim that names an allowed type the content is not
is `attachment.type_mismatch`; content of a type we do not take (programs, web pages, SVG,
archives, documents with macros …) is `attachment.type_not_allowed`. Images are decoded by
Pillow (which also tells a truncated or fake image from a real one) and written again with
no metadata: EXIF (the GPS position, the camera, the time), XMP and comments are gone from
the copy the centre, the units and the public see, and the picture is turned upright as the
EXIF orientation said. Nothing here touches the database or the storage: the service does.

Shared by every app that takes files (the hotline's attachments, the applications'
materials): it moved here from the hotline when applications needed the same checks
(decision 0054).
"""

from __future__ import annotations

import hashlib
import io
import posixpath
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext, gettext_noop
from PIL import Image, ImageOps, UnidentifiedImageError

from hongmian.core.errors import PayloadTooLarge, ValidationFailed
from hongmian.core.uploads import TooLargeUpload

# The types we take: content type → (extension, label shown in messages; marked with
# gettext_noop and translated where a message is made, in the language of the request).
ALLOWED: dict[str, tuple[str, str]] = {
    "image/jpeg": (".jpg", gettext_noop("JPEG 图片")),
    "image/png": (".png", gettext_noop("PNG 图片")),
    "image/webp": (".webp", gettext_noop("WebP 图片")),
    "application/pdf": (".pdf", gettext_noop("PDF 文档")),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (
        ".docx",
        gettext_noop("Word 文档"),
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (
        ".xlsx",
        gettext_noop("Excel 表格"),
    ),
    "video/mp4": (".mp4", gettext_noop("MP4 视频")),
    "video/quicktime": (".mov", gettext_noop("MOV 视频")),
    "audio/mp4": (".m4a", gettext_noop("M4A 录音")),
    "audio/mpeg": (".mp3", gettext_noop("MP3 录音")),
    "audio/amr": (".amr", gettext_noop("AMR 录音")),
}
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
# What a name's extension claims (only to tell a mismatch from an unknown type).
_CLAIMED_BY_EXTENSION: dict[str, str] = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".jpe": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".mp4": "video/mp4",
    ".mov": "video/quicktime",
    ".m4a": "audio/mp4",
    ".mp3": "audio/mpeg",
    ".amr": "audio/amr",
}
_PIL_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
THUMBNAIL_SIZE = (320, 320)
JPEG_QUALITY = 88
HEAD_BYTES = 4096
NAME_MAX = 120


@dataclass(frozen=True, slots=True)
class PreparedFile:
    """A checked upload, ready to be stored: `content` (the bytes to keep) for an image,
    else `source` (the upload itself, streamed to the storage as it is)."""

    name: str
    content_type: str
    sha256: str
    stored_sha256: str
    size: int
    content: bytes | None
    source: IO[bytes] | None
    thumbnail: bytes | None
    width: int | None
    height: int | None

    @property
    def extension(self) -> str:
        return ALLOWED[self.content_type][0]


def max_bytes() -> int:
    return int(settings.HONGMIAN_ATTACHMENT_MAX_BYTES)


def max_files() -> int:
    return int(settings.HONGMIAN_ATTACHMENT_MAX_FILES)


def _megabytes(size: int) -> str:
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.0f} MB"


def _too_large(name: str, detail: str) -> PayloadTooLarge:
    return PayloadTooLarge(
        gettext("附件“{name}”{detail}").format(name=name, detail=detail),
        code="attachment.too_large",
        fields={"attachments": [gettext("“{name}”{detail}").format(name=name, detail=detail)]},
    )


def _refused(code: str, name: str, detail: str) -> ValidationFailed:
    return ValidationFailed(
        gettext("附件“{name}”{detail}").format(name=name, detail=detail),
        code=code,
        fields={"attachments": [gettext("“{name}”{detail}").format(name=name, detail=detail)]},
    )


def check_count(uploads: Iterable[Any]) -> None:
    count = len(list(uploads))
    if count > max_files():
        raise ValidationFailed(
            gettext("每次最多上传 {limit} 个附件，本次 {count} 个").format(
                limit=max_files(), count=count
            ),
            code="attachment.too_many",
            fields={
                "attachments": [gettext("每次最多上传 {limit} 个附件").format(limit=max_files())]
            },
        )


def clean_name(name: str, extension: str | None) -> str:
    """The name shown and offered on download: the client's last path part, without control
    characters or quotes, its extension made the sniffed type's (None: kept as sent)."""
    base = posixpath.basename(str(name or "").replace("\\", "/"))
    base = "".join(c for c in base if c.isprintable() and c not in '"<>:;|?*\u202e')
    if extension is None:
        return base[:NAME_MAX] or "附件"
    stem, _dot, _ext = base.rpartition(".")
    stem = (stem or base).strip().strip(".") or "附件"
    return f"{stem[: NAME_MAX - len(extension)]}{extension}"


def _claimed(name: str, content_type: str) -> str | None:
    """The allowed type the client says this is, if it names one."""
    ext = posixpath.splitext(str(name or "").lower())[1]
    by_name = _CLAIMED_BY_EXTENSION.get(ext)
    if by_name:
        return by_name
    declared = (content_type or "").split(";")[0].strip().lower()
    return declared if declared in ALLOWED else None


def _zip_type(upload: IO[bytes]) -> str | None:
    """A Word or Excel document (OOXML), without macros; any other zip is not taken."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "[Content_Types].xml" not in names or any(n.endswith("vbaProject.bin") for n in names):
        return None
    if "word/document.xml" in names:
        return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    if "xl/workbook.xml" in names:
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return None


def sniff(upload: IO[bytes]) -> str | None:
    """The allowed type the content is, or None. Reads the first bytes (and a zip's
    directory); the caller's position is not kept."""
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(upload)
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in {b"M4A ", b"M4B "}:
            return "audio/mp4"
        if brand == b"qt  ":
            return "video/quicktime"
        if brand in {b"isom", b"iso2", b"mp41", b"mp42", b"avc1", b"MSNV", b"dash", b"3gp4"}:
            return "video/mp4"
        return None  # HEIC/AVIF images and other ISO media we cannot show or check
    if head.startswith(b"#!AMR\n"):
        return "audio/amr"
    if head.startswith(b"ID3") or (
        len(head) > 1 and head[0] == 0xFF and head[1] in {0xFB, 0xF3, 0xF2}
    ):
        return "audio/mpeg"
    return None


def _digest(upload: IO[bytes]) -> tuple[str, int]:
    upload.seek(0)
    hasher, size = hashlib.sha256(), 0
    while chunk := upload.read(1024 * 1024):
        hasher.update(chunk)
        size += len(chunk)
    upload.seek(0)
    return hasher.hexdigest(), size


def _clean_image(upload: IO[bytes], content_type: str, name: str) -> tuple[bytes, bytes, int, int]:
    """(stored bytes, thumbnail JPEG, width, height): decoded, upright, without metadata."""
    upload.seek(0)
    label = gettext(ALLOWED[content_type][1])
    try:
        with Image.open(upload) as image:
            if _PIL_FORMATS.get(str(image.format)) != content_type:
                raise _refused(
                    "attachment.type_mismatch",
                    name,
                    gettext("不是有效的 {label}").format(label=label),
                )
            width, height = image.size
            if width * height > int(settings.HONGMIAN_ATTACHMENT_MAX_PIXELS):
                raise _too_large(
                    name,
                    gettext("像素过多（{width}×{height}），请缩小后再上传").format(
                        width=width, height=height
                    ),
                )
            image.load()
            upright = ImageOps.exif_transpose(image)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise _refused(
            "attachment.type_mismatch",
            name,
            gettext("已损坏或不是有效的 {label}").format(label=label),
        ) from None
    icc = image.info.get("icc_profile")
    # `upright` is a new image of ours (exif_transpose copies): its info — EXIF, XMP,
    # comments, PNG text chunks — is emptied, so the writer has nothing of it to carry;
    # only a palette's transparency stays, and the colour profile is passed explicitly.
    clean = upright
    transparency = clean.info.get("transparency")
    clean.info = {"transparency": transparency} if transparency is not None else {}
    try:
        content = _encode(clean, content_type, icc)
    except (OSError, ValueError):
        # A mode the format cannot write back (a 32-bit integer PNG …): as 8-bit colour.
        clean = clean.convert("RGBA" if "A" in clean.getbands() else "RGB")
        content = _encode(clean, content_type, icc)
    return content, thumbnail(clean), clean.width, clean.height


def _encode(clean: Image.Image, content_type: str, icc: Any) -> bytes:
    out = io.BytesIO()
    params: dict[str, Any] = {"icc_profile": icc} if icc else {}
    if content_type == "image/jpeg":
        if clean.mode not in {"RGB", "L"}:
            clean = clean.convert("RGB")
        clean.save(out, "JPEG", quality=JPEG_QUALITY, **params)
    elif content_type == "image/png":
        clean.save(out, "PNG", **params)
    else:
        clean.save(out, "WEBP", quality=JPEG_QUALITY, **params)
    return out.getvalue()


def thumbnail(image: Image.Image) -> bytes:
    """A JPEG of at most THUMBNAIL_SIZE, transparency on white."""
    small = image.copy()
    small.thumbnail(THUMBNAIL_SIZE)
    if small.mode in {"RGBA", "LA", "P"}:
        rgba = small.convert("RGBA")
        small = Image.new("RGB", rgba.size, (255, 255, 255))
        small.paste(rgba, mask=rgba.getchannel("A"))
    elif small.mode != "RGB":
        small = small.convert("RGB")
    out = io.BytesIO()
    small.save(out, "JPEG", quality=80, optimize=True)
    return out.getvalue()


def prepare(upload: Any) -> PreparedFile:
    """Check one upload (size, type from content) and make the copy to keep. Raises the
    coded errors of the module docstring and `attachment.too_large` (413)."""
    raw_name = str(getattr(upload, "name", "") or "附件")
    shown = clean_name(raw_name, None)
    limit = max_bytes()
    if isinstance(upload, TooLargeUpload) or (getattr(upload, "size", 0) or 0) > limit:
        raise _too_large(shown, gettext("超过 {size} 的大小限制").format(size=_megabytes(limit)))
    sha256, size = _digest(upload)
    if size > limit:
        raise _too_large(shown, gettext("超过 {size} 的大小限制").format(size=_megabytes(limit)))
    if size == 0:
        raise _refused("attachment.empty", shown, gettext("是空文件"))
    content_type = sniff(upload)
    if content_type is None:
        claimed = _claimed(raw_name, str(getattr(upload, "content_type", "") or ""))
        if claimed is not None:
            label = gettext(ALLOWED[claimed][1])
            raise _refused(
                "attachment.type_mismatch", shown, gettext("的内容不是 {label}").format(label=label)
            )
        allowed = gettext("、").join(gettext(label) for _ext, label in ALLOWED.values())
        raise _refused(
            "attachment.type_not_allowed",
            shown,
            gettext("的类型不能上传（可上传：{allowed}）").format(allowed=allowed),
        )
    extension = ALLOWED[content_type][0]
    name = clean_name(raw_name, extension)
    if content_type in IMAGE_TYPES:
        content, thumb, width, height = _clean_image(upload, content_type, name)
        return PreparedFile(
            name=name,
            content_type=content_type,
            sha256=sha256,
            stored_sha256=hashlib.sha256(content).hexdigest(),
            size=len(content),
            content=content,
            source=None,
            thumbnail=thumb,
            width=width,
            height=height,
        )
    upload.seek(0)
    return PreparedFile(
        name=name,
        content_type=content_type,
        sha256=sha256,
        stored_sha256=sha256,
        size=size,
        content=None,
        source=upload,
        thumbnail=None,
        width=None,
        height=None,
    )


def prepare_all(uploads: Iterable[Any]) -> list[PreparedFile]:
    """Every upload of one act checked before anything is written: one bad file refuses
    the act. The same file picked twice is kept once."""
    items = list(uploads)
    check_count(items)
    prepared: list[PreparedFile] = []
    seen: set[str] = set()
    for upload in items:
        item = prepare(upload)
        if item.sha256 not in seen:
            seen.add(item.sha256)
            prepared.append(item)
    return prepared

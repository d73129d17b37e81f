"""Files for the attachment tests, made here (nothing copied): a JPEG with GPS EXIF, PNG,
PDF, a fake JPEG, an HTML page, an SVG with a script, a Windows program."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

# 天河区石牌街道, roughly: what the photo's EXIF would give away.
GPS = {1: "N", 2: (23.0, 8.0, 30.0), 3: "E", 4: (113.0, 20.0, 45.0)}


def jpeg_with_gps(
    size: tuple[int, int] = (800, 600), colour: tuple[int, int, int] = (200, 40, 40)
) -> bytes:
    """A camera-like JPEG: maker, model, time, orientation 6 (turn 90°) and a GPS position."""
    image = Image.new("RGB", size, colour)
    exif = Image.Exif()
    exif[0x010F] = "HongmianCam"  # Make
    exif[0x0110] = "Model 12345"  # Model
    exif[0x0132] = "2026:12:07 09:30:00"  # DateTime
    exif[0x0112] = 6  # Orientation: the camera was turned; the picture must be turned back
    exif[0x8825] = GPS  # GPSInfo
    out = io.BytesIO()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><HongmianXMP>23.14,113.34</HongmianXMP></x:xmpmeta>'
    image.save(out, "JPEG", exif=exif.tobytes(), xmp=xmp, comment=b"HongmianComment", quality=90)
    return out.getvalue()


def png_bytes(size: tuple[int, int] = (64, 48)) -> bytes:
    image = Image.new("RGBA", size, (10, 120, 200, 128))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
FAKE_JPEG = b"this is a text file, not a photo\n" * 20
HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200


def upload(
    name: str, data: bytes, content_type: str = "application/octet-stream"
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def photo(name: str = "现场.jpg") -> SimpleUploadedFile:
    return upload(name, jpeg_with_gps(), "image/jpeg")

"""QR codes drawn here, as SVG (segno; no network, no image library): the certificates' and
the city code's. One place for the error-correction level and the quiet zone."""

from __future__ import annotations

import io

import segno


def qr_svg_inline(text: str, *, scale: int = 3, error: str = "m") -> str:
    """An <svg> element to put in a page. Medium error correction by default: a phone still
    reads a slightly damaged print or a scuffed screen; the quiet zone is the standard 4."""
    return str(
        segno.make(text, error=error, micro=False).svg_inline(
            scale=scale, border=4, dark="#000", light="#fff", omitsize=True
        )
    )


def qr_svg_file(text: str, *, scale: int = 4, error: str = "m") -> bytes:
    """A standalone SVG file (to print or save)."""
    out = io.BytesIO()
    segno.make(text, error=error, micro=False).save(
        out, kind="svg", scale=scale, border=4, xmldecl=True
    )
    return out.getvalue()

"""The holder's wallet (我的证照: list, show with QR code, download) and the public
verification page (核验电子证照). Thin: they parse the request and call selectors."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from hongmian.certificates import selectors
from hongmian.certificates.api import verification_out
from hongmian.certificates.states import Reason
from hongmian.certificates.verification import certificate_verify
from hongmian.core.actors import Actor
from hongmian.core.errors import NotFound
from hongmian.core.jws import MAX_TOKEN_CHARS
from hongmian.core.qr import qr_svg_file, qr_svg_inline

PER_PAGE = 20
# An uploaded certificate file: its text is a few KB at most.
MAX_UPLOAD_BYTES = 64 * 1024


def _view(request: HttpRequest, cert_id: uuid.UUID, purpose: str) -> selectors.CertificateView:
    try:
        return selectors.access_certificate(
            request.user,
            cert_id,
            actor=Actor.from_request(request),
            purpose=purpose,
            holder_only=True,
        )
    except NotFound:
        raise Http404 from None


@require_GET
@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """我的证照: the certificates the user holds, newest first, with the true count."""
    rows = selectors.my_certificate_list(request.user)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    items = [(c, selectors.certificate_status(c)) for c in page.object_list]
    return render(
        request,
        "certificates/mine.html",
        {"page": page, "items": items, "count": page.paginator.count},
    )


@require_GET
@login_required
def detail(request: HttpRequest, cert_id: uuid.UUID) -> HttpResponse:
    view = _view(request, cert_id, "show")
    return render(
        request,
        "certificates/detail.html",
        {
            "view": view,
            "certificate": view.certificate,
            "qr_svg": qr_svg_inline(view.certificate.token),
        },
    )


@require_GET
@login_required
def qr(request: HttpRequest, cert_id: uuid.UUID) -> HttpResponse:
    """The QR code alone, as an SVG file (to print or save)."""
    view = _view(request, cert_id, "qr")
    response = HttpResponse(qr_svg_file(view.certificate.token), content_type="image/svg+xml")
    response["Content-Disposition"] = f'attachment; filename="certificate-{cert_id}.svg"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@login_required
def download(request: HttpRequest, cert_id: uuid.UUID) -> HttpResponse:
    """The signed certificate itself (compact JWS), as `hongmian certificates verify` and any
    JOSE library read it."""
    view = _view(request, cert_id, "download")
    response = HttpResponse(view.certificate.token + "\n", content_type="application/jose")
    name = f"{view.certificate.type.code}-{cert_id}.jws"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


class VerifyForm(forms.Form):
    certificate = forms.CharField(
        label=_("证照内容"),
        required=False,
        max_length=MAX_TOKEN_CHARS + 1000,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false", "autocomplete": "off"}),
        help_text=_("粘贴电子证照的文本，或扫描二维码得到的内容。"),
    )
    file = forms.FileField(label=_("或上传证照文件"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        text = (data.get("certificate") or "").strip()
        if upload is not None:
            if upload.size > MAX_UPLOAD_BYTES:
                raise forms.ValidationError(_("文件过大，电子证照文件不超过 64 KB。"))
            text = upload.read(MAX_UPLOAD_BYTES).decode("utf-8", errors="replace").strip()
        if not text:
            raise forms.ValidationError(_("请粘贴证照内容或上传证照文件。"))
        data["text"] = text
        return data


REASON_HELP = {
    Reason.OK: _("签名有效，证照在有效期内，未被吊销。"),
    Reason.BAD_FORMAT: _("这不是一份电子证照，请检查是否完整复制。"),
    Reason.UNKNOWN_KEY: _("签名所用的密钥不在本平台公布的密钥集中，证照不是本平台签发或已失效。"),
    Reason.BAD_SIGNATURE: _("签名与内容不符，证照内容可能被改动。"),
    Reason.UNKNOWN_TYPE: _("证照类型不在本平台签发的类型之中。"),
    Reason.NOT_YET_VALID: _("证照尚未到生效时间。"),
    Reason.EXPIRED: _("证照已超过有效期。"),
    Reason.REVOKED: _("发证单位已吊销此证照。"),
}


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """核验电子证照: open to everyone (a hall clerk, a landlord, an employer); checks what the
    JWK Set and the revocation list can prove, nothing about the presenter."""
    result: dict[str, Any] | None = None
    claims: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        form = VerifyForm(request.POST, request.FILES)
        if form.is_valid():
            verification = certificate_verify(form.cleaned_data["text"])
            result = verification_out(verification)
            result["label"] = Reason(verification.reason).label
            result["help"] = REASON_HELP[Reason(verification.reason)]
            claims = verification.claims
        else:
            status = 422
    else:
        form = VerifyForm()
    holder = claims.get("hld")
    holder = holder if isinstance(holder, dict) else {}
    data = claims.get("data")
    data = data if isinstance(data, dict) else {}
    return render(
        request,
        "certificates/verify.html",
        {"form": form, "result": result, "holder": holder, "data_rows": _data_rows(claims, data)},
        status=status,
    )


def _data_rows(claims: dict[str, Any], data: dict[str, Any]) -> list[tuple[str, str]]:
    from hongmian.certificates.type_specs import SPECS

    spec = SPECS.get(str(claims.get("ctp")))
    if spec is None:
        return []
    return [(str(f.label), str(data[f.key])) for f in spec.fields if f.key in data]

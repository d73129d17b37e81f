"""Certificate endpoints. Public (no account): the JWK Set, the revocation list, the types and
verification — what anyone needs to check a certificate, online or offline. The holder's
wallet and the issuing department's issue and revoke take the API's one authentication."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext
from ninja import Query, Router, Status

from hongmian.certificates import selectors
from hongmian.certificates.models import Certificate
from hongmian.certificates.schemas import (
    CertificateDetailOut,
    CertificateIssueIn,
    CertificateOut,
    CertificatePageIn,
    CertificatePageOut,
    CertificateRevokeIn,
    CertificateTypeOut,
    JwkSetOut,
    RevocationListOut,
    VerifyIn,
    VerifyOut,
)
from hongmian.certificates.services import certificate_issue, certificate_revoke, holder_resolve
from hongmian.certificates.states import ISSUER_STAFF_ROLES, KEY_PURPOSE
from hongmian.certificates.type_specs import SPECS, spec_get
from hongmian.certificates.verification import Verification, certificate_verify
from hongmian.core.actors import Actor
from hongmian.core.api_errors import errors
from hongmian.core.errors import PermissionDenied
from hongmian.core.keyring import keyring_jwks

router = Router(tags=["certificates"])

# Verifiers may keep the key set this long; a rotation publishes the new key well before it
# signs anything a verifier could meet (the previous key stays published).
KEYS_MAX_AGE = 300
REVOKED_MAX_AGE = 60


def _actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request, via="api")


def _cached(body: dict[str, Any], max_age: int) -> HttpResponse:
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = f"public, max-age={max_age}"
    return response


@router.get(
    "/keys.json",
    auth=None,
    response={200: JwkSetOut},
    summary="电子证照签名公钥（JWK Set）",
)
def keys(request: HttpRequest) -> HttpResponse:
    """Every public key whose certificates may still be valid (RFC 7517 §5)."""
    return _cached(keyring_jwks(KEY_PURPOSE), KEYS_MAX_AGE)


@router.get(
    "/revoked.json",
    auth=None,
    response={200: RevocationListOut},
    summary="电子证照吊销列表",
)
def revoked(request: HttpRequest) -> HttpResponse:
    rows = [
        {**row, "revoked_at": row["revoked_at"].isoformat()} for row in selectors.revocation_list()
    ]
    body = {"generated_at": timezone.now().isoformat(), "revoked": rows}
    return _cached(body, REVOKED_MAX_AGE)


@router.get("/types", auth=None, response={200: list[CertificateTypeOut]}, summary="证照类型")
def types(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "code": spec.code,
            "name": spec.name,
            "issuer_unit": spec.issuer_unit,
            "holder": spec.holder.value,
            "validity_days": spec.validity_days,
            "fields": [
                {
                    "key": f.key,
                    "label": str(f.label),
                    "kind": f.kind,
                    "required": f.required,
                    "choices": list(f.choices),
                }
                for f in spec.fields
            ],
        }
        for spec in SPECS.values()
    ]


def verification_out(result: Verification) -> dict[str, Any]:
    """The API's answer (the verification page shows the same)."""
    out: dict[str, Any] = {"valid": result.valid, "reason": str(result.reason)}
    claims = result.claims
    if claims:

        def moment(key: str) -> dt.datetime | None:
            value = claims.get(key)
            return dt.datetime.fromtimestamp(value, dt.UTC) if isinstance(value, int) else None

        out["certificate"] = {
            "cert_id": str(claims.get("jti") or "") or None,
            "type": str(claims.get("ctp") or "") or None,
            "type_name": str(claims.get("ctp_name") or "") or None,
            "issuer": str(claims.get("iss") or "") or None,
            "issuer_name": str(claims.get("iss_name") or "") or None,
            "issued_at": moment("iat"),
            "valid_until": moment("exp"),
        }
    return out


@router.post("/verify", auth=None, response={200: VerifyOut}, summary="核验电子证照")
def verify(request: HttpRequest, payload: VerifyIn) -> dict[str, Any]:
    """Always 200: an invalid certificate is an answer (`valid: false` and the reason), not
    an error of the call."""
    return verification_out(certificate_verify(payload.certificate))


def certificate_out(certificate: Certificate) -> dict[str, Any]:
    return {
        "cert_id": certificate.cert_id,
        "type": certificate.type.code,
        "type_name": certificate.type.name,
        "issuer_name": certificate.issuer.name,
        "issued_at": certificate.issued_at,
        "valid_from": certificate.valid_from,
        "valid_until": certificate.valid_until,
        "status": selectors.certificate_status(certificate),
    }


@router.get("/me", response={200: CertificatePageOut, **errors(422)}, summary="我的证照")
def my_certificates(request: HttpRequest, params: Query[CertificatePageIn]) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    paginator = Paginator(selectors.my_certificate_list(user), params.per_page)
    page = paginator.get_page(params.page)
    return {
        "total": paginator.count,
        "page": page.number,
        "per_page": params.per_page,
        "num_pages": paginator.num_pages,
        "items": [certificate_out(c) for c in page.object_list],
    }


@router.post(
    "/issue",
    response={201: CertificateOut, **errors(403, 409, 422)},
    summary="签发电子证照",
)
def issue(request: HttpRequest, payload: CertificateIssueIn) -> Status[dict[str, Any]]:
    """For the issuing department's handlers (the type names the department)."""
    user = request.auth  # type: ignore[attr-defined]
    if user.role not in ISSUER_STAFF_ROLES:
        raise PermissionDenied(
            gettext("只有发证单位的工作人员可以签发"), code="certificate.not_issuer"
        )
    spec_get(payload.type)  # an unknown type is the first thing to say, before the holder
    certificate = certificate_issue(
        actor=_actor(request),
        type_code=payload.type,
        holder=holder_resolve(payload.holder),
        data=payload.data,
        valid_from=payload.valid_from,
        valid_until=payload.valid_until,
    )
    return Status(201, certificate_out(certificate))


@router.get("/{cert_id}", response={200: CertificateDetailOut, **errors(404)}, summary="证照详情")
def certificate_detail(request: HttpRequest, cert_id: str) -> dict[str, Any]:
    """The holder's certificate, or one the caller's unit issued; every read audited."""
    user = request.auth  # type: ignore[attr-defined]
    view = selectors.access_certificate(user, cert_id, actor=_actor(request), purpose="api")
    return {
        **certificate_out(view.certificate),
        "status": view.status,
        "holder_name": view.holder_name,
        "fields": [list(pair) for pair in view.fields],
        "token": view.certificate.token,
    }


@router.post(
    "/{cert_id}/revoke",
    response={200: CertificateOut, **errors(403, 404, 409, 422)},
    summary="吊销电子证照",
)
def revoke(request: HttpRequest, cert_id: str, payload: CertificateRevokeIn) -> dict[str, Any]:
    """For the issuing department's manager; published on the revocation list at once."""
    certificate = certificate_revoke(actor=_actor(request), cert_id=cert_id, reason=payload.reason)
    return certificate_out(certificate)

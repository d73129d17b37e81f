"""Cross-city endpoints, called by partner platforms (no account: each call is a document
signed by the partner's published key, which is the authentication) and the public key set
partners verify our documents with."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Router

from hongmian.core import ratelimit
from hongmian.core.api_errors import errors
from hongmian.core.keyring import keyring_jwks
from hongmian.crosscity.schemas import JwkSetOut, PackageIn, ReceiptOut, StatusIn, StatusOut
from hongmian.crosscity.services.receiving import package_receive
from hongmian.crosscity.services.status import status_receive
from hongmian.crosscity.states import KEY_PURPOSE

router = Router(tags=["crosscity"])

KEYS_MAX_AGE = 300


def _limit(request: HttpRequest) -> None:
    """Per caller address, shared by every process (core.ratelimit): the signature check and
    the key fetch it may cause are work a stranger could otherwise ask for without end."""
    limit = int(getattr(settings, "HONGMIAN_CROSSCITY_CALLS_PER_MINUTE", 600))
    decision = ratelimit.hit_address(request, "crosscity", limit=limit, window=60)
    if not decision.allowed:
        raise ratelimit.refuse(decision)


@router.get(
    "/keys.json", auth=None, response={200: JwkSetOut}, summary="跨域通办签名公钥（JWK Set）"
)
def keys(request: HttpRequest) -> HttpResponse:
    """This platform's cross-city public keys (RFC 7517 §5): partners verify our packages,
    receipts and status updates with them."""
    response = JsonResponse(keyring_jwks(KEY_PURPOSE), json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = f"public, max-age={KEYS_MAX_AGE}"
    return response


@router.post(
    "/packages",
    auth=None,
    response={200: ReceiptOut, **errors(400, 401, 403, 409, 413, 422, 429, 502)},
    summary="接收合作城市的跨域申请包",
)
def packages(request: HttpRequest, payload: PackageIn) -> dict[str, object]:
    """A signed package (compact JWS, ES256, the partner's kid) and its files. Answered with
    a signed receipt; the same package again gets the same receipt. Refusals: 400
    `crosscity.bad_format` / `crosscity.stale`, 401 `crosscity.unknown_key` /
    `crosscity.bad_signature`, 403 `crosscity.unknown_partner` / `crosscity.wrong_audience`,
    409 `crosscity.replayed`, 422 `crosscity.certificate_invalid` /
    `crosscity.material_mismatch` / `crosscity.item_not_offered`, 502
    `crosscity.keys_unavailable`."""
    _limit(request)
    files = [file.dict() for file in payload.files]
    receipt, new = package_receive(token=payload.package, files=files)
    return {"receipt": receipt, "new": new}


@router.post(
    "/status",
    auth=None,
    response={200: StatusOut, **errors(400, 401, 403, 404, 429, 502)},
    summary="接收合作城市的办件状态回传",
)
def status(request: HttpRequest, payload: StatusIn) -> dict[str, object]:
    """A signed status update of a package this platform sent (404
    `crosscity.package_unknown` for any other)."""
    _limit(request)
    new = status_receive(token=payload.update)
    return {"ok": True, "new": new}

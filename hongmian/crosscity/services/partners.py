"""Partner cities: registering one, fetching and caching the key sets it publishes, and
verifying what it signed with them (core.jws.jws_verify)."""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record
from hongmian.core.errors import ApplicationError, Conflict, ValidationFailed
from hongmian.core.jws import PublicKey, TokenRejected, Verified, jwks_public_keys, jws_verify
from hongmian.crosscity.models import Partner
from hongmian.crosscity.states import Refusal

# A key set larger than this is not a key set.
MAX_JWKS_BYTES = 64_000
# Least time between two fetches caused by an unknown kid (a stream of made-up kids must
# not become a stream of requests to the partner).
REFETCH_SECONDS = 5
# Packages carry materials' files: far larger than a certificate.
MAX_PACKAGE_CHARS = 2_000_000


class KeysUnavailable(ApplicationError):
    """The partner's key set could not be fetched (network, HTTP error, not a JWK Set)."""

    status_code = 502


class Refused(ApplicationError):
    """An incoming document refused with a Refusal code."""

    def __init__(self, refusal: Refusal, status_code: int = 400, detail: str = "") -> None:
        message = str(refusal.label) + (f"：{detail}" if detail else "")
        super().__init__(message, code=refusal.value)
        self.status_code = status_code


def timeout() -> float:
    return float(getattr(settings, "HONGMIAN_CROSSCITY_TIMEOUT_SECONDS", 10))


def own_code() -> str:
    return str(settings.HONGMIAN_CROSSCITY_CODE)


def own_name() -> str:
    return str(settings.HONGMIAN_CROSSCITY_NAME)


def _url(value: str, field: str) -> str:
    value = (value or "").strip().rstrip("/")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValidationFailed(
            _("地址必须以 http:// 或 https:// 开头"),
            code="crosscity.partner_url_invalid",
            fields={field: [value[:100]]},
        )
    return value


def partner_add(
    *,
    actor: Actor,
    code: str,
    name: str,
    endpoint: str,
    keys_url: str = "",
    certificates_keys_url: str = "",
) -> Partner:
    """Register a partner city (or update the one with this code). Its key set URLs default
    to the Hongmian paths under `endpoint`; its account (the applicant of what it sends) is
    made here and cannot log in."""
    code, name = (code or "").strip(), (name or "").strip()
    if not code.isalnum() or not 2 <= len(code) <= 12:
        raise ValidationFailed(
            _("城市代码为 2–12 位字母或数字"), code="crosscity.partner_code_invalid"
        )
    if not name or len(name) > 50:
        raise ValidationFailed(_("请填写城市名称"), code="crosscity.partner_name_invalid")
    if code == own_code():
        raise Conflict(_("不能把本市登记为合作城市"), code="crosscity.partner_is_self")
    endpoint = _url(endpoint, "endpoint")
    keys_url = _url(keys_url or f"{endpoint}/api/crosscity/keys.json", "keys_url")
    certificates_keys_url = _url(
        certificates_keys_url or f"{endpoint}/api/certificates/keys.json",
        "certificates_keys_url",
    )
    user_model = get_user_model()
    with transaction.atomic():
        partner, created = Partner.objects.select_for_update().get_or_create(
            code=code,
            defaults={
                "name": name,
                "endpoint": endpoint,
                "keys_url": keys_url,
                "certificates_keys_url": certificates_keys_url,
            },
        )
        before = None if created else {"name": partner.name, "endpoint": partner.endpoint}
        partner.name, partner.endpoint = name, endpoint
        partner.keys_url, partner.certificates_keys_url = keys_url, certificates_keys_url
        # A new address: what was cached from the old one no longer counts.
        partner.jwks, partner.certificates_jwks, partner.keys_fetched_at = {}, {}, None
        partner.active = True
        if partner.account_id is None:
            account = user_model(username=f"crosscity-{code}", role="citizen", is_active=False)
            account.set_unusable_password()
            account.save()
            partner.account = account
        partner.save()
        audit_record(
            actor=actor,
            action="crosscity.partner_add" if created else "crosscity.partner_update",
            target=partner,
            before=before,
            after={"code": code, "name": name, "endpoint": endpoint, "keys_url": keys_url},
        )
    return partner


def _fetch_json(url: str) -> dict[str, Any]:
    # http(s) only: partner_add refuses any other scheme.
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout()) as response:  # noqa: S310
            body = response.read(MAX_JWKS_BYTES + 1)
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise KeysUnavailable(
            _("无法取得合作城市的公钥：%(error)s") % {"error": str(exc)[:200]},
            code=Refusal.KEYS_UNAVAILABLE.value,
        ) from None
    try:
        if len(body) > MAX_JWKS_BYTES:
            raise ValueError("too large")
        data = json.loads(body)
        jwks_public_keys(data)
    except ValueError:
        raise KeysUnavailable(
            _("合作城市的公钥不是有效的 JWK Set"), code=Refusal.KEYS_UNAVAILABLE.value
        ) from None
    return dict(data)


def partner_keys_refresh(partner: Partner) -> Partner:
    """Fetch both key sets of `partner` now and cache them on its row. KeysUnavailable
    (502 `crosscity.keys_unavailable`) when either cannot be had; the cache is unchanged."""
    jwks = _fetch_json(partner.keys_url)
    certificates = _fetch_json(partner.certificates_keys_url)
    now = timezone.now()
    Partner.objects.filter(pk=partner.pk).update(
        jwks=jwks, certificates_jwks=certificates, keys_fetched_at=now, updated_at=now
    )
    partner.jwks, partner.certificates_jwks, partner.keys_fetched_at = jwks, certificates, now
    return partner


def _may_refetch(partner: Partner) -> bool:
    fetched = partner.keys_fetched_at
    return fetched is None or timezone.now() - fetched > dt.timedelta(seconds=REFETCH_SECONDS)


def partner_key(partner: Partner, kid: str, *, certificates: bool = False) -> PublicKey | None:
    """The partner's public key `kid` (its cross-city set, or its certificates' set): from
    the cache, else after one fetch (at most one every REFETCH_SECONDS)."""
    cached = partner.certificates_jwks if certificates else partner.jwks
    key = jwks_public_keys(cached or {"keys": []}).get(kid)
    if key is None and _may_refetch(partner):
        partner_keys_refresh(partner)
        cached = partner.certificates_jwks if certificates else partner.jwks
        key = jwks_public_keys(cached).get(kid)
    return key


def partner_verify(partner: Partner, token: str, *, typ: str) -> Verified:
    """`token` signed by `partner`'s cross-city key with the `typ` claim; Refused with the
    stable code otherwise (a fetch failure is KeysUnavailable, never a 500)."""
    try:
        verified = jws_verify(
            token, lambda kid: partner_key(partner, kid), max_chars=MAX_PACKAGE_CHARS
        )
    except TokenRejected as rejected:
        refusal = {
            "unknown_key": Refusal.UNKNOWN_KEY,
            "bad_signature": Refusal.BAD_SIGNATURE,
        }.get(rejected.reason, Refusal.BAD_FORMAT)
        raise Refused(refusal, 401 if refusal != Refusal.BAD_FORMAT else 400) from None
    if verified.claims.get("typ") != typ:
        raise Refused(Refusal.BAD_FORMAT, 400, "typ")
    return verified


def unverified_claims(token: str) -> dict[str, Any]:
    """The payload of a compact JWS before its signature is checked — only to learn which
    partner's keys to check it with. Refused(bad_format) when it is not one."""
    import base64

    parts = (token or "").strip().split(".")
    if len(parts) != 3 or len(token) > MAX_PACKAGE_CHARS:
        raise Refused(Refusal.BAD_FORMAT)
    try:
        raw = base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4))
        claims = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise Refused(Refusal.BAD_FORMAT) from None
    if not isinstance(claims, dict):
        raise Refused(Refusal.BAD_FORMAT)
    return claims


def partner_of(code: object) -> Partner:
    """The active partner with this code, else Refused(unknown_partner, 403)."""
    partner = (
        Partner.objects.filter(code=code, active=True).first() if isinstance(code, str) else None
    )
    if partner is None:
        raise Refused(Refusal.UNKNOWN_PARTNER, 403)
    return partner

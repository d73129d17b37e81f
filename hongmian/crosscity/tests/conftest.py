"""Fixtures of the cross-city unit tests: a partner city whose key lives in the test (its
key set cached on the partner's row, so that nothing is fetched), and a way to sign what
it sends."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone
from joserfc import jws
from joserfc.jwk import ECKey

from hongmian.core.actors import Actor
from hongmian.crosscity.models import Partner
from hongmian.crosscity.services.partners import partner_add
from hongmian.crosscity.states import TYP_PACKAGE
from hongmian.crosscity.tests.worlds import FORM, ITEM_CODE, MATERIAL, city_world

PARTNER_CODE = "511600"
PARTNER_NAME = "广安市"


def jwk_set(*keys: ECKey) -> dict[str, Any]:
    return {"keys": [{**k.as_dict(private=False), "alg": "ES256"} for k in keys]}


def sign(key: ECKey, claims: dict[str, Any], kid: str | None = None) -> str:
    header = {"alg": "ES256", "kid": kid or str(key.kid), "typ": "JWT"}
    payload = json.dumps(claims, ensure_ascii=False).encode()
    return str(jws.serialize_compact(header, payload, key))


@dataclass
class Remote:
    """The partner as this platform sees it: its row, its private key (kept by the test)."""

    partner: Partner
    key: ECKey
    world: dict[str, Any]

    def package(self, **overrides: Any) -> dict[str, Any]:
        claims: dict[str, Any] = {
            "typ": TYP_PACKAGE,
            "pid": str(uuid.uuid4()),
            "iss": PARTNER_CODE,
            "iss_name": PARTNER_NAME,
            "aud": "440100",
            "iat": int(time.time()),
            "item": {"code": ITEM_CODE, "name": "居住证签注"},
            "reference": "SQ202612080000001",
            "form": {
                "revision": 1,
                "answers": {
                    "name": "陈秀英",
                    "resident_id": "440106199001011234",
                    "phone": "13800138000",
                },
            },
            "applicant": {
                "name": "陈秀英",
                "resident_id": "440106199001011234",
                "assurance_level": 2,
            },
            "materials": [],
            "certificates": [],
        }
        claims.update(overrides)
        return claims


@pytest.fixture
def remote(db: None, settings: Any) -> Remote:
    settings.HONGMIAN_CROSSCITY_CODE = "440100"
    settings.HONGMIAN_CROSSCITY_NAME = "广州市"
    world = city_world(partner_name=PARTNER_NAME, prefix="gz")
    key = ECKey.generate_key("P-256", parameters={"kid": "ga-1"}, private=True)
    partner = partner_add(
        actor=Actor.system("test"),
        code=PARTNER_CODE,
        name=PARTNER_NAME,
        # Nothing listens there: a fetch is refused at once (the tests say when one happens).
        endpoint="http://127.0.0.1:9",
    )
    Partner.objects.filter(pk=partner.pk).update(
        jwks=jwk_set(key), certificates_jwks=jwk_set(key), keys_fetched_at=timezone.now()
    )
    partner.refresh_from_db()
    return Remote(partner=partner, key=key, world=world)


__all__ = ["FORM", "MATERIAL", "Remote", "jwk_set", "remote", "sign"]

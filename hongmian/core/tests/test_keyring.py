"""The signing keyring: purposes kept apart, rotation, retirement, and what it refuses."""

from __future__ import annotations

import base64
import json

import pytest

from hongmian.core.actors import Actor
from hongmian.core.errors import Conflict
from hongmian.core.jws import TokenRejected
from hongmian.core.keyring import (
    keyring_cache_clear,
    keyring_jwks,
    keyring_sign,
    keyring_verify,
    signing_key_ensure,
    signing_key_retire,
    signing_key_rotate,
)
from hongmian.core.models import AuditEvent

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("test")


@pytest.fixture(autouse=True)
def _fresh() -> None:
    keyring_cache_clear()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def test_purposes_have_their_own_keys() -> None:
    city = signing_key_ensure(actor=SYSTEM, purpose="citycode")
    assert signing_key_ensure(actor=SYSTEM, purpose="citycode") == city  # no second key
    token, kid = keyring_sign(purpose="citycode", claims={"n": 1})
    assert kid == city.kid
    assert keyring_verify(purpose="citycode", token=token).claims == {"n": 1}
    with pytest.raises(TokenRejected) as other:
        keyring_verify(purpose="certificates", token=token)
    assert other.value.reason == "unknown_key"
    assert [k["kid"] for k in keyring_jwks("citycode")["keys"]] == [city.kid]
    assert keyring_jwks("certificates") == {"keys": []}
    assert AuditEvent.objects.filter(action="signing_key.rotate").count() == 1


def test_no_key_no_signature() -> None:
    with pytest.raises(Conflict) as failure:
        keyring_sign(purpose="citycode", claims={})
    assert failure.value.code == "keyring.no_key"


def test_alg_none_and_hmac_with_the_public_key_are_refused() -> None:
    signing_key_ensure(actor=SYSTEM, purpose="citycode")
    token, kid = keyring_sign(purpose="citycode", claims={"n": 1})
    payload = token.split(".")[1]
    for alg in ("none", "HS256"):
        head = _b64(json.dumps({"alg": alg, "kid": kid}).encode())
        with pytest.raises(TokenRejected) as refused:
            keyring_verify(purpose="citycode", token=f"{head}.{payload}.")
        assert refused.value.reason == "bad_format"


def test_a_signing_key_cannot_be_retired_and_a_stopped_one_can() -> None:
    first = signing_key_ensure(actor=SYSTEM, purpose="citycode")
    token, _ = keyring_sign(purpose="citycode", claims={"n": 1})
    with pytest.raises(Conflict) as in_use:
        signing_key_retire(actor=SYSTEM, kid=first.kid)
    assert in_use.value.code == "signing_key.in_use"
    second = signing_key_rotate(actor=SYSTEM, purpose="citycode")
    assert keyring_sign(purpose="citycode", claims={})[1] == second.kid
    assert keyring_verify(purpose="citycode", token=token).kid == first.kid
    signing_key_retire(actor=SYSTEM, kid=first.kid)
    with pytest.raises(TokenRejected) as gone:
        keyring_verify(purpose="citycode", token=token)
    assert gone.value.reason == "unknown_key"

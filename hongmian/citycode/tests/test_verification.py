"""Offline verification: a code verified with the published key set alone — by our pure
function and by a third-party JOSE library — and each way a code is refused, with its reason."""

from __future__ import annotations

import base64
import datetime as dt
import json

import jwt
import pytest
from django.utils import timezone

from hongmian.citycode.selectors import citycode_jwks
from hongmian.citycode.services.codes import citycode_issue
from hongmian.citycode.services.keys import (
    citycode_key_revoke,
    citycode_key_rotate,
    citycode_keys_retire,
)
from hongmian.citycode.tests.conftest import SYSTEM, World
from hongmian.citycode.verification import KeySet, citycode_verify

pytestmark = pytest.mark.django_db


def _keys() -> KeySet:
    return KeySet.from_jwks(json.loads(json.dumps(citycode_jwks())))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_a_code_verifies_with_the_published_keys_alone_and_carries_no_personal_data(
    world: World,
) -> None:
    code = citycode_issue(holder=world.holder)
    answer = citycode_verify(code.payload, _keys(), timezone.now())
    assert (answer.valid, answer.reason) == (True, "ok")
    assert answer.claims["sub"] == world.holder.code_id
    assert answer.claims["exp"] - answer.claims["iat"] == 60
    text = base64.urlsafe_b64decode(code.payload.split(".")[1] + "==").decode()
    for secret in (world.person.name, world.person.resident_id, world.person.mobile):
        assert not secret or secret not in text
    assert len(code.payload) < 400  # a small, low-density QR code


def test_a_third_party_library_verifies_a_code_with_the_key_set_alone(world: World) -> None:
    code = citycode_issue(holder=world.holder)
    jwks = jwt.PyJWKSet.from_dict(json.loads(json.dumps(citycode_jwks())))
    kid = jwt.get_unverified_header(code.payload)["kid"]
    claims = jwt.decode(code.payload, jwks[kid].key, algorithms=["ES256"])
    assert claims["sub"] == world.holder.code_id
    # PyJWT checks `exp` itself: a minute later the same code is refused.
    with pytest.raises(jwt.ExpiredSignatureError):
        jwt.decode(
            code.payload,
            jwks[kid].key,
            algorithms=["ES256"],
            options={"verify_iat": False},
            leeway=-61,
        )


def test_expired_and_not_yet_valid(world: World) -> None:
    now = timezone.now()
    code = citycode_issue(holder=world.holder, at=now)
    keys = _keys()
    # A screenshot replayed after 60 s is refused.
    later = citycode_verify(code.payload, keys, now + dt.timedelta(seconds=61))
    assert (later.valid, later.reason) == (False, "expired")
    earlier = citycode_verify(code.payload, keys, now - dt.timedelta(seconds=60))
    assert (earlier.valid, earlier.reason) == (False, "not_yet_valid")
    assert citycode_verify(code.payload, keys, now + dt.timedelta(seconds=59)).valid


@pytest.mark.parametrize(
    "payload",
    ["", "not a code", "a.b.c", "a.b", "x" * 5000, None, 42, "eyJhbGciOiJFUzI1NiJ9.e30.c2ln"],
)
def test_malformed_payloads_are_refused_with_their_reason(world: World, payload: object) -> None:
    answer = citycode_verify(payload, _keys(), timezone.now())
    assert (answer.valid, answer.reason) == (False, "malformed")


def test_a_forged_code_is_refused(world: World) -> None:
    head, body, sig = citycode_issue(holder=world.holder).payload.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=="))
    claims["sub"] = "someone-else"
    forged = ".".join([head, _b64(json.dumps(claims).encode()), sig])
    answer = citycode_verify(forged, _keys(), timezone.now())
    assert (answer.valid, answer.reason) == (False, "bad_signature")
    # A flipped signature byte too.
    raw = bytearray(base64.urlsafe_b64decode(sig + "=="))
    raw[10] ^= 1
    flipped = ".".join([head, body, _b64(bytes(raw))])
    assert citycode_verify(flipped, _keys(), timezone.now()).reason == "bad_signature"


def test_a_code_signed_by_another_key_is_refused(world: World) -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    code = citycode_issue(holder=world.holder)
    head, body, _sig = code.payload.split(".")
    stranger = jwt.encode(
        json.loads(base64.urlsafe_b64decode(body + "==")),
        ec.generate_private_key(ec.SECP256R1()),
        algorithm="ES256",
        headers={"kid": "citycode-stranger", "typ": "hm-cc"},
    )
    assert citycode_verify(stranger, _keys(), timezone.now()).reason == "unknown_key"
    # The same kid as ours, signed by a stranger's key: the signature does not check out.
    header = json.loads(base64.urlsafe_b64decode(head + "=="))
    impostor = jwt.encode(
        json.loads(base64.urlsafe_b64decode(body + "==")),
        ec.generate_private_key(ec.SECP256R1()),
        algorithm="ES256",
        headers={"kid": header["kid"], "typ": "hm-cc"},
    )
    assert citycode_verify(impostor, _keys(), timezone.now()).reason == "bad_signature"


def test_rotation_keeps_the_old_key_for_the_overlap_then_retires_it(world: World) -> None:
    old = citycode_issue(holder=world.holder)
    new_key = citycode_key_rotate(actor=SYSTEM)
    new = citycode_issue(holder=world.holder)
    assert jwt.get_unverified_header(new.payload)["kid"] == new_key.kid
    keys = _keys()
    assert citycode_verify(old.payload, keys, timezone.now()).valid  # the overlap
    assert citycode_keys_retire(actor=SYSTEM) == []  # not yet past the overlap
    retired = citycode_keys_retire(actor=SYSTEM, now=timezone.now() + dt.timedelta(hours=1))
    assert retired == [jwt.get_unverified_header(old.payload)["kid"]]
    assert citycode_verify(old.payload, _keys(), timezone.now()).reason == "unknown_key"
    assert citycode_verify(new.payload, _keys(), timezone.now()).valid


def test_a_revoked_key_is_listed_and_refused_even_by_a_verifier_with_an_older_set(
    world: World,
) -> None:
    code = citycode_issue(holder=world.holder)
    kid = jwt.get_unverified_header(code.payload)["kid"]
    older = json.loads(json.dumps(citycode_jwks()))
    citycode_key_revoke(actor=SYSTEM, kid=kid, reason="私钥泄露")
    published = citycode_jwks()
    assert kid not in [k["kid"] for k in published["keys"]]
    assert [r["kid"] for r in published["revoked"]] == [kid]
    answer = citycode_verify(code.payload, _keys(), timezone.now())
    assert (answer.valid, answer.reason) == (False, "revoked_key")
    # A terminal that has the older set and only the revocation list refuses it too.
    merged = {**older, "revoked": published["revoked"]}
    assert citycode_verify(code.payload, KeySet.from_jwks(merged), timezone.now()).reason == (
        "revoked_key"
    )
    # Codes keep coming, signed by the key that took over.
    fresh = citycode_issue(holder=world.holder)
    assert citycode_verify(fresh.payload, _keys(), timezone.now()).valid

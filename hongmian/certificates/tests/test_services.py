"""Issuing, verifying, revoking and rotating keys — on the database, through the services."""

from __future__ import annotations

import base64
import datetime as dt
import json
from unittest import mock

import jwt
import pytest
from django.utils import timezone

from hongmian.certificates.selectors import certificates_held, revocation_list
from hongmian.certificates.services import (
    certificate_issue,
    certificate_keys_retire,
    certificate_revoke,
    holder_pseudonym,
    holder_resolve,
)
from hongmian.certificates.states import KEY_PURPOSE
from hongmian.certificates.tests.conftest import MARRIAGE, World, actor_of
from hongmian.certificates.verification import certificate_verify
from hongmian.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from hongmian.core.keyring import keyring_jwks, signing_key_rotate
from hongmian.core.models import AuditEvent, SigningKey

pytestmark = pytest.mark.django_db


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def test_issue_signs_a_jws_that_a_third_party_library_verifies_with_the_key_set_alone(
    world: World,
) -> None:
    cert = world.issue()
    # PyJWT knows nothing of our code: the published JWK Set is all it gets.
    key_set = jwt.PyJWKSet.from_dict(json.loads(json.dumps(keyring_jwks(KEY_PURPOSE))))
    header = jwt.get_unverified_header(cert.token)
    assert header["alg"] == "ES256"
    assert header["kid"] == cert.kid
    claims = jwt.decode(cert.token, key_set[header["kid"]].key, algorithms=["ES256"])
    assert claims["jti"] == str(cert.cert_id)
    assert claims["ctp"] == "marriage"
    assert claims["iss"] == "gz-civil"
    assert claims["data"] == MARRIAGE
    # The holder is a pseudonym, never the ID number.
    assert claims["sub"] == holder_pseudonym(world.person)
    assert world.person.resident_id not in cert.token
    assert (
        world.person.resident_id
        not in base64.urlsafe_b64decode(cert.token.split(".")[1] + "==").decode()
    )
    assert certificate_verify(cert.token).as_json() == {"valid": True, "reason": "ok"}
    assert AuditEvent.objects.filter(action="certificate.issue", target_id=str(cert.pk)).exists()


def test_private_key_is_stored_encrypted(world: World) -> None:
    world.issue()
    row = SigningKey.objects.get(purpose=KEY_PURPOSE)
    assert row.private_key.startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert "d" not in row.public_jwk


def test_tampered_payload_is_a_bad_signature(world: World) -> None:
    cert = world.issue()
    head, payload, sig = cert.token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["data"]["spouse_name"] = "王五"
    forged = f"{head}.{_b64(json.dumps(claims).encode())}.{sig}"
    assert certificate_verify(forged).reason == "bad_signature"
    assert certificate_verify(f"{head}.{payload}.{sig[:-4]}AAAA").reason == "bad_signature"


@pytest.mark.parametrize("text", ["", "hello", "a.b.c", "a.b", "x" * 20_000, "..", "e30.e30.e30"])
def test_garbage_is_bad_format(world: World, text: str) -> None:
    assert certificate_verify(text).reason == "bad_format"


def test_unknown_key(world: World) -> None:
    cert = world.issue()
    head = json.loads(base64.urlsafe_b64decode(cert.token.split(".")[0] + "=="))
    head["kid"] = "certificates-19700101-deadbeef"
    token = _b64(json.dumps(head).encode()) + "." + cert.token.split(".", 1)[1]
    assert certificate_verify(token).reason == "unknown_key"


def test_expired_and_not_yet_valid(world: World) -> None:
    now = timezone.now()
    old = world.issue(
        valid_from=now - dt.timedelta(days=10), valid_until=now - dt.timedelta(days=1)
    )
    assert certificate_verify(old.token).reason == "expired"
    later = world.issue(valid_from=now + dt.timedelta(days=2))
    assert certificate_verify(later.token).reason == "not_yet_valid"
    assert list(certificates_held(person=world.person)) == []


def test_revoked_is_refused_and_published(world: World) -> None:
    cert = world.issue()
    assert certificate_verify(cert.token).valid  # caches the (empty) revocation list
    certificate_revoke(actor=actor_of(world.manager), cert_id=cert.cert_id, reason="superseded")
    assert certificate_verify(cert.token).reason == "revoked"
    assert [r["jti"] for r in revocation_list()] == [str(cert.cert_id)]
    with pytest.raises(Conflict) as again:
        certificate_revoke(actor=actor_of(world.manager), cert_id=cert.cert_id, reason="cancelled")
    assert again.value.code == "certificate.already_revoked"


def test_revoke_by_a_clerk_or_another_unit(world: World) -> None:
    cert = world.issue()
    with pytest.raises(PermissionDenied):
        certificate_revoke(actor=actor_of(world.clerk), cert_id=cert.cert_id, reason="superseded")
    with pytest.raises(NotFound):
        certificate_revoke(
            actor=actor_of(world.market_clerk), cert_id=cert.cert_id, reason="superseded"
        )
    with pytest.raises(ValidationFailed):
        certificate_revoke(actor=actor_of(world.manager), cert_id=cert.cert_id, reason="whim")


def test_rotation_keeps_old_certificates_valid_and_retires_keys_when_they_expire(
    world: World,
) -> None:
    now = timezone.now()
    old = world.issue()
    short = world.issue(
        type_code="biz_licence", holder=world.enterprise, valid_until=now + dt.timedelta(minutes=1)
    )
    signing_key_rotate(actor=actor_of(None), purpose=KEY_PURPOSE)
    new = world.issue()
    assert new.kid != old.kid
    assert short.kid == old.kid
    assert certificate_verify(old.token).valid
    assert certificate_verify(new.token).valid
    assert len(keyring_jwks(KEY_PURPOSE)["keys"]) == 2
    # The old key signed a certificate valid until revoked: it stays published.
    assert certificate_keys_retire(actor=actor_of(None)) == []
    certificate_revoke(actor=actor_of(world.manager), cert_id=old.cert_id, reason="superseded")
    # `short` is still valid for a minute: the old key stays until it has expired.
    assert certificate_keys_retire(actor=actor_of(None)) == []
    with mock.patch("django.utils.timezone.now", return_value=now + dt.timedelta(minutes=2)):
        assert certificate_keys_retire(actor=actor_of(None)) == [old.kid]
    assert [k["kid"] for k in keyring_jwks(KEY_PURPOSE)["keys"]] == [new.kid]
    assert certificate_verify(new.token).valid
    assert certificate_verify(short.token).reason == "unknown_key"


def test_bad_inputs_are_coded_and_write_nothing(world: World) -> None:
    cases = [
        ({"type_code": "passport"}, "certificate.type_unknown"),
        ({"data": {**MARRIAGE, "colour": "red"}}, "certificate.data_invalid"),
        ({"data": {**MARRIAGE, "registered_on": "20 May"}}, "certificate.data_invalid"),
        ({"data": []}, "certificate.data_invalid"),
        ({"holder": None}, "certificate.holder_kind"),
    ]
    for kwargs, code in cases:
        if kwargs.get("holder", 1) is None:
            kwargs["holder"] = world.enterprise
        with pytest.raises(ValidationFailed) as failure:
            world.issue(**kwargs)
        assert failure.value.code == code
    with pytest.raises(PermissionDenied):
        world.issue(by=world.market_clerk)
    assert not world.person.certificates.exists()
    assert not SigningKey.objects.exists()


def test_holder_resolve(world: World) -> None:
    assert holder_resolve(world.person.resident_id) == world.person
    assert holder_resolve(world.enterprise.credit_code) == world.enterprise
    assert holder_resolve("zhangsan") == world.person
    for text in ("nobody", "110101199003070000", ""):
        with pytest.raises(ValidationFailed) as failure:
            holder_resolve(text)
        assert failure.value.code == "certificate.holder_unknown"


def test_certificates_held_filters_by_holder_and_type(world: World) -> None:
    mine = world.issue()
    world.issue(holder=world.other_person)
    licence = world.issue(type_code="biz_licence", holder=world.enterprise)
    assert list(certificates_held(person=world.person)) == [mine]
    assert list(certificates_held(person=world.person, type_codes=["birth"])) == []
    assert list(certificates_held(enterprise=world.enterprise, type_codes=["biz_licence"])) == [
        licence
    ]
    with pytest.raises(ValueError, match="exactly one holder"):
        certificates_held()


def test_issue_by_the_command_line_actor(world: World) -> None:
    cert = certificate_issue(
        actor=actor_of(None), type_code="marriage", holder=world.person, data=MARRIAGE
    )
    assert cert.issued_by is None
    assert certificate_verify(cert.token).valid

"""An incoming package: refused with a stable code for each way it can be wrong, nothing
written; a good one becomes an application on the department's desk, answered with a
signed receipt; a retry gets the same receipt."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import time
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from joserfc.jwk import ECKey

from hongmian.applications.models import Application
from hongmian.applications.states import Status
from hongmian.core.jws import jwks_public_keys, jws_verify
from hongmian.core.keyring import keyring_jwks
from hongmian.crosscity.models import Package, Partner
from hongmian.crosscity.states import KEY_PURPOSE, TYP_RECEIPT
from hongmian.crosscity.tests.conftest import MATERIAL, Remote, sign

URL = "/api/crosscity/packages"


def post(client: Client, token: str, files: list[dict[str, str]] | None = None) -> Any:
    return client.post(
        URL, {"package": token, "files": files or []}, content_type="application/json"
    )


def test_good_package_makes_one_application_and_a_signed_receipt(
    client: Client, remote: Remote
) -> None:
    content = b"%PDF-1.4 id card"
    sha = hashlib.sha256(content).hexdigest()
    claims = remote.package(
        materials=[
            {
                "name": MATERIAL,
                "mode": "upload",
                "file_name": "身份证.pdf",
                "content_type": "application/pdf",
                "sha256": sha,
                "size": len(content),
            }
        ]
    )
    token = sign(remote.key, claims)
    files = [{"sha256": sha, "content": base64.b64encode(content).decode()}]
    first = post(client, token, files)
    assert first.status_code == 200, first.content
    assert first.json()["new"] is True
    keys = jwks_public_keys(keyring_jwks(KEY_PURPOSE))
    receipt = jws_verify(first.json()["receipt"], keys.get).claims
    assert receipt["typ"] == TYP_RECEIPT
    assert receipt["pid"] == claims["pid"]
    application = Application.objects.get(number=receipt["reference"])
    assert application.status == Status.SUBMITTED
    assert application.department == remote.world["dept"]
    assert application.person is not None
    assert application.person.name == "陈秀英"
    material = application.materials.get()
    assert material.sha256 == sha
    assert material.size == len(content)
    assert "广安市" in application.events.get(kind="submit").note
    # The same package again (a retry): the same application, a receipt naming it.
    again = post(client, token, files)
    assert again.status_code == 200
    assert again.json()["new"] is False
    assert jws_verify(again.json()["receipt"], keys.get).claims["reference"] == (application.number)
    assert Application.objects.count() == 1
    assert Package.objects.count() == 1


def _refused(client: Client, token: str, status: int, code: str, **kw: Any) -> None:
    response = post(client, token, **kw)
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert Application.objects.count() == 0


def test_bad_signature_is_refused(client: Client, remote: Remote) -> None:
    other = ECKey.generate_key("P-256", parameters={"kid": "ga-1"}, private=True)
    _refused(client, sign(other, remote.package()), 401, "crosscity.bad_signature")


def test_unknown_partner_is_refused(client: Client, remote: Remote) -> None:
    token = sign(remote.key, remote.package(iss="999999"))
    _refused(client, token, 403, "crosscity.unknown_partner")


def test_unknown_kid_is_refused_without_a_fetch_storm(client: Client, remote: Remote) -> None:
    token = sign(remote.key, remote.package(), kid="ga-made-up")
    _refused(client, token, 401, "crosscity.unknown_key")


def test_unknown_kid_refetches_and_a_failed_fetch_is_a_coded_502(
    client: Client, remote: Remote
) -> None:
    Partner.objects.filter(pk=remote.partner.pk).update(
        keys_fetched_at=timezone.now() - dt.timedelta(minutes=5)
    )
    token = sign(remote.key, remote.package(), kid="ga-new")
    _refused(client, token, 502, "crosscity.keys_unavailable")


def test_stale_package_is_refused(client: Client, remote: Remote) -> None:
    token = sign(remote.key, remote.package(iat=int(time.time()) - 3600))
    _refused(client, token, 400, "crosscity.stale")


def test_package_for_another_city_is_refused(client: Client, remote: Remote) -> None:
    _refused(
        client, sign(remote.key, remote.package(aud="110000")), 403, "crosscity.wrong_audience"
    )


def test_replayed_package_id_is_refused(client: Client, remote: Remote) -> None:
    claims = remote.package()
    assert post(client, sign(remote.key, claims)).status_code == 200
    other = {
        **claims,
        "form": {"revision": 1, "answers": {**claims["form"]["answers"], "phone": "13900139000"}},
    }
    response = post(client, sign(remote.key, other))
    assert response.status_code == 409
    assert response.json()["code"] == "crosscity.replayed"
    assert Application.objects.count() == 1


def test_forged_certificate_is_refused(client: Client, remote: Remote) -> None:
    forger = ECKey.generate_key("P-256", parameters={"kid": "ga-1"}, private=True)
    cert = sign(forger, {"jti": "x", "nbf": 0, "ctp": "birth"})
    sha = hashlib.sha256(cert.encode()).hexdigest()
    claims = remote.package(
        certificates=[cert],
        materials=[{"name": MATERIAL, "mode": "certificate", "sha256": sha, "file_name": "证"}],
    )
    _refused(client, sign(remote.key, claims), 422, "crosscity.certificate_invalid")


def test_file_that_does_not_match_its_hash_is_refused(client: Client, remote: Remote) -> None:
    claims = remote.package(
        materials=[{"name": MATERIAL, "mode": "upload", "sha256": "0" * 64, "file_name": "a"}]
    )
    files = [{"sha256": "0" * 64, "content": base64.b64encode(b"other").decode()}]
    _refused(client, sign(remote.key, claims), 422, "crosscity.material_mismatch", files=files)


@pytest.mark.parametrize("token", ["", "a.b", "not.a.token"])
def test_garbage_is_a_bad_format(client: Client, remote: Remote, token: str) -> None:
    response = post(client, token)
    assert response.status_code in (400, 422)
    assert Application.objects.count() == 0


def test_a_flood_from_one_address_is_429(client: Client, remote: Remote, settings: Any) -> None:
    settings.HONGMIAN_CROSSCITY_CALLS_PER_MINUTE = 2
    codes = [post(client, "a.b.c").status_code for _ in range(3)]
    assert codes == [400, 400, 429]

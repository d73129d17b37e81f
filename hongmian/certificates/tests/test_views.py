"""The wallet (/me/certificates/) and the public verification page."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from hongmian.certificates.services import certificate_revoke
from hongmian.certificates.tests.conftest import World, actor_of
from hongmian.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_wallet_lists_the_holders_certificates_with_the_true_count(
    client: Client, world: World
) -> None:
    certs = [world.issue() for _ in range(3)]
    world.issue(holder=world.other_person)
    certificate_revoke(actor=actor_of(world.manager), cert_id=certs[0].cert_id, reason="superseded")
    client.force_login(world.citizen)
    page = client.get("/me/certificates/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "共 3 份" in html
    assert html.count('data-cert="') == 3
    assert "已吊销" in html
    # The wallet's list shows no content of a certificate, so it is not a read to audit.
    assert not AuditEvent.objects.filter(action="certificate.read").exists()


def test_detail_shows_fields_and_a_qr_code_and_is_audited(client: Client, world: World) -> None:
    cert = world.issue()
    client.force_login(world.citizen)
    page = client.get(f"/me/certificates/{cert.cert_id}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "李四" in html
    assert "<svg" in html
    assert "J440106-2024-001234" in html
    download = client.get(f"/me/certificates/{cert.cert_id}/download")
    assert download.content.decode().strip() == cert.token
    assert "attachment" in download["Content-Disposition"]
    qr = client.get(f"/me/certificates/{cert.cert_id}/qr.svg")
    assert qr["Content-Type"] == "image/svg+xml"
    assert b"<svg" in qr.content
    purposes = list(
        AuditEvent.objects.filter(action="certificate.read", target_id=str(cert.pk)).values_list(
            "after__purpose", flat=True
        )
    )
    assert sorted(purposes) == ["download", "qr", "show"]


def test_someone_elses_certificate_is_not_found(client: Client, world: World) -> None:
    cert = world.issue()
    for user in (world.other_citizen, world.clerk):
        client.force_login(user)
        for suffix in ("", "download", "qr.svg"):
            assert client.get(f"/me/certificates/{cert.cert_id}/{suffix}").status_code == 404


def test_verify_page_pasted_and_uploaded(client: Client, world: World) -> None:
    cert = world.issue()
    page = client.get("/certificates/verify/")
    assert page.status_code == 200
    answer = client.post("/certificates/verify/", {"certificate": cert.token}).content.decode()
    assert "证照有效" in answer
    assert "李四" in answer
    assert '<code id="verdict-reason">ok</code>' in answer
    upload = SimpleUploadedFile("c.jws", (cert.token[:-5] + "AAAAA").encode())
    answer = client.post("/certificates/verify/", {"file": upload}).content.decode()
    assert '<code id="verdict-reason">bad_signature</code>' in answer
    assert "李四" not in answer  # nothing of a forged certificate is shown
    empty = client.post("/certificates/verify/", {"certificate": "  "})
    assert empty.status_code == 422
    assert "请粘贴证照内容" in empty.content.decode()

"""我的证照 and 核验电子证照 in real Chromium: a citizen finds their certificates from the home
page with the true count and a revoked one marked, opens one, sees its QR code, downloads
the signed file, and the public verification page says the file is valid and a tampered copy
is not — with no serious axe-core violation on the three pages (issue 13, items 1 and 7)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hongmian.identity.states import Role

pytestmark = pytest.mark.browser

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa"]}}
MARRIAGE = {
    "certificate_no": "J440106-2024-001234",
    "spouse_name": "李四",
    "registered_on": "2024-05-20",
}


def _serious_violations(page: Any) -> list[str]:
    page.add_script_tag(url="/static/vendor/axe.min.js")
    result = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    assert result["passes"], "axe ran no checks"
    return [
        f"{v['id']}: {[n['target'] for n in v['nodes'][:3]]}"
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def _certificates_of(citizen: Any) -> Any:
    """A marriage certificate in force and a revoked one, issued by 市民政局."""
    from hongmian.certificates.services import certificate_issue, certificate_revoke
    from hongmian.certificates.verification import revocations_changed
    from hongmian.core.actors import Actor
    from hongmian.core.keyring import keyring_cache_clear
    from hongmian.identity.tests.factories import OrgUnitFactory, PersonFactory

    keyring_cache_clear()
    revocations_changed()
    OrgUnitFactory(code="gz-civil", name="广州市民政局")
    person = PersonFactory(user=citizen, name="陈秀英")
    actor = Actor.system("test")
    old = certificate_issue(actor=actor, type_code="marriage", holder=person, data=MARRIAGE)
    certificate_revoke(actor=actor, cert_id=old.cert_id, reason="issued_in_error")
    return certificate_issue(actor=actor, type_code="marriage", holder=person, data=MARRIAGE)


def test_citizen_shows_downloads_and_verifies_a_certificate(
    page: Any, make_user: Callable[..., Any], log_in: Callable[[str], None], tmp_path: Path
) -> None:
    citizen = make_user(Role.CITIZEN)
    cert = _certificates_of(citizen)
    log_in(citizen.username)

    page.get_by_role("link", name="我的证照").first.click()
    page.wait_for_url("**/me/certificates/")
    assert page.locator("#certs-count").inner_text() == "共 2 份"
    assert page.locator("tr[data-cert]").count() == 2
    assert page.get_by_text("已吊销").is_visible()
    assert not _serious_violations(page)

    page.locator(f'tr[data-cert="{cert.cert_id}"]').get_by_role("link").click()
    page.wait_for_url(f"**/me/certificates/{cert.cert_id}/")
    assert "李四" in page.locator("#cert-facts").inner_text()
    qr = page.locator("#cert-qr svg")
    assert qr.is_visible()
    assert qr.bounding_box()["width"] >= 150
    assert not _serious_violations(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="下载证照文件").click()
    saved = tmp_path / "cert.jws"
    download.value.save_as(saved)
    token = saved.read_text().strip()
    assert token == cert.token

    page.goto(page.url.split("/me/")[0] + "/certificates/verify/")
    page.get_by_label("证照内容").fill(token)
    page.get_by_role("button", name="核验").click()
    verdict = page.locator("#verdict")
    verdict.wait_for()
    assert "证照有效" in verdict.inner_text()
    assert page.locator("#verdict-reason").inner_text() == "ok"
    assert not _serious_violations(page)

    page.get_by_label("证照内容").fill(token[:-6] + "AAAAAA")
    page.get_by_role("button", name="核验").click()
    page.wait_for_selector("#verdict-reason:text('bad_signature')")
    assert "证照无效" in page.locator("#verdict").inner_text()
    assert "李四" not in page.locator("#verdict").inner_text()

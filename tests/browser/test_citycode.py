"""我的红棉码 in real Chromium: a citizen in elder mode opens the code, sees
a large QR code with its expiry, and the page replaces the code by itself before it expires
(the payload changes, and the new one verifies with the published keys alone) — with no
serious axe-core violation (issue 14, item 4)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from hongmian.identity.states import Role

pytestmark = pytest.mark.browser

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa"]}}


def _serious_violations(page: Any) -> list[str]:
    page.add_script_tag(url="/static/vendor/axe.min.js")
    result = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    assert result["passes"], "axe ran no checks"
    return [
        f"{v['id']}: {[n['target'] for n in v['nodes'][:3]]}"
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def test_the_code_refreshes_itself_before_it_expires(
    page: Any, make_user: Callable[..., Any], log_in: Callable[[str], None], settings: Any
) -> None:
    from hongmian.citycode.selectors import citycode_jwks, key_set_forget
    from hongmian.citycode.verification import KeySet, citycode_verify
    from hongmian.core.keyring import keyring_cache_clear
    from hongmian.identity.tests.factories import PersonFactory

    # A 6-second code: the page must fetch the next one after 3 s (half its life).
    settings.HONGMIAN_CITYCODE_TTL_SECONDS = 6
    keyring_cache_clear()
    key_set_forget()
    citizen = make_user(Role.CITIZEN, elder_mode=True)
    PersonFactory(user=citizen, name="陈秀英")
    log_in(citizen.username)

    # Elder mode's home shows only the main actions (the code is on the full home page).
    page.goto("/me/citycode/")
    code = page.locator("#cc-code")
    first = code.get_attribute("data-payload")
    assert first
    assert first.count(".") == 2
    qr = page.locator("#cc-code svg")
    assert qr.is_visible()
    assert qr.bounding_box()["width"] >= 250  # elder mode: a large code
    assert "到期前自动刷新" in page.locator(".cc-expiry").inner_text()
    assert "陈秀英" not in first
    assert not _serious_violations(page)

    page.wait_for_function(
        "first => document.querySelector('#cc-code')?.dataset.payload !== first",
        arg=first,
        timeout=8_000,
    )
    second = page.locator("#cc-code").get_attribute("data-payload")
    assert second
    assert second != first
    answer = citycode_verify(second, KeySet.from_jwks(citycode_jwks()), timezone.now())
    assert (answer.valid, answer.reason) == (True, "ok")
    # And once more: each new code schedules its own successor.
    page.wait_for_function(
        "second => document.querySelector('#cc-code')?.dataset.payload !== second",
        arg=second,
        timeout=8_000,
    )
    page.goto("about:blank")  # stop the refreshing before the database is flushed

"""人脸核验 in real Chromium (issue 12's leftovers): a citizen at L2 follows the link on 我的
档案, takes a photo with the page's camera input (`capture="user"`; here a file chosen for
it), sees the result and L3 on the page and on their file — with the fake verifier — and no
serious axe-core violation on the page."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from PIL import Image

from hongmian.identity.states import Role

pytestmark = pytest.mark.browser

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa"]}}


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (48, 64), (210, 170, 150)).save(out, "JPEG")
    return out.getvalue()


def test_a_citizen_raises_their_level_to_l3_by_a_face_check(
    page: Any, make_user: Callable[..., Any], log_in: Callable[[str], None]
) -> None:
    from hongmian.core.models import AuditEvent
    from hongmian.identity.models import Person
    from hongmian.identity.tests.factories import PersonFactory

    citizen = make_user(Role.CITIZEN)
    person = PersonFactory(user=citizen, real_name_verified=True)
    log_in(citizen.username)

    page.goto("/me/file/")
    page.click("#face-check-link")
    page.wait_for_url("**/me/file/face")
    assert page.inner_text("#face-level").startswith("L2")
    camera = page.locator('input[type="file"][name="photo"]')
    assert camera.get_attribute("capture") == "user"
    assert "image/jpeg" in (camera.get_attribute("accept") or "")

    page.add_script_tag(url="/static/vendor/axe.min.js")
    result = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    serious = [v["id"] for v in result["violations"] if v["impact"] in {"serious", "critical"}]
    assert serious == []

    camera.set_input_files({"name": "face.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()})
    page.get_by_role("button", name="开始比对").click()
    page.wait_for_selector("#face-done")
    assert "人脸核验通过" in page.inner_text(".messages")
    assert page.inner_text("#face-level").startswith("L3")

    page.goto("/me/file/")
    assert page.inner_text("#assurance-level").startswith("L3")
    assert page.locator("#face-check-link").count() == 0
    person.refresh_from_db()
    assert person.assurance_method == "face"
    assert AuditEvent.objects.filter(action="person.assurance_raise", target_id=str(person.pk))
    assert Person.objects.get(pk=person.pk).assurance_level == 3

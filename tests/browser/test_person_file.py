"""我的档案 in real Chromium: an elder-mode citizen finds their file from the home page, sees
each field with its department and date and who used it, revokes a consent and the next
read is refused — with no serious axe-core violation on either page (issue 12, item 4)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

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


def _file_of(citizen: Any) -> tuple[Any, Any]:
    """The citizen's person, a 市人社局 and 市公安局 push, a consent and one use of it."""
    from hongmian.core.actors import Actor
    from hongmian.identity import selectors, services
    from hongmian.identity.services.files import FileRecord
    from hongmian.identity.tests.factories import OrgUnitFactory, PersonFactory

    person = PersonFactory(user=citizen, name="陈秀英")
    as_of = dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC)
    for code, name, field, value in [
        ("gz-hrss", "市人社局", "social_insurance.status", "正常参保"),
        ("gz-police", "市公安局", "household.registered_address", "广州市越秀区北京街道北京路1号"),
    ]:
        unit = OrgUnitFactory(code=code, name=f"广州{name}", short_name=name)
        services.file_push(
            actor=Actor.system("test"),
            source=unit,
            batch_id=code,
            records=[
                FileRecord(field=field, value=value, as_of=as_of, resident_id=person.resident_id)
            ],
        )
    consent = services.consent_grant(
        actor=Actor(user=citizen, via="web"),
        subject=person,
        purpose="application.prefill",
        requester="城乡居民养老保险参保登记",
        fields=["social_insurance.status"],
    )
    selectors.person_file_read(
        actor=Actor.system("prefill"),
        person=person,
        fields=["social_insurance.status"],
        purpose="application.prefill",
    )
    return person, consent


def test_elder_citizen_reads_their_file_and_revokes_a_consent(
    page: Any, make_user: Callable[..., Any], log_in: Callable[[str], None]
) -> None:
    from hongmian.core.actors import Actor
    from hongmian.core.errors import PermissionDenied
    from hongmian.identity import selectors

    citizen = make_user(Role.CITIZEN, elder_mode=True)
    person, consent = _file_of(citizen)
    log_in(citizen.username)
    page.wait_for_selector("#page.page--elder")

    page.get_by_role("link", name="我的档案").first.click()
    page.wait_for_url("**/me/file/")
    assert page.get_by_role("heading", name="我的档案", level=1).is_visible()
    row = page.locator('tr[data-field="social_insurance.status"]')
    assert row.locator("td").all_inner_texts() == ["正常参保", "市人社局", "2026-11-30"]
    address = page.locator('tr[data-field="household.registered_address"] td').first
    assert address.inner_text() == "广州市越秀区北京街道北京路1号"  # their own data: in full
    uses = page.locator("#uses")
    assert uses.locator("#uses-count").inner_text() == "共 1 条"
    assert "城乡居民养老保险参保登记" in uses.inner_text()
    assert page.locator("#assurance-level").inner_text() == "L1 自助注册"
    # Elder mode: large type and generous line spacing on this page too.
    size, line = page.locator("#uses").evaluate(
        "el => [getComputedStyle(el).fontSize, getComputedStyle(el).lineHeight].map(parseFloat)"
    )
    assert size >= 22
    assert line / size >= 1.3
    assert not _serious_violations(page)

    page.get_by_role("link", name="我的授权").click()
    page.wait_for_url("**/me/consents/")
    assert not _serious_violations(page)
    row = page.locator(f'tr[data-consent="{consent.pk}"]')
    row.get_by_role("button", name="撤回").click()
    page.wait_for_url("**/me/consents/")
    assert row.get_by_text("已撤回").is_visible()
    # Revoked at once: the next read under it is refused.
    with pytest.raises(PermissionDenied):
        selectors.person_file_read(
            actor=Actor.system("prefill"),
            person=person,
            fields=["social_insurance.status"],
            purpose="application.prefill",
        )

"""The auditor's audit log in a real browser (issue 16, item 5): what the page promises —
a search by actor and action, the true count, pages, an export of every match — is kept,
and the page offers no way to change anything."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser


def _entries(n: int, actor: str, action: str) -> None:
    from django.db import transaction

    from hongmian.core.actors import Actor
    from hongmian.core.audit import audit_event, audit_record_many
    from hongmian.identity.tests.factories import OrgUnitFactory

    target = OrgUnitFactory()
    with transaction.atomic():
        events = [
            audit_event(actor=Actor.system("t"), action=action, target=target, after={"i": i})
            for i in range(n)
        ]
        for event in events:
            event.actor_label = actor
        audit_record_many(events)


def test_the_auditor_searches_pages_and_exports(
    page: Any, make_user: Callable[..., Any], log_in: Callable[[str], None]
) -> None:
    from hongmian.audit.selectors import PER_PAGE
    from hongmian.identity.states import Role

    make_user(Role.AUDITOR, username="auditor")
    _entries(PER_PAGE + 5, "zhang", "work_order.dispatch")
    _entries(3, "li", "user.change_role")
    log_in("auditor")
    page.goto("/audit/")

    page.get_by_label("操作人").fill("zhang")
    page.get_by_role("button", name="查询").click()
    page.wait_for_load_state()
    count = page.locator("#audit-count")
    assert count.get_attribute("data-count") == str(PER_PAGE + 5)
    assert page.locator("#audit-log tbody tr").count() == PER_PAGE
    page.get_by_role("link", name="下一页").click()
    page.wait_for_load_state()
    assert page.locator("#audit-log tbody tr").count() == 5
    # The filter survives paging: still only zhang's entries.
    actors = page.locator("#audit-log tbody tr td:nth-child(3)").all_inner_texts()
    assert {a.split("\n")[0] for a in actors} == {"zhang"}

    with page.expect_download() as download:
        page.locator("#audit-export").click()
    lines = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 1 + PER_PAGE + 5

    # Read only: no form of the page's own (the shell's logout aside) sends anything but GET.
    methods = page.eval_on_selector_all("#main form", "fs => fs.map(f => f.method)")
    assert methods
    assert set(methods) == {"get"}

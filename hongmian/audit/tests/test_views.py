"""The auditor's audit log page and its export: only the auditor reads them (三员分立), the
filter narrows by actor, action, target and days, the count is the true count over pages,
and the CSV holds every matching entry — read only, with a formula in an entry defused."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from hongmian.audit.selectors import PER_PAGE
from hongmian.core.actors import Actor
from hongmian.core.audit import audit_event, audit_record_many
from hongmian.core.models import AuditEvent
from hongmian.identity.states import Role
from hongmian.identity.tests.factories import OrgUnitFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/audit/"


def _login(role: str) -> Client:
    client = Client()
    client.force_login(UserFactory(role=role))
    return client


@pytest.fixture
def auditor() -> Client:
    return _login(Role.AUDITOR)


def _write(n: int, *, actor: str = "alice", action: str = "user.update", **after: Any) -> None:
    target = OrgUnitFactory()
    who = Actor.system("x")
    with transaction.atomic():
        events = [
            audit_event(actor=who, action=action, target=target, after={"i": i, **after})
            for i in range(n)
        ]
        for event in events:
            event.actor_label = actor
        audit_record_many(events)


@pytest.mark.parametrize("role", [Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.HOTLINE_SUPERVISOR])
def test_only_the_auditor_reads_it(role: str) -> None:
    client = _login(role)
    assert client.get(URL).status_code == 403
    assert client.get(URL + "export.csv").status_code == 403
    anonymous = Client().get(URL)
    assert anonymous.status_code == 302
    assert "/login/" in anonymous["Location"]


def test_the_page_is_read_only(auditor: Client) -> None:
    # No method but GET: the auditor changes nothing, here or anywhere.
    assert auditor.post(URL).status_code == 405
    assert auditor.delete(URL).status_code == 405


def test_the_true_count_and_pages(auditor: Client) -> None:
    AuditEvent.objects.all().delete()
    _write(PER_PAGE + 7)
    first = auditor.get(URL).content.decode()
    assert f'data-count="{PER_PAGE + 7}"' in first
    assert first.count("<tr data-lane=") == PER_PAGE
    last = auditor.get(URL, {"page": 2}).content.decode()
    assert last.count("<tr data-lane=") == 7
    # Newest first: the last entry written heads page one.
    newest = AuditEvent.objects.order_by("-created_at", "-id").first()
    assert newest is not None
    assert (
        first.index(f'data-lane="{newest.lane}" data-seq="{newest.seq}"')
        < first.index("<tbody>") + 200
    )


def test_entries_of_several_lanes_are_listed_by_time(auditor: Client) -> None:
    # The chain's lanes (decision 0061) interleave in time: the page merges them, newest
    # first, and shows each entry's place as lane-seq.
    from hongmian.core.audit_chain import chain_append

    AuditEvent.objects.all().delete()
    target = OrgUnitFactory()
    start = timezone.now()
    for minute, lane in enumerate((2, 1, 3, 2)):
        event = audit_event(actor=Actor.system("x"), action="test.lane", target=target)
        event.created_at = start + dt.timedelta(minutes=minute)
        with transaction.atomic():
            chain_append([event], lane=lane)
    page = auditor.get(URL).content.decode()
    shown = [page.index(f'data-lane="{lane}" data-seq="{seq}"') for lane, seq in _newest_first()]
    assert shown == sorted(shown)
    assert [(lane, seq) for lane, seq in _newest_first()] == [(2, 2), (3, 1), (1, 1), (2, 1)]
    assert ">2-2</td>" in page


def _newest_first() -> list[tuple[int, int]]:
    return list(AuditEvent.objects.order_by("-created_at").values_list("lane", "seq"))


def test_the_filter(auditor: Client) -> None:
    AuditEvent.objects.all().delete()
    _write(3, actor="alice", action="user.update")
    _write(2, actor="bob", action="work_order.dispatch")
    _write(1, actor="bob", action="work_order.reply")
    assert 'data-count="3"' in auditor.get(URL, {"actor": "bob"}).content.decode()
    assert 'data-count="2"' in auditor.get(URL, {"action": "work_order.dispatch"}).content.decode()
    # A trailing dot is a family of actions.
    assert 'data-count="3"' in auditor.get(URL, {"action": "work_order."}).content.decode()
    target = AuditEvent.objects.filter(actor_label="alice").first()
    assert target is not None
    one = {"target_type": target.target_type, "target_id": target.target_id}
    assert 'data-count="3"' in auditor.get(URL, one).content.decode()
    today = timezone.localdate()
    days = {"since": today.isoformat(), "until": today.isoformat()}
    assert 'data-count="6"' in auditor.get(URL, days).content.decode()
    yesterday = {"until": (today - dt.timedelta(days=1)).isoformat()}
    assert 'data-count="0"' in auditor.get(URL, yesterday).content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {"since": "2026-13-01"},
        {"since": "2026-10-02", "until": "2026-10-01"},
        {"actor": "a\x00b"},
        {"page": "²"},
        {"page": str(2**64)},
    ],
)
def test_bad_filters_are_messages_not_errors(auditor: Client, query: dict[str, str]) -> None:
    response = auditor.get(URL, query)
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


def test_the_export_holds_every_match_and_defuses_formulas(auditor: Client) -> None:
    AuditEvent.objects.all().delete()
    _write(PER_PAGE + 3, actor="carol")
    _write(1, actor='=HYPERLINK("http://x")', action="user.update")
    response = auditor.get(URL + "export.csv", {"actor": "carol"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8")  # type: ignore[attr-defined]
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][0] == "链序号"
    assert len(rows) == 1 + PER_PAGE + 3  # every match, not one page
    assert {r[2] for r in rows[1:]} == {"carol"}
    everything = auditor.get(URL + "export.csv")
    body = b"".join(everything.streaming_content).decode("utf-8")  # type: ignore[attr-defined]
    assert "'=HYPERLINK" in body

"""The analytics pages: who may open them (everyone else gets the same 404 as for a missing
page), the archive's downloads, and the dashboard's figures on a small crafted set of
orders, computed with a pinned number of queries."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from hongmian.analytics import selectors
from hongmian.analytics.links import order_list_url
from hongmian.analytics.models import ReportIssue
from hongmian.analytics.states import IssueStatus, IssueTrigger
from hongmian.core.errors import NotFound
from hongmian.hotline.models import Category
from hongmian.hotline.states import Channel, ClockKind, Status
from hongmian.hotline.tests.factories import CategoryFactory, SlaClockFactory, WorkOrderFactory
from hongmian.identity.models import OrgUnit
from hongmian.identity.states import Role
from hongmian.identity.tests.factories import OrgUnitFactory, UserFactory

pytestmark = pytest.mark.django_db

ALLOWED = [Role.CITY_LEADER, Role.CHIEF_DATA_OFFICER, Role.HOTLINE_SUPERVISOR, Role.SYSTEM_ADMIN]
REFUSED = [Role.CITIZEN, Role.HOTLINE_AGENT, Role.DEPT_HANDLER, Role.DEPT_MANAGER]


@pytest.fixture
def issue(settings: Any, tmp_path: Path) -> ReportIssue:
    settings.MEDIA_ROOT = tmp_path
    report = {"title": "广州12345热线数据分析报告（2026年10月）", "total": 7}
    issue = ReportIssue(
        period_kind="month",
        period_start=dt.date(2026, 10, 1),
        period_end=dt.date(2026, 10, 31),
        title=report["title"],
        trigger=IssueTrigger.SCHEDULED,
        status=IssueStatus.READY,
        generated_at=timezone.now(),
        total=7,
        data=report,
    )
    issue.pdf_file.save("r.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
    issue.docx_file.save("r.docx", ContentFile(b"PK test"), save=False)
    issue.html_file.save("r.html", ContentFile(b"<!DOCTYPE html>"), save=False)
    issue.save()
    return issue


def _urls(issue: ReportIssue) -> list[str]:
    return [
        reverse("analytics:reports"),
        reverse("analytics:report", args=[issue.pk]),
        reverse("analytics:report_download", args=[issue.pk, "pdf"]),
        reverse("analytics:dashboard"),
        reverse("analytics:dashboard_wall"),
        reverse("analytics:dashboard_data"),
    ]


@pytest.mark.parametrize("role", REFUSED)
def test_other_roles_get_not_found(client: Any, issue: ReportIssue, role: Role) -> None:
    client.force_login(UserFactory(role=role))
    for url in _urls(issue):
        assert client.get(url).status_code == 404, url
    with pytest.raises(NotFound):
        selectors.access_report_issue(UserFactory(role=role), issue.pk)


@pytest.mark.parametrize("role", ALLOWED)
def test_analytics_roles_see_the_archive(client: Any, issue: ReportIssue, role: Role) -> None:
    client.force_login(UserFactory(role=role))
    page = client.get(reverse("analytics:reports"))
    assert page.status_code == 200
    assert issue.title in page.content.decode()
    assert client.get(reverse("analytics:dashboard")).status_code == 200


def test_a_missing_issue_looks_like_a_forbidden_one(client: Any, issue: ReportIssue) -> None:
    client.force_login(UserFactory(role=Role.CITY_LEADER))
    missing = client.get(reverse("analytics:report", args=[issue.pk + 1000]))
    client.force_login(UserFactory(role=Role.CITIZEN))
    forbidden = client.get(reverse("analytics:report", args=[issue.pk]))
    assert missing.status_code == forbidden.status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client: Any, issue: ReportIssue) -> None:
    response = client.get(reverse("analytics:reports"))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_downloads(client: Any, issue: ReportIssue) -> None:
    client.force_login(UserFactory(role=Role.HOTLINE_SUPERVISOR))
    pdf = client.get(reverse("analytics:report_download", args=[issue.pk, "pdf"]))
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content) == b"%PDF-1.4 test"
    assert 'filename="report-month-20261001-20261031.pdf"' in pdf["Content-Disposition"]
    assert pdf["Content-Disposition"].startswith("attachment")
    docx = client.get(reverse("analytics:report_download", args=[issue.pk, "docx"]))
    assert "wordprocessingml" in docx["Content-Type"]
    assert docx["Content-Disposition"].startswith("attachment")
    # The HTML report opens in the browser (inline), keeping its name for "save as".
    html = client.get(reverse("analytics:report_download", args=[issue.pk, "html"]))
    assert html["Content-Type"].startswith("text/html")
    assert html["Content-Disposition"].startswith("inline")
    assert 'filename="report-month-20261001-20261031.html"' in html["Content-Disposition"]
    data = client.get(reverse("analytics:report_download", args=[issue.pk, "json"]))
    assert data.json()["total"] == 7
    assert (
        client.get(reverse("analytics:report_download", args=[issue.pk, "xls"])).status_code == 404
    )


def test_a_failed_issue_explains_itself(client: Any, issue: ReportIssue) -> None:
    ReportIssue.objects.filter(pk=issue.pk).update(
        status=IssueStatus.FAILED, error="分析库不存在（analytics.no_store）"
    )
    client.force_login(UserFactory(role=Role.CITY_LEADER))
    page = client.get(reverse("analytics:report", args=[issue.pk]))
    assert "analytics.no_store" in page.content.decode()
    pdf = client.get(reverse("analytics:report_download", args=[issue.pk, "pdf"]))
    assert pdf.status_code == 404


@pytest.fixture
def crafted(django_db_blocker: Any) -> dict[str, Any]:
    """Five orders today: two received, three with units (U1: one overdue, one warned; U2:
    one in time); callbacks on two; acknowledge clocks on two (one on time, one late)."""
    now = timezone.now()
    hour = dt.timedelta(hours=1)
    noise, water = CategoryFactory(name="噪声扰民"), CategoryFactory(name="供水")
    u1 = OrgUnitFactory(code="u-one", name="单位一")
    u2 = OrgUnitFactory(code="u-two", name="单位二")
    o1 = WorkOrderFactory(category=noise, resolved=True, satisfaction="satisfied")
    o2 = WorkOrderFactory(category=noise, channel=Channel.WECHAT, dispatched=True, lead_unit=u1)
    o3 = WorkOrderFactory(category=water, dispatched=True, lead_unit=u1)
    o4 = WorkOrderFactory(category=water, dispatched=True, lead_unit=u2, resolved=False,
                          satisfaction="dissatisfied")  # fmt: skip
    WorkOrderFactory(category=noise)
    SlaClockFactory(
        order=o2, started_at=now - 3 * hour, yellow_at=now - 2 * hour, due_at=now - hour
    )
    SlaClockFactory(order=o3, started_at=now - 3 * hour, yellow_at=now - hour, due_at=now + hour)
    SlaClockFactory(order=o4, started_at=now, yellow_at=now + 2 * hour, due_at=now + 3 * hour)
    SlaClockFactory(
        order=o2,
        kind=ClockKind.ACKNOWLEDGE,
        started_at=now - 3 * hour,
        yellow_at=now - 2 * hour,
        due_at=now - hour,
        stopped_at=now - 2 * hour,
    )
    SlaClockFactory(
        order=o3,
        kind=ClockKind.ACKNOWLEDGE,
        started_at=now - 3 * hour,
        yellow_at=now - 2 * hour,
        due_at=now - 2 * hour,
        stopped_at=now - hour,
    )
    return {"now": now, "o1": o1}  # fmt: skip


def test_dashboard_figures(crafted: dict[str, Any], django_assert_num_queries: Any) -> None:
    leader = UserFactory(role=Role.CITY_LEADER)
    with django_assert_num_queries(8):
        figures = selectors.dashboard_figures(leader, crafted["now"])
    today = figures["today"]
    assert today["total"] == 5
    assert {c["code"]: c["count"] for c in today["channels"]} == {"phone": 4, "wechat": 1}
    hour = timezone.localtime(crafted["now"]).hour
    assert today["hours"][hour] == 5
    assert sum(today["hours"]) == 5
    assert figures["open"] == 5
    assert figures["with_units"] == 3
    assert figures["overdue"] == 1
    assert figures["due_soon"] == 1
    units = [
        (u["code"], u["open"], u["overdue"], u["due_soon"], u["light"]) for u in figures["units"]
    ]
    assert units == [("u-one", 2, 1, 1, "red"), ("u-two", 1, 0, 0, "green")]
    assert [(c["name"], c["count"]) for c in figures["top_categories"]] == [
        ("噪声扰民", 3),
        ("供水", 2),
    ]
    assert figures["hotspots"] == []  # no scan has run
    # The time people read is written the Chinese way; the machine-readable one stays ISO.
    local = timezone.localtime(crafted["now"])
    assert figures["as_of_text"] == f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"
    assert figures["as_of"] == local.isoformat(timespec="seconds")
    rates = figures["rates"]
    assert rates["response"] == {"numerator": 1, "denominator": 2, "rate": 0.5}
    assert rates["resolution"] == {"numerator": 1, "denominator": 2, "rate": 0.5}
    assert rates["satisfaction"] == {"numerator": 1, "denominator": 2, "rate": 0.5}
    # One resolution clock is past due and running (late); the others are still in time.
    assert rates["on_time"] == {"numerator": 0, "denominator": 1, "rate": 0.0}
    assert rates["callback"] == {"numerator": 0, "denominator": 0, "rate": None}
    tiles = {d["name"]: (d["open"], d["overdue"]) for d in figures["districts"]}
    assert len(tiles) == 11
    assert tiles["天河区"] == (5, 1)  # the factory's orders are in 天河
    assert tiles["从化区"] == (0, 0)
    assert figures["districts_unplaced"] == 0


def test_dashboard_data_endpoint(client: Any, crafted: dict[str, Any]) -> None:
    client.force_login(UserFactory(role=Role.HOTLINE_SUPERVISOR))
    data = client.get(reverse("analytics:dashboard_data")).json()
    assert data["today"]["total"] == 5
    assert data["overdue"] == 1
    page = client.get(reverse("analytics:dashboard_wall")).content.decode()
    assert 'hx-trigger="every 30s"' in page
    assert 'class="wall"' in page
    assert re.search(
        r'<time data-field="as_of_text" datetime="[^"]+">\d{4}年\d{1,2}月\d{1,2}日 ', page
    )
    assert "site-header" not in page  # no portal chrome on the wall


def test_dashboard_figures_are_not_for_everyone(crafted: dict[str, Any]) -> None:
    with pytest.raises(NotFound):
        selectors.dashboard_figures(UserFactory(role=Role.HOTLINE_AGENT), crafted["now"])


def test_closed_orders_leave_the_open_count(crafted: dict[str, Any]) -> None:
    crafted["o1"].status = Status.CLOSED
    crafted["o1"].save(update_fields=["status"])
    figures = selectors.dashboard_figures(UserFactory(role=Role.SYSTEM_ADMIN), crafted["now"])
    assert figures["open"] == 4
    assert figures["today"]["total"] == 5


def test_dashboard_shows_the_latest_scans_hot_spots(crafted: dict[str, Any]) -> None:
    from hongmian.insights.models import Hotspot

    now = crafted["now"]
    for scanned_at, title in ((now - dt.timedelta(hours=1), "上一次扫描"), (now, "地铁口积水")):
        Hotspot.objects.create(
            scanned_at=scanned_at, rank=1, heat=12.34, reports=6, callers=5, started_at=now,
            ended_at=now, place_label="石牌街道", title=title, bursting=True,
        )  # fmt: skip

    figures = selectors.dashboard_figures(UserFactory(role=Role.CITY_LEADER), now)

    assert figures["hotspots"] == [
        {"rank": 1, "title": "地铁口积水", "place": "石牌街道", "reports": 6, "callers": 5,
         "heat": 12.3, "bursting": True}
    ]  # fmt: skip


def _query(url: str) -> tuple[str, dict[str, list[str]]]:
    parsed = urlsplit(url)
    return parsed.path, parse_qs(parsed.query)


def test_every_figure_links_to_its_orders(crafted: dict[str, Any]) -> None:
    """Each figure's link is the order list (工单查询) narrowed by the figure's own filters."""
    figures = selectors.dashboard_figures(UserFactory(role=Role.CITY_LEADER), crafted["now"])
    day = timezone.localtime(crafted["now"]).date()
    today, first = day.isoformat(), day.replace(day=1).isoformat()
    month = {"from": [first], "to": [today]}
    search = reverse("hotline:search")
    urls = figures["urls"]
    expected = {
        "today": {"from": [today], "to": [today]},
        "open": {"status": ["open"]},
        "with_units": {"status": ["with_unit"]},
        "overdue": {"status": ["with_unit"], "overdue": ["1"]},
        "due_soon": {"status": ["with_unit"], "light": ["yellow"]},
        "month": month,
    }
    for key, filters in expected.items():
        assert _query(urls[key]) == (search, filters), key
    satisfaction = urls["rates"]["satisfaction"]
    assert _query(satisfaction["numerator"])[1] == {"satisfaction": ["satisfied", "basic"], **month}
    assert _query(satisfaction["denominator"])[1] == {
        "satisfaction": ["satisfied", "basic", "dissatisfied"],
        **month,
    }
    u1 = figures["units"][0]
    pk = str(OrgUnit.objects.get(code="u-one").pk)
    assert _query(u1["urls"]["open"])[1] == {"status": ["with_unit"], "unit": [pk]}
    assert _query(u1["urls"]["overdue"])[1] == {
        "status": ["with_unit"],
        "unit": [pk],
        "overdue": ["1"],
    }
    assert _query(u1["urls"]["due_soon"])[1] == {
        "status": ["with_unit"],
        "unit": [pk],
        "light": ["yellow"],
    }
    noise = figures["top_categories"][0]
    assert noise["name"] == "噪声扰民"
    assert _query(noise["url"])[1] == {
        "category": [str(Category.objects.get(name="噪声扰民").pk)],
        "from": [today],
        "to": [today],
    }
    tianhe = next(d for d in figures["districts"] if d["name"] == "天河区")
    assert _query(tianhe["url"])[1] == {"status": ["open"], "district": ["440106000"]}


def test_order_list_url_refuses_an_unknown_filter() -> None:
    assert order_list_url() == reverse("hotline:search")
    assert (
        order_list_url(status=None, tag="enterprise")
        == f"{reverse('hotline:search')}?tag=enterprise"
    )
    with pytest.raises(TypeError, match="distrct"):
        order_list_url(distrct="440106000")


def test_the_callback_rate_counts_replied_orders(django_db_blocker: Any) -> None:
    WorkOrderFactory(replied=True, satisfaction="basic", resolved=True)
    WorkOrderFactory(replied=True)
    WorkOrderFactory()  # not replied: not yet due a callback
    figures = selectors.dashboard_figures(UserFactory(role=Role.CITY_LEADER), timezone.now())
    assert figures["rates"]["callback"] == {"numerator": 1, "denominator": 2, "rate": 0.5}


@pytest.mark.parametrize("role", ALLOWED)
def test_dashboard_readers_may_open_the_order_list(client: Any, role: Role) -> None:
    """Every figure links to 工单查询: each role that sees the dashboard may open it."""
    client.force_login(UserFactory(role=role))
    assert client.get(order_list_url(status="open")).status_code == 200

"""`hongmian hotline …`: defaults, listings, and the sweep as a dry run or for real."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from hongmian.hotline.models import Category, SlaRule, Supervision
from hongmian.hotline.tests.factories import SlaClockFactory


def run(*args: str) -> str:
    out = StringIO()
    call_command("hotline", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_load_defaults_twice():
    first = run("load-defaults")
    assert "诉求分类：新建 259 个" in first
    assert "时限规则：新建 13 条" in first
    assert "先建立组织机构" in first  # no units in this database
    second = run("load-defaults")
    assert "新建 0 个" in second
    assert Category.objects.count() == 259
    assert SlaRule.objects.count() == 13


@pytest.mark.django_db
def test_listings():
    run("load-defaults")
    tree = run("taxonomy", "--code", "11")
    assert tree.splitlines()[0] == "11 水电气"
    assert "    110302 燃气泄漏" in tree
    assert "燃气泄漏：[燃气泄漏] 签收 0.25自然小时" in run("sla-rules")
    assert "咨询：[咨询] 签收 2工作小时，首次响应 7工作小时，办结 3个工作日" in run("sla-rules")
    assert "还没有派单目录" in run("catalogue")
    with pytest.raises(CommandError, match="没有分类代码"):
        run("taxonomy", "--code", "77")


@pytest.mark.django_db
def test_sweep_is_a_dry_run_without_commit():
    clock = SlaClockFactory(started_at=timezone.now() - dt.timedelta(hours=30))
    dry = run("sweep")
    assert f"将督办：{clock.order.number}" in dry
    assert "未执行" in dry
    assert not Supervision.objects.exists()
    assert "督办 1 个" in run("sweep", "--commit")
    assert Supervision.objects.count() == 1
    assert "将催办 0 个，督办 0 个" in run("sweep")


@pytest.mark.django_db
def test_recompute_is_a_dry_run_without_commit():
    SlaClockFactory()
    assert "未完成时限 1 个" in run("recompute")
    assert "已重算：0 个" in run("recompute", "--commit")  # natural hours never move

"""`hongmian hotline`: the 12345 hotline's defaults and its SLA sweep from the shell.

    hongmian hotline load-defaults            taxonomy, SLA rules and dispatch catalogue
    hongmian hotline taxonomy [--code 03]     the category tree (or one branch)
    hongmian hotline catalogue [--rules]      the catalogue versions (and the active rules)
    hongmian hotline sla-rules                the SLA rules
    hongmian hotline sweep [--commit]         urge / supervise due clocks (dry run by default)
    hongmian hotline recompute [--commit]     recompute running clocks' deadlines

Batch changes are dry runs unless given --commit. Bad input ends with a Chinese message and
exit code 1.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from django.utils import timezone

from hongmian.core.actors import Actor
from hongmian.core.errors import ApplicationError
from hongmian.hotline.models import Category, DispatchCatalogue, SlaClock, SlaRule
from hongmian.hotline.services import sla_recompute, sla_sweep
from hongmian.hotline.services.defaults import hotline_defaults_load
from hongmian.hotline.states import WITH_UNIT_STATUSES, ClockUnit

_UNIT_SHORT = {
    ClockUnit.WORKING_DAYS: "个工作日",
    ClockUnit.WORKING_HOURS: "工作小时",
    ClockUnit.NATURAL_HOURS: "自然小时",
}


def _limit(amount: object, unit: str) -> str:
    # 2.00 → "2", 0.25 → "0.25", 10.00 → "10" (normalize alone would give 1E+1).
    return f"{Decimal(str(amount)).normalize():f}{_UNIT_SHORT[ClockUnit(unit)]}"


def _local(value: dt.datetime) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"


class Command(BaseCommand):
    help = "12345热线：加载默认分类、时限规则和派单目录；查看；运行时限巡检。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="子命令")
        sub.add_parser("load-defaults", help="加载默认分类、时限规则和派单目录（可重复运行）")
        p = sub.add_parser("taxonomy", help="列出诉求分类")
        p.add_argument("--code", default="", help="只列出某个分类及其下级，例如 03")
        p = sub.add_parser("catalogue", help="列出派单目录版本")
        p.add_argument("--rules", action="store_true", help="同时列出生效版本的规则")
        sub.add_parser("sla-rules", help="列出时限规则")
        p = sub.add_parser("sweep", help="时限巡检：黄灯催办、红灯督办")
        p.add_argument("--commit", action="store_true", help="真正执行（默认只列出将要处理的）")
        p = sub.add_parser("recompute", help="按当前营业日历重算未完成时限")
        p.add_argument("--commit", action="store_true", help="真正执行（默认只统计）")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, "do_" + options["action"].replace("-", "_"))(options)
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        except DatabaseError as exc:
            raise CommandError(
                f"数据库出错（尚未建表？请先运行 hongmian migrate）：{exc}"
            ) from None

    def do_load_defaults(self, options: dict[str, Any]) -> None:
        result = hotline_defaults_load(actor=Actor.cli(None, label="hotline-cli"))
        tax, rules, cat = result["taxonomy"], result["sla_rules"], result["catalogue"]
        self.stdout.write(f"诉求分类：新建 {tax['created']} 个（默认共 {tax['total']} 个）")
        line = f"时限规则：新建 {rules['created']} 条（默认共 {rules['total']} 条）"
        if rules["skipped"]:
            line += f"，{rules['skipped']} 条因分类缺失跳过"
        self.stdout.write(line)
        if cat["version"] is not None:
            line = f"派单目录：已生成并启用 v{cat['version']}，规则 {cat['created']} 条"
            if cat["skipped"]:
                line += f"，{cat['skipped']} 条因单位缺失跳过（先运行 hongmian seed_demo）"
            self.stdout.write(line)
        elif cat["skipped"]:
            self.stdout.write(
                "派单目录：未生成——找不到承办单位，请先建立组织机构（hongmian seed_demo）"
            )
        else:
            self.stdout.write("派单目录：已存在，未改动")

    def do_taxonomy(self, options: dict[str, Any]) -> None:
        code = options["code"].strip()
        categories = Category.objects.order_by("code")
        if code:
            if not Category.objects.filter(code=code).exists():
                raise CommandError(f"没有分类代码“{code}”")
            categories = categories.filter(code__startswith=code)
        for c in categories:
            state = "" if c.is_active else "（已停用）"
            self.stdout.write(f"{'  ' * (c.level - 1)}{c.code} {c.name}{state}")

    def do_catalogue(self, options: dict[str, Any]) -> None:
        versions = list(DispatchCatalogue.objects.order_by("version"))
        if not versions:
            self.stdout.write("还没有派单目录（hongmian hotline load-defaults）")
            return
        active = None
        for v in versions:
            when = f"，生效于 {_local(v.activated_at)}" if v.activated_at else ""
            self.stdout.write(
                f"v{v.version} {v.get_status_display()}：规则 {v.rules.count()} 条{when}"
                + (f"（{v.note}）" if v.note else "")
            )
            if v.status == "active":
                active = v
        if options["rules"] and active is not None:
            self.stdout.write("")
            rules = active.rules.select_related("category", "lead_unit").prefetch_related(
                "co_units"
            )
            for r in rules.order_by("category__code", "area_code"):
                co = "、".join(u.name for u in r.co_units.all())
                line = f"{r.category.code} {r.category.name} @ {r.area_code or '全市'} → "
                line += r.lead_unit.name + (f"（协办：{co}）" if co else "")
                self.stdout.write(line + ("，下派街镇" if r.dispatch_to_street else ""))

    def do_sla_rules(self, options: dict[str, Any]) -> None:
        for r in SlaRule.objects.select_related("category").order_by("pk"):
            criteria = [
                "应急区域" if r.emergency_zone else "",
                r.get_priority_display() if r.priority else "",
                r.category.name if r.category else "",
                r.get_request_type_display() if r.request_type else "",
            ]
            side = ClockUnit.WORKING_HOURS if r.unit == ClockUnit.WORKING_DAYS else r.unit
            self.stdout.write(
                f"{r.name}：[{'、'.join(c for c in criteria if c) or '全部'}] "
                f"签收 {_limit(r.acknowledge_limit, side)}，"
                f"首次响应 {_limit(r.first_response_limit, side)}，"
                f"办结 {_limit(r.resolution_limit, r.unit)}" + ("" if r.is_active else "（已停用）")
            )

    def do_sweep(self, options: dict[str, Any]) -> None:
        now = timezone.now()
        if options["commit"]:
            result = sla_sweep.sla_sweep(actor=Actor.cli(None, label="sla-sweep"), now=now)
            if result.recomputed is not None:
                self.stdout.write(f"营业日历已变化：重算 {result.recomputed} 个时限")
            self.stdout.write(f"催办 {len(result.urged)} 个，督办 {len(result.supervised)} 个")
            return
        running = SlaClock.objects.filter(
            stopped_at__isnull=True, order__status__in=WITH_UNIT_STATUSES
        ).select_related("order")
        urge = running.filter(urged_at__isnull=True, yellow_at__lte=now, due_at__gt=now)
        supervise = running.filter(supervised_at__isnull=True, due_at__lte=now)
        for label, clocks in (("催办", urge), ("督办", supervise)):
            for c in clocks.order_by("due_at"):
                self.stdout.write(
                    f"将{label}：{c.order.number} {c.get_kind_display()} 截止 {_local(c.due_at)}"
                )
        self.stdout.write(
            f"将催办 {urge.count()} 个，督办 {supervise.count()} 个（未执行；加 --commit 执行）"
        )

    def do_recompute(self, options: dict[str, Any]) -> None:
        if options["commit"]:
            moved = sla_recompute.sla_recompute_running(actor=Actor.cli(None, label="hotline-cli"))
            self.stdout.write(f"已重算：{moved} 个时限的截止时间有变化")
            return
        count = SlaClock.objects.filter(stopped_at__isnull=True).count()
        self.stdout.write(f"未完成时限 {count} 个（未执行；加 --commit 重算）")

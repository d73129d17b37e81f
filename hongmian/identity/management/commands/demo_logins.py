"""`hongmian demo_logins`: the demo accounts to paste into a browser — one line per role,
then the units' own logins in a few compact lines (every unit a demo order can reach has a
handler and a manager; listing each on its own line would bury the role logins)."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from hongmian.identity.demo import (
    DEMO_LOGINS,
    DEMO_PASSWORD,
    ROLE_LOGINS,
    UNIT_LOGIN_SLUGS,
    unit_usernames,
)
from hongmian.identity.models import OrgUnit, User
from hongmian.identity.states import ROLE_HOME_PATHS, Role

# How many units share a line of the compact list.
UNITS_PER_LINE = 4


def _width(text: str) -> int:
    # Chinese characters take two columns in a terminal.
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


class Command(BaseCommand):
    help = "列出演示账号：每个角色一行（用户名、密码、首页），再列各承办单位的账号"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--base-url", default="http://127.0.0.1:8000", help="站点地址（默认本机演示地址）"
        )

    def handle(self, *args: Any, base_url: str, **options: Any) -> None:
        base = base_url.rstrip("/")
        present = set(
            User.objects.filter(
                username__in=[d.username for d in DEMO_LOGINS], is_active=True
            ).values_list("username", flat=True)
        )
        rows = [("角色", "用户名", "密码", "首页")]
        for login in ROLE_LOGINS:
            rows.append(
                (
                    f"{login.role.label} ({login.role.value})",
                    login.username + ("" if login.username in present else " (未创建)"),
                    DEMO_PASSWORD,
                    base + ROLE_HOME_PATHS[login.role],
                )
            )
        widths = [max(_width(row[i]) for row in rows) for i in range(4)]
        for n, row in enumerate(rows):
            self.stdout.write(
                "  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip()
            )
            if n == 0:
                self.stdout.write("  ".join("-" * w for w in widths))
        self._unit_logins(base, present)
        if not present.issuperset(d.username for d in DEMO_LOGINS):
            self.stdout.write(self.style.WARNING("部分账号尚未创建：请先运行 hongmian seed_demo"))

    def _unit_logins(self, base: str, present: set[str]) -> None:
        """The units' logins as `代号 名称` cells, UNITS_PER_LINE to a line: a unit's pair
        is handler_<代号> and manager_<代号>."""
        names = dict(
            OrgUnit.objects.filter(code__in=UNIT_LOGIN_SLUGS).values_list("code", "short_name")
        )
        cells = [
            f"{slug} {names.get(code) or code}"
            + ("" if present.issuperset(unit_usernames(slug)) else " (未创建)")
            for code, slug in UNIT_LOGIN_SLUGS.items()
        ]
        handler, manager = Role.DEPT_HANDLER, Role.DEPT_MANAGER
        self.stdout.write("")
        self.stdout.write(
            f"各承办单位账号（{len(cells)} 个单位）：handler_<代号> 为{handler.label}，"
            f"manager_<代号> 为{manager.label}；密码同上，首页 {base}{ROLE_HOME_PATHS[handler]}"
        )
        lines = [cells[i : i + UNITS_PER_LINE] for i in range(0, len(cells), UNITS_PER_LINE)]
        widths = [
            max(_width(line[i]) for line in lines if i < len(line)) for i in range(UNITS_PER_LINE)
        ]
        for line in lines:
            self.stdout.write(
                "  "
                + "  ".join(_pad(cell, w) for cell, w in zip(line, widths, strict=False)).rstrip()
            )

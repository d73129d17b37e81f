"""`hongmian demo_logins`: the demo accounts, one line per login, to paste into a browser."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from hongmian.identity.demo import DEMO_LOGINS, DEMO_PASSWORD
from hongmian.identity.models import User
from hongmian.identity.states import ROLE_HOME_PATHS


def _width(text: str) -> int:
    # Chinese characters take two columns in a terminal.
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


class Command(BaseCommand):
    help = "列出演示账号：角色、用户名、密码和首页地址"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--base-url", default="http://127.0.0.1:8000", help="站点地址（默认本机演示地址）"
        )

    def handle(self, *args: Any, base_url: str, **options: Any) -> None:
        present = set(
            User.objects.filter(
                username__in=[d.username for d in DEMO_LOGINS], is_active=True
            ).values_list("username", flat=True)
        )
        rows = [("角色", "用户名", "密码", "首页")]
        for login in DEMO_LOGINS:
            rows.append(
                (
                    f"{login.role.label} ({login.role.value})",
                    login.username + ("" if login.username in present else " (未创建)"),
                    DEMO_PASSWORD,
                    base_url.rstrip("/") + ROLE_HOME_PATHS[login.role],
                )
            )
        widths = [max(_width(row[i]) for row in rows) for i in range(4)]
        for n, row in enumerate(rows):
            self.stdout.write(
                "  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip()
            )
            if n == 0:
                self.stdout.write("  ".join("-" * w for w in widths))
        if len(present) < len(DEMO_LOGINS):
            self.stdout.write(self.style.WARNING("部分账号尚未创建：请先运行 hongmian seed_demo"))

"""`hongmian apikey create|list|revoke`: issue API keys for programs, list them, revoke them.

    hongmian apikey create --username open311-gz --name "市民APP Open311"
    hongmian apikey list [--username NAME] [--all]
    hongmian apikey revoke --prefix 1a2b3c4d5e6f

The key is printed once, by `create`; only its digest is kept.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from hongmian.core.actors import Actor
from hongmian.core.errors import ApplicationError
from hongmian.identity import selectors, services
from hongmian.identity.models import User


def _when(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "-"


class Command(BaseCommand):
    help = "管理 API 密钥：签发（只显示一次）、列出、吊销"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="为账号签发密钥")
        create.add_argument("--username", required=True, help="密钥代表的账号")
        create.add_argument("--name", required=True, help="用途，例如“市民APP Open311”")
        listing = sub.add_parser("list", help="列出密钥")
        listing.add_argument("--username", help="只列出该账号的密钥")
        listing.add_argument("--all", action="store_true", help="包括已吊销的密钥")
        revoke = sub.add_parser("revoke", help="吊销密钥")
        revoke.add_argument("--prefix", required=True, help="密钥前缀（list 中显示）")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        actor = Actor.cli(None, label="apikey")
        try:
            if action == "create":
                self._create(actor, options["username"], options["name"])
            elif action == "list":
                self._list(options.get("username"), options["all"])
            else:
                self._revoke(actor, options["prefix"])
        except ApplicationError as exc:
            raise CommandError(f"{exc.message} ({exc.code})") from None

    def _user(self, username: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"账号不存在：{username}")
        return user

    def _create(self, actor: Actor, username: str, name: str) -> None:
        api_key, key = services.api_key_create(actor=actor, user=self._user(username), name=name)
        # The key alone on stdout, so that `KEY=$(hongmian apikey create …)` works.
        self.stdout.write(key)
        self.stderr.write(
            f"已为 {username} 签发密钥“{api_key.name}”（前缀 {api_key.prefix}）。"
            "密钥只显示这一次，请立即妥善保存。"
        )

    def _list(self, username: str | None, include_revoked: bool) -> None:
        user = self._user(username) if username else None
        keys = selectors.api_key_list(user=user, include_revoked=include_revoked)
        # Tab-separated: readable in a terminal, and easy to cut or sort in a script.
        self.stdout.write("\t".join(["前缀", "账号", "用途", "签发时间", "最近使用", "状态"]))
        for key in keys:
            row = [
                key.prefix,
                key.user.username,
                key.name,
                _when(key.created_at),
                _when(key.last_used_at),
                "已吊销" if key.revoked_at else "有效",
            ]
            self.stdout.write("\t".join(row))

    def _revoke(self, actor: Actor, prefix: str) -> None:
        key = services.api_key_revoke(actor=actor, api_key=selectors.api_key_get(prefix))
        self.stdout.write(f"已吊销密钥 {key.prefix}（{key.name}，账号 {key.user.username}）")

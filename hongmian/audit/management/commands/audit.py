"""`hongmian audit`: the audit log's hash chain (decision 0046).

    hongmian audit verify            → walk the chain; exit code 1 at the first broken link

Run it from cron and alert on a non-zero exit: an entry edited, removed or slipped in
with the database's own tools is found here, and nowhere else.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hongmian.core.audit_chain import chain_verify


class Command(BaseCommand):
    help = "审计日志防篡改链：verify 逐条校验，报告第一处断链（退出码 1）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="逐条校验审计日志的哈希链")
        verify.add_argument("--batch", type=int, default=2000, help="每批读取的条数")

    def handle(self, *args: Any, **options: Any) -> None:
        batch = options["batch"]
        if not 1 <= batch <= 100_000:
            raise CommandError("--batch 应在 1–100000 之间")
        report = chain_verify(batch=batch)
        if report.broken is not None:
            where = f"第 {report.broken.seq} 条"
            if report.broken.event_id is not None:
                where += f"（记录编号 {report.broken.event_id}）"
            raise CommandError(
                f"审计链断裂于{where}：{report.broken.reason}。"
                f"此前 {report.checked} 条完好，链头记载 {report.length} 条。"
            )
        self.stdout.write(f"审计链完好：共 {report.checked} 条。")

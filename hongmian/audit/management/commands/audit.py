"""`hongmian audit`: the audit log's hash chain (decision 0046).

    hongmian audit verify            → walk every lane of the chain; exit code 1 and the
                                       first broken link of each lane that has one

Run it from cron and alert on a non-zero exit: an entry edited, removed or slipped in
with the database's own tools is found here, and nowhere else.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hongmian.core.audit_chain import ChainBreak, LaneReport, chain_verify


class Command(BaseCommand):
    help = "审计日志防篡改链：verify 逐条校验每条分链，报告各分链的第一处断链（退出码 1）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="逐条校验审计日志的哈希链")
        verify.add_argument("--batch", type=int, default=2000, help="每批读取的条数")

    def handle(self, *args: Any, **options: Any) -> None:
        batch = options["batch"]
        if not 1 <= batch <= 100_000:
            raise CommandError("--batch 应在 1–100000 之间")
        report = chain_verify(batch=batch)
        if not report.ok:
            raise CommandError(
                "\n".join(_broken_lane(lane, lane.broken) for lane in report.lanes if lane.broken)
            )
        self.stdout.write(
            f"审计链完好：共 {report.checked} 条，{len(report.lanes)} 条分链逐条校验无误。"
        )


def _broken_lane(lane: LaneReport, broken: ChainBreak) -> str:
    """The first broken link of one lane, and how much of the lane held before it."""
    where = f"第 {broken.seq} 条"
    if broken.event_id is not None:
        where += f"（记录编号 {broken.event_id}）"
    return (
        f"审计链分链 {lane.lane} 断裂于{where}：{broken.reason}。"
        f"此前 {lane.checked} 条完好，链头记载 {lane.length} 条。"
    )

"""`hongmian hotspots`: hot spots (热点) — problem × place × time — ranked by heat.

From a file (any CSV export of messages or orders; the columns are named by the caller):

    hongmian hotspots --input FILE --text-column 留言详情 --time-column 留言时间 \\
        [--title-column 留言主题] [--id-column 留言编号] [--caller-column 留言用户] \\
        [--likes-column 点赞数] [--dislikes-column 反对数] [--place-column …] \\
        --top 5 --output FILE.json

From the platform's own orders (a dry run; --commit stores the snapshot the board reads and
raises alerts, as the periodic job does):

    hongmian hotspots --from-db [--days 30] [--top 5] [--output FILE.json] [--commit]

Times may be 2019/2/28 11:25:05 or 2019-12-20 14:06:19 (or ISO 8601 with an offset), in
Asia/Shanghai unless they carry an offset. Without --place-column the place is read from the
text (a district the address parser finds, or a masked one such as A3区). Without
--caller-column every row counts as a different caller. The output is JSON: the groups with
their message IDs, heat index and its parts, time range, place, keywords, a short
description (key terms and the most typical message's title) and burst days.
Bad input ends with a Chinese message and exit code 1.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from hongmian.core.actors import Actor
from hongmian.core.tables import TableError
from hongmian.insights.analysis import hotspots
from hongmian.insights.analysis.tables import read_table


class Command(BaseCommand):
    help = "热点诉求：按“问题 × 地点 × 时间”聚类并按热度指数排序（文件或平台工单）"

    def add_arguments(self, parser: CommandParser) -> None:
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--input", type=Path, help="CSV 文件（UTF-8，带表头）")
        source.add_argument("--from-db", action="store_true", help="分析平台自己的工单")
        parser.add_argument("--text-column", help="正文列（--input 时必填）")
        parser.add_argument("--time-column", help="时间列（--input 时必填）")
        parser.add_argument("--title-column", help="标题列")
        parser.add_argument("--id-column", help="编号列（缺省为行号）")
        parser.add_argument("--caller-column", help="诉求人列（用于统计不同诉求人数）")
        parser.add_argument("--likes-column", help="点赞数列")
        parser.add_argument("--dislikes-column", help="反对数列")
        parser.add_argument("--place-column", help="地点列（街道、区等；缺省从正文识别）")
        parser.add_argument("--top", type=int, default=5, help="输出前 N 个热点（默认 5）")
        parser.add_argument("--days", type=int, default=30, help="--from-db：最近多少天")
        parser.add_argument("--output", type=Path, help="输出 JSON 文件（缺省打印）")
        parser.add_argument(
            "--commit", action="store_true", help="--from-db：保存热点快照并发出预警"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["top"] < 1:
            raise CommandError("--top 必须是正整数")
        if opts["from_db"]:
            report = self._from_db(opts)
        else:
            if opts["commit"]:
                raise CommandError("--commit 只用于 --from-db")
            report = self._from_file(opts)
        text = json.dumps(report, ensure_ascii=False, indent=2)
        if opts["output"]:
            try:
                opts["output"].write_text(text + "\n", encoding="utf-8")
            except OSError as exc:
                raise CommandError(f"无法写入 {opts['output']}：{exc.strerror}") from None
            self.stdout.write(
                f"{report['groups_found']} 个热点，前 {len(report['groups'])} 个已写入 "
                f"{opts['output']}"
            )
        else:
            self.stdout.write(text)

    def _from_file(self, opts: dict[str, Any]) -> dict[str, Any]:
        missing = [f"--{n}-column" for n in ("text", "time") if not opts[f"{n}_column"]]
        if missing:
            raise CommandError(f"使用 --input 时必须指定 {'、'.join(missing)}")
        columns = {
            f"--{name.replace('_', '-')}": opts[name]
            for name in (
                "text_column",
                "time_column",
                "title_column",
                "id_column",
                "caller_column",
                "likes_column",
                "dislikes_column",
                "place_column",
            )
        }
        try:
            table = read_table(opts["input"])
            table.require(columns)
            messages = _messages(table, opts)
        except TableError as exc:
            raise CommandError(str(exc)) from None
        groups = hotspots.find_hotspots(messages)
        return {
            "source": {"file": str(opts["input"]), "rows": len(messages)},
            "columns": {k: v for k, v in columns.items() if v},
            "params": _params(hotspots.Params()),
            "groups_found": len(groups),
            "groups": [
                {"rank": rank, **g.as_dict()} for rank, g in enumerate(groups[: opts["top"]], 1)
            ],
        }

    def _from_db(self, opts: dict[str, Any]) -> dict[str, Any]:
        from hongmian.hotline.models import WorkOrder
        from hongmian.insights.services import hotspots as scans

        if opts["input"] or any(opts[k] for k in opts if k.endswith("_column")):
            raise CommandError("--from-db 不接受文件和列参数")
        if opts["days"] < 1:
            raise CommandError("--days 必须是正整数")
        now = timezone.now()
        if opts["commit"]:
            result = scans.hotspot_scan(
                actor=Actor.cli(None, "hotspots"), now=now, days=opts["days"]
            )
            self.stderr.write(
                f"已保存 {len(result.stored)} 个热点，发出 {len(result.alerts)} 条预警"
            )
        found = scans.hotspots_find(now=now, days=opts["days"])
        top = found[: opts["top"]]
        numbers = dict(
            WorkOrder.objects.filter(pk__in={i for f in top for i in f.order_ids}).values_list(
                "pk", "number"
            )
        )
        groups = []
        for rank, spot in enumerate(top, 1):
            # Order numbers, not database ids: they are what a supervisor searches for.
            data = spot.group.as_dict()
            data["message_ids"] = [numbers.get(i, str(i)) for i in spot.order_ids]
            representative = int(spot.group.representative)
            data["representative"] = {
                "id": numbers.get(representative, str(representative)),
                "title": spot.group.title,
            }
            data["place"] = scans.place_label(spot.place_code, spot.group.place)
            groups.append({"rank": rank, **data})
        return {
            "source": {"from_db": True, "days": opts["days"], "read_at": now.isoformat()},
            "params": _params(hotspots.Params(half_life_days=scans.HOTSPOT_HALF_LIFE_DAYS)),
            "groups_found": len(found),
            "groups": groups,
        }


def _params(params: hotspots.Params) -> dict[str, Any]:
    return {
        "k_neighbours": params.k,
        "min_similarity": params.min_similarity,
        "window_days": params.window_days,
        "min_size": params.min_size,
        "min_callers": params.min_callers,
        "half_life_days": params.half_life_days,
    }


def _messages(table: Any, opts: dict[str, Any]) -> list[hotspots.Message]:
    n = len(table.rows)
    texts = table.texts(opts["text_column"])
    times = table.times(opts["time_column"])
    titles = table.texts(opts["title_column"]) if opts["title_column"] else [""] * n
    ids = (
        table.texts(opts["id_column"])
        if opts["id_column"]
        else [f"line {line}" for line, _row in table.rows]
    )
    callers = table.texts(opts["caller_column"]) if opts["caller_column"] else [""] * n
    likes = table.numbers(opts["likes_column"]) if opts["likes_column"] else [0.0] * n
    dislikes = table.numbers(opts["dislikes_column"]) if opts["dislikes_column"] else [0.0] * n
    if opts["place_column"]:
        places, districts = table.texts(opts["place_column"]), [""] * n
    else:
        places = [""] * n
        districts = [hotspots.place_in_text(t, c) for t, c in zip(titles, texts, strict=True)]
    return [
        hotspots.Message(
            key=ids[i],
            title=titles[i],
            content=texts[i],
            at=times[i],
            place=places[i],
            district=districts[i],
            caller=callers[i],
            likes=likes[i],
            dislikes=dislikes[i],
        )
        for i in range(n)
    ]

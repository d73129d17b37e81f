"""`hongmian classifier`: train, use and register the hotline's text classifiers.

    hongmian classifier train --input FILE --text-column COL [--text-column COL2]
                              --label-column COL --model-out PATH
                              [--noisy-input FILE [--noisy-label-column COL] [--noisy-all]]
                              [--cv 5]
    hongmian classifier predict --model PATH --input FILE.jsonl --output FILE.jsonl [--k 3]
    hongmian classifier evaluate --model PATH --input FILE --text-column COL
                                 [--text-column COL2] --label-column COL
    hongmian classifier cv --input FILE --text-column … --label-column … [--folds 5]
                           [--noisy-input FILE [--noisy-label-column COL]]
    hongmian classifier register --model PATH --target category_l1 [--activate]
                                 [--map 旧标签=平台代码或名称 …]
    hongmian classifier activate --target category_l1 --version 3
    hongmian classifier list [--target unit]
    hongmian classifier retrain --target category_l1 [--commit] [--no-activate]

Files: CSV (UTF-8), XLSX (with openpyxl), JSONL. With two or more --text-column, the first
is the title. Predict reads lines {"id", "text"} (a "title" is used if present) and writes
{"id", "label", "confidence", "top": [{"label", "confidence"}, …]}. `train`, `predict`,
`evaluate` and `cv` touch only files; `register`, `activate` and `retrain` change the
registry (retrain is a dry run unless --commit). Bad input ends with a message and exit 1.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from hongmian.core.actors import Actor
from hongmian.core.errors import ApplicationError


def _label_map(pairs: list[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for pair in pairs:
        old, sep, new = pair.partition("=")
        if not sep or not old.strip() or not new.strip():
            raise CommandError(f"--map 应写成 旧标签=平台代码或名称：{pair}")
        mapping[old.strip()] = new.strip()
    return mapping


class Command(BaseCommand):
    help = "12345热线智能分类：训练、预测、评估、注册和启用分类模型。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="子命令")

        def data_args(p: Any, *, required: bool = True) -> None:
            p.add_argument("--input", required=True, help="CSV、XLSX 或 JSONL 文件")
            p.add_argument(
                "--text-column",
                action="append",
                required=required,
                default=None,
                help="文本列（可重复；两列以上时第一列视为标题）",
            )
            p.add_argument("--label-column", required=required, help="标签列")

        def hint_args(p: Any) -> None:
            p.add_argument(
                "--taxonomy",
                help="分类体系 CSV（各列依次为一级、二级、三级分类名称）：名称作为提示样本参与训练",
            )
            p.add_argument(
                "--taxonomy-level",
                type=int,
                default=1,
                help="标签是分类体系的第几级（默认 1）",
            )

        def noisy_args(p: Any) -> None:
            p.add_argument("--noisy-input", help="标签有噪声的补充数据（只在训练中使用）")
            p.add_argument("--noisy-label-column", help="补充数据的标签列（默认同 --label-column）")
            p.add_argument(
                "--noisy-all",
                action="store_true",
                help="补充数据全部使用（默认只用与可信数据训练的模型一致的行）",
            )

        p = sub.add_parser("train", help="用带标签的文件训练模型，保存到文件")
        data_args(p)
        noisy_args(p)
        hint_args(p)
        p.add_argument("--model-out", required=True, help="模型文件保存路径")
        p.add_argument("--cv", type=int, default=0, help="同时做 N 折交叉验证并写入模型的指标")

        p = sub.add_parser("predict", help="对 JSONL 文件逐行预测")
        p.add_argument("--model", required=True)
        p.add_argument("--input", required=True, help='每行 {"id", "text"}')
        p.add_argument("--output", required=True)
        p.add_argument("--k", type=int, default=3, help="每条给出前 k 个标签（默认 3）")

        p = sub.add_parser("evaluate", help="在带标签的文件上评估模型")
        p.add_argument("--model", required=True)
        data_args(p)

        p = sub.add_parser("cv", help="分层 K 折交叉验证（噪声数据只进训练折）")
        data_args(p)
        noisy_args(p)
        hint_args(p)
        p.add_argument("--folds", type=int, default=5)

        p = sub.add_parser("register", help="把模型文件登记到模型库")
        p.add_argument("--model", required=True)
        p.add_argument(
            "--target", required=True, help="category_l1、category_l2、category_l3 或 unit"
        )
        p.add_argument("--activate", action="store_true", help="登记后立即启用")
        p.add_argument("--map", action="append", default=[], help="标签映射 旧=新（可重复）")
        p.add_argument("--note", default="")

        p = sub.add_parser("activate", help="启用模型库中的某个版本")
        p.add_argument("--target", required=True)
        p.add_argument("--version", type=int, required=True)

        p = sub.add_parser("list", help="列出模型库")
        p.add_argument("--target", default="")

        p = sub.add_parser("retrain", help="用平台已办结工单重新训练")
        p.add_argument("--target", required=True)
        p.add_argument("--commit", action="store_true", help="真正训练并登记（默认只统计）")
        p.add_argument("--no-activate", action="store_true", help="只登记，不自动启用")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, "do_" + options["action"])(options)
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        except DatabaseError as exc:
            raise CommandError(
                f"数据库出错（尚未建表？请先运行 hongmian migrate）：{exc}"
            ) from None
        except OSError as exc:
            raise CommandError(f"读写文件出错：{exc}") from None

    # --- files only --------------------------------------------------------------------------

    def _rows(self, options: dict[str, Any]) -> Any:
        from hongmian.insights.classifier.datasets import read_labelled

        read = read_labelled(
            options["input"],
            text_columns=options["text_column"],
            label_column=options["label_column"],
        )
        if read.skipped:
            self.stdout.write(f"跳过 {read.skipped} 行（文本或标签为空）")
        return read.rows

    def _noisy(self, options: dict[str, Any]) -> Any:
        from hongmian.insights.classifier.datasets import read_labelled

        if not options.get("noisy_input"):
            return []
        return read_labelled(
            options["noisy_input"],
            text_columns=options["text_column"],
            label_column=options["noisy_label_column"] or options["label_column"],
        ).rows

    def _hints(self, options: dict[str, Any]) -> Any:
        """Hint rows from a taxonomy file: every row a path of category names."""
        from hongmian.insights.classifier.datasets import fail, read_records, taxonomy_hints

        if not options.get("taxonomy"):
            return []
        level = options["taxonomy_level"]
        columns, records = read_records(options["taxonomy"])
        if not 1 <= level <= len(columns):
            raise fail(
                "bad_taxonomy_level",
                f"--taxonomy-level 应在 1 到 {len(columns)} 之间"
                f"（分类体系文件有 {len(columns)} 列）",
            )
        paths = [[str(r.get(c) or "") for c in columns] for _number, r in records]
        hints = taxonomy_hints(paths, level=level - 1)
        self.stdout.write(f"分类体系提示样本 {len(hints)} 条")
        return hints

    def _spec(self, options: dict[str, Any]) -> Any:
        from hongmian.insights.classifier.text_classifier import ClassifierSpec

        return ClassifierSpec(noisy_filter=not options.get("noisy_all"))

    def do_train(self, options: dict[str, Any]) -> None:
        from hongmian.insights.classifier.evaluation import cross_validate
        from hongmian.insights.classifier.text_classifier import TextClassifier

        rows, noisy, hints = self._rows(options), self._noisy(options), self._hints(options)
        meta = {
            "source": str(options["input"]),
            "text_columns": options["text_column"],
            "label_column": options["label_column"],
        }
        spec = self._spec(options)
        model = TextClassifier(spec).fit(rows, noisy_rows=noisy, hint_rows=hints, meta=meta)
        m = model.meta
        self.stdout.write(
            f"训练完成：{m['rows']} 条、{len(model.labels)} 个标签、{m['features']} 个特征，"
            f"用时 {m['training_seconds']} 秒"
        )
        if noisy:
            self.stdout.write(
                f"补充数据 {m['noisy_rows']} 条，采用与模型一致的 {m['noisy_rows_used']} 条"
            )
        if m["dropped_labels"]:
            self.stdout.write(f"样本过少未学习的标签：{'、'.join(m['dropped_labels'])}")
        if options["cv"] >= 2:
            cv = cross_validate(
                rows, noisy_rows=noisy, hint_rows=hints, spec=spec, folds=options["cv"]
            )
            model.meta["metrics"] = cv.as_dict()
            mean, sd = cv.macro_f1
            self.stdout.write(f"{options['cv']} 折交叉验证 macro-F1：{mean:.4f} ± {sd:.4f}")
        size = model.save(options["model_out"])
        self.stdout.write(f"模型已保存：{options['model_out']}（{size / 1024 / 1024:.1f} MB）")

    def do_predict(self, options: dict[str, Any]) -> None:
        from hongmian.insights.classifier.datasets import fail, message_of, read_records
        from hongmian.insights.classifier.text_classifier import TextClassifier

        model = TextClassifier.load(options["model"])
        path = Path(options["input"])
        if path.suffix.lower() != ".jsonl":
            raise CommandError(f'预测的输入应是 JSONL 文件（每行 {{"id", "text"}}）：{path}')
        _columns, records = read_records(path)
        ids, messages = [], []
        for number, record in records:
            where = f"{path.name} 第 {number} 行"
            if "text" not in record:
                raise CommandError(f"{where}缺少 text 字段（现有：{'、'.join(record) or '无'}）")
            fields = ["title", "text"] if "title" in record else ["text"]
            message = message_of(record, fields, where)
            if message.is_blank():
                raise fail("empty_text", f"{where}的文本为空，无法分类", field="text")
            ids.append(record.get("id", number))
            messages.append(message)
        if messages:
            model.predict(messages[:1])  # loads jieba's dictionary: not part of the timing
        started = time.perf_counter()
        predictions = model.predict(messages, k=options["k"]) if messages else []
        elapsed = time.perf_counter() - started
        out = Path(options["output"])
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", encoding="utf-8") as handle:
            for id_, p in zip(ids, predictions, strict=True):
                line = {
                    "id": id_,
                    "label": p.label,
                    "confidence": p.confidence,
                    "top": [{"label": s.label, "confidence": s.confidence} for s in p.top],
                }
                handle.write(json.dumps(line, ensure_ascii=False) + "\n")
        per = elapsed / len(messages) * 1000 if messages else 0.0
        self.stdout.write(f"已预测 {len(messages)} 条（每条 {per:.2f} 毫秒），写入 {out}")

    def do_evaluate(self, options: dict[str, Any]) -> None:
        from hongmian.insights.classifier.evaluation import report
        from hongmian.insights.classifier.text_classifier import TextClassifier

        model = TextClassifier.load(options["model"])
        rows = self._rows(options)
        proba = model.probabilities([r.message for r in rows])
        guessed = [model.labels[j] for j in proba.argmax(axis=1)]
        truth = [r.label for r in rows]
        result = report(truth, guessed, proba=proba, labels=model.labels)
        unseen = sorted(set(truth) - set(model.labels))
        self.stdout.write(f"样本 {result.rows} 条")
        self.stdout.write(f"accuracy: {result.accuracy:.4f}")
        self.stdout.write(f"macro-F1: {result.macro_f1:.4f}")
        self.stdout.write(f"ECE: {result.ece:.4f}  log loss: {result.log_loss:.4f}")
        if unseen:
            self.stdout.write(f"模型没有学过的标签：{'、'.join(unseen)}")
        self.stdout.write(result.table())

    def do_cv(self, options: dict[str, Any]) -> None:
        from hongmian.insights.classifier.evaluation import cross_validate

        rows, noisy, hints = self._rows(options), self._noisy(options), self._hints(options)
        cv = cross_validate(
            rows,
            noisy_rows=noisy,
            hint_rows=hints,
            spec=self._spec(options),
            folds=options["folds"],
        )
        mean, sd = cv.macro_f1
        acc, acc_sd = cv.accuracy
        self.stdout.write(f"{options['folds']} 折交叉验证（测试折只含 --input 的数据）")
        self.stdout.write(f"macro-F1: {mean:.4f} ± {sd:.4f}")
        self.stdout.write(f"accuracy: {acc:.4f} ± {acc_sd:.4f}")
        if cv.pooled is not None:
            self.stdout.write(f"ECE: {cv.pooled.ece:.4f}  log loss: {cv.pooled.log_loss:.4f}")
            self.stdout.write(cv.pooled.table())

    # --- the registry ------------------------------------------------------------------------

    def _actor(self) -> Actor:
        return Actor.cli(None, label="classifier-cli")

    def do_register(self, options: dict[str, Any]) -> None:
        from hongmian.insights.services.classifier import classifier_register

        record = classifier_register(
            actor=self._actor(),
            target=options["target"],
            path=options["model"],
            label_map=_label_map(options["map"]),
            activate=options["activate"],
            note=options["note"],
        )
        state = "，已启用" if record.is_active else "（未启用：hongmian classifier activate）"
        self.stdout.write(f"已登记 {record}：{len(record.labels)} 个标签{state}")

    def do_activate(self, options: dict[str, Any]) -> None:
        from hongmian.insights.services.classifier import classifier_activate

        record = classifier_activate(
            actor=self._actor(), target=options["target"], version=options["version"]
        )
        self.stdout.write(f"已启用 {record}")

    def do_list(self, options: dict[str, Any]) -> None:
        from hongmian.insights.models import ClassifierModel

        records = ClassifierModel.objects.defer("artefact").order_by("target", "-version")
        if options["target"]:
            records = records.filter(target=options["target"])
        if not records:
            self.stdout.write("模型库为空（hongmian classifier register 或 retrain --commit）")
        for r in records:
            f1 = r.metrics.get("macro_f1")
            score = f"macro-F1 {f1:.4f}" if isinstance(f1, int | float) else "未评估"
            state = "启用中" if r.is_active else "未启用"
            self.stdout.write(
                f"{r.target} v{r.version} {state} · {len(r.labels)} 个标签 · {r.training_rows} 条"
                f" · {score} · {r.created_at:%Y-%m-%d %H:%M} · {r.source}"
            )

    def do_retrain(self, options: dict[str, Any]) -> None:
        from hongmian.insights.classifier import targets
        from hongmian.insights.services.classifier import classifier_retrain

        target = targets.parse(options["target"])
        if not options["commit"]:
            rows = targets.platform_rows(target)
            labels = {r.label for r in rows}
            self.stdout.write(
                f"试运行：{target} 有 {len(rows)} 张已办结工单可用、{len(labels)} 个标签；"
                "加 --commit 训练并登记"
            )
            return
        result = classifier_retrain(
            actor=self._actor(), target=target, activate=not options["no_activate"]
        )
        if not result["trained"]:
            self.stdout.write(f"未训练：只有 {result['rows']} 张已办结工单")
            return
        state = "已启用" if result["activated"] else f"未启用（门槛 {result['bar']}）"
        self.stdout.write(
            f"已登记 {target} v{result['version']}：{result['rows']} 条，"
            f"macro-F1 {result['macro_f1']:.4f}，{state}"
        )

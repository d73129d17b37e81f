"""`hongmian classifier` from the shell: train → predict → evaluate on files, register and
activate, list, retrain's dry run; bad input ends with a message (CommandError, exit 1)."""

from __future__ import annotations

import csv
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from hongmian.hotline.tests.factories import CategoryFactory
from hongmian.insights.classifier import registry
from hongmian.insights.models import ClassifierModel
from hongmian.insights.tests.test_classifier import SUBJECTS, synthetic_rows


def run(*args: str) -> str:
    out = StringIO()
    call_command("classifier", *args, stdout=out)
    return out.getvalue()


def train_detail_model(files: dict[str, Path]) -> str:
    """A model of the first-level label from the message text alone, at files["model"]."""
    return run(
        "train",
        "--input",
        str(files["train"]),
        *("--text-column", "留言详情", "--label-column", "一级标签"),
        *("--model-out", str(files["model"])),
    )


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    train = tmp_path / "train.csv"
    with train.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["留言主题", "留言详情", "一级标签"])
        writer.writerows([r.message.title, r.message.text, r.label] for r in synthetic_rows())
    held_out = synthetic_rows(per_label=6, seed=42)
    test = tmp_path / "test.jsonl"
    test.write_text(
        "".join(
            json.dumps(
                {"id": f"m{i}", "text": r.message.text, "标题": r.message.title, "标签": r.label},
                ensure_ascii=False,
            )
            + "\n"
            for i, r in enumerate(held_out)
        ),
        encoding="utf-8",
    )
    return {"train": train, "test": test, "model": tmp_path / "out" / "m.joblib"}


def test_train_predict_evaluate_round_trip(files: dict[str, Path], tmp_path: Path) -> None:
    text = run(
        "train",
        "--input",
        str(files["train"]),
        "--text-column",
        "留言主题",
        "--text-column",
        "留言详情",
        "--label-column",
        "一级标签",
        "--model-out",
        str(files["model"]),
        "--cv",
        "3",
    )
    assert "训练完成：45 条、3 个标签" in text
    assert "3 折交叉验证 macro-F1" in text
    assert files["model"].is_file()

    output = tmp_path / "pred.jsonl"
    text = run(
        "predict",
        "--model",
        str(files["model"]),
        "--input",
        str(files["test"]),
        "--output",
        str(output),
    )
    assert "已预测 18 条" in text
    lines = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert [line["id"] for line in lines] == [f"m{i}" for i in range(18)]
    first = lines[0]
    assert set(first) == {"id", "label", "confidence", "top"}
    assert first["label"] == first["top"][0]["label"]
    assert sum(t["confidence"] for t in first["top"]) == pytest.approx(1.0, abs=1e-3)
    assert {t["label"] for t in first["top"]} == set(SUBJECTS)

    text = run(
        "evaluate",
        "--model",
        str(files["model"]),
        "--input",
        str(files["test"]),
        "--text-column",
        "标题",
        "--text-column",
        "text",
        "--label-column",
        "标签",
    )
    assert "accuracy:" in text
    assert "macro-F1:" in text
    assert "precision" in text
    for label in SUBJECTS:
        assert label in text


def test_cross_validation_from_the_shell(files: dict[str, Path]) -> None:
    text = run(
        "cv",
        "--input",
        str(files["train"]),
        "--text-column",
        "留言详情",
        "--label-column",
        "一级标签",
        "--folds",
        "3",
        "--noisy-input",
        str(files["train"]),
        "--noisy-all",
    )
    assert "macro-F1:" in text
    assert "ECE" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--text-column", "正文", "--label-column", "一级标签"],
            "现有的列：留言主题、留言详情、一级标签",
        ),
        (["--text-column", "留言详情", "--label-column", "分类"], "没有列：分类"),
    ],
)
def test_unknown_columns_are_named(files: dict[str, Path], args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run("train", "--input", str(files["train"]), *args, "--model-out", str(files["model"]))
    assert not files["model"].exists()


def test_bad_models_and_inputs_end_with_a_message(files: dict[str, Path], tmp_path) -> None:
    broken = tmp_path / "broken.joblib"
    broken.write_bytes(b"not a model")
    out = str(tmp_path / "p.jsonl")
    with pytest.raises(CommandError, match="已损坏或不是分类模型文件"):
        run("predict", "--model", str(broken), "--input", str(files["test"]), "--output", out)
    blank = tmp_path / "blank.jsonl"
    blank.write_text('{"id": 1, "text": "  "}\n', encoding="utf-8")
    train_detail_model(files)
    with pytest.raises(CommandError, match="第 1 行的文本为空"):
        run("predict", "--model", str(files["model"]), "--input", str(blank), "--output", out)
    with pytest.raises(CommandError, match="应是 JSONL"):
        run(
            "predict",
            "--model",
            str(files["model"]),
            "--input",
            str(files["train"]),
            "--output",
            out,
        )


@pytest.mark.django_db
def test_register_activate_list_and_retrain_dry_run(files: dict[str, Path]) -> None:
    registry.forget()
    train_detail_model(files)
    with pytest.raises(CommandError, match="不是平台现有的一级分类"):
        run("register", "--model", str(files["model"]), "--target", "category_l1")
    for i, name in enumerate(SUBJECTS):
        CategoryFactory(code=f"0{i}", name=name if name != "水电气" else "水电")
    text = run(
        "register", "--model", str(files["model"]), "--target", "category_l1", "--map", "水电气=01"
    )
    assert "已登记 一级分类 v1：3 个标签（未启用" in text
    assert "已启用" in run("activate", "--target", "category_l1", "--version", "1")
    assert ClassifierModel.objects.get().is_active
    listing = run("list")
    assert "category_l1 v1 启用中" in listing
    assert "试运行" in run("retrain", "--target", "category_l1")
    with pytest.raises(CommandError, match="未知的预测对象"):
        run("retrain", "--target", "category")
    with pytest.raises(CommandError, match="旧标签=平台代码或名称"):
        run("register", "--model", str(files["model"]), "--target", "category_l1", "--map", "x")
    registry.forget()


def test_a_taxonomy_file_adds_hint_rows(files: dict[str, Path], tmp_path: Path) -> None:
    taxonomy = tmp_path / "taxonomy.csv"
    taxonomy.write_text(
        "一级分类,二级分类,三级分类\n水电气,供水,突发停水\n水电气,供电,停电抢修\n生态环境,噪声,施工噪声\n",
        encoding="utf-8",
    )
    common = ["--input", str(files["train"]), "--text-column", "留言详情"]
    common += ["--label-column", "一级标签", "--taxonomy", str(taxonomy)]

    text = run("train", *common, "--model-out", str(files["model"]))

    assert "分类体系提示样本 3 条" in text
    from hongmian.insights.classifier.text_classifier import TextClassifier

    # Labels the training rows do not have (none here) would be left out of the hints.
    assert TextClassifier.load(files["model"]).meta["hint_rows_used"] == 3
    with pytest.raises(CommandError, match="--taxonomy-level 应在 1 到 3 之间"):
        run("train", *common, "--taxonomy-level", "4", "--model-out", str(files["model"]))

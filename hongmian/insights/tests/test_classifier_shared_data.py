"""The classifier on a small sample of the real board messages (shared data): it trains,
saves, loads and beats chance by far on messages it has not seen. The full measurement is
bench/classify/run.py; this only proves the real files flow through the real code."""

from __future__ import annotations

import random
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from hongmian.insights.classifier.datasets import LabelledRow, read_labelled
from hongmian.insights.classifier.evaluation import report
from hongmian.insights.classifier.text_classifier import TextClassifier

pytestmark = pytest.mark.shared_data

TEXT = ["留言主题", "留言详情"]


def _split(rows: list[LabelledRow], train: int, test: int) -> tuple[list, list]:
    by_label: dict[str, list[LabelledRow]] = defaultdict(list)
    for row in rows:
        by_label[row.label].append(row)
    rng = random.Random(0)  # noqa: S311 — picks a sample, nothing secret
    first, second = [], []
    for group in by_label.values():
        rng.shuffle(group)
        first += group[:train]
        second += group[train : train + test]
    return first, second


def test_a_small_real_sample_trains_and_predicts(shared_data: Path, tmp_path: Path) -> None:
    folder = shared_data / "hotline-messages"
    if not (folder / "labeled_train.csv").is_file():
        pytest.skip(f"{folder}/labeled_train.csv is absent")
    gold = read_labelled(folder / "labeled_train.csv", text_columns=TEXT, label_column="一级标签")
    assert len(gold.rows) == 935
    assert len({r.label for r in gold.rows}) == 7
    train, test = _split(gold.rows, train=40, test=15)
    model = TextClassifier().fit(train)
    model.save(tmp_path / "real.joblib")
    loaded = TextClassifier.load(tmp_path / "real.joblib")
    proba = loaded.probabilities([r.message for r in test])
    assert np.allclose(proba.sum(axis=1), 1.0)
    guessed = [loaded.labels[j] for j in proba.argmax(axis=1)]
    result = report([r.label for r in test], guessed)
    # Seven labels: chance is 0.14. Forty examples a label already give about 0.75.
    assert result.macro_f1 > 0.6, result.table()


def test_the_silver_file_reads_with_its_own_label_column(shared_data: Path) -> None:
    path = shared_data / "hotline-messages" / "silver_2801.csv"
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    silver = read_labelled(path, text_columns=TEXT, label_column="silver_label")
    assert len(silver.rows) == 2801

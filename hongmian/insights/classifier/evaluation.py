"""How good a classifier is: metrics on held-out rows and stratified cross-validation.

Cross-validation splits only the trusted rows: every test fold is trusted, and the noisy
rows join the training folds only (after the trusted training fold's model agrees with
them), so a score never credits the model for repeating a noisy label.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.utils.translation import gettext

from hongmian.insights.classifier.datasets import LabelledRow, fail
from hongmian.insights.classifier.text_classifier import ClassifierSpec, TextClassifier


@dataclass
class ClassReport:
    label: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass
class Report:
    accuracy: float
    macro_f1: float
    rows: int
    classes: list[ClassReport]
    # Calibration: mean |confidence − accuracy| over ten confidence bins, and the log loss.
    ece: float | None = None
    log_loss: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "accuracy": round(self.accuracy, 4),
            "macro_f1": round(self.macro_f1, 4),
            "rows": self.rows,
            "ece": None if self.ece is None else round(self.ece, 4),
            "log_loss": None if self.log_loss is None else round(self.log_loss, 4),
            "classes": [
                {
                    "label": c.label,
                    "precision": round(c.precision, 4),
                    "recall": round(c.recall, 4),
                    "f1": round(c.f1, 4),
                    "support": c.support,
                }
                for c in self.classes
            ],
        }

    def table(self) -> str:
        """The per-class table as the CLI prints it."""
        width = max([4, *(_width(c.label) for c in self.classes)])
        lines = [f"{_pad('标签', width)}  precision  recall     F1  support"]
        for c in self.classes:
            lines.append(
                f"{_pad(c.label, width)}  {c.precision:9.3f}  {c.recall:6.3f}  {c.f1:5.3f}"
                f"  {c.support:7d}"
            )
        return "\n".join(lines)


def _width(text: str) -> int:
    # A CJK character takes two columns in a terminal.
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def report(
    truth: Sequence[str],
    predicted: Sequence[str],
    *,
    proba: np.ndarray | None = None,
    labels: Sequence[str] | None = None,
) -> Report:
    """Accuracy, macro-F1 (over the true labels and the predicted ones) and per class."""
    from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

    names = sorted(set(truth) | set(predicted))
    p, r, f, s = precision_recall_fscore_support(truth, predicted, labels=names, zero_division=0)
    classes = [
        ClassReport(n, float(p[i]), float(r[i]), float(f[i]), int(s[i]))
        for i, n in enumerate(names)
    ]
    result = Report(
        accuracy=float(accuracy_score(truth, predicted)),
        macro_f1=float(f1_score(truth, predicted, labels=names, average="macro", zero_division=0)),
        rows=len(truth),
        classes=classes,
    )
    if proba is not None and labels is not None:
        result.ece, result.log_loss = calibration(truth, proba, labels)
    return result


def calibration(
    truth: Sequence[str], proba: np.ndarray, labels: Sequence[str], bins: int = 10
) -> tuple[float, float]:
    """Expected calibration error of the top confidence, and the log loss."""
    index = {label: i for i, label in enumerate(labels)}
    top = proba.max(axis=1)
    right = np.array(
        [labels[j] == t for j, t in zip(proba.argmax(axis=1), truth, strict=True)], dtype=float
    )
    edges = np.linspace(0, 1, bins + 1)
    ece = 0.0
    for lo, hi in itertools.pairwise(edges):
        inside = (top > lo) & (top <= hi)
        if inside.any():
            ece += inside.mean() * abs(top[inside].mean() - right[inside].mean())
    # A true label the model never saw gets the floor probability.
    p_true = np.array(
        [proba[i, index[t]] if t in index else 0.0 for i, t in enumerate(truth)], dtype=float
    )
    log_loss = float(-np.log(np.clip(p_true, 1e-6, 1.0)).mean())
    return float(ece), log_loss


@dataclass
class CrossValidation:
    folds: list[Report] = field(default_factory=list)
    training_seconds: list[float] = field(default_factory=list)
    pooled: Report | None = None

    @property
    def macro_f1(self) -> tuple[float, float]:
        values = [r.macro_f1 for r in self.folds]
        return float(np.mean(values)), float(np.std(values))

    @property
    def accuracy(self) -> tuple[float, float]:
        values = [r.accuracy for r in self.folds]
        return float(np.mean(values)), float(np.std(values))

    def as_dict(self) -> dict[str, Any]:
        mean, sd = self.macro_f1
        acc, acc_sd = self.accuracy
        return {
            "cv_folds": len(self.folds),
            "macro_f1": round(mean, 4),
            "macro_f1_sd": round(sd, 4),
            "accuracy": round(acc, 4),
            "accuracy_sd": round(acc_sd, 4),
            "ece": self.pooled.ece if self.pooled else None,
            "log_loss": self.pooled.log_loss if self.pooled else None,
            "fold_training_seconds": round(float(np.mean(self.training_seconds)), 2),
            "classes": self.pooled.as_dict()["classes"] if self.pooled else [],
        }


def cross_validate(
    rows: Sequence[LabelledRow],
    *,
    noisy_rows: Sequence[LabelledRow] = (),
    hint_rows: Sequence[LabelledRow] = (),
    spec: ClassifierSpec | None = None,
    folds: int = 5,
    seed: int = 0,
    make: Callable[[], TextClassifier] | None = None,
) -> CrossValidation:
    """Stratified k-fold over the trusted rows; noisy and hint rows only ever in training."""
    from sklearn.model_selection import StratifiedKFold

    labels = np.array([r.label for r in rows])
    counts = np.unique(labels, return_counts=True)[1]
    if len(counts) < 2 or counts.min() < folds:
        raise fail(
            "too_few_rows",
            gettext(
                "交叉验证需要至少两个标签、每个标签至少 %(folds)s 条（最少的只有 %(value1)s 条）"
            )
            % {"folds": folds, "value1": counts.min()},
        )
    # A noisy copy of a trusted message would put a test message into training.
    trusted = {r.message for r in rows}
    noisy_rows = [r for r in noisy_rows if r.message not in trusted]
    result = CrossValidation()
    truth: list[str] = []
    predicted: list[str] = []
    probas: list[np.ndarray] = []
    all_labels = sorted(set(labels))
    splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
    for train_index, test_index in splitter.split(np.zeros(len(rows)), labels):
        model = make() if make is not None else TextClassifier(spec)
        started = time.perf_counter()
        model.fit([rows[i] for i in train_index], noisy_rows=noisy_rows, hint_rows=hint_rows)
        result.training_seconds.append(time.perf_counter() - started)
        test = [rows[i] for i in test_index]
        proba = model.probabilities([r.message for r in test])
        guessed = [model.labels[j] for j in proba.argmax(axis=1)]
        fold_truth = [r.label for r in test]
        result.folds.append(report(fold_truth, guessed))
        truth += fold_truth
        predicted += guessed
        # Widen to every label so that folds line up (a fold may lack a rare label).
        wide = np.zeros((len(test), len(all_labels)))
        for j, label in enumerate(model.labels):
            wide[:, all_labels.index(label)] = proba[:, j]
        probas.append(wide)
    result.pooled = report(truth, predicted, proba=np.vstack(probas), labels=all_labels)
    return result

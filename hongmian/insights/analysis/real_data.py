"""Measuring the insights on real messages (shared data), for the benchmarks and the tests.

Nothing here is used in production; it reads the shared folder's files by path and keeps
no text in the project. See bench/insights/ for how each figure is produced.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from hongmian.core.tables import read_table as read_rows
from hongmian.insights.analysis import duplicates, textsim
from hongmian.insights.analysis.hotspots import MASKED_DISTRICT
from hongmian.insights.analysis.reply_quality import ReplyAssessment, assess_reply
from hongmian.insights.analysis.tables import read_table

# Files of the shared data folder (settings.HONGMIAN_SHARED_DATA).
MESSAGES = "hotline-messages/hotspot_messages_4326.csv"


def masked_district(*texts: str) -> str:
    """The first masked district named (title first), or "" when none is: the public board
    masks place names (A市 is the city, A3区 / A7县 its districts)."""
    for text in texts:
        if found := MASKED_DISTRICT.search(text or ""):
            return found.group(0)
    return ""


@dataclass(frozen=True, slots=True)
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def line(self, label: str) -> str:
        return (
            f"{label:<22} P {self.precision:.3f}  R {self.recall:.3f}  F1 {self.f1:.3f}  "
            f"(tp {self.tp} fp {self.fp} fn {self.fn} tn {self.tn})"
        )


def count(predicted: Sequence[bool], gold: Sequence[bool]) -> Counts:
    tp = sum(p and g for p, g in zip(predicted, gold, strict=True))
    fp = sum(p and not g for p, g in zip(predicted, gold, strict=True))
    fn = sum(g and not p for p, g in zip(predicted, gold, strict=True))
    return Counts(tp, fp, fn, len(gold) - tp - fp - fn)


@dataclass(frozen=True, slots=True)
class LabelledPair:
    stratum: str
    a: str
    b: str
    same: bool

    @property
    def half(self) -> str:
        """ "tune" (the smaller ID is even) or "held-out": a split fixed by the IDs alone."""
        return "tune" if min(int(self.a), int(self.b)) % 2 == 0 else "held-out"


def read_pairs(path: Path) -> list[LabelledPair]:
    table = read_rows(path, required=["stratum", "id_a", "id_b", "label"])
    return [
        LabelledPair(r.cell("stratum"), r.cell("id_a"), r.cell("id_b"), r.cell("label") == "1")
        for r in table.rows
    ]


@dataclass
class DuplicateReport:
    threshold: float
    overall: Counts
    halves: dict[str, Counts]
    by_stratum: dict[str, Counts]
    sweep: list[tuple[float, Counts]] = field(default_factory=list)
    pairs: int = 0
    positives: int = 0

    def text(self) -> str:
        lines = [
            f"labelled pairs: {self.pairs} ({self.positives} same problem)",
            f"threshold {self.threshold:.2f}",
            self.overall.line("all pairs"),
            *(c.line(f"half: {h}") for h, c in self.halves.items()),
            *(c.line(f"stratum: {s}") for s, c in self.by_stratum.items()),
            "threshold sweep (all pairs):",
            *(c.line(f"  >= {t:.2f}") for t, c in self.sweep),
        ]
        return "\n".join(lines)


def duplicate_scores(messages: Path, pairs: Sequence[LabelledPair]) -> list[float]:
    """The production score of every labelled pair: TF-IDF fitted on the whole file, place =
    the masked district in the text, caller = the board's user ID."""
    table = read_table(messages)
    ids = table.texts("留言编号")
    titles, contents = table.texts("留言主题"), table.texts("留言详情")
    users, times = table.texts("留言用户"), table.times("留言时间")
    texts = [textsim.order_text(t, c) for t, c in zip(titles, contents, strict=True)]
    row = {key: i for i, key in enumerate(ids)}
    index_pairs = [(row[p.a], row[p.b]) for p in pairs]
    sims = duplicates.pair_similarities(texts, index_pairs)

    def item(i: int) -> duplicates.Item:
        return duplicates.Item(
            key=ids[i],
            text=texts[i],
            at=times[i],
            district=masked_district(titles[i], contents[i]),
            numbers=duplicates.identifiers(titles[i]),
            caller=users[i],
        )

    return [
        duplicates.score_pair(item(i), item(j), float(s)).score
        for (i, j), s in zip(index_pairs, sims, strict=True)
    ]


def duplicate_pairs_report(
    messages: Path, labels: Path, *, threshold: float = duplicates.THRESHOLD
) -> DuplicateReport:
    pairs = read_pairs(labels)
    scores = duplicate_scores(messages, pairs)
    gold = [p.same for p in pairs]

    def at(t: float, keep: Sequence[bool] | None = None) -> Counts:
        chosen = [k for k in range(len(pairs)) if keep is None or keep[k]]
        return count([scores[k] >= t for k in chosen], [gold[k] for k in chosen])

    halves = {h: at(threshold, [p.half == h for p in pairs]) for h in ("tune", "held-out")}
    strata = sorted({p.stratum for p in pairs})
    by_stratum = {s: at(threshold, [p.stratum == s for p in pairs]) for s in strata}
    sweep = [(t / 100, at(t / 100)) for t in range(8, 41, 2)]
    return DuplicateReport(
        threshold, at(threshold), halves, by_stratum, sweep, len(pairs), sum(gold)
    )


# --- reply quality ------------------------------------------------------------------------

REPLIES = "hotline-messages/replies_2816.csv"
INTERPRETABILITY = "hotline-messages/replies_interpretability_labels_2816.csv"
QUALITY = "hotline-messages/replies_quality_labels_100.csv"


@dataclass(frozen=True, slots=True)
class Agreement:
    """How a 0/1 prediction of "bad reply" agrees with a silver label of "bad reply"."""

    counts: Counts
    kappa: float

    @property
    def accuracy(self) -> float:
        c = self.counts
        total = c.tp + c.fp + c.fn + c.tn
        return (c.tp + c.tn) / total if total else 0.0

    def line(self, label: str) -> str:
        c = self.counts
        return (
            f"{label:<46} acc {self.accuracy:.3f}  kappa {self.kappa:.3f}  "
            f"P {c.precision:.3f}  R {c.recall:.3f}  (n {c.tp + c.fp + c.fn + c.tn}, "
            f"bad by label {c.tp + c.fn})"
        )


def agreement(predicted: Sequence[bool], gold: Sequence[bool]) -> Agreement:
    c = count(predicted, gold)
    n = c.tp + c.fp + c.fn + c.tn
    if not n:
        return Agreement(c, 0.0)
    observed = (c.tp + c.tn) / n
    p_yes = ((c.tp + c.fp) / n) * ((c.tp + c.fn) / n)
    p_no = ((c.fn + c.tn) / n) * ((c.fp + c.tn) / n)
    expected = p_yes + p_no
    kappa = (observed - expected) / (1 - expected) if expected < 1 else 1.0
    return Agreement(c, kappa)


@dataclass
class ReplyReport:
    rows: list[tuple[str, Agreement]]

    def text(self) -> str:
        return "\n".join(a.line(label) for label, a in self.rows)

    def get(self, label: str) -> Agreement:
        return dict(self.rows)[label]


def _labels(path: Path, column: str) -> dict[str, bool]:
    """ID → "bad" (label 0) for a silver label file; blank labels are left out."""
    out = {}
    for row in read_rows(path, required=["留言编号", column]).rows:
        value = row.text(column)
        if value:
            out[row.text("留言编号")] = float(value) == 0.0
    return out


def reply_report(data_dir: Path) -> ReplyReport:
    """Agreement of reply_check with the two silver label files, on all rows and per half
    (thresholds were set on the even IDs). Timeliness is left out: the board's deadline
    rules are not known."""
    table = read_table(data_dir / REPLIES)
    ids = table.texts("留言编号")
    assessed = {
        key: assess_reply(request_title=t, request_text=c, reply=r)
        for key, t, c, r in zip(
            ids,
            table.texts("留言主题"),
            table.texts("留言详情"),
            table.texts("答复意见"),
            strict=True,
        )
    }
    explains = _labels(data_dir / INTERPRETABILITY, "可解释性")
    complete = _labels(data_dir / QUALITY, "完整性指标")
    explains_100 = _labels(data_dir / QUALITY, "可解释性指标")

    halves: list[tuple[str, set[int]]] = [
        ("all", {0, 1}),
        ("tune (even IDs)", {0}),
        ("held-out (odd IDs)", {1}),
    ]

    def rows(gold: dict[str, bool], flag: str, label: str) -> list[tuple[str, Agreement]]:
        out = []
        for name, parity in halves:
            keys = [k for k in gold if k in assessed and int(k) % 2 in parity]
            predicted = [_predict(assessed[k], flag) for k in keys]
            out.append((f"{label} · {name}", agreement(predicted, [gold[k] for k in keys])))
        return out

    return ReplyReport(
        [
            *rows(explains, "perfunctory", "perfunctory vs 可解释性=0 (2816)"),
            *rows(explains, "review", "needs_review vs 可解释性=0 (2816)"),
            *rows(complete, "perfunctory", "perfunctory vs 完整性=0 (100)"),
            *rows(complete, "no_result", "perfunctory|no_result vs 完整性=0 (100)"),
            *rows(explains_100, "perfunctory", "perfunctory vs 可解释性=0 (100)"),
            *rows(explains_100, "no_basis", "perfunctory|no_basis vs 可解释性=0 (100)"),
        ]
    )


def _predict(assessment: ReplyAssessment, flag: str) -> bool:
    """Our "bad reply": the perfunctory flag, needs_review, or perfunctory or `flag`."""
    flags = assessment.flags
    if flag == "review":
        return assessment.needs_review
    if flag == "perfunctory":
        return "perfunctory" in flags
    return "perfunctory" in flags or flag in flags

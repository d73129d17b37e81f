"""The text classifier without the database: training and prediction round-trip on a small
synthetic set made here, calibrated top-k confidences, artefacts, files and bad input.

`synthetic_rows()` is imported by the other test_classifier_* modules."""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

import numpy as np
import pytest

from hongmian.core.errors import ValidationFailed
from hongmian.core.tables import TableError
from hongmian.insights.classifier.datasets import (
    MAX_TEXT_CHARS,
    ClassifierError,
    LabelledRow,
    fingerprint,
    read_labelled,
)
from hongmian.insights.classifier.evaluation import cross_validate, report
from hongmian.insights.classifier.messages import FEATURE_CHARS, Message
from hongmian.insights.classifier.text_classifier import (
    MIN_ROWS_PER_LABEL,
    ClassifierSpec,
    TextClassifier,
)

# Three subjects with words of their own; places and endings shared, so that only the
# subject tells the label.
SUBJECTS = {
    "生态环境": [
        "工地夜间施工噪音扰民",
        "广场舞音响声音太大",
        "酒吧深夜噪声很吵",
        "工厂排放刺鼻废气",
    ],
    "水电气": [
        "小区突然停水没有通知",
        "自来水发黄有异味",
        "楼栋水压太低用不了",
        "停电一整天无人抢修",
    ],
    "交通运输": [
        "公交车不按站停靠",
        "地铁站早高峰排队太长",
        "出租车司机拒载绕路",
        "路口红绿灯坏了",
    ],
}
PLACES = ["天河区石牌街道", "越秀区北京街道", "海珠区江南中路", "白云区京溪街道", "番禺区市桥街道"]
ENDINGS = ["请尽快处理。", "希望有关部门管一管。", "已经反映多次没有结果。"]


def synthetic_rows(per_label: int = 15, seed: int = 0) -> list[LabelledRow]:
    rng = random.Random(seed)  # noqa: S311 — shuffles test data, nothing secret
    rows = []
    for label, subjects in SUBJECTS.items():
        combos = list(itertools.product(subjects, PLACES, ENDINGS))
        rng.shuffle(combos)
        for subject, place, ending in combos[:per_label]:
            title = f"{place}{subject[:6]}"
            text = f"我住在{place}，{subject}，{ending}"
            rows.append(LabelledRow(Message.prepared(title, text), label))
    return rows


@pytest.fixture(scope="module")
def model() -> TextClassifier:
    return TextClassifier().fit(synthetic_rows())


# --- round trip ------------------------------------------------------------------------------


def test_train_and_predict_round_trip_on_a_synthetic_set(model: TextClassifier) -> None:
    assert model.labels == sorted(SUBJECTS)
    assert model.meta["rows"] == 45
    assert model.meta["dropped_labels"] == []
    # New combinations of the subjects trained on (a subject never seen is a guess).
    known = {r.message.text.split(",")[1] for r in synthetic_rows()}
    held_out = [
        r for r in synthetic_rows(per_label=10, seed=99) if r.message.text.split(",")[1] in known
    ]
    predictions = model.predict([r.message for r in held_out])
    right = sum(p.label == r.label for p, r in zip(predictions, held_out, strict=True))
    assert right / len(held_out) >= 0.9
    best = model.predict_one("晚上噪音太吵", "楼下工地夜间施工噪音扰民，睡不着")
    assert best.label == "生态环境"
    assert best.top[0].label == best.label
    assert best.top[0].confidence == best.confidence


def test_confidences_are_probabilities_that_sum_to_one_in_order(model: TextClassifier) -> None:
    messages = [r.message for r in synthetic_rows(per_label=5, seed=7)]
    proba = model.probabilities(messages)
    assert proba.shape == (15, 3)
    assert np.allclose(proba.sum(axis=1), 1.0)
    assert (proba >= 0).all()
    assert (proba <= 1).all()
    for p in model.predict(messages, k=3):
        confidences = [s.confidence for s in p.top]
        assert confidences == sorted(confidences, reverse=True)
        assert sum(confidences) == pytest.approx(1.0, abs=1e-3)
        assert len({s.label for s in p.top}) == 3
    # k is capped at the number of labels and is at least 1.
    assert len(model.predict(messages[:1], k=10)[0].top) == 3
    assert len(model.predict(messages[:1], k=0)[0].top) == 1


def test_the_artefact_round_trips_through_bytes_and_files(model, tmp_path: Path) -> None:
    messages = [r.message for r in synthetic_rows(per_label=3, seed=5)]
    path = tmp_path / "models" / "m.joblib"
    size = model.save(path)
    assert size == path.stat().st_size
    assert not path.with_name("m.joblib.partial").exists()
    loaded = TextClassifier.load(path)
    assert loaded.labels == model.labels
    assert loaded.meta["fingerprint"] == model.meta["fingerprint"]
    assert np.allclose(loaded.probabilities(messages), model.probabilities(messages))


def test_an_artefact_saved_before_the_move_still_loads(model, monkeypatch) -> None:
    """Models stored before the classifier left the hotline (decision 0024) name its classes
    by their old modules; they must load, and predict, as they did."""
    import sys
    import zlib

    from hongmian.insights.classifier import text_classifier

    messages = [r.message for r in synthetic_rows(per_label=3, seed=5)]
    # Pickle the model as the old code did: every class of the package under its old module.
    with monkeypatch.context() as old_names:
        for old, new in text_classifier.MOVED_MODULES.items():
            module = sys.modules[new] if new in sys.modules else __import__(new, fromlist=["_"])
            old_names.setitem(sys.modules, old, module)
            for value in list(vars(module).values()):
                if callable(value) and getattr(value, "__module__", None) == new:
                    old_names.setattr(value, "__module__", old)
        data = model.to_bytes()
    assert b"hongmian.hotline.intelligence.features" in zlib.decompress(data)
    assert b"hongmian.insights" not in zlib.decompress(data)
    for old in text_classifier.MOVED_MODULES:
        monkeypatch.delitem(sys.modules, old, raising=False)

    loaded = TextClassifier.from_bytes(data)

    assert loaded.labels == model.labels
    assert np.allclose(loaded.probabilities(messages), model.probabilities(messages))


def test_the_fingerprint_follows_the_rows() -> None:
    rows = synthetic_rows()
    assert fingerprint(rows) == fingerprint(list(rows))
    assert fingerprint(rows) != fingerprint(rows[:-1])
    assert fingerprint(rows) != fingerprint(rows[:-1], noisy=rows[-1:])
    assert len(fingerprint(rows)) == 64


# --- noisy rows and evaluation ---------------------------------------------------------------


def test_noisy_rows_are_used_only_where_the_trusted_model_agrees() -> None:
    trusted = synthetic_rows(per_label=10)
    extra = synthetic_rows(per_label=20, seed=3)[:]
    seen = {r.message for r in trusted}
    fresh = [r for r in extra if r.message not in seen]
    # Half the fresh rows keep their label; the other half claim the wrong one.
    wrong = {"生态环境": "交通运输", "水电气": "生态环境", "交通运输": "水电气"}
    noisy = [r if i % 2 else LabelledRow(r.message, wrong[r.label]) for i, r in enumerate(fresh)]
    model = TextClassifier().fit(trusted, noisy_rows=noisy)
    assert model.meta["noisy_rows"] == len(noisy)
    used = model.meta["noisy_rows_used"]
    assert len(noisy) // 2 - 3 <= used <= len(noisy) // 2 + 3  # the mislabelled half is left out
    # Without the filter every noisy row is taken as labelled.
    plain = TextClassifier(ClassifierSpec(noisy_filter=False)).fit(trusted, noisy_rows=noisy)
    assert plain.meta["noisy_rows_used"] == len(noisy)


def test_cross_validation_tests_on_trusted_rows_only() -> None:
    rows = synthetic_rows(per_label=12)
    # Noisy copies of the trusted messages with a wrong label: were they let into training
    # they would contradict their own test rows. They must change nothing.
    noisy = [LabelledRow(r.message, "生态环境") for r in rows]
    plain = cross_validate(rows, folds=3)
    cv = cross_validate(rows, noisy_rows=noisy, folds=3)
    assert len(cv.folds) == 3
    assert sum(r.rows for r in cv.folds) == len(rows)
    assert cv.macro_f1 == plain.macro_f1
    assert cv.macro_f1[0] >= 0.7
    metrics = cv.as_dict()
    assert metrics["cv_folds"] == 3
    assert {c["label"] for c in metrics["classes"]} == set(SUBJECTS)
    assert 0 <= metrics["ece"] <= 1


def test_report_has_accuracy_macro_f1_and_a_table() -> None:
    result = report(["甲", "甲", "乙", "乙"], ["甲", "乙", "乙", "乙"])
    assert result.accuracy == 0.75
    assert result.macro_f1 == pytest.approx((2 / 3 + 0.8) / 2)
    assert [c.label for c in result.classes] == ["乙", "甲"]
    table = result.table()
    assert "precision" in table
    assert "甲" in table


# --- bad input -------------------------------------------------------------------------------


def test_one_class_is_refused_with_a_clear_message() -> None:
    rows = [r for r in synthetic_rows() if r.label == "水电气"]
    with pytest.raises(ClassifierError) as caught:
        TextClassifier().fit(rows)
    assert caught.value.code == "classifier.one_class"
    assert "水电气" in caught.value.message


def test_labels_too_rare_to_learn_are_left_out_and_named() -> None:
    rows = synthetic_rows()
    rare = [LabelledRow(Message.prepared("", "垃圾桶满了没人清"), "城市管理")]
    model = TextClassifier().fit(rows + rare * (MIN_ROWS_PER_LABEL - 1))
    assert model.meta["dropped_labels"] == ["城市管理"]
    assert "城市管理" not in model.labels


def test_a_blank_message_is_refused(model: TextClassifier) -> None:
    with pytest.raises(ClassifierError) as caught:
        model.predict([Message.prepared("  ", "")])
    assert caught.value.code == "classifier.empty_text"


def test_a_huge_message_is_cut_for_the_features(model: TextClassifier) -> None:
    message = Message.prepared("停水", "小区突然停水没有通知。" * 2_000)
    assert len(message.title) + len(message.text) == FEATURE_CHARS
    assert model.predict([message])[0].label == "水电气"


def test_a_damaged_or_foreign_model_file_is_refused(model, tmp_path: Path) -> None:
    good = model.to_bytes()
    cases = {
        "truncated.joblib": good[: len(good) // 2],
        "noise.joblib": random.Random(1).randbytes(4096),  # noqa: S311 — junk bytes
        "empty.joblib": b"",
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(ClassifierError) as caught:
            TextClassifier.load(tmp_path / name)
        assert caught.value.code == "classifier.model_corrupt", name
    import joblib

    joblib.dump({"format": "something else"}, tmp_path / "other.joblib")
    with pytest.raises(ClassifierError) as caught:
        TextClassifier.load(tmp_path / "other.joblib")
    assert caught.value.code == "classifier.model_format"
    with pytest.raises(ClassifierError) as caught:
        TextClassifier.load(tmp_path / "missing.joblib")
    assert caught.value.code == "classifier.model_missing"


def test_an_unfitted_model_says_so() -> None:
    with pytest.raises(ClassifierError) as caught:
        TextClassifier().to_bytes()
    assert caught.value.code == "classifier.model_unfitted"


def test_spec_is_kept_in_the_artefact() -> None:
    spec = ClassifierSpec(c=3.0)
    model = TextClassifier(spec).fit(synthetic_rows(per_label=6))
    assert TextClassifier.from_bytes(model.to_bytes()).spec == spec
    assert model.meta["spec"]["c"] == 3.0


# --- files -----------------------------------------------------------------------------------


def _write_csv(path: Path, header: str, lines: list[str]) -> Path:
    path.write_text("\ufeff" + "\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def test_csv_and_jsonl_read_the_same_rows(tmp_path: Path) -> None:
    csv_path = _write_csv(
        tmp_path / "a.csv",
        "标题,内容,分类",
        ["停水,小区突然停水,水电气", "噪音,工地夜间施工,生态环境", ",,生态环境", "空标签,有内容,"],
    )
    jsonl = tmp_path / "a.jsonl"
    jsonl.write_text(
        "\n".join(
            json.dumps(r, ensure_ascii=False)
            for r in [
                {"标题": "停水", "内容": "小区突然停水", "分类": "水电气"},
                {"标题": "噪音", "内容": "工地夜间施工", "分类": "生态环境"},
                {"标题": "", "内容": "", "分类": "生态环境"},
                {"标题": "空标签", "内容": "有内容", "分类": ""},
            ]
        ),
        encoding="utf-8",
    )
    read = [
        read_labelled(p, text_columns=["标题", "内容"], label_column="分类")
        for p in (csv_path, jsonl)
    ]
    assert read[0].rows == read[1].rows
    assert read[0].skipped == read[1].skipped == 2
    assert read[0].rows[0] == LabelledRow(Message("停水", "小区突然停水"), "水电气")


def test_xlsx_is_read(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["内容", "分类"])
    sheet.append(["小区突然停水", "水电气"])
    book.save(tmp_path / "a.xlsx")
    rows = read_labelled(tmp_path / "a.xlsx", text_columns=["内容"], label_column="分类").rows
    assert rows == [LabelledRow(Message("", "小区突然停水"), "水电气")]


def test_an_unknown_column_lists_the_columns_there_are(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "a.csv", "留言主题,留言详情,一级标签", ["停水,停水了,水电气"])
    with pytest.raises(TableError) as caught:
        read_labelled(path, text_columns=["留言详情"], label_column="标签")
    assert caught.value.code == "table.unknown_column"
    message = caught.value.message
    assert "标签" in message
    assert "留言主题、留言详情、一级标签" in message


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("a.txt", "x", "table.format"),
        ("a.jsonl", '{"内容": "停水", "分类": "水电气"}\nnot json\n', "table.bad_row"),
        ("a.jsonl", "[1, 2]\n", "table.bad_row"),
        ("a.csv", "内容,分类\n", "classifier.no_rows"),
    ],
)
def test_bad_files_are_refused_with_a_code(tmp_path: Path, name: str, content: str, code: str):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValidationFailed) as caught:
        read_labelled(path, text_columns=["内容"], label_column="分类")
    assert caught.value.code == code


def test_a_gb18030_file_is_read_and_an_unknown_encoding_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes("内容,分类\n停水,水电气\n".encode("gb18030"))
    rows = read_labelled(path, text_columns=["内容"], label_column="分类").rows
    assert rows == [LabelledRow(Message("", "停水"), "水电气")]
    path.write_bytes("內容,分類\n停水,水電氣\n".encode("big5"))
    with pytest.raises(TableError) as caught:
        read_labelled(path, text_columns=["內容"], label_column="分類")
    assert caught.value.code == "table.encoding"


def test_a_text_too_long_to_be_a_message_is_refused(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "a.csv", "内容,分类", ["停" * (MAX_TEXT_CHARS + 1) + ",水电气"])
    with pytest.raises(ClassifierError) as caught:
        read_labelled(path, text_columns=["内容"], label_column="分类")
    assert caught.value.code == "classifier.text_too_long"
    assert "第 2 行" in caught.value.message


# --- NB-SVM, hint rows, text clean-up ----------------------------------------------------------


def test_nbsvm_folds_the_ratios_into_one_weight_matrix() -> None:
    import scipy.sparse as sp

    from hongmian.insights.classifier.nbsvm import NBSVM

    x = sp.csr_matrix([[1.0, 0, 0], [0.9, 0.1, 0], [0, 1.0, 0], [0, 0.8, 0.2], [0, 0, 1.0]])
    y = ["a", "a", "b", "b", "c"]
    model = NBSVM().fit(x, y)
    assert model.coef_.shape == (3, 3)
    assert list(model.predict(x)) == y
    binary = NBSVM().fit(x[:4], y[:4])
    assert binary.decision_function(x[:4]).shape == (4,)
    assert list(binary.predict(x[:4])) == y[:4]


def test_taxonomy_hints_teach_the_label_the_names_below_it() -> None:
    from hongmian.insights.classifier.datasets import taxonomy_hints

    paths = [("城乡建设", "住房保障", "物业管理"), ("交通运输", "公共交通", ""), ("教育文体",)]
    first = taxonomy_hints(paths)
    assert [(r.label, r.message.title, r.message.text) for r in first] == [
        ("城乡建设", "物业管理", "住房保障 物业管理"),
        ("交通运输", "公共交通", "公共交通"),
        ("教育文体", "教育文体", "教育文体"),
    ]
    assert [r.label for r in taxonomy_hints(paths, level=2)] == ["物业管理"]
    rows = synthetic_rows(per_label=6)
    hints = [LabelledRow(Message.prepared("停电", "停电 停水"), "水电气")]
    hints.append(LabelledRow(Message.prepared("未知", "未知"), "不在模型里"))
    model = TextClassifier().fit(rows, hint_rows=hints)
    assert model.meta["hint_rows_used"] == 1
    assert model.meta["rows"] == len(rows)
    assert model.meta["fingerprint"] != TextClassifier().fit(rows).meta["fingerprint"]


def test_the_excel_carriage_return_escape_is_removed() -> None:
    message = Message.prepared("标题_x000D_", "第一行_x000D_\n第二行")
    assert "_x000D_" not in message.whole
    assert message.title == "标题"


def test_with_hint_rows_nbsvm_is_stacked_with_the_names_similarity() -> None:
    from hongmian.insights.classifier.stacking import META_CS

    rows = synthetic_rows(per_label=8)
    hints = [
        LabelledRow(Message.prepared(s, s), label)
        for label, subjects in SUBJECTS.items()
        for s in subjects[:2]
    ]
    model = TextClassifier().fit(rows, hint_rows=hints)
    assert model.meta["stacked"] is True
    assert model.meta["meta_c"] in META_CS
    proba = model.probabilities([r.message for r in rows])
    assert np.allclose(proba.sum(axis=1), 1.0)
    guessed = [model.labels[j] for j in proba.argmax(axis=1)]
    assert np.mean([g == r.label for g, r in zip(guessed, rows, strict=True)]) > 0.9
    again = TextClassifier.from_bytes(model.to_bytes())
    assert np.allclose(again.probabilities([r.message for r in rows]), proba)
    # Without hint rows, or asked not to, the calibrated NB-SVM is the model.
    assert TextClassifier().fit(rows).meta["stacked"] is False
    plain = TextClassifier(ClassifierSpec(stack=False)).fit(rows, hint_rows=hints)
    assert plain.meta["stacked"] is False


def test_the_stack_learns_two_labels_and_labels_without_hint_rows() -> None:
    import scipy.sparse as sp

    from hongmian.insights.classifier.stacking import HintStack

    x = sp.csr_matrix([[1.0, 0.1, 0]] * 6 + [[0.1, 1.0, 0]] * 6 + [[0.9, 0, 0.1]] + [[0, 0, 1.0]])
    y = ["a"] * 6 + ["b"] * 6 + ["a", "b"]
    hint = np.arange(len(y)) >= 12  # the last two rows are hint rows
    model = HintStack(folds=3).fit(x, y, hint_mask=hint)
    assert list(model.predict(x[:12])) == y[:12]
    assert model.predict_proba(x[:2]).shape == (2, 2)
    # Only label "a" has a hint row left: "b" gets no similarity column value.
    only_a = HintStack(folds=3).fit(x[:13], y[:13], hint_mask=hint[:13])
    assert np.all(only_a._similarity(sp.csr_matrix(x[:12]))[:, 1] == 0)

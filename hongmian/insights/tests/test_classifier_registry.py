"""The classifier registry and its services on the database: training registers a version,
one active version per target, a failed training or a bad artefact never replaces the
active model, labels must be the target's, feedback from intake and from returns, the
retraining job."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.db import IntegrityError, transaction

from hongmian.core.errors import PermissionDenied
from hongmian.core.models import AuditEvent
from hongmian.core.tables import TableError
from hongmian.hotline.models import Category
from hongmian.hotline.services.lifecycle_dispatch import (
    work_order_return_request,
    work_order_return_review,
)
from hongmian.hotline.states import Status
from hongmian.hotline.tests.factories import CategoryFactory, WorkOrderFactory, actor_of
from hongmian.insights.classifier import registry, targets
from hongmian.insights.classifier.datasets import ClassifierError, LabelledRow
from hongmian.insights.classifier.text_classifier import TextClassifier
from hongmian.insights.models import ClassificationFeedback, ClassifierModel
from hongmian.insights.services import classifier as svc
from hongmian.insights.states import ClassifierTarget, FeedbackSource
from hongmian.insights.tests.test_classifier import SUBJECTS, synthetic_rows

L1 = ClassifierTarget.CATEGORY_L1


@pytest.fixture(autouse=True)
def _fresh_registry():
    registry.forget()
    yield
    registry.forget()


@pytest.fixture
def top_categories(db) -> dict[str, Category]:
    """Level-1 categories named like the synthetic labels (codes differ from the names)."""
    return {
        name: CategoryFactory(code=f"L1-{i}", name=name) for i, name in enumerate(sorted(SUBJECTS))
    }


@pytest.fixture(scope="module")
def artefact(tmp_path_factory) -> Path:
    """One trained model on disk, shared by the module's tests (training costs a second)."""
    path = tmp_path_factory.mktemp("models") / "synthetic.joblib"
    TextClassifier().fit(synthetic_rows()).save(path)
    return path


def train(system_actor, **kwargs) -> ClassifierModel:
    kwargs.setdefault("rows", synthetic_rows())
    kwargs.setdefault("cv_folds", 0)
    return svc.classifier_train(actor=system_actor, target=L1, **kwargs)


# --- training and activation -----------------------------------------------------------------


def test_training_registers_a_version_that_serves_once_active(system_actor, top_categories):
    first = train(system_actor, cv_folds=3)
    assert (first.version, first.is_active, first.source) == (1, False, "rows")
    assert first.labels == sorted(SUBJECTS)
    assert first.training_rows == 45
    assert len(first.training_fingerprint) == 64
    assert first.metrics["cv_folds"] == 3
    assert first.artefact_sha256 == registry.sha256(bytes(first.artefact))
    assert registry.active(L1) is None
    svc.classifier_activate(actor=system_actor, model=first)
    loaded = registry.active(L1)
    assert loaded is not None
    assert (loaded.pk, str(loaded)) == (first.pk, "category_l1 v1")
    assert loaded.classifier.predict_one("停水", "小区突然停水没有通知").label == "水电气"
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"classifier.register", "classifier.activate"} <= actions


def test_one_active_version_per_target(system_actor, top_categories) -> None:
    first = train(system_actor, activate=True)
    second = train(system_actor, activate=True)
    first.refresh_from_db()
    assert (first.is_active, second.is_active, second.version) == (False, True, 2)
    assert registry.active(L1).pk == second.pk  # type: ignore[union-attr]
    # The database itself refuses a second active version.
    with pytest.raises(IntegrityError), transaction.atomic():
        ClassifierModel.objects.filter(pk=first.pk).update(is_active=True)
    # Activating by target and version; activating the active one again changes nothing.
    svc.classifier_activate(actor=system_actor, target=L1, version=1)
    assert registry.active(L1).pk == first.pk  # type: ignore[union-attr]
    assert svc.classifier_activate(actor=system_actor, target=L1, version=1).is_active


def test_a_failed_training_keeps_the_active_model(system_actor, top_categories) -> None:
    good = train(system_actor, activate=True)
    one_class = [r for r in synthetic_rows() if r.label == "水电气"]
    with pytest.raises(ClassifierError) as caught:
        train(system_actor, rows=one_class, activate=True)
    assert caught.value.code == "classifier.one_class"
    foreign = [LabelledRow(r.message, f"外来{r.label}") for r in synthetic_rows()]
    with pytest.raises(ClassifierError) as caught:
        train(system_actor, rows=foreign, activate=True)
    assert caught.value.code == "classifier.label_mismatch"
    assert list(ClassifierModel.objects.values_list("pk", "is_active")) == [(good.pk, True)]
    assert registry.active(L1).pk == good.pk  # type: ignore[union-attr]


def test_training_from_a_file_names_unknown_columns(system_actor, top_categories, tmp_path):
    path = tmp_path / "train.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["标题", "内容", "分类"])
        writer.writerows([r.message.title, r.message.text, r.label] for r in synthetic_rows())
    with pytest.raises(TableError) as caught:
        train(system_actor, rows=None, input=path, text_columns=["正文"], label_column="分类")
    assert "标题、内容、分类" in caught.value.message
    record = train(
        system_actor, rows=None, input=path, text_columns=["标题", "内容"], label_column="分类"
    )
    assert (record.source, record.training_rows) == (str(path), 45)


def test_only_administrators_train_or_activate(agent, top_categories) -> None:
    with pytest.raises(PermissionDenied):
        svc.classifier_train(actor=actor_of(agent), target=L1, rows=synthetic_rows(), cv_folds=0)
    assert not ClassifierModel.objects.exists()


# --- registering artefacts ---------------------------------------------------------------


def test_register_checks_the_label_set_against_the_target(system_actor, artefact, db):
    # No such categories on the platform: the model's labels fit nothing.
    with pytest.raises(ClassifierError) as caught:
        svc.classifier_register(actor=system_actor, target=L1, path=artefact)
    assert caught.value.code == "classifier.label_mismatch"
    for label in SUBJECTS:
        assert label in caught.value.message
    # A unit model must name units.
    with pytest.raises(ClassifierError) as caught:
        svc.classifier_register(actor=system_actor, target="unit", path=artefact)
    assert caught.value.code == "classifier.label_mismatch"
    with pytest.raises(ClassifierError) as caught:
        svc.classifier_register(actor=system_actor, target="category_l9", path=artefact)
    assert caught.value.code == "classifier.unknown_target"
    assert not ClassifierModel.objects.exists()


def test_register_with_a_label_map(system_actor, artefact, db) -> None:
    env = CategoryFactory(code="03", name="生态环境")
    CategoryFactory(code="11", name="水电")
    CategoryFactory(code="04", name="交通运输")
    with pytest.raises(ClassifierError):
        svc.classifier_register(actor=system_actor, target=L1, path=artefact)
    with pytest.raises(ClassifierError) as caught:
        svc.classifier_register(
            actor=system_actor, target=L1, path=artefact, label_map={"不存在": "11"}
        )
    assert caught.value.code == "classifier.label_map"
    record = svc.classifier_register(
        actor=system_actor, target=L1, path=artefact, label_map={"水电气": "11"}, activate=True
    )
    assert record.label_map == {"水电气": "11"}
    found = targets.resolve(L1, record.labels, record.label_map)
    assert found["水电气"].code == "11"
    assert found["生态环境"].pk == env.pk


def test_a_damaged_artefact_is_refused_and_never_activated(
    system_actor, top_categories, artefact, tmp_path
) -> None:
    good = svc.classifier_register(actor=system_actor, target=L1, path=artefact, activate=True)
    broken = tmp_path / "broken.joblib"
    broken.write_bytes(artefact.read_bytes()[:500])
    with pytest.raises(ClassifierError) as caught:
        svc.classifier_register(actor=system_actor, target=L1, path=broken, activate=True)
    assert caught.value.code == "classifier.model_corrupt"
    with pytest.raises(ClassifierError) as caught:
        svc.classifier_register(actor=system_actor, target=L1, path=tmp_path / "none.joblib")
    assert caught.value.code == "classifier.model_missing"
    # Bytes changed in the database after registering: activation refuses them.
    spare = svc.classifier_register(actor=system_actor, target=L1, path=artefact)
    ClassifierModel.objects.filter(pk=spare.pk).update(artefact=b"tampered")
    with pytest.raises(ClassifierError) as caught:
        svc.classifier_activate(actor=system_actor, model=spare.pk)
    assert caught.value.code == "classifier.model_corrupt"
    assert registry.active(L1).pk == good.pk  # type: ignore[union-attr]


def test_a_damaged_active_artefact_means_no_suggestions_not_an_error(
    system_actor, top_categories, artefact, caplog
) -> None:
    record = svc.classifier_register(actor=system_actor, target=L1, path=artefact, activate=True)
    data = bytearray(record.artefact)
    data[-10:] = b"0123456789"
    ClassifierModel.objects.filter(pk=record.pk).update(
        artefact=bytes(data), artefact_sha256=registry.sha256(bytes(data))
    )
    assert registry.active(L1) is None
    assert "cannot be loaded" in caplog.text


def test_a_model_trained_for_one_target_is_not_registered_for_another(
    system_actor, top_categories, tmp_path
) -> None:
    model = TextClassifier().fit(synthetic_rows(), meta={"target": "unit"})
    model.save(tmp_path / "unit.joblib")
    with pytest.raises(ClassifierError) as caught:
        svc.classifier_register(actor=system_actor, target=L1, path=tmp_path / "unit.joblib")
    assert caught.value.code == "classifier.target_mismatch"


# --- the platform's own orders and the retraining job ----------------------------------------


def _settled_orders(top_categories: dict[str, Category], per_label: int) -> None:
    for row in synthetic_rows(per_label=per_label):
        parent = top_categories[row.label]
        leaf = CategoryFactory(parent=parent)
        WorkOrderFactory(
            status=Status.CLOSED, title=row.message.title, content=row.message.text, category=leaf
        )


def test_platform_rows_use_the_ancestor_at_the_target_level(top_categories) -> None:
    _settled_orders(top_categories, per_label=4)
    WorkOrderFactory(category=next(iter(top_categories.values())))  # open: not settled
    rows = targets.platform_rows(L1)
    assert len(rows) == 12
    assert {r.label for r in rows} == {c.code for c in top_categories.values()}
    assert targets.platform_rows(ClassifierTarget.CATEGORY_L3) == []


def test_the_platforms_taxonomy_gives_hint_rows_labelled_by_code(top_categories) -> None:
    water = top_categories["水电气"]
    supply = CategoryFactory(code="L2-supply", name="供水", parent=water)
    CategoryFactory(code="L3-outage", name="突发停水", parent=supply)
    CategoryFactory(code="L3-old", name="旧分类", parent=supply, is_active=False)

    hints = {(r.message.title, r.message.text, r.label) for r in targets.taxonomy_hint_rows(L1)}

    assert ("供水", "供水", "L2-supply") not in hints  # labels are the level-1 codes
    assert ("供水", "供水", water.code) in hints
    assert ("突发停水", "供水 突发停水", water.code) in hints
    assert not any(title == "旧分类" for title, _text, _label in hints)
    # Level-1 categories without children hint with their own name.
    assert ("生态环境", "生态环境", top_categories["生态环境"].code) in hints
    assert targets.taxonomy_hint_rows(ClassifierTarget.UNIT) == []
    l2 = targets.taxonomy_hint_rows(ClassifierTarget.CATEGORY_L2)
    assert {(r.message.title, r.label) for r in l2} == {
        ("供水", "L2-supply"),
        ("突发停水", "L2-supply"),
    }


def test_platform_training_learns_with_the_taxonomy_hints(system_actor, top_categories) -> None:
    _settled_orders(top_categories, per_label=4)
    CategoryFactory(code="L2-supply", name="供水", parent=top_categories["水电气"])

    record = svc.classifier_train(actor=system_actor, target=L1, cv_folds=0)
    without = svc.classifier_train(actor=system_actor, target=L1, cv_folds=0, hint_rows=[])

    hints = targets.taxonomy_hint_rows(L1)
    assert registry.load_record(record).meta["hint_rows_used"] == len(hints) > 0
    assert registry.load_record(without).meta["hint_rows_used"] == 0
    assert record.training_fingerprint != without.training_fingerprint


def test_retrain_activates_only_a_model_good_enough(
    system_actor, top_categories, monkeypatch, settings
) -> None:
    monkeypatch.setattr(svc, "RETRAIN_MIN_ROWS", 30)
    assert svc.classifier_retrain(actor=system_actor, target=L1)["trained"] is False
    _settled_orders(top_categories, per_label=12)
    result = svc.classifier_retrain(actor=system_actor, target=L1, cv_folds=3)
    assert result["trained"] is True
    assert result["activated"] is True
    record = ClassifierModel.objects.get(is_active=True)
    assert record.source == svc.PLATFORM_SOURCE
    assert record.note == "定期重训"
    # A bar no model can pass: the next version is registered but the active one stays.
    monkeypatch.setattr(svc, "RETRAIN_MIN_MACRO_F1", 1.01)
    again = svc.classifier_retrain(actor=system_actor, target=L1, cv_folds=3)
    assert (again["version"], again["activated"]) == (2, False)
    assert ClassifierModel.objects.get(is_active=True).pk == record.pk
    # The weekly job retrains the targets whose active model came from the platform.
    from hongmian.insights.tasks import classifier_retrain_job

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    monkeypatch.setattr(svc, "RETRAIN_MIN_MACRO_F1", 0.0)
    [summary] = classifier_retrain_job.enqueue().return_value
    assert (summary["target"], summary["version"]) == (L1, 3)


# --- feedback ----------------------------------------------------------------------------


def test_feedback_records_suggestion_and_answer(system_actor, agent, top_categories) -> None:
    order = WorkOrderFactory()
    fb = svc.classifier_feedback_record(
        actor=actor_of(agent),
        order=order,
        target=L1,
        suggested_label="L1-0",
        confidence=0.8,
        confirmed_label="L1-1",
        source=FeedbackSource.AGENT_CORRECTION,
    )
    assert (fb.agreed, fb.recorded_by, fb.source) == (False, agent, "agent_correction")
    with pytest.raises(ClassifierError):
        svc.classifier_feedback_record(
            actor=system_actor, order=order, target=L1, confirmed_label=" ", source="dispatch"
        )
    with pytest.raises(ClassifierError):
        svc.classifier_feedback_record(
            actor=system_actor, order=order, target=L1, confirmed_label="x", source="guess"
        )


def test_intake_feedback_compares_the_chosen_category_with_the_signed_suggestion(
    system_actor, agent, top_categories, artefact
) -> None:
    svc.classifier_register(actor=system_actor, target=L1, path=artefact, activate=True)
    loaded = registry.active(L1)
    assert loaded is not None
    water = top_categories["水电气"]
    token = svc.suggestion_token(model=loaded, code=water.code, confidence=0.91)
    confirmed = WorkOrderFactory(category=CategoryFactory(parent=water))
    corrected = WorkOrderFactory(category=top_categories["交通运输"])
    a = svc.classifier_feedback_on_intake(actor=actor_of(agent), order=confirmed, token=token)
    b = svc.classifier_feedback_on_intake(actor=actor_of(agent), order=corrected, token=token)
    assert a is not None
    assert (a.agreed, a.confirmed_label, a.confidence, a.model_id) == (
        True,
        water.code,
        0.91,
        loaded.pk,
    )
    assert b is not None
    assert (b.agreed, b.confirmed_label) == (False, top_categories["交通运输"].code)
    # A forged token, or an order without a category, records nothing.
    forged = svc.classifier_feedback_on_intake(actor=system_actor, order=confirmed, token="x:y")
    assert forged is None
    assert (
        svc.classifier_feedback_on_intake(actor=system_actor, order=WorkOrderFactory(), token=token)
        is None
    )
    assert ClassificationFeedback.objects.count() == 2


RETURN = {"reason": "not_our_duty", "legal_basis": "三定方案", "explanation": "不属本单位职责。"}


def test_an_accepted_return_is_unit_feedback(flow, units, agent_actor) -> None:
    order = flow.dispatched(units.shipai)
    order = work_order_return_request(
        actor=actor_of(flow.handler(units.shipai)), order=order, **RETURN
    )
    order = work_order_return_review(
        actor=agent_actor, order=order, accept=True, note="同意", new_unit=units.water
    )
    assert order.lead_unit == units.water
    fb = ClassificationFeedback.objects.get()
    assert (fb.target, fb.source, fb.suggested_label, fb.confirmed_label, fb.agreed) == (
        "unit",
        FeedbackSource.RETURN,
        units.shipai.code,
        units.water.code,
        False,
    )


def test_a_feedback_failure_never_breaks_the_return_review(
    flow, units, agent_actor, monkeypatch, caplog
) -> None:
    def broken(**kwargs: object) -> None:
        # A database error inside the hook's savepoint, as a real failure would be.
        ClassificationFeedback.objects.create(order_id=kwargs["order"].pk)  # type: ignore[attr-defined]

    monkeypatch.setattr(svc, "classifier_feedback_record", broken)
    order = flow.dispatched(units.shipai)
    order = work_order_return_request(
        actor=actor_of(flow.handler(units.shipai)), order=order, **RETURN
    )
    order = work_order_return_review(
        actor=agent_actor, order=order, accept=True, note="同意", new_unit=units.water
    )
    order.refresh_from_db()
    assert (order.status, order.lead_unit) == (Status.DISPATCHED, units.water)
    assert not ClassificationFeedback.objects.exists()
    assert "was not recorded" in caplog.text

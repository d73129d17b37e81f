"""Writes of the classifiers: train, register, activate, retrain; feedback.

- `classifier_train` fits a model on rows, a file or the platform's settled orders, and
  registers it as a new version (active only if asked). Everything that can fail — reading,
  fitting, checking the labels against the target — happens before the first write, so a
  failed training leaves the registry, and the active model, as they were.
- `classifier_register` puts an artefact file into the registry for a target, refusing a
  damaged file or one whose labels are not the target's.
- `classifier_activate` makes one version the target's active one (the previous one is
  deactivated in the same transaction; a named constraint allows one active per target).
- `classifier_retrain` is the periodic job's work: train on settled orders and activate the
  result when it is not worse than the model in use.
- `classifier_feedback_record` stores what a suggestion was and what proved right;
  `classifier_feedback_on_return` is the hook an accepted return calls, and
  `classifier_feedback_on_intake` the console's, after the agent confirms or corrects.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core import signing
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext

from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record
from hongmian.core.errors import NotFound
from hongmian.core.versions import activate_only
from hongmian.hotline.models import WorkOrder
from hongmian.hotline.services.taxonomy import authorise_admin
from hongmian.identity.models import OrgUnit
from hongmian.insights.classifier import registry, targets
from hongmian.insights.classifier.datasets import LabelledRow, fail, read_labelled
from hongmian.insights.models import ClassificationFeedback, ClassifierModel
from hongmian.insights.states import ClassifierTarget, FeedbackSource

if TYPE_CHECKING:
    from hongmian.insights.classifier.text_classifier import ClassifierSpec, TextClassifier

logger = logging.getLogger(__name__)

PLATFORM_SOURCE = "platform"
# The retraining job activates a new model only if its cross-validated macro-F1 is at
# least this, and not more than RETRAIN_TOLERANCE below the active model's.
RETRAIN_MIN_MACRO_F1 = 0.6
RETRAIN_TOLERANCE = 0.02
# Settled orders a target needs before the job trains on them at all.
RETRAIN_MIN_ROWS = 200
# What the console signs into its form with a suggestion, so that the intake can record it.
SUGGESTION_SALT = "hotline.classifier.suggestion"
SUGGESTION_MAX_AGE = 6 * 3600  # one shift: an older form is not the suggestion anyone saw


# --- training and the registry ------------------------------------------------------------


def _next_version(target: str) -> int:
    top = ClassifierModel.objects.filter(target=target).aggregate(top=Max("version"))["top"]
    return (top or 0) + 1


def _store(
    *,
    actor: Actor,
    target: ClassifierTarget,
    classifier: TextClassifier,
    data: bytes,
    source: str,
    label_map: Mapping[str, str],
    note: str,
    activate: bool,
) -> ClassifierModel:
    with transaction.atomic():
        # Serialise version numbers per target: lock the target's rows (none yet is fine,
        # the unique constraint then refuses a duplicate and the caller retries).
        list(ClassifierModel.objects.select_for_update().filter(target=target).values("pk"))
        record = ClassifierModel.objects.create(
            target=target,
            version=_next_version(target),
            artefact=data,
            artefact_sha256=registry.sha256(data),
            source=source[:300],
            training_fingerprint=classifier.meta.get("fingerprint", ""),
            training_rows=int(classifier.meta.get("rows", 0)),
            labels=classifier.labels,
            label_map=dict(label_map),
            metrics=classifier.meta.get("metrics", {}),
            created_by=actor.user,
            note=note[:200],
        )
        audit_record(
            actor=actor,
            action="classifier.register",
            target=record,
            after={
                "target": target,
                "version": record.version,
                "sha256": record.artefact_sha256,
                "fingerprint": record.training_fingerprint,
                "labels": len(record.labels),
                "source": record.source,
            },
        )
        if activate:
            _activate_locked(actor, record)
    return record


def _check_fit_for_target(
    target: ClassifierTarget, classifier: TextClassifier, label_map: Mapping[str, str]
) -> None:
    trained_for = classifier.meta.get("target")
    if trained_for and trained_for != target:
        raise fail(
            "target_mismatch",
            gettext("该模型是为“%(trained_for)s”训练的，不能注册为“%(target)s”")
            % {"trained_for": trained_for, "target": target},
            field="target",
        )
    targets.resolve(target, classifier.labels, label_map)


def classifier_train(
    *,
    actor: Actor,
    target: str,
    rows: Sequence[LabelledRow] | None = None,
    input: str | Path | None = None,  # the CLI's own word for the training file
    text_columns: Sequence[str] = (),
    label_column: str = "",
    noisy_rows: Sequence[LabelledRow] = (),
    hint_rows: Sequence[LabelledRow] | None = None,
    label_map: Mapping[str, str] | None = None,
    spec: ClassifierSpec | None = None,
    cv_folds: int = 5,
    activate: bool = False,
    note: str = "",
    source: str = "",
) -> ClassifierModel:
    """Train a model for `target` and register it as a new version. The rows come from
    `rows`, else the file `input`, else the platform's settled orders. `hint_rows` (short
    rows from category names; decision 0015) default to the platform's taxonomy when the
    rows are the platform's. With `cv_folds` (≥ 2) the metrics are cross-validated first.
    Nothing is written if anything fails."""
    # scikit-learn is imported here, not with the module: the hotline's lifecycle services
    # reach this module for the feedback hooks, and a dispatch needs no machine learning.
    from hongmian.insights.classifier.evaluation import cross_validate
    from hongmian.insights.classifier.text_classifier import TextClassifier

    authorise_admin(actor)
    target = targets.parse(target)
    label_map = dict(label_map or {})
    if rows is None and input is not None:
        rows = read_labelled(input, text_columns=text_columns, label_column=label_column).rows
        source = source or str(input)
    elif rows is None:
        rows = targets.platform_rows(target)
        if not rows:
            raise fail("no_rows", gettext("平台还没有可用于训练的已办结工单"), field="target")
        source = source or PLATFORM_SOURCE
    source = source or "rows"
    if hint_rows is None:
        hint_rows = targets.taxonomy_hint_rows(target) if source == PLATFORM_SOURCE else []
    classifier = TextClassifier(spec).fit(
        rows,
        noisy_rows=noisy_rows,
        hint_rows=hint_rows,
        meta={"target": target, "source": source},
    )
    _check_fit_for_target(target, classifier, label_map)
    if cv_folds >= 2:
        kept = [r for r in rows if r.label in set(classifier.labels)]
        least = min(sum(1 for r in kept if r.label == label) for label in classifier.labels)
        if least >= cv_folds:
            cv = cross_validate(
                kept, noisy_rows=noisy_rows, hint_rows=hint_rows, spec=spec, folds=cv_folds
            )
            classifier.meta["metrics"] = cv.as_dict()
    data = classifier.to_bytes()
    return _store(
        actor=actor,
        target=target,
        classifier=classifier,
        data=data,
        source=source,
        label_map=label_map,
        note=note,
        activate=activate,
    )


def classifier_register(
    *,
    actor: Actor,
    target: str,
    path: str | Path,
    label_map: Mapping[str, str] | None = None,
    activate: bool = False,
    note: str = "",
) -> ClassifierModel:
    """Put the artefact at `path` into the registry as the next version for `target`."""
    from hongmian.insights.classifier.text_classifier import TextClassifier

    authorise_admin(actor)
    target = targets.parse(target)
    label_map = dict(label_map or {})
    path = Path(path)
    if not path.is_file():
        raise fail(
            "model_missing", gettext("找不到模型文件：%(path)s") % {"path": path}, field="model"
        )
    data = path.read_bytes()
    classifier = TextClassifier.from_bytes(data, name=f"模型文件 {path.name} ")
    if unknown := sorted(set(label_map) - set(classifier.labels)):
        raise fail(
            "label_map",
            gettext("映射中的标签不在模型里：%(value0)s") % {"value0": "、".join(unknown)},
            field="labels",
        )
    _check_fit_for_target(target, classifier, label_map)
    return _store(
        actor=actor,
        target=target,
        classifier=classifier,
        data=data,
        source=str(path),
        label_map=label_map,
        note=note,
        activate=activate,
    )


def _activate_locked(actor: Actor, record: ClassifierModel) -> None:
    # The artefact must load before it serves: a damaged one never becomes active.
    registry.load_record(record)
    previous = activate_only(record, among=ClassifierModel.objects.filter(target=record.target))
    audit_record(
        actor=actor,
        action="classifier.activate",
        target=record,
        before={"active_version": previous.version if previous else None},
        after={"active_version": record.version, "target": record.target},
    )


def classifier_activate(
    *, actor: Actor, model: ClassifierModel | int | None = None, target: str = "", version: int = 0
) -> ClassifierModel:
    """Make a version the active one of its target: by row (`model`) or by target and
    version. Activating the active version again changes nothing."""
    authorise_admin(actor)
    with transaction.atomic():
        rows = ClassifierModel.objects.select_for_update()
        if model is not None:
            pk = model.pk if isinstance(model, ClassifierModel) else model
            record = rows.filter(pk=pk).first()
        else:
            record = rows.filter(target=targets.parse(target), version=version).first()
        if record is None:
            raise NotFound(gettext("没有这个模型版本"), code="classifier.not_found")
        if not record.is_active:
            _activate_locked(actor, record)
    return record


def classifier_retrain(
    *, actor: Actor, target: str, activate: bool = True, cv_folds: int = 5
) -> dict[str, Any]:
    """Train `target` on the settled orders; activate the new version when its CV
    macro-F1 passes RETRAIN_MIN_MACRO_F1 and is within RETRAIN_TOLERANCE of the active
    model's. A summary: what was trained, and whether it went live and why (not)."""
    target = targets.parse(target)
    rows = targets.platform_rows(target)
    if len(rows) < RETRAIN_MIN_ROWS:
        return {"target": target, "rows": len(rows), "trained": False, "reason": "too_few_rows"}
    record = classifier_train(
        actor=actor,
        target=target,
        rows=rows,
        cv_folds=cv_folds,
        note="定期重训",
        source=PLATFORM_SOURCE,
    )
    score = float(record.metrics.get("macro_f1", 0.0))
    current = ClassifierModel.objects.filter(target=target, is_active=True).first()
    bar = RETRAIN_MIN_MACRO_F1
    if current is not None and "macro_f1" in current.metrics:
        bar = max(bar, float(current.metrics["macro_f1"]) - RETRAIN_TOLERANCE)
    live = activate and score >= bar
    if live:
        classifier_activate(actor=actor, model=record)
    return {
        "target": target,
        "rows": len(rows),
        "trained": True,
        "version": record.version,
        "macro_f1": score,
        "bar": round(bar, 4),
        "activated": live,
    }


# --- feedback ------------------------------------------------------------------------------


def classifier_feedback_record(
    *,
    actor: Actor,
    order: WorkOrder,
    target: str,
    confirmed_label: str,
    source: str,
    suggested_label: str = "",
    confidence: float | None = None,
    model: ClassifierModel | None = None,
) -> ClassificationFeedback:
    """Store what was suggested for `order` (may be blank) and what proved right."""
    target = targets.parse(target)
    if source not in FeedbackSource.values:
        raise fail(
            "feedback_source",
            gettext("未知的反馈来源：%(source)s") % {"source": source},
            field="source",
        )
    confirmed_label = confirmed_label.strip()
    if not confirmed_label:
        raise fail("feedback_label", gettext("反馈须有确认的标签"), field="confirmed_label")
    if confidence is not None and not 0 <= confidence <= 1:
        raise fail("feedback_confidence", gettext("置信度应在 0 到 1 之间"), field="confidence")
    with transaction.atomic():
        feedback = ClassificationFeedback.objects.create(
            order=order,
            target=target,
            model=model,
            suggested_label=suggested_label.strip()[:100],
            confidence=confidence,
            confirmed_label=confirmed_label[:100],
            agreed=bool(suggested_label) and suggested_label.strip() == confirmed_label,
            source=source,
            recorded_by=actor.user,
        )
        audit_record(
            actor=actor,
            action="classifier.feedback",
            target=feedback,
            after={
                "order": order.pk,
                "target": target,
                "source": source,
                "suggested": feedback.suggested_label,
                "confirmed": feedback.confirmed_label,
            },
        )
    return feedback


def classifier_feedback_on_return(
    *, actor: Actor, order: WorkOrder, returned_unit: OrgUnit, new_unit: OrgUnit
) -> ClassificationFeedback | None:
    """An accepted return (退单): the unit the order went to was wrong and `new_unit` is
    right. Called inside the return review's transaction; it never breaks that review: any
    failure is logged and rolled back to a savepoint of its own."""
    try:
        with transaction.atomic():
            active = ClassifierModel.objects.filter(
                target=ClassifierTarget.UNIT, is_active=True
            ).first()
            return classifier_feedback_record(
                actor=actor,
                order=order,
                target=ClassifierTarget.UNIT,
                suggested_label=returned_unit.code,
                confirmed_label=new_unit.code,
                source=FeedbackSource.RETURN,
                model=active,
            )
    except Exception:
        logger.exception("return feedback for order %s was not recorded", order.pk)
        return None


def suggestion_token(*, model: registry.LoadedModel, code: str, confidence: float) -> str:
    """What the console puts into its form beside a suggestion (signed: the form cannot
    claim a suggestion the server did not make)."""
    payload = {"m": model.pk, "t": model.target, "c": code, "p": round(confidence, 4)}
    return signing.dumps(payload, salt=SUGGESTION_SALT, compress=True)


def classifier_feedback_on_intake(
    *, actor: Actor, order: WorkOrder, token: str
) -> ClassificationFeedback | None:
    """After intake: the category the agent chose against the suggestion the console
    showed (`token` from `suggestion_token`). Nothing is recorded without a token or a
    chosen category; a bad or stale token is ignored. Never raises."""
    if not token or order.category_id is None:
        return None
    try:
        payload = signing.loads(token, salt=SUGGESTION_SALT, max_age=SUGGESTION_MAX_AGE)
        target = targets.parse(str(payload["t"]))
        level = targets.CATEGORY_LEVELS.get(target)
        chosen = targets.category_at_level(order.category, level) if level else None
        if chosen is None:
            return None  # the agent chose a category above the model's level
        with transaction.atomic():
            return classifier_feedback_record(
                actor=actor,
                order=order,
                target=target,
                suggested_label=str(payload["c"]),
                confidence=float(payload["p"]),
                confirmed_label=chosen.code,
                source=FeedbackSource.AGENT_CORRECTION,
                model=ClassifierModel.objects.filter(pk=payload["m"]).first(),
            )
    except signing.BadSignature:
        return None
    except Exception:
        logger.exception("intake feedback for order %s was not recorded", order.pk)
        return None


__all__ = [
    "classifier_activate",
    "classifier_feedback_on_intake",
    "classifier_feedback_on_return",
    "classifier_feedback_record",
    "classifier_register",
    "classifier_retrain",
    "classifier_train",
    "suggestion_token",
]
